//! Server functions of the board view, called with the sessionToken.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::SessionToken;
use crate::errors::AppError;
use crate::model::{InsightsQuery, InsightsResponse};

/// Team figures for the caller's account.
///
/// Errors keep the server function's own status, unlike the admin
/// functions' 4xx: the view shows each error as a state of its own, and a
/// 4xx would also put a network error in the browser console.
#[server(endpoint = "view_insights", input = Json)]
pub async fn fetch_insights(session_token: SessionToken, query: InsightsQuery) -> Result<InsightsResponse, AppError> {
    use crate::server::error::ServiceError;
    use crate::server::insights::load_insights;
    use crate::server::session_token::verify_session_token;
    use crate::server::state::AppState;

    let state = use_context::<AppState>().ok_or(AppError::Internal)?;
    let session = verify_session_token(&session_token.0, &state.config.monday_client_secret)
        .map_err(|error| ServiceError::from(error).into_app_error())?;
    load_insights(&state, &session, &query).await.map_err(ServiceError::into_app_error)
}

/// Mints a single-use link, valid for 5 minutes, that signs the caller in
/// to the settings page in a new tab. Only admins and the user who connected the
/// account get one.
#[server(endpoint = "create_settings_link", input = Json)]
pub async fn create_settings_link(session_token: SessionToken) -> Result<String, AppError> {
    use super::with_status;
    use crate::server::db::credentials::load_credential;
    use crate::server::db::sign_in::{create_handoff, random_token, SignedInUser};
    use crate::server::error::ServiceError;
    use crate::server::http::sign_in::HANDOFF_SECONDS;
    use crate::server::session_token::verify_session_token;
    use crate::server::state::AppState;

    let state = use_context::<AppState>().ok_or(AppError::Internal)?;
    let session = verify_session_token(&session_token.0, &state.config.monday_client_secret)
        .map_err(|error| with_status(ServiceError::from(error).into_app_error()))?;
    let account_id = session.account_id.0;
    let credential = load_credential(&state.db, account_id)
        .await
        .map_err(|error| with_status(ServiceError::from(error).into_app_error()))?;
    let connected_by = credential.and_then(|credential| credential.connected_by);
    if !session.is_admin && connected_by != Some(session.user_id.0) {
        return Err(with_status(AppError::Forbidden {
            message: "Only an admin of this monday account can open ActivTrak settings.".to_owned(),
        }));
    }

    let token = random_token();
    let user = SignedInUser {
        account_id,
        user_id: session.user_id.0,
        is_admin: session.is_admin,
        user_name: None,
    };
    let expires_at = state.clock.now().timestamp() + HANDOFF_SECONDS;
    create_handoff(&state.db, &token, &user, expires_at)
        .await
        .map_err(|error| with_status(ServiceError::from(error).into_app_error()))?;
    Ok(format!(
        "{}/settings/handoff?token={token}",
        state.config.public_url.as_str().trim_end_matches('/')
    ))
}
