//! monday's app lifecycle webhooks: building a signed event, and sending it
//! to the app at `{app_url}/monday/lifecycle`.
//!
//! monday signs each POST with a JWT in `Authorization`, sometimes with a
//! `Bearer ` prefix and sometimes without. The JWT uses HS256 with the app's
//! Client Secret, and its claims have the sessionToken's `dat` layout and a
//! numeric `exp`. The body is `{"type": "...", "data": {...}}`.

use std::error::Error as _;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use super::directory::{find_account, SandboxAccount, SandboxUser, SANDBOX_APP_ID};
use super::token::{session_token_claims, sign_session_token};
use super::MondayStandIn;

/// Every lifecycle event type monday documents. Other types are sent as
/// given, because the app must acknowledge types it does not know.
pub const LIFECYCLE_EVENT_TYPES: [&str; 13] = [
    "install",
    "uninstall",
    "app_subscription_created",
    "app_subscription_changed",
    "app_subscription_renewed",
    "app_subscription_cancelled_by_user",
    "app_subscription_cancelled",
    "app_subscription_cancellation_revoked_by_user",
    "app_subscription_renewal_attempt_failed",
    "app_subscription_renewal_failed",
    "app_trial_subscription_started",
    "app_trial_subscription_ended",
    "app_subscription_pricing_version_change_scheduled",
];

/// Lifetime of the webhook JWT, in seconds.
pub const LIFECYCLE_JWT_LIFETIME_SECS: i64 = 300;

/// Path of the app's lifecycle endpoint, below `APP_URL`.
pub const LIFECYCLE_PATH: &str = "/monday/lifecycle";

/// Maximum number of characters of the app's response body kept in a
/// [`LifecycleDelivery`].
pub const MAX_RESPONSE_CHARS: usize = 2000;

/// How long the sandbox waits for the app's response to a webhook.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The sandbox app's monetization plan, sent in `subscription.plan_id`.
const PLAN_ID: &str = "activtrak_insights_team";

/// Reports whether monday sends a `subscription` object with this event
/// type: the `app_subscription_*` and `app_trial_subscription_*` events.
pub fn is_subscription_event(event_type: &str) -> bool {
    event_type.starts_with("app_subscription_") || event_type.starts_with("app_trial_subscription_")
}

fn iso_timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Builds the `subscription` object of a subscription event. Trials last 14
/// days and paid periods 30 days; ended, cancelled and failed subscriptions
/// have no days left.
fn subscription(event_type: &str, account: &SandboxAccount, now: DateTime<Utc>) -> Value {
    let is_trial = event_type.starts_with("app_trial_subscription_");
    let days_left: i64 = match event_type {
        "app_trial_subscription_ended"
        | "app_subscription_cancelled"
        | "app_subscription_renewal_failed" => 0,
        _ if is_trial => 14,
        _ => 30,
    };
    json!({
        "plan_id": PLAN_ID,
        "is_trial": is_trial,
        "renewal_date": iso_timestamp(now + chrono::Duration::days(days_left)),
        "billing_period": "monthly",
        "days_left": days_left,
        "pricing_version": 1,
        "max_units": account.max_users,
    })
}

/// Builds the body monday sends for `event_type` by `user` in `account`,
/// timestamped now. Ids are numbers, as in the webhook JWT.
pub fn lifecycle_body(event_type: &str, account: &SandboxAccount, user: &SandboxUser) -> Value {
    let now = Utc::now();
    let mut data = json!({
        "app_id": SANDBOX_APP_ID,
        "user_id": user.id,
        "user_email": user.email,
        "user_name": user.name,
        "account_id": account.id,
        "account_name": account.name,
        "account_slug": account.slug,
        "account_tier": account.tier,
        "account_max_users": account.max_users,
        "timestamp": iso_timestamp(now),
        "version_data": { "major": 1, "minor": 0, "patch": 0, "type": "major" },
    });
    if is_subscription_event(event_type) {
        data["subscription"] = subscription(event_type, account, now);
    }
    json!({ "type": event_type, "data": data })
}

/// Builds the `Authorization` value of a webhook by `user` in `account`: a
/// JWT that expires [`LIFECYCLE_JWT_LIFETIME_SECS`] from now, after
/// `Bearer ` when `bearer` is true. Fails only for an empty secret.
pub fn lifecycle_authorization(
    client_id: &str,
    client_secret: &str,
    account: &SandboxAccount,
    user: &SandboxUser,
    bearer: bool,
) -> Result<String, jsonwebtoken::errors::Error> {
    let expires_at = Utc::now().timestamp() + LIFECYCLE_JWT_LIFETIME_SECS;
    let jwt = sign_session_token(
        client_secret,
        &session_token_claims(client_id, account, user, expires_at),
    )?;
    Ok(if bearer { format!("Bearer {jwt}") } else { jwt })
}

/// Builds a monday-shaped lifecycle webhook without sending it: the
/// `Authorization` value and the JSON body. Integration tests post these to
/// the app directly. Fails only for an empty secret.
pub fn lifecycle_request(
    client_id: &str,
    client_secret: &str,
    event_type: &str,
    account: &SandboxAccount,
    user: &SandboxUser,
    bearer: bool,
) -> Result<(String, Value), jsonwebtoken::errors::Error> {
    let authorization = lifecycle_authorization(client_id, client_secret, account, user, bearer)?;
    Ok((authorization, lifecycle_body(event_type, account, user)))
}

