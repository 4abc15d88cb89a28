//! monday's OAuth authorization code flow: `GET` and `POST
//! /monday/oauth2/authorize` (the consent page and its decision) and
//! `POST /monday/oauth2/token`.
//!
//! Errors follow RFC 6749 as monday uses it. An authorize request that has
//! no usable `redirect_uri` gets a 400 HTML page, and every other authorize
//! error is redirected back with `error`, `error_description` and `state`.
//! The token endpoint returns `{"error", "error_description"}` with 400, or
//! 401 for a wrong client.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};
use url::Url;

use super::consent::{
    render_consent_page, render_error_page, split_scopes, ConsentRequest, DEFAULT_SCOPE,
};
use super::directory::find_user;
use super::grants::{CodeGrant, OAuthMode, TokenOwner, TokenRequestRecord};
use super::MondayStandIn;

/// Decodes `application/x-www-form-urlencoded` text (a query string or a
/// form body). The first occurrence of a repeated name wins.
fn decode_form(text: &[u8]) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(text) {
        params
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    params
}

/// Returns the parameter `name` when it is present and not empty.
fn non_empty<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

fn no_store_html(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            // monday's OAuth pages never run inside a frame.
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        Html(html),
    )
        .into_response()
}

fn error_page(message: String) -> Response {
    tracing::info!(%message, "authorize request rejected with an error page");
    no_store_html(StatusCode::BAD_REQUEST, render_error_page(&message))
}

/// Parses the authorize request's `redirect_uri`: an absolute http(s) URL
/// without a fragment, as RFC 6749 section 3.1.2 requires.
///
/// NOTE: apps register their redirect URLs in monday's Developer Center. The
/// sandbox has no such list and accepts any http(s) URL.
fn parse_redirect_uri(value: Option<&str>) -> Result<Url, String> {
    let Some(text) = value else {
        return Err(
            "The redirect_uri parameter is missing, so the sandbox cannot send you back to the app."
                .to_owned(),
        );
    };
    let url = Url::parse(text)
        .map_err(|error| format!("The redirect_uri '{text}' is not an absolute URL: {error}."))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "The redirect_uri '{text}' must be an http or https URL."
        ));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "The redirect_uri '{text}' must not contain a fragment ('#...')."
        ));
    }
    Ok(url)
}

/// Sends the browser back to `redirect_uri` with `pairs` and `state` added
/// to the query that the URI already has.
fn redirect_back(mut redirect_uri: Url, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    {
        let mut query = redirect_uri.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    match HeaderValue::from_str(redirect_uri.as_str()) {
        Ok(location) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        // A serialized Url is ASCII, which a header value always accepts.
        Err(error) => {
            tracing::error!(%error, "the redirect URL is not a valid header value");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The redirect URL could not be sent as a Location header.",
            )
                .into_response()
        }
    }
}

fn redirect_error(
    redirect_uri: Url,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    tracing::info!(
        error,
        description,
        "authorize request redirected back with an error"
    );
    redirect_back(
        redirect_uri,
        &[("error", error), ("error_description", description)],
        state,
    )
}

/// Checks what the consent page and its decision both need. Returns the
/// parsed redirect URI, or the response that ends the request, boxed
/// because a response is large.
fn check_authorize_request(
    standin: &MondayStandIn,
    params: &HashMap<String, String>,
) -> Result<Url, Box<Response>> {
    let redirect_uri = parse_redirect_uri(non_empty(params, "redirect_uri"))
        .map_err(|message| Box::new(error_page(message)))?;
    let state = params.get("state").map(String::as_str);

    let Some(client_id) = non_empty(params, "client_id") else {
        return Err(Box::new(redirect_error(
            redirect_uri,
            "invalid_request",
            "The client_id parameter is missing.",
            state,
        )));
    };
    if client_id != standin.settings().client_id {
        return Err(Box::new(redirect_error(
            redirect_uri,
            "unauthorized_client",
            &format!("No app has the client_id '{client_id}'."),
            state,
        )));
    }
    if standin.oauth_mode() == OAuthMode::AccessDenied {
        return Err(Box::new(redirect_error(
            redirect_uri,
            "access_denied",
            "The sandbox's access_denied mode is set: this account may not install the app.",
            state,
        )));
    }
    Ok(redirect_uri)
}

/// Serves `GET /monday/oauth2/authorize`: the consent page, or an error.
pub(super) async fn authorize_page(
    State(standin): State<MondayStandIn>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = decode_form(query.unwrap_or_default().as_bytes());
    if let Err(response) = check_authorize_request(&standin, &params) {
        return *response;
    }

    let consent = ConsentRequest {
        client_id: non_empty(&params, "client_id").unwrap_or_default(),
        redirect_uri: non_empty(&params, "redirect_uri").unwrap_or_default(),
        scope: params.get("scope").map(String::as_str),
        state: params.get("state").map(String::as_str),
        app_version_id: params.get("app_version_id").map(String::as_str),
        force_install_if_needed: params.get("force_install_if_needed").map(String::as_str),
    };
    no_store_html(StatusCode::OK, render_consent_page(&consent))
}

