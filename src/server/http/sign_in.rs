//! The settings page's sign-in: single-use handoff links minted for a user
//! of the view, and monday OAuth. Both end in a first-party session cookie.
//! OAuth never runs inside monday's iframe; the page opens in its own tab.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::server::config::Config;
use crate::server::db::sign_in::{
    consume_handoff, consume_oauth_state, create_oauth_state, create_session, delete_session, random_token, SignedInUser,
};
use crate::server::monday_api::{exchange_code, fetch_me, MondayError};
use crate::server::state::AppState;

/// How long a settings session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// How long an OAuth `state` may wait for monday's redirect.
pub const OAUTH_STATE_SECONDS: i64 = 10 * 60;
/// How long a handoff link from the view stays usable.
pub const HANDOFF_SECONDS: i64 = 5 * 60;

/// Returns the session cookie's name. Browsers accept the `__Host-` prefix only with
/// `Secure`, so plain http (the local sandbox) uses the bare name.
pub fn session_cookie_name(config: &Config) -> &'static str {
    if config.is_https() { "__Host-atb_session" } else { "atb_session" }
}

fn browser_cookie_name(config: &Config) -> &'static str {
    if config.is_https() { "__Host-atb_browser" } else { "atb_browser" }
}

fn cookie(config: &Config, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if config.is_https() { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("atb_invalid=; Max-Age=0"))
}

/// Returns the value of cookie `name` in the request's `Cookie` headers.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Renders a plain page that explains a sign-in problem and what to do next.
fn explain(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |value: &str| value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/activtrak-board.css\"></head>\
         <body><main class=\"page sign-in-problem\" data-state=\"sign-in-problem\"><h1>{title}</h1><p>{text}</p>\
         <p><a href=\"/settings\">Back to ActivTrak settings</a></p></main></body></html>",
        title = escape(title),
        text = escape(text)
    );
    (status, Html(page)).into_response()
}

/// Starts a session for `user` and sends the browser to the settings page.
async fn sign_in(state: &AppState, user: SignedInUser) -> Response {
    let session = random_token();
    let now = state.clock.now().timestamp();
    if let Err(error) = create_session(&state.db, &session, &user, now, now + SESSION_SECONDS).await {
        tracing::error!(account.id = user.account_id, error = %error, "could not create a settings session");
        return explain(StatusCode::INTERNAL_SERVER_ERROR, "Sign-in failed", "Please try again in a minute.");
    }
    tracing::info!(account.id = user.account_id, user.id = user.user_id, "signed in to settings");
    let mut response = Redirect::to("/settings").into_response();
    let name = session_cookie_name(&state.config);
    response.headers_mut().append(header::SET_COOKIE, cookie(&state.config, name, &session, SESSION_SECONDS));
    response
}

#[derive(Deserialize)]
pub struct HandoffQuery {
    #[serde(default)]
    token: String,
}

/// `GET /settings/handoff?token=…`: the link the view opened in a new tab.
pub async fn handoff(State(state): State<AppState>, Query(query): Query<HandoffQuery>) -> Response {
    let now = state.clock.now().timestamp();
    match consume_handoff(&state.db, &query.token, now).await {
        Ok(Some(user)) => sign_in(&state, user).await,
        Ok(None) => explain(
            StatusCode::BAD_REQUEST,
            "This link has expired",
            "Settings links work once and for 5 minutes. Open Settings again from the board view, \
             or sign in with monday below.",
        ),
        Err(error) => {
            tracing::error!(error = %error, "could not read a handoff link");
            explain(StatusCode::INTERNAL_SERVER_ERROR, "Sign-in failed", "Please try again in a minute.")
        }
    }
}

/// `GET /oauth/start`: sends the browser to monday's authorize page with a
/// `state` stored on the server and bound to this browser.
pub async fn oauth_start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let config = &state.config;
    let existing = read_cookie(&headers, browser_cookie_name(config));
    let browser = existing.clone().unwrap_or_else(random_token);
    let oauth_state = random_token();
    let now = state.clock.now().timestamp();
    if let Err(error) = create_oauth_state(&state.db, &oauth_state, &browser, now + OAUTH_STATE_SECONDS).await {
        tracing::error!(error = %error, "could not store an OAuth state");
        return explain(StatusCode::INTERNAL_SERVER_ERROR, "Sign-in failed", "Please try again in a minute.");
    }

    let mut authorize = config.monday_auth_url.clone();
    authorize.set_path(&format!("{}/oauth2/authorize", authorize.path().trim_end_matches('/')));
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &config.monday_client_id)
        .append_pair("redirect_uri", &config.oauth_redirect_uri())
        .append_pair("scope", "me:read")
        .append_pair("state", &oauth_state);
    let mut response = Redirect::to(authorize.as_str()).into_response();
    if existing.is_none() {
        let name = browser_cookie_name(config);
        response.headers_mut().append(header::SET_COOKIE, cookie(config, name, &browser, OAUTH_STATE_SECONDS));
    }
    response
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Plain words for monday's OAuth errors, with what to do next.
pub fn explain_oauth_error(code: &str, description: &str) -> (&'static str, String) {
    let lower = description.to_lowercase();
    if lower.contains("not allowed to install") || lower.contains("cannot be installed") {
        return (
            "This monday account can't install the app",
            "monday does not allow this account to install this version of the app. A draft version can only be \
             installed by the app's own account and its collaborators; other accounts need the share link of a \
             live version, and only an account admin can install apps. Ask your monday admin to install the app \
             from its share link, then sign in again."
                .to_owned(),
        );
    }
    let text = match code {
        "access_denied" => "You cancelled the sign-in, or your monday account denied it. Sign in again and choose \
                            Authorize to continue.",
        "invalid_grant" => "monday did not accept the sign-in code (it may have expired or been used already). \
                            Sign in again.",
        "unauthorized_client" => "monday does not recognise this app's client id. The operator should check \
                                  MONDAY_CLIENT_ID.",
        "invalid_scope" => "monday rejected the permissions this app asks for. The operator should check the \
                            app's OAuth scopes in monday's Developer Center.",
        "invalid_request" => "monday rejected the sign-in request as malformed. Sign in again; if it keeps \
                              failing, the operator should check the redirect URL registered with monday.",
        "server_error" | "temporary_unavailable" => "monday had a temporary problem. Please try again in a \
                                                      few minutes.",
        _ => "monday rejected the sign-in. Please try again.",
    };
    ("Sign-in with monday failed", text.to_owned())
}

