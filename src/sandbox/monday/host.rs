//! The host page: a minimal monday board page that embeds the view in an
//! iframe and replies to the SDK's postMessage calls (see `host.js`).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::context::{board_view_context, empty_filter, item_ids, THEMES};
use super::directory::accounts;
use super::grants::OAuthMode;
use super::lifecycle::LIFECYCLE_EVENT_TYPES;
use super::MondayStandIn;

const HOST_HTML: &str = include_str!("host.html");
const HOST_JS: &str = include_str!("host.js");
const CONFIG_PLACEHOLDER: &str = "__SANDBOX_CONFIG__";

/// Path of the ActivTrak stand-in's control endpoints, as the host page
/// calls them.
const ACTIVTRAK_CONTROL_PATH: &str = "/activtrak/_sandbox";

/// Path of the monday stand-in's control endpoints.
const MONDAY_CONTROL_PATH: &str = "/monday/_sandbox";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostUser {
    id: String,
    name: String,
    kind: &'static str,
    /// Context with the `light` theme; the page swaps the theme in.
    context: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostAccount {
    id: String,
    name: &'static str,
    slug: &'static str,
    board_name: &'static str,
    item_ids: Vec<u64>,
    users: Vec<HostUser>,
}

/// Everything `host.js` needs, embedded in the page as JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostConfig {
    app_url: String,
    themes: [&'static str; 3],
    filter: Value,
    activtrak_control_path: &'static str,
    monday_control_path: &'static str,
    oauth_modes: Vec<&'static str>,
    lifecycle_types: [&'static str; 13],
    accounts: Vec<HostAccount>,
}

fn host_config(standin: &MondayStandIn) -> HostConfig {
    let settings = standin.settings();
    let host_accounts = accounts()
        .iter()
        .map(|account| HostAccount {
            id: account.id.to_string(),
            name: account.name,
            slug: account.slug,
            board_name: account.board_name,
            item_ids: item_ids(account),
            users: account
                .users
                .iter()
                .map(|user| HostUser {
                    id: user.id.to_string(),
                    name: user.name.to_owned(),
                    kind: user.kind.as_str(),
                    context: board_view_context(&settings.client_id, account, user, "light"),
                })
                .collect(),
        })
        .collect();

    HostConfig {
        app_url: settings.app_url.clone(),
        themes: THEMES,
        filter: empty_filter(),
        activtrak_control_path: ACTIVTRAK_CONTROL_PATH,
        monday_control_path: MONDAY_CONTROL_PATH,
        oauth_modes: OAuthMode::ALL.iter().map(OAuthMode::as_str).collect(),
        lifecycle_types: LIFECYCLE_EVENT_TYPES,
        accounts: host_accounts,
    }
}

/// Serializes `value` for a `<script type="application/json">` element. The
/// escapes keep `</script>` and similar text inside strings from ending the
/// element; JSON.parse reads them back unchanged.
fn json_for_script(value: &impl Serialize) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string(value)?;
    Ok(text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026"))
}

/// Serves the host page at `/`. The page reads its state (account, user,
/// theme, width, settings) from its own query string in the browser.
pub(super) async fn host_page(State(standin): State<MondayStandIn>) -> Response {
    match json_for_script(&host_config(&standin)) {
        Ok(config_json) => {
            let page = HOST_HTML.replace(CONFIG_PLACEHOLDER, &config_json);
            ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "failed to serialize the host page configuration");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The host page configuration could not be serialized.",
            )
                .into_response()
        }
    }
}

/// Serves `/host.js`.
pub(super) async fn host_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        HOST_JS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_element() {
        let text = json_for_script(&serde_json::json!({ "name": "</script><b>&" })).unwrap();
        assert!(!text.contains('<'));
        assert!(!text.contains('>'));
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["name"], "</script><b>&");
    }

    #[test]
    fn host_html_has_placeholder_and_frame() {
        assert_eq!(HOST_HTML.matches(CONFIG_PLACEHOLDER).count(), 1);
        assert!(HOST_HTML.contains(r#"<iframe id="board-view""#));
        assert!(HOST_HTML.contains(r#"src="/host.js""#));
    }

    #[test]
    fn host_html_has_monday_controls() {
        for id in [
            "oauth-mode",
            "lifecycle-type",
            "lifecycle-bearer",
            "lifecycle-send",
            "lifecycle-result",
        ] {
            assert_eq!(
                HOST_HTML.matches(&format!("id=\"{id}\"")).count(),
                1,
                "{id}"
            );
            assert!(
                HOST_JS.contains(&format!("\"{id}\"")),
                "host.js does not use {id}"
            );
        }
    }
}