/// Serves `POST /monday/oauth2/authorize`, the consent form's decision. It
/// checks the request again, because the form's fields come from the
/// browser, then redirects back with a code or with `access_denied`.
pub(super) async fn authorize_decision(
    State(standin): State<MondayStandIn>,
    body: Bytes,
) -> Response {
    let params = decode_form(&body);
    let redirect_uri = match check_authorize_request(&standin, &params) {
        Ok(url) => url,
        Err(response) => return *response,
    };
    let state = params.get("state").map(String::as_str);

    match params.get("decision").map(String::as_str) {
        Some("authorize") => {}
        Some("cancel") => {
            return redirect_error(
                redirect_uri,
                "access_denied",
                "The user cancelled the authorization.",
                state,
            )
        }
        other => {
            return error_page(format!(
                "The decision {other:?} is invalid: expected \"authorize\" or \"cancel\"."
            ))
        }
    }

    let user_text = params.get("user").map(String::as_str).unwrap_or_default();
    let Some((account, user)) = user_text.parse::<u64>().ok().and_then(find_user) else {
        return error_page(format!(
            "The user '{user_text}' is not a sandbox user: pick one of the listed users."
        ));
    };

    // NOTE: how monday narrows the requested scopes to the app's configured
    // ones is not known here. The sandbox grants what was requested, and the
    // GraphQL stand-in does not check scopes.
    let scopes = split_scopes(params.get("scope").map(String::as_str));
    let scope = if scopes.is_empty() {
        DEFAULT_SCOPE.to_owned()
    } else {
        scopes.join(" ")
    };
    let grant = CodeGrant {
        client_id: standin.settings().client_id.clone(),
        // The raw parameter, not the parsed URL: the token request must
        // repeat it byte for byte.
        redirect_uri: non_empty(&params, "redirect_uri")
            .unwrap_or_default()
            .to_owned(),
        account_id: account.id,
        user_id: user.id,
        scope,
    };
    let code = standin.lock_oauth().issue_code(grant, Instant::now());
    tracing::info!(
        account_id = account.id,
        user_id = user.id,
        "authorization code issued"
    );
    redirect_back(redirect_uri, &[("code", &code)], state)
}

/// An OAuth error of the token endpoint.
#[derive(Debug)]
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl TokenError {
    fn invalid_request(description: String) -> Self {
        TokenError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description,
        }
    }

    fn invalid_client(description: String) -> Self {
        TokenError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description,
        }
    }

    fn invalid_grant(description: String) -> Self {
        TokenError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description,
        }
    }
}

