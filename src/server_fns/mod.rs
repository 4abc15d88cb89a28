//! Server functions the browser calls. Each one checks the caller (the
//! view's sessionToken, or the settings page's session cookie), calls one
//! service function, and returns wire types. The account always comes from
//! the verified caller, never from an argument.

pub mod settings;
pub mod view;

use serde::{Deserialize, Serialize};

/// A monday sessionToken as sent by the view. `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionToken(pub String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// Sets the HTTP status that matches `error` on the server function's
/// response, and returns the error.
#[cfg(feature = "ssr")]
pub(crate) fn with_status(error: crate::errors::AppError) -> crate::errors::AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(crate::server::http::api::status_of(&error));
    }
    error
}