/// A lifecycle event for [`MondayStandIn::send_lifecycle_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleEvent {
    /// Any type: one of [`LIFECYCLE_EVENT_TYPES`] or one the app does not know.
    pub event_type: String,
    /// Account and user of the JWT and, unless `body_account_id` is set, of
    /// the body.
    pub account_id: u64,
    pub user_id: u64,
    /// Puts `Bearer ` before the JWT.
    pub bearer: bool,
    /// Replaces `data.account_id` in the body only, so that the JWT and the
    /// body disagree.
    pub body_account_id: Option<u64>,
}

/// The outcome of a webhook that got an HTTP response, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LifecycleDelivery {
    /// The body sent.
    pub sent: Value,
    /// The app's HTTP status.
    pub status: u16,
    /// The app's response body, cut to [`MAX_RESPONSE_CHARS`] characters.
    pub response: String,
}

/// Failure to deliver a lifecycle event.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("No sandbox account has the id {0}.")]
    UnknownAccount(u64),
    #[error("The sandbox account {account_id} has no user with the id {user_id}.")]
    UnknownUser { account_id: u64, user_id: u64 },
    #[error("Signing the webhook JWT failed: {0}.")]
    Signing(#[from] jsonwebtoken::errors::Error),
    /// No HTTP response came back: the app is not running, refused the
    /// connection or timed out.
    #[error("Sending the lifecycle event to {url} failed: {message}. Is the app running?")]
    Unreachable {
        url: String,
        message: String,
        sent: Value,
    },
}

/// Describes a reqwest error with its causes, which its own message leaves
/// out (such as "Connection refused").
fn describe_send_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("timed out after {} seconds", DELIVERY_TIMEOUT.as_secs());
    }
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn truncate_chars(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

impl MondayStandIn {
    /// Signs `event` and POSTs it to `{app_url}/monday/lifecycle`. An
    /// `uninstall` event also revokes the account's access tokens before it
    /// is sent, because monday's tokens are valid until the app is
    /// uninstalled.
    pub async fn send_lifecycle_event(
        &self,
        event: &LifecycleEvent,
    ) -> Result<LifecycleDelivery, LifecycleError> {
        let account = find_account(event.account_id)
            .ok_or(LifecycleError::UnknownAccount(event.account_id))?;
        let user = account
            .user(event.user_id)
            .ok_or(LifecycleError::UnknownUser {
                account_id: event.account_id,
                user_id: event.user_id,
            })?;

        let settings = self.settings();
        let (authorization, mut body) = lifecycle_request(
            &settings.client_id,
            &settings.client_secret,
            &event.event_type,
            account,
            user,
            event.bearer,
        )?;
        if let Some(body_account_id) = event.body_account_id {
            body["data"]["account_id"] = json!(body_account_id);
        }

        if event.event_type == "uninstall" {
            let revoked = self.lock_oauth().revoke_account_tokens(account.id);
            tracing::info!(
                account_id = account.id,
                revoked,
                "uninstall revoked the account's access tokens"
            );
        }

        let url = format!("{}{LIFECYCLE_PATH}", settings.app_url);
        let unreachable = |message: String| LifecycleError::Unreachable {
            url: url.clone(),
            message,
            sent: body.clone(),
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .map_err(|error| unreachable(describe_send_error(&error)))?;

        let result = client
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, &authorization)
            .json(&body)
            .send()
            .await;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let error = unreachable(describe_send_error(&error));
                tracing::warn!(event_type = %event.event_type, %error, "lifecycle event not delivered");
                return Err(error);
            }
        };

        let status = response.status().as_u16();
        let text = match response.text().await {
            Ok(text) => truncate_chars(&text, MAX_RESPONSE_CHARS),
            Err(error) => format!(
                "(reading the response body failed: {})",
                describe_send_error(&error)
            ),
        };
        tracing::info!(
            event_type = %event.event_type,
            account_id = account.id,
            user_id = user.id,
            status,
            "lifecycle event delivered"
        );
        Ok(LifecycleDelivery {
            sent: body,
            status,
            response: text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters() {
        let text = "é".repeat(MAX_RESPONSE_CHARS + 5);
        assert_eq!(
            truncate_chars(&text, MAX_RESPONSE_CHARS).chars().count(),
            MAX_RESPONSE_CHARS
        );
        assert_eq!(truncate_chars("short", MAX_RESPONSE_CHARS), "short");
    }

    #[test]
    fn subscription_events_are_recognized() {
        let subscription_types: Vec<&str> = LIFECYCLE_EVENT_TYPES
            .into_iter()
            .filter(|event_type| is_subscription_event(event_type))
            .collect();
        assert_eq!(subscription_types.len(), 11);
        assert!(!is_subscription_event("install"));
        assert!(!is_subscription_event("uninstall"));
    }

    #[test]
    fn trial_subscription_is_marked() {
        let account = find_account(111).unwrap();
        let user = account.user(1001).unwrap();
        let started = lifecycle_body("app_trial_subscription_started", account, user);
        assert_eq!(started["data"]["subscription"]["is_trial"], json!(true));
        assert_eq!(started["data"]["subscription"]["days_left"], json!(14));

        let ended = lifecycle_body("app_trial_subscription_ended", account, user);
        assert_eq!(ended["data"]["subscription"]["days_left"], json!(0));

        let renewed = lifecycle_body("app_subscription_renewed", account, user);
        assert_eq!(renewed["data"]["subscription"]["is_trial"], json!(false));
        assert_eq!(renewed["data"]["subscription"]["max_units"], json!(25));
    }
}