/// Reads the token request's parameters from a form or JSON body. JSON
/// numbers and booleans are read as their text, and nulls as absent.
fn read_token_params(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<HashMap<String, String>, TokenError> {
    let media_type = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();

    match media_type.as_str() {
        "application/x-www-form-urlencoded" => Ok(decode_form(body)),
        "application/json" => {
            let object: serde_json::Map<String, Value> = serde_json::from_slice(body)
                .map_err(|error| {
                    TokenError::invalid_request(format!(
                        "The request body is not a JSON object: {error}."
                    ))
                })?;
            let mut params = HashMap::new();
            for (name, value) in object {
                let text = match value {
                    Value::Null => continue,
                    Value::String(text) => text,
                    Value::Number(number) => number.to_string(),
                    Value::Bool(flag) => flag.to_string(),
                    Value::Array(_) | Value::Object(_) => {
                        return Err(TokenError::invalid_request(format!(
                            "The parameter '{name}' must be a string."
                        )))
                    }
                };
                params.insert(name, text);
            }
            Ok(params)
        }
        _ => Err(TokenError::invalid_request(format!(
            "The Content-Type '{}' is not supported: send the parameters as application/x-www-form-urlencoded or application/json.",
            content_type.unwrap_or("(none)")
        ))),
    }
}

/// Checks a token request and issues the token. Returns the issued token
/// with its owner, or the error to send.
fn exchange_code(
    standin: &MondayStandIn,
    params: &HashMap<String, String>,
) -> Result<(String, TokenOwner), TokenError> {
    let missing: Vec<&str> = ["client_id", "client_secret", "code"]
        .into_iter()
        .filter(|name| non_empty(params, name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(TokenError::invalid_request(format!(
            "Missing required parameters: {}.",
            missing.join(", ")
        )));
    }
    let client_id = non_empty(params, "client_id").unwrap_or_default();
    let client_secret = non_empty(params, "client_secret").unwrap_or_default();
    let code = non_empty(params, "code").unwrap_or_default();

    let settings = standin.settings();
    if client_id != settings.client_id {
        return Err(TokenError::invalid_client(format!(
            "No app has the client_id '{client_id}'."
        )));
    }
    if client_secret != settings.client_secret {
        return Err(TokenError::invalid_client(
            "The client_secret is wrong for this client_id.".to_owned(),
        ));
    }

    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(TokenError::invalid_grant(
            "redirect_uri is missing: send the redirect_uri of the authorization request."
                .to_owned(),
        ));
    };

    // Checking, using up the code and issuing the token happen under one
    // lock, so that two requests cannot redeem the same code.
    let mut oauth = standin.lock_oauth();
    let grant = oauth
        .check_code(code, client_id, redirect_uri, Instant::now())
        .map_err(|rejection| TokenError::invalid_grant(rejection.description().to_owned()))?;
    oauth.use_code(code);

    if let Some(description) = oauth.mode.install_rejection() {
        return Err(TokenError::invalid_grant(description.to_owned()));
    }
    let owner = TokenOwner {
        account_id: grant.account_id,
        user_id: grant.user_id,
        scope: grant.scope,
    };
    let token = oauth.issue_token(owner.clone());
    Ok((token, owner))
}

/// Serves `POST /monday/oauth2/token` and records the request.
pub(super) async fn token(
    State(standin): State<MondayStandIn>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let params = read_token_params(content_type, &body);
    let (client_id, redirect_uri) = match &params {
        Ok(params) => (
            params.get("client_id").cloned(),
            params.get("redirect_uri").cloned(),
        ),
        Err(_) => (None, None),
    };
    let result = params.and_then(|params| exchange_code(&standin, &params));

    let mut record = TokenRequestRecord {
        received_at: Utc::now(),
        content_type: content_type.map(str::to_owned),
        client_id,
        redirect_uri,
        status: StatusCode::OK.as_u16(),
        error: None,
        error_description: None,
        account_id: None,
        user_id: None,
    };

    let (status, body) = match result {
        Ok((token, owner)) => {
            tracing::info!(
                account_id = owner.account_id,
                user_id = owner.user_id,
                "access token issued"
            );
            record.account_id = Some(owner.account_id);
            record.user_id = Some(owner.user_id);
            let body = json!({
                "access_token": token,
                "token_type": "Bearer",
                "scope": owner.scope,
            });
            (StatusCode::OK, body)
        }
        Err(error) => {
            tracing::info!(
                status = error.status.as_u16(),
                error = error.error,
                description = %error.description,
                "token request rejected"
            );
            record.status = error.status.as_u16();
            record.error = Some(error.error.to_owned());
            record.error_description = Some(error.description.clone());
            let body = json!({
                "error": error.error,
                "error_description": error.description,
            });
            (error.status, body)
        }
    };

    standin.lock_oauth().record_token_request(record);
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uri_must_be_absolute_http() {
        assert!(parse_redirect_uri(Some("http://127.0.0.1:3000/cb")).is_ok());
        assert!(parse_redirect_uri(Some("https://app.example/cb?x=1")).is_ok());
        for bad in [
            "/relative",
            "ftp://host/cb",
            "not a url",
            "http://h/cb#frag",
        ] {
            assert!(parse_redirect_uri(Some(bad)).is_err(), "accepted {bad}");
        }
        assert!(parse_redirect_uri(None).is_err());
    }

    #[test]
    fn form_decoding_keeps_first_value() {
        let params = decode_form(b"state=a+b%26c&state=second&scope=me%3Aread");
        assert_eq!(params["state"], "a b&c");
        assert_eq!(params["scope"], "me:read");
    }

    #[test]
    fn token_params_read_json_and_form() {
        let form = read_token_params(
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            b"code=abc&client_id=id",
        )
        .unwrap();
        assert_eq!(form["code"], "abc");

        let json = read_token_params(
            Some("Application/JSON"),
            br#"{"code":"abc","client_id":123,"redirect_uri":null}"#,
        )
        .unwrap();
        assert_eq!(json["client_id"], "123");
        assert!(!json.contains_key("redirect_uri"));

        for (content_type, body) in [
            (Some("application/json"), &b"[1]"[..]),
            (Some("application/json"), &br#"{"code":{"a":1}}"#[..]),
            (Some("text/plain"), &b"code=abc"[..]),
            (None, &b"code=abc"[..]),
        ] {
            let error = read_token_params(content_type, body).unwrap_err();
            assert_eq!(error.error, "invalid_request", "{content_type:?}");
        }
    }
}
