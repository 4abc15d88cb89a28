//! HTML of the OAuth pages: the consent page where the user picks a sandbox
//! user and authorizes or cancels, and the error page for requests that
//! cannot be redirected back to the app.

use std::fmt::Write;

use super::directory::accounts;

/// Scope granted when the authorize request names none: the scopes the
/// sandbox app is configured with, as its context's `permissions` shows.
pub const DEFAULT_SCOPE: &str = "me:read";

/// Name of the app on the consent page.
const APP_NAME: &str = "ActivTrak insights";

const PAGE_STYLE: &str = r#"
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6f7fb; color: #323338; }
  .top-bar { padding: 10px 20px; background: #292f4c; color: #ffffff; font-weight: 700; font-size: 18px; }
  .top-bar span { font-weight: 400; opacity: 0.7; }
  .badge { margin-left: 10px; font-size: 11px; font-weight: 400; padding: 2px 8px; border-radius: 10px; background: #ffcb00; color: #323338; }
  main { max-width: 560px; margin: 32px auto; padding: 24px 28px; background: #ffffff; border: 1px solid #d0d4e4; border-radius: 8px; }
  h1 { margin: 0 0 12px; font-size: 22px; }
  fieldset { border: 1px solid #d0d4e4; border-radius: 6px; margin: 12px 0; }
  legend { font-weight: 600; padding: 0 4px; }
  label { display: block; margin: 4px 0; cursor: pointer; }
  .muted { color: #676879; font-size: 12px; }
  code { font-size: 12px; }
  .buttons { display: flex; gap: 12px; margin-top: 18px; }
  button { font: inherit; padding: 6px 18px; border-radius: 4px; border: 1px solid #d0d4e4; background: #ffffff; cursor: pointer; }
  button.primary { background: #0073ea; border-color: #0073ea; color: #ffffff; }
  .error { color: #d83a52; }
"#;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · monday.com stand-in</title>\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n\
         <header class=\"top-bar\">monday<span>.com</span><span class=\"badge\">local sandbox</span></header>\n\
         <main>\n{body}</main>\n</body>\n</html>\n",
        title = escape_html(title),
    )
}

/// The authorize request's parameters, as the consent page shows them and
/// sends them back.
#[derive(Debug, Default)]
pub(super) struct ConsentRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: Option<&'a str>,
    pub state: Option<&'a str>,
    pub app_version_id: Option<&'a str>,
    pub force_install_if_needed: Option<&'a str>,
}

fn hidden_input(html: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        let _ = writeln!(
            html,
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape_html(value)
        );
    }
}

/// Splits a `scope` parameter into its scopes. monday separates them with
/// spaces.
pub fn split_scopes(scope: Option<&str>) -> Vec<&str> {
    scope
        .map(|text| text.split_whitespace().collect())
        .unwrap_or_default()
}

/// Renders the consent page. The form posts back to the authorize path with
/// the request's parameters, the chosen `user` and `decision`
/// (`authorize` or `cancel`). The first user of the first account is
/// preselected.
pub(super) fn render_consent_page(request: &ConsentRequest<'_>) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>Authorize {APP_NAME}</h1>\n<p>The app <code id=\"client-id\">{}</code> asks for access to your monday.com account.</p>",
        escape_html(request.client_id)
    );

    let scopes = split_scopes(request.scope);
    body.push_str("<p>Requested scopes:</p>\n<ul id=\"scopes\">\n");
    if scopes.is_empty() {
        let _ = writeln!(
            body,
            "<li><code>{DEFAULT_SCOPE}</code> <span class=\"muted\">(the request names no scope, so the app's configured scopes apply)</span></li>"
        );
    }
    for scope in &scopes {
        let _ = writeln!(body, "<li><code>{}</code></li>", escape_html(scope));
    }
    body.push_str("</ul>\n");
    if let Some(version) = request.app_version_id {
        let _ = writeln!(
            body,
            "<p class=\"muted\">App version: <code>{}</code></p>",
            escape_html(version)
        );
    }
    if let Some(force) = request.force_install_if_needed {
        let _ = writeln!(
            body,
            "<p class=\"muted\">force_install_if_needed: <code>{}</code></p>",
            escape_html(force)
        );
    }

    body.push_str("<form method=\"post\" action=\"authorize\" id=\"consent-form\">\n");
    hidden_input(&mut body, "client_id", Some(request.client_id));
    hidden_input(&mut body, "redirect_uri", Some(request.redirect_uri));
    hidden_input(&mut body, "scope", request.scope);
    hidden_input(&mut body, "state", request.state);
    hidden_input(&mut body, "app_version_id", request.app_version_id);
    hidden_input(
        &mut body,
        "force_install_if_needed",
        request.force_install_if_needed,
    );

    let mut preselect = true;
    for account in accounts() {
        let _ = writeln!(
            body,
            "<fieldset id=\"account-{id}\">\n<legend>{name} <span class=\"muted\">(account {id}, {slug})</span></legend>",
            id = account.id,
            name = escape_html(account.name),
            slug = escape_html(account.slug),
        );
        for user in account.users {
            let _ = writeln!(
                body,
                "<label><input type=\"radio\" name=\"user\" value=\"{id}\" id=\"user-{id}\"{checked}> {name} <span class=\"muted\">{email} · {kind}</span></label>",
                id = user.id,
                checked = if preselect { " checked" } else { "" },
                name = escape_html(user.name),
                email = escape_html(user.email),
                kind = user.kind.as_str(),
            );
            preselect = false;
        }
        body.push_str("</fieldset>\n");
    }

    body.push_str(
        "<div class=\"buttons\">\n\
         <button type=\"submit\" class=\"primary\" name=\"decision\" value=\"authorize\" id=\"authorize-button\">Authorize</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"cancel-button\">Cancel</button>\n\
         </div>\n</form>\n",
    );
    page(&format!("Authorize {APP_NAME}"), &body)
}

/// Renders an error page for an authorize request that cannot be sent back
/// to the app, such as one without a usable `redirect_uri`.
pub(super) fn render_error_page(message: &str) -> String {
    let body = format!(
        "<h1>Authorization failed</h1>\n<p class=\"error\" id=\"error-message\">{}</p>\n",
        escape_html(message)
    );
    page("Authorization failed", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_covers_markup() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn consent_page_escapes_parameters() {
        let html = render_consent_page(&ConsentRequest {
            client_id: "client",
            redirect_uri: "http://127.0.0.1:3000/cb?a=1&b=\"2\"",
            scope: Some("me:read boards:read"),
            state: Some("<script>alert(1)</script>"),
            ..ConsentRequest::default()
        });
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("value=\"http://127.0.0.1:3000/cb?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("<li><code>boards:read</code></li>"));
    }

    #[test]
    fn consent_page_lists_every_user() {
        let html = render_consent_page(&ConsentRequest {
            client_id: "client",
            redirect_uri: "http://127.0.0.1:3000/cb",
            ..ConsentRequest::default()
        });
        for account in accounts() {
            assert!(html.contains(&format!("id=\"account-{}\"", account.id)));
            for user in account.users {
                assert!(html.contains(&format!("id=\"user-{}\"", user.id)));
            }
        }
        assert_eq!(html.matches(" checked").count(), 1);
        assert!(
            !html.contains("name=\"state\""),
            "absent state must stay absent"
        );
    }
}
