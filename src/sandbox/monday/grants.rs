//! In-memory OAuth state of the monday stand-in: the failure mode,
//! authorization codes, access tokens and the log of token requests.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::distributions::{Alphanumeric, DistString};
use serde::{Deserialize, Serialize};

/// Lifetime of an authorization code, as monday documents it.
pub const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// How long a used or expired code is kept after its expiry, so that the
/// token endpoint can report "used" or "expired" instead of "invalid".
const SPENT_CODE_RETENTION: Duration = Duration::from_secs(60 * 60);

/// Number of token requests kept for `GET /monday/_sandbox/oauth-requests`.
/// Older ones are dropped first.
pub const MAX_RECORDED_TOKEN_REQUESTS: usize = 1_000;

/// Length of authorization codes and access tokens, in alphanumeric
/// characters (about 5.95 bits each).
const SECRET_LENGTH: usize = 40;

/// A failure the stand-in plays in the OAuth flow or the GraphQL API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthMode {
    /// Every valid request succeeds.
    #[default]
    Normal,
    /// The token endpoint rejects a valid code with `400 invalid_grant`
    /// "Account is not allowed to install this app".
    AccountNotAllowed,
    /// The token endpoint rejects a valid code with `400 invalid_grant`
    /// "The app cannot be installed in this account".
    CannotInstall,
    /// The authorize endpoint redirects back with `error=access_denied`
    /// without showing the consent page.
    AccessDenied,
    /// `POST /monday/v2` rejects every authenticated request with 429 and
    /// `Retry-After: 10`. The OAuth flow works as in `Normal`.
    GraphqlRateLimited,
}

impl OAuthMode {
    /// Every mode, in the order the host page lists them.
    pub const ALL: [OAuthMode; 5] = [
        OAuthMode::Normal,
        OAuthMode::AccountNotAllowed,
        OAuthMode::CannotInstall,
        OAuthMode::AccessDenied,
        OAuthMode::GraphqlRateLimited,
    ];

    /// Returns the name used by `POST /monday/_sandbox/oauth-mode`.
    pub fn as_str(&self) -> &'static str {
        match self {
            OAuthMode::Normal => "normal",
            OAuthMode::AccountNotAllowed => "account_not_allowed",
            OAuthMode::CannotInstall => "cannot_install",
            OAuthMode::AccessDenied => "access_denied",
            OAuthMode::GraphqlRateLimited => "graphql_rate_limited",
        }
    }

    /// Parses a mode name, or returns `None` for an unknown one.
    pub fn from_name(name: &str) -> Option<OAuthMode> {
        OAuthMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == name)
    }

    /// Returns the `error_description` the token endpoint sends with
    /// `invalid_grant` in this mode, or `None` when the mode lets a valid
    /// code through.
    pub fn install_rejection(&self) -> Option<&'static str> {
        match self {
            OAuthMode::AccountNotAllowed => Some("Account is not allowed to install this app"),
            OAuthMode::CannotInstall => Some("The app cannot be installed in this account"),
            _ => None,
        }
    }
}

/// The user an access token acts for, and the scopes it was granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenOwner {
    pub account_id: u64,
    pub user_id: u64,
    /// Space-separated scopes, as the token endpoint returned them.
    pub scope: String,
}

/// One request to `POST /monday/oauth2/token`, without the client secret,
/// the code or the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenRequestRecord {
    pub received_at: DateTime<Utc>,
    /// `Content-Type` header as received.
    pub content_type: Option<String>,
    pub client_id: Option<String>,
    /// `redirect_uri` exactly as received, or `None` when it was missing.
    pub redirect_uri: Option<String>,
    /// HTTP status sent.
    pub status: u16,
    /// OAuth error code sent, such as `invalid_grant`; `None` on success.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// Account and user of the issued token; `None` on failure.
    pub account_id: Option<u64>,
    pub user_id: Option<u64>,
}

/// The grant behind an authorization code: client, redirect URI, user and
/// scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CodeGrant {
    pub client_id: String,
    /// The authorize request's `redirect_uri`, byte for byte.
    pub redirect_uri: String,
    pub account_id: u64,
    pub user_id: u64,
    pub scope: String,
}

#[derive(Debug)]
struct StoredCode {
    grant: CodeGrant,
    expires_at: Instant,
    used: bool,
}

