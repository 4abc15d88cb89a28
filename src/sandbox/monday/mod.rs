//! Stand-in for monday.com: the fixed directory of accounts and users,
//! sessionToken minting, the host page that embeds the view and speaks the
//! SDK's postMessage protocol, OAuth, the GraphQL `me` query, and lifecycle
//! webhooks to the app.
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
//! - `GET /monday/oauth2/authorize?client_id&redirect_uri&scope&state`: the
//!   consent page, which posts its decision to `POST
//!   /monday/oauth2/authorize`. The app's `MONDAY_AUTH_URL`
//!   is `{SANDBOX_PUBLIC_URL}/monday`.
//! - `POST /monday/oauth2/token`: exchanges a code for an access token.
//! - `POST /monday/v2`: the GraphQL API, serving only `me` (see
//!   [`graphql`]). The app's `MONDAY_API_URL` is `{SANDBOX_PUBLIC_URL}/monday/v2`.
//!
//! Control endpoints, with JSON errors `{"error": "..."}`:
//! - `GET /monday/_sandbox/oauth-mode`: `{"mode": "normal", "modes": [...]}`.
//! - `POST /monday/_sandbox/oauth-mode` with `{"mode": "normal" |
//!   "account_not_allowed" | "cannot_install" | "access_denied" |
//!   "graphql_rate_limited"}` (see [`OAuthMode`]).
//! - `GET /monday/_sandbox/oauth-requests`: `{"count": N, "requests":
//!   [...]}`, the token requests received, oldest first (see
//!   [`TokenRequestRecord`]). `DELETE` clears them.
//! - `POST /monday/_sandbox/lifecycle` with `{"type": "install", "account":
//!   111, "user": 1001, "bearer": true, "body_account": null}`: sends one
//!   lifecycle event to `{APP_URL}/monday/lifecycle` and returns `{"sent":
//!   {...}, "status": 200, "response": "..."}`, or 502 when the app could
//!   not be reached (see [`lifecycle`]).

mod consent;
pub mod context;
mod control;
pub mod directory;
mod grants;
pub mod graphql;
mod graphql_query;
mod host;
pub mod lifecycle;
mod oauth;
pub mod token;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

pub use directory::{accounts, find_account, find_user, SandboxAccount, SandboxUser, UserKind};
pub use grants::{OAuthMode, TokenOwner, TokenRequestRecord, AUTHORIZATION_CODE_LIFETIME};
pub use lifecycle::{
    lifecycle_authorization, lifecycle_body, lifecycle_request, LifecycleDelivery, LifecycleError,
    LifecycleEvent, LIFECYCLE_EVENT_TYPES,
};
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

/// The monday stand-in. Clones share the settings and the OAuth state
/// (mode, codes, access tokens, recorded token requests), so a test can
/// keep one clone to steer the stand-in while a server runs its router.
#[derive(Clone, Debug)]
pub struct MondayStandIn {
    settings: Arc<MondaySettings>,
    oauth: Arc<Mutex<grants::OAuthState>>,
}

impl MondayStandIn {
    pub fn new(settings: MondaySettings) -> Self {
        MondayStandIn {
            settings: Arc::new(settings),
            oauth: Arc::default(),
        }
    }

    pub fn settings(&self) -> &MondaySettings {
        &self.settings
    }

    /// Builds the host page, token, OAuth, GraphQL and control routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(host::host_page))
            .route("/host.js", get(host::host_script))
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route("/monday/session-token", get(token::session_token))
            .route(
                "/monday/oauth2/authorize",
                get(oauth::authorize_page).post(oauth::authorize_decision),
            )
            .route("/monday/oauth2/token", post(oauth::token))
            .route("/monday/v2", post(graphql::graphql))
            .merge(control::routes())
            .with_state(self.clone())
    }

    /// Sets the failure the OAuth flow or the GraphQL API plays from now on.
    pub fn set_oauth_mode(&self, mode: OAuthMode) {
        self.lock_oauth().mode = mode;
    }

    pub fn oauth_mode(&self) -> OAuthMode {
        self.lock_oauth().mode
    }

    /// Lists the recorded token requests, oldest first.
    pub fn token_requests(&self) -> Vec<TokenRequestRecord> {
        self.lock_oauth().token_requests()
    }

    pub fn clear_token_requests(&self) {
        self.lock_oauth().clear_token_requests();
    }

    /// Issues an access token for `user` in `account` with the `me:read`
    /// scope, as a completed OAuth flow would, for tests that need a token
    /// without going through the consent page.
    pub fn issue_access_token(&self, account: &SandboxAccount, user: &SandboxUser) -> String {
        self.lock_oauth().issue_token(TokenOwner {
            account_id: account.id,
            user_id: user.id,
            scope: consent::DEFAULT_SCOPE.to_owned(),
        })
    }

    /// Returns the user an access token acts for, or `None` for an unknown
    /// or revoked token.
    pub fn access_token_owner(&self, token: &str) -> Option<TokenOwner> {
        self.lock_oauth().token_owner(token)
    }

    fn lock_oauth(&self) -> MutexGuard<'_, grants::OAuthState> {
        // No update under this lock calls code that can panic halfway, so the
        // state behind a poisoned lock is still consistent.
        self.oauth
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod oauth_tests;
#[cfg(test)]
mod tests;
