//! Server functions of the settings page, called with its session cookie.
//! Each checks the caller's rights itself: the page hiding a button is not
//! a check.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::errors::AppError;
use crate::model::{AccountSettingsForm, SettingsPage};

/// What the settings page shows the signed-in user.
#[server(endpoint = "settings_page", input = Json)]
pub async fn load_settings_page() -> Result<SettingsPage, AppError> {
    use super::with_status;
    let state = ssr::state()?;
    let Some(user) = ssr::signed_in_user(&state).await.map_err(with_status)? else {
        return Ok(SettingsPage { signed_in: None });
    };
    crate::server::settings_page::load(&state, &user)
        .await
        .map(|view| SettingsPage { signed_in: Some(view) })
        .map_err(|error| with_status(error.into_app_error()))
}

/// Checks the API key with a one-day ActivTrak request and stores it.
#[server(endpoint = "connect_activtrak", input = Json)]
pub async fn connect_activtrak(api_key: String, region: String, auth_header: String) -> Result<String, AppError> {
    use super::with_status;
    let state = ssr::state()?;
    let user = ssr::manager(&state).await.map_err(with_status)?;
    crate::server::settings_page::connect(&state, &user, api_key, &region, &auth_header)
        .await
        .map_err(|error| with_status(error.into_app_error()))
}

/// Checks the stored key with a one-day ActivTrak request.
#[server(endpoint = "test_activtrak", input = Json)]
pub async fn test_connection() -> Result<String, AppError> {
    use super::with_status;
    let state = ssr::state()?;
    let user = ssr::manager(&state).await.map_err(with_status)?;
    crate::server::settings_page::test(&state, &user)
        .await
        .map_err(|error| with_status(error.into_app_error()))
}

/// Deletes the stored key and the account's cached data.
#[server(endpoint = "disconnect_activtrak", input = Json)]
pub async fn disconnect_activtrak(confirmed: bool) -> Result<String, AppError> {
    use super::with_status;
    let state = ssr::state()?;
    let user = ssr::manager(&state).await.map_err(with_status)?;
    if !confirmed {
        return Err(with_status(AppError::invalid("confirmed", "confirm that the key and cached data may be deleted")));
    }
    crate::server::settings_page::disconnect(&state, &user)
        .await
        .map_err(|error| with_status(error.into_app_error()))
}

/// Checks and stores the account settings.
#[server(endpoint = "save_account_settings", input = Json)]
pub async fn save_account_settings(form: AccountSettingsForm) -> Result<String, AppError> {
    use super::with_status;
    let state = ssr::state()?;
    let user = ssr::manager(&state).await.map_err(with_status)?;
    crate::server::settings_page::save_settings(&state, &user, &form)
        .await
        .map_err(|error| with_status(error.into_app_error()))
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::{header, HeaderMap};

    use crate::errors::AppError;
    use crate::server::db::sign_in::{load_session, SignedInUser};
    use crate::server::http::sign_in::{read_cookie, session_cookie_name};
    use crate::server::state::AppState;

    pub fn state() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
    }

    async fn headers() -> Result<HeaderMap, AppError> {
        leptos_axum::extract::<HeaderMap>().await.map_err(|_| AppError::Internal)
    }

    pub async fn signed_in_user(state: &AppState) -> Result<Option<SignedInUser>, AppError> {
        let headers = headers().await?;
        let Some(session) = read_cookie(&headers, session_cookie_name(&state.config)) else {
            return Ok(None);
        };
        load_session(&state.db, &session, state.clock.now().timestamp()).await.map_err(|error| {
            tracing::error!(error = %error, "could not read a settings session");
            AppError::Internal
        })
    }

    /// The signed-in user, when they may change the account's connection
    /// and settings (an admin, or the user who connected it), and the
    /// request comes from the app's own pages.
    pub async fn manager(state: &AppState) -> Result<SignedInUser, AppError> {
        let headers = headers().await?;
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()) {
            let own = state.config.public_url.origin().ascii_serialization();
            if origin != own {
                return Err(AppError::Forbidden { message: "Requests must come from the settings page.".to_owned() });
            }
        }
        let user = signed_in_user(state).await?.ok_or(AppError::SessionInvalid)?;
        if crate::server::settings_page::may_manage(state, &user).await.map_err(|error| error.into_app_error())? {
            Ok(user)
        } else {
            Err(AppError::Forbidden {
                message: "Only an admin of this monday account, or the person who connected ActivTrak, can change this."
                    .to_owned(),
            })
        }
    }
}
