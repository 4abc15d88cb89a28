//! Stand-in for monday.com: the fixed directory of accounts and users,
//! sessionToken minting, and the host page that embeds the view and speaks
//! the SDK's postMessage protocol.
//!
//! Routes:
//! - `GET /`: the host page. These query parameters preselect its state:
//!   - `account` and `user`: ids from [`directory::accounts`];
//!   - `theme`: `light`, `dark` or `black`;
//!   - `width`: `900`, `1300`, `full` or a number of pixels;
//!   - `settings`: a JSON object of view settings;
//!   - `tokenInUrl=0`: load the view without the `sessionToken` query
//!     parameter, so that the view must get the token through the SDK.
//! - `GET /host.js`: the page's script.
//! - `GET /monday/session-token?account=ID&user=ID`: `{"token": "<jwt>"}`.
//!
//! monday's OAuth pages and lifecycle webhooks are separate concerns: add
//! them as sibling modules with their own routes in [`MondayStandIn::router`].

pub mod context;
pub mod directory;
mod host;
pub mod token;

use std::fmt;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

pub use directory::{accounts, find_account, SandboxAccount, SandboxUser, UserKind};
pub use token::{
    mint_session_token, session_token_claims, sign_session_token, SessionTokenClaims,
    SessionTokenData,
};

/// The app settings the monday stand-in needs.
#[derive(Clone)]
pub struct MondaySettings {
    /// The app's Client ID, put in the tokens' `client_id` claim.
    pub client_id: String,
    /// The app's Client Secret, which signs sessionTokens and webhook JWTs.
    pub client_secret: String,
    /// The app's Signing Secret, which signs integration JWTs. Not used yet.
    pub signing_secret: Option<String>,
    /// Origin and path prefix of the app. The view is at `{app_url}/view`.
    pub app_url: String,
}

impl fmt::Debug for MondaySettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("MondaySettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field(
                "signing_secret",
                &self.signing_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("app_url", &self.app_url)
            .finish()
    }
}

/// The monday stand-in. Clones share the settings.
#[derive(Clone, Debug)]
pub struct MondayStandIn {
    settings: Arc<MondaySettings>,
}

impl MondayStandIn {
    pub fn new(settings: MondaySettings) -> Self {
        MondayStandIn {
            settings: Arc::new(settings),
        }
    }

    pub fn settings(&self) -> &MondaySettings {
        &self.settings
    }

    /// Builds the host page and token routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(host::host_page))
            .route("/host.js", get(host::host_script))
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route("/monday/session-token", get(token::session_token))
            .with_state(self.clone())
    }
}

#[cfg(test)]
mod tests;