/// `GET /oauth/callback`: checks `state`, exchanges the code with the same
/// `redirect_uri`, and asks GraphQL `me` who signed in.
pub async fn oauth_callback(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<CallbackQuery>) -> Response {
    let config = &state.config;
    let now = state.clock.now().timestamp();
    let browser = read_cookie(&headers, browser_cookie_name(config));
    let state_ok = match &query.state {
        Some(value) => match consume_oauth_state(&state.db, value, browser.as_deref(), now).await {
            Ok(ok) => ok,
            Err(error) => {
                tracing::error!(error = %error, "could not check an OAuth state");
                return explain(StatusCode::INTERNAL_SERVER_ERROR, "Sign-in failed", "Please try again in a minute.");
            }
        },
        None => false,
    };
    if !state_ok {
        tracing::warn!("OAuth callback with an unknown, used, expired or foreign state");
        return explain(
            StatusCode::BAD_REQUEST,
            "Sign-in could not be verified",
            "This sign-in was not started here, was already used, or took longer than 10 minutes. \
             Start again from the settings page.",
        );
    }
    if let Some(code) = &query.error {
        let (title, text) = explain_oauth_error(code, query.error_description.as_deref().unwrap_or_default());
        return explain(StatusCode::BAD_REQUEST, title, &text);
    }
    let Some(code) = query.code.filter(|code| !code.is_empty()) else {
        return explain(StatusCode::BAD_REQUEST, "Sign-in failed", "monday sent no sign-in code. Sign in again.");
    };

    let me = match exchange_code(config, &code).await {
        Ok(access_token) => fetch_me(config, &access_token).await,
        Err(error) => Err(error),
    };
    match me {
        Ok(me) => {
            let user = SignedInUser {
                account_id: me.account_id.0,
                user_id: me.user_id.0,
                is_admin: me.is_admin,
                user_name: me.name,
            };
            sign_in(&state, user).await
        }
        Err(MondayError::OAuth { code, description }) => {
            tracing::warn!(oauth.error = %code, "monday rejected the code exchange");
            let (title, text) = explain_oauth_error(&code, &description);
            explain(StatusCode::BAD_REQUEST, title, &text)
        }
        Err(error) => {
            tracing::warn!(error = %error, "monday sign-in failed");
            explain(StatusCode::BAD_GATEWAY, "monday is not responding", "Please try again in a few minutes.")
        }
    }
}

/// `POST /settings/sign-out`: ends the session.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let name = session_cookie_name(&state.config);
    if let Some(session) = read_cookie(&headers, name) {
        if let Err(error) = delete_session(&state.db, &session).await {
            tracing::error!(error = %error, "could not delete a settings session");
        }
    }
    let mut response = Redirect::to("/settings").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie(&state.config, name, "", 0));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_refusals_are_explained() {
        let (title, text) = explain_oauth_error("invalid_grant", "Account is not allowed to install this app");
        assert!(title.contains("can't install"));
        assert!(text.contains("share link"));
        let (title, _) = explain_oauth_error("invalid_grant", "The app cannot be installed in this account");
        assert!(title.contains("can't install"));
    }

    #[test]
    fn every_documented_error_has_words() {
        for code in ["invalid_request", "unauthorized_client", "access_denied", "invalid_scope", "server_error", "temporary_unavailable"] {
            let (_, text) = explain_oauth_error(code, "");
            assert!(!text.contains("rejected the sign-in. Please try again."), "{code} has no own explanation");
        }
    }

    #[test]
    fn cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; atb_session=xyz; b=2"));
        assert_eq!(read_cookie(&headers, "atb_session").as_deref(), Some("xyz"));
        assert_eq!(read_cookie(&headers, "missing"), None);
    }
}