/// Reason a code cannot be redeemed. Every case is `invalid_grant`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CodeRejection {
    Unknown,
    Used,
    Expired,
    OtherClient,
    RedirectUriMismatch,
}

impl CodeRejection {
    pub fn description(&self) -> &'static str {
        match self {
            CodeRejection::Unknown => "The authorization code is invalid.",
            CodeRejection::Used => "The authorization code has already been used.",
            CodeRejection::Expired => {
                "The authorization code has expired: codes are valid for 10 minutes."
            }
            CodeRejection::OtherClient => "The authorization code was issued to another client.",
            CodeRejection::RedirectUriMismatch => {
                "redirect_uri does not match the redirect_uri of the authorization request."
            }
        }
    }
}

/// The OAuth state shared by clones of one `MondayStandIn`.
#[derive(Default)]
pub(super) struct OAuthState {
    pub mode: OAuthMode,
    codes: HashMap<String, StoredCode>,
    tokens: HashMap<String, TokenOwner>,
    token_requests: Vec<TokenRequestRecord>,
}

impl fmt::Debug for OAuthState {
    // Codes and tokens are credentials, so only their numbers are shown.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("OAuthState")
            .field("mode", &self.mode)
            .field("code_count", &self.codes.len())
            .field("token_count", &self.tokens.len())
            .field("token_request_count", &self.token_requests.len())
            .finish()
    }
}

fn random_secret() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), SECRET_LENGTH)
}

impl OAuthState {
    /// Stores a new single-use code for `grant`, valid for
    /// [`AUTHORIZATION_CODE_LIFETIME`] from `now`, and returns it.
    pub fn issue_code(&mut self, grant: CodeGrant, now: Instant) -> String {
        self.codes
            .retain(|_, stored| stored.expires_at + SPENT_CODE_RETENTION > now);
        let code = random_secret();
        self.codes.insert(
            code.clone(),
            StoredCode {
                grant,
                expires_at: now + AUTHORIZATION_CODE_LIFETIME,
                used: false,
            },
        );
        code
    }

    /// Checks `code` against the client and the exact `redirect_uri` of its
    /// authorize request and returns its grant, without using it up.
    pub fn check_code(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        now: Instant,
    ) -> Result<CodeGrant, CodeRejection> {
        let Some(stored) = self.codes.get(code) else {
            return Err(CodeRejection::Unknown);
        };
        if stored.used {
            return Err(CodeRejection::Used);
        }
        if now >= stored.expires_at {
            return Err(CodeRejection::Expired);
        }
        if stored.grant.client_id != client_id {
            return Err(CodeRejection::OtherClient);
        }
        if stored.grant.redirect_uri != redirect_uri {
            return Err(CodeRejection::RedirectUriMismatch);
        }
        Ok(stored.grant.clone())
    }

    /// Marks `code` as used, so that every later redemption fails.
    pub fn use_code(&mut self, code: &str) {
        if let Some(stored) = self.codes.get_mut(code) {
            stored.used = true;
        }
    }

    /// Creates an access token for `owner` and returns it. Tokens do not
    /// expire, as monday's classic OAuth tokens do not.
    pub fn issue_token(&mut self, owner: TokenOwner) -> String {
        let token = random_secret();
        self.tokens.insert(token.clone(), owner);
        token
    }

    pub fn token_owner(&self, token: &str) -> Option<TokenOwner> {
        self.tokens.get(token).cloned()
    }

    /// Deletes every access token of `account_id` and returns how many there
    /// were. monday's tokens stay valid until the app is uninstalled.
    pub fn revoke_account_tokens(&mut self, account_id: u64) -> usize {
        let before = self.tokens.len();
        self.tokens
            .retain(|_, owner| owner.account_id != account_id);
        before - self.tokens.len()
    }

    pub fn record_token_request(&mut self, record: TokenRequestRecord) {
        if self.token_requests.len() >= MAX_RECORDED_TOKEN_REQUESTS {
            self.token_requests.remove(0);
        }
        self.token_requests.push(record);
    }

    pub fn token_requests(&self) -> Vec<TokenRequestRecord> {
        self.token_requests.clone()
    }

