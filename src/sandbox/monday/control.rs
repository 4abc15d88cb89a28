//! The `/monday/_sandbox/...` control endpoints of the monday stand-in, for
//! the host page, browser tests and demos. Errors are JSON
//! `{"error": "..."}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::directory::{accounts, find_account};
use super::grants::{OAuthMode, TokenRequestRecord};
use super::lifecycle::{LifecycleError, LifecycleEvent};
use super::MondayStandIn;

pub(super) fn routes() -> Router<MondayStandIn> {
    Router::new()
        .route("/monday/_sandbox/oauth-mode", get(show_mode).post(set_mode))
        .route(
            "/monday/_sandbox/oauth-requests",
            get(list_token_requests).delete(clear_token_requests),
        )
        .route("/monday/_sandbox/lifecycle", post(send_lifecycle))
}

fn error_response(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

#[derive(Debug, Serialize)]
struct ModeStatus {
    mode: OAuthMode,
    modes: Vec<&'static str>,
}

fn mode_status(standin: &MondayStandIn) -> Json<ModeStatus> {
    Json(ModeStatus {
        mode: standin.oauth_mode(),
        modes: OAuthMode::ALL.iter().map(OAuthMode::as_str).collect(),
    })
}

async fn show_mode(State(standin): State<MondayStandIn>) -> Json<ModeStatus> {
    mode_status(&standin)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeRequest {
    mode: String,
}

fn all_mode_names() -> String {
    OAuthMode::ALL
        .iter()
        .map(OAuthMode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn set_mode(State(standin): State<MondayStandIn>, body: Bytes) -> Response {
    let request: ModeRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                format!(
                    "The mode request is invalid ({error}). Expected {{\"mode\": \"normal\"}} with one of: {}.",
                    all_mode_names()
                ),
            )
        }
    };
    let Some(mode) = OAuthMode::from_name(&request.mode) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            format!(
                "The mode '{}' is unknown. Use one of: {}.",
                request.mode,
                all_mode_names()
            ),
        );
    };
    standin.set_oauth_mode(mode);
    tracing::info!(mode = mode.as_str(), "monday stand-in OAuth mode set");
    mode_status(&standin).into_response()
}

#[derive(Debug, Serialize)]
struct TokenRequestList {
    count: usize,
    requests: Vec<TokenRequestRecord>,
}

async fn list_token_requests(State(standin): State<MondayStandIn>) -> Json<TokenRequestList> {
    let requests = standin.token_requests();
    Json(TokenRequestList {
        count: requests.len(),
        requests,
    })
}

async fn clear_token_requests(State(standin): State<MondayStandIn>) -> Json<TokenRequestList> {
    standin.clear_token_requests();
    Json(TokenRequestList {
        count: 0,
        requests: Vec::new(),
    })
}

/// An id given as a JSON number or a numeric string, as the host page has
/// ids as strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IdValue {
    Number(u64),
    Text(String),
}

impl IdValue {
    fn parse(&self, name: &str) -> Result<u64, String> {
        match self {
            IdValue::Number(id) => Ok(*id),
            IdValue::Text(text) => text.trim().parse().map_err(|_| {
                format!("'{name}' has the invalid value '{text}': expected a numeric id.")
            }),
        }
    }
}

/// Body of `POST /monday/_sandbox/lifecycle`. `account` defaults to the
/// first sandbox account, `user` to that account's first user (an admin)
/// and `bearer` to true.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LifecycleRequest {
    #[serde(rename = "type")]
    event_type: String,
    account: Option<IdValue>,
    user: Option<IdValue>,
    bearer: Option<bool>,
    body_account: Option<IdValue>,
}

