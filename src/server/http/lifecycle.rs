//! `POST /monday/lifecycle`: monday's app lifecycle webhooks (install,
//! uninstall, subscription events). The JWT in `Authorization` (with or
//! without `Bearer `) is signed with the client secret, and the body's
//! `account_id` must be the token's. Every event is idempotent, so repeats
//! and unknown accounts are answered with 200.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::server::db::accounts::{record_install, record_subscription, record_uninstall, InstallRecord};
use crate::server::db::{audit, StorageError};
use crate::server::ids::MondayId;
use crate::server::session_token::verify_session_token;
use crate::server::state::AppState;

#[derive(Deserialize)]
struct LifecycleEvent {
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    account_id: MondayId,
    #[serde(default)]
    user_id: Option<MondayId>,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    account_slug: Option<String>,
    #[serde(default)]
    account_tier: Option<String>,
    #[serde(default)]
    account_max_users: Option<i64>,
    #[serde(default)]
    subscription: Option<Value>,
}

fn reject(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub async fn handle_lifecycle(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim())
        .map(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or(value))
        .unwrap_or_default();
    let Ok(claims) = verify_session_token(token, &state.config.monday_client_secret) else {
        tracing::warn!("lifecycle webhook rejected: missing or invalid JWT");
        return reject(StatusCode::UNAUTHORIZED, "missing or invalid monday JWT");
    };
    // NOTE: monday documents no claim that tells a lifecycle JWT from a
    // sessionToken (both are signed with the client secret, with the same
    // `dat` layout), and every user of an account can get a sessionToken.
    // Only account admins install, uninstall or pay for apps, so a token of
    // anyone else is refused; an admin's own sessionToken can still pass.
    if !claims.is_admin || claims.is_guest || claims.is_view_only {
        tracing::warn!(account.id = %claims.account_id, user.id = %claims.user_id, "lifecycle webhook rejected: not an admin's JWT");
        return reject(StatusCode::UNAUTHORIZED, "lifecycle events must be signed for an account admin");
    }
    let event: LifecycleEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(account.id = %claims.account_id, error = %error, "lifecycle webhook with a malformed body");
            return reject(StatusCode::BAD_REQUEST, "the body is not a monday lifecycle event");
        }
    };
    if event.data.account_id != claims.account_id || event.data.user_id.is_some_and(|user| user != claims.user_id) {
        tracing::warn!(
            token.account_id = %claims.account_id,
            body.account_id = %event.data.account_id,
            "lifecycle webhook rejected: account ids differ"
        );
        return reject(StatusCode::UNAUTHORIZED, "the body's account_id or user_id does not match the JWT");
    }

    match apply(&state, &event).await {
        Ok(()) => Json(json!({ "ok": true })).into_response(),
        Err(error) => {
            tracing::error!(account.id = %claims.account_id, event = %event.kind, error = %error, "lifecycle event failed");
            // monday retries a failed delivery; the handling is idempotent.
            reject(StatusCode::INTERNAL_SERVER_ERROR, "the event could not be stored; please retry")
        }
    }
}

async fn apply(state: &AppState, event: &LifecycleEvent) -> Result<(), StorageError> {
    let account_id = event.data.account_id.0;
    let actor = event.data.user_id.map(|id| id.0);
    let now = state.clock.now().timestamp();
    match event.kind.as_str() {
        "install" => {
            let record = InstallRecord {
                account_id,
                name: event.data.account_name.clone(),
                slug: event.data.account_slug.clone(),
                tier: event.data.account_tier.clone(),
                max_users: event.data.account_max_users,
                installed_by: actor,
                now,
            };
            record_install(&state.db, &record).await?;
            audit::record(&state.db, account_id, actor, "install", "the app was installed", now).await?;
            tracing::info!(account.id = account_id, "app installed");
        }
        "uninstall" => {
            record_uninstall(&state.db, account_id, now).await?;
            tracing::info!(account.id = account_id, "app uninstalled; account data deleted");
        }
        kind if kind.starts_with("app_subscription_") || kind.starts_with("app_trial_subscription_") => {
            let plan = event.data.subscription.clone().unwrap_or(Value::Null).to_string();
            if record_subscription(&state.db, account_id, kind, &plan, now).await? {
                audit::record(&state.db, account_id, actor, kind, &plan, now).await?;
            }
            tracing::info!(account.id = account_id, event = kind, "subscription event stored");
        }
        other => {
            tracing::warn!(account.id = account_id, event = other, "unknown lifecycle event type acknowledged");
        }
    }
    Ok(())
}
