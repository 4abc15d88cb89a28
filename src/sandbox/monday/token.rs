//! sessionToken claims, signing, and `GET /monday/session-token`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::directory::{
    find_account, SandboxAccount, SandboxUser, SANDBOX_APP_ID, SANDBOX_APP_VERSION_ID,
};
use super::MondayStandIn;

/// Lifetime of a minted sessionToken. monday documents none, and 5 minutes
/// keeps the app's "fetch a fresh token" path in use.
pub const SESSION_TOKEN_LIFETIME_SECS: i64 = 300;

/// The `dat` claim of a monday sessionToken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTokenData {
    pub client_id: String,
    pub user_id: u64,
    pub account_id: u64,
    pub slug: String,
    pub app_id: u64,
    pub app_version_id: u64,
    pub install_id: i64,
    pub is_admin: bool,
    pub is_view_only: bool,
    pub is_guest: bool,
    pub user_kind: String,
}

/// The claims of a monday sessionToken: `dat` and a numeric `exp` (seconds
/// since the Unix epoch), with no `iat`, `aud` or `iss`, as on real tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTokenClaims {
    pub dat: SessionTokenData,
    pub exp: i64,
}

/// Builds the claims monday puts in the sessionToken of `user` in `account`.
pub fn session_token_claims(
    client_id: &str,
    account: &SandboxAccount,
    user: &SandboxUser,
    expires_at: i64,
) -> SessionTokenClaims {
    SessionTokenClaims {
        dat: SessionTokenData {
            client_id: client_id.to_owned(),
            user_id: user.id,
            account_id: account.id,
            slug: account.slug.to_owned(),
            app_id: SANDBOX_APP_ID,
            app_version_id: SANDBOX_APP_VERSION_ID,
            install_id: account.install_id,
            is_admin: user.kind.is_admin(),
            is_view_only: user.kind.is_view_only(),
            is_guest: user.kind.is_guest(),
            user_kind: user.kind.as_str().to_owned(),
        },
        exp: expires_at,
    }
}

/// Signs `claims` with HS256 and the app's Client Secret, as monday signs
/// sessionTokens. Fails only for an empty secret.
pub fn sign_session_token(
    client_secret: &str,
    claims: &SessionTokenClaims,
) -> Result<String, jsonwebtoken::errors::Error> {
    let key = EncodingKey::from_secret(client_secret.as_bytes())?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key)
}

/// Mints a sessionToken for `user` in `account` that expires
/// [`SESSION_TOKEN_LIFETIME_SECS`] from now.
pub fn mint_session_token(
    client_id: &str,
    client_secret: &str,
    account: &SandboxAccount,
    user: &SandboxUser,
) -> Result<String, jsonwebtoken::errors::Error> {
    let expires_at = Utc::now().timestamp() + SESSION_TOKEN_LIFETIME_SECS;
    sign_session_token(
        client_secret,
        &session_token_claims(client_id, account, user, expires_at),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenQuery {
    account: Option<String>,
    user: Option<String>,
}

fn error_response(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn parse_id(name: &str, value: Option<&str>) -> Result<u64, String> {
    let Some(text) = value else {
        return Err(format!(
            "The query parameter '{name}' is missing. Use /monday/session-token?account=111&user=1001."
        ));
    };
    text.parse::<u64>().map_err(|_| {
        format!(
            "The query parameter '{name}' has the invalid value '{text}': expected a numeric id."
        )
    })
}

/// Serves `GET /monday/session-token?account=ID&user=ID` with
/// `{"token": "<jwt>"}`. A missing or non-numeric id gets 400 and an unknown
/// account or user 404, both with `{"error": "..."}`.
pub(super) async fn session_token(
    State(standin): State<MondayStandIn>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                format!("The query string is invalid: {rejection}."),
            )
        }
    };
    let ids = parse_id("account", query.account.as_deref())
        .and_then(|account_id| Ok((account_id, parse_id("user", query.user.as_deref())?)));
    let (account_id, user_id) = match ids {
        Ok(ids) => ids,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, message),
    };

    let Some(account) = find_account(account_id) else {
        return error_response(
            StatusCode::NOT_FOUND,
            format!("No sandbox account has the id {account_id}."),
        );
    };
    let Some(user) = account.user(user_id) else {
        return error_response(
            StatusCode::NOT_FOUND,
            format!("The sandbox account {account_id} has no user with the id {user_id}."),
        );
    };

    let settings = standin.settings();
    match mint_session_token(&settings.client_id, &settings.client_secret, account, user) {
        Ok(token) => {
            tracing::debug!(account_id, user_id, "minted a sessionToken");
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "token": token })),
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(account_id, user_id, %error, "failed to sign a sessionToken");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Signing the sessionToken failed: {error}."),
            )
        }
    }
}