/// Reads the body of `POST /monday/_sandbox/lifecycle`. Errors carry the
/// status to send: 400 for a bad body, 404 for an unknown account.
fn read_lifecycle_request(body: &[u8]) -> Result<LifecycleEvent, (StatusCode, String)> {
    let bad_request = |message: String| (StatusCode::BAD_REQUEST, message);
    let request: LifecycleRequest = serde_json::from_slice(body).map_err(|error| {
        bad_request(format!("The lifecycle request is invalid ({error}). Expected {{\"type\": \"install\", \"account\": 111, \"user\": 1001, \"bearer\": true, \"body_account\": null}}."))
    })?;
    if request.event_type.trim().is_empty() {
        return Err(bad_request(
            "'type' is empty: name a lifecycle event type such as \"install\".".to_owned(),
        ));
    }

    let account_id = match &request.account {
        Some(value) => value.parse("account").map_err(bad_request)?,
        None => accounts()[0].id,
    };
    let user_id = match &request.user {
        Some(value) => value.parse("user").map_err(bad_request)?,
        None => find_account(account_id)
            .and_then(|account| account.users.first())
            .map(|user| user.id)
            .ok_or_else(|| {
                (
                    StatusCode::NOT_FOUND,
                    LifecycleError::UnknownAccount(account_id).to_string(),
                )
            })?,
    };
    let body_account_id = match &request.body_account {
        Some(value) => Some(value.parse("body_account").map_err(bad_request)?),
        None => None,
    };

    Ok(LifecycleEvent {
        event_type: request.event_type,
        account_id,
        user_id,
        bearer: request.bearer.unwrap_or(true),
        body_account_id,
    })
}

/// Serves `POST /monday/_sandbox/lifecycle`: sends one event to the app and
/// returns `{"sent", "status", "response"}`, or 502 when the app could not
/// be reached.
async fn send_lifecycle(State(standin): State<MondayStandIn>, body: Bytes) -> Response {
    let event = match read_lifecycle_request(&body) {
        Ok(event) => event,
        Err((status, message)) => return error_response(status, message),
    };

    let error = match standin.send_lifecycle_event(&event).await {
        Ok(delivery) => return Json(delivery).into_response(),
        Err(error) => error,
    };
    let message = error.to_string();
    match error {
        LifecycleError::UnknownAccount(_) | LifecycleError::UnknownUser { .. } => {
            error_response(StatusCode::NOT_FOUND, message)
        }
        LifecycleError::Signing(_) => {
            tracing::error!(%message, "signing a lifecycle event failed");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, message)
        }
        LifecycleError::Unreachable { url, sent, .. } => {
            let body = json!({ "error": message, "url": url, "sent": sent });
            (StatusCode::BAD_GATEWAY, Json(body)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_request_applies_defaults() {
        let event = read_lifecycle_request(br#"{"type":"install"}"#).unwrap();
        assert_eq!(
            event,
            LifecycleEvent {
                event_type: "install".to_owned(),
                account_id: 111,
                user_id: 1001,
                bearer: true,
                body_account_id: None,
            }
        );

        let globex = read_lifecycle_request(br#"{"type":"install","account":"222"}"#).unwrap();
        assert_eq!(globex.user_id, 2001);
    }

    #[test]
    fn lifecycle_request_reads_string_ids() {
        let event = read_lifecycle_request(
            br#"{"type":"uninstall","account":"111","user":"1004","bearer":false,"body_account":"999"}"#,
        )
        .unwrap();
        assert_eq!(event.user_id, 1004);
        assert!(!event.bearer);
        assert_eq!(event.body_account_id, Some(999));
    }

    #[test]
    fn lifecycle_request_rejects_bad_bodies() {
        for body in [
            r#"{"account":111}"#,
            r#"{"type":""}"#,
            r#"{"type":"install","account":"abc"}"#,
            r#"{"type":"install","account":-1}"#,
            r#"{"type":"install","acount":111}"#,
            "not json",
            "",
        ] {
            let error = read_lifecycle_request(body.as_bytes()).unwrap_err();
            assert_eq!(error.0, StatusCode::BAD_REQUEST, "{body}");
        }

        let unknown = read_lifecycle_request(br#"{"type":"install","account":999}"#).unwrap_err();
        assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    }
}