    pub fn clear_token_requests(&mut self) {
        self.token_requests.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> CodeGrant {
        CodeGrant {
            client_id: "client".to_owned(),
            redirect_uri: "http://127.0.0.1:3000/oauth/callback?x=1".to_owned(),
            account_id: 111,
            user_id: 1001,
            scope: "me:read".to_owned(),
        }
    }

    #[test]
    fn code_expires_after_ten_minutes() {
        let mut state = OAuthState::default();
        let issued_at = Instant::now();
        let code = state.issue_code(grant(), issued_at);
        let redirect_uri = grant().redirect_uri;

        let just_before = issued_at + AUTHORIZATION_CODE_LIFETIME - Duration::from_secs(1);
        assert_eq!(
            state.check_code(&code, "client", &redirect_uri, just_before),
            Ok(grant())
        );
        let at_expiry = issued_at + AUTHORIZATION_CODE_LIFETIME;
        assert_eq!(
            state.check_code(&code, "client", &redirect_uri, at_expiry),
            Err(CodeRejection::Expired)
        );
    }

    #[test]
    fn code_checks_client_and_redirect() {
        let mut state = OAuthState::default();
        let now = Instant::now();
        let code = state.issue_code(grant(), now);

        assert_eq!(
            state.check_code(&code, "other", &grant().redirect_uri, now),
            Err(CodeRejection::OtherClient)
        );
        // A redirect URI that differs only in its query string still differs.
        assert_eq!(
            state.check_code(&code, "client", "http://127.0.0.1:3000/oauth/callback", now),
            Err(CodeRejection::RedirectUriMismatch)
        );
        assert_eq!(
            state.check_code("not-a-code", "client", &grant().redirect_uri, now),
            Err(CodeRejection::Unknown)
        );
    }

    #[test]
    fn used_code_is_rejected() {
        let mut state = OAuthState::default();
        let now = Instant::now();
        let code = state.issue_code(grant(), now);
        state.use_code(&code);
        assert_eq!(
            state.check_code(&code, "client", &grant().redirect_uri, now),
            Err(CodeRejection::Used)
        );
    }

    #[test]
    fn spent_codes_are_pruned() {
        let mut state = OAuthState::default();
        let issued_at = Instant::now();
        let old_code = state.issue_code(grant(), issued_at);

        let later = issued_at + AUTHORIZATION_CODE_LIFETIME + SPENT_CODE_RETENTION;
        state.issue_code(grant(), later);
        assert_eq!(
            state.check_code(&old_code, "client", &grant().redirect_uri, later),
            Err(CodeRejection::Unknown)
        );
        assert_eq!(state.codes.len(), 1);
    }

    #[test]
    fn codes_and_tokens_are_random() {
        let mut state = OAuthState::default();
        let now = Instant::now();
        let first = state.issue_code(grant(), now);
        let second = state.issue_code(grant(), now);
        assert_ne!(first, second);
        assert_eq!(first.len(), SECRET_LENGTH);

        let owner = TokenOwner {
            account_id: 111,
            user_id: 1001,
            scope: "me:read".to_owned(),
        };
        let token = state.issue_token(owner.clone());
        assert_ne!(token, state.issue_token(owner.clone()));
        assert_eq!(state.token_owner(&token), Some(owner));
    }

    #[test]
    fn revoke_drops_only_that_account() {
        let mut state = OAuthState::default();
        let acme = state.issue_token(TokenOwner {
            account_id: 111,
            user_id: 1001,
            scope: "me:read".to_owned(),
        });
        let globex = state.issue_token(TokenOwner {
            account_id: 222,
            user_id: 2001,
            scope: "me:read".to_owned(),
        });
        assert_eq!(state.revoke_account_tokens(111), 1);
        assert_eq!(state.token_owner(&acme), None);
        assert!(state.token_owner(&globex).is_some());
    }

    #[test]
    fn mode_names_round_trip() {
        for mode in OAuthMode::ALL {
            assert_eq!(OAuthMode::from_name(mode.as_str()), Some(mode));
            let json = serde_json::to_value(mode).unwrap();
            assert_eq!(json, serde_json::json!(mode.as_str()));
        }
        assert_eq!(OAuthMode::from_name("broken"), None);
    }

    #[test]
    fn debug_hides_codes_and_tokens() {
        let mut state = OAuthState::default();
        let code = state.issue_code(grant(), Instant::now());
        let token = state.issue_token(TokenOwner {
            account_id: 111,
            user_id: 1001,
            scope: "me:read".to_owned(),
        });
        let text = format!("{state:?}");
        assert!(!text.contains(&code));
        assert!(!text.contains(&token));
    }
}
