//! Local stand-ins for monday.com and ActivTrak, so the whole product runs
//! and is tested on one machine without the internet.
//!
//! One server ([`router`], [`run`]) serves:
//! - the monday stand-in at the root: the host page `/`, `/host.js`,
//!   `/monday/session-token`, OAuth under `/monday/oauth2/`, the GraphQL
//!   API at `/monday/v2` and its controls under `/monday/_sandbox/` (see
//!   [`monday`]). It also sends lifecycle webhooks to the app;
//! - the ActivTrak stand-in under `/activtrak` (see [`activtrak`]), so the
//!   app's ActivTrak base URL is `{SANDBOX_ADDR}/activtrak`;
//! - the ActivTrak stand-in's control endpoints under `/activtrak/_sandbox/`
//!   and, for short URLs in browser tests and demos, also under `/_sandbox/`.
//!
//! Settings come from the environment, then from a `.env` file in the
//! working directory; see [`SandboxConfig::from_env`].

pub mod activtrak;
pub mod dataset;
pub mod monday;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;

pub use activtrak::{ActivTrakStandIn, Fault, GroupsFormat, HeaderStyle, RecordedRequest};
pub use dataset::{rows_for, rows_for_on, WorkingHoursRow, ACME_API_KEY, GLOBEX_API_KEY};
pub use monday::{
    accounts, lifecycle_request, LifecycleDelivery, LifecycleError, LifecycleEvent, MondaySettings,
    MondayStandIn, OAuthMode, SandboxAccount, SandboxUser, TokenOwner, TokenRequestRecord,
    UserKind, LIFECYCLE_EVENT_TYPES,
};

pub const DEFAULT_ADDR: &str = "127.0.0.1:4000";
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:4000";
pub const DEFAULT_APP_URL: &str = "http://127.0.0.1:3000";
pub const DEFAULT_CLIENT_ID: &str = "sandbox-client-id";

/// A setting that is missing or cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not set: {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} has the invalid value '{value}': {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// The sandbox's settings.
#[derive(Clone)]
pub struct SandboxConfig {
    /// `SANDBOX_ADDR`: where the sandbox listens, always a loopback address.
    pub addr: SocketAddr,
    /// `SANDBOX_PUBLIC_URL`: the host page's origin in the browser's address bar.
    pub public_url: String,
    /// `APP_URL`: where the app runs; the view is at `{app_url}/view`.
    pub app_url: String,
    /// `MONDAY_CLIENT_ID`
    pub monday_client_id: String,
    /// `MONDAY_CLIENT_SECRET`, which signs the sessionTokens and lifecycle
    /// webhooks and authenticates the app at the OAuth token endpoint.
    pub monday_client_secret: String,
    /// `MONDAY_SIGNING_SECRET`, kept for the integration stand-ins to come.
    pub monday_signing_secret: Option<String>,
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SandboxConfig")
            .field("addr", &self.addr)
            .field("public_url", &self.public_url)
            .field("app_url", &self.app_url)
            .field("monday_client_id", &self.monday_client_id)
            .field("monday_client_secret", &"<redacted>")
            .field(
                "monday_signing_secret",
                &self.monday_signing_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Parses `SANDBOX_ADDR`. Only loopback addresses are accepted, because the
/// sandbox signs a valid sessionToken for any caller.
fn parse_addr(value: &str) -> Result<SocketAddr, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        name: "SANDBOX_ADDR",
        value: value.to_owned(),
        reason: reason.to_owned(),
    };

    let addr = match value.strip_prefix("localhost:") {
        Some(port) => {
            let port = port
                .parse::<u16>()
                .map_err(|_| invalid("expected a port number after 'localhost:'"))?;
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
        }
        None => value
            .parse::<SocketAddr>()
            .map_err(|_| invalid("expected an address and port such as 127.0.0.1:4000"))?,
    };
    if !addr.ip().is_loopback() {
        return Err(invalid(
            "the sandbox listens only on loopback addresses (127.0.0.0/8 or [::1]) because it signs tokens for any caller",
        ));
    }
    Ok(addr)
}

/// Checks an http(s) base URL and drops its trailing slashes.
fn parse_base_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim_end_matches('/');
    let has_scheme = trimmed.starts_with("http://") || trimmed.starts_with("https://");
    let has_host = trimmed
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty());
    if !has_scheme || !has_host {
        return Err(ConfigError::Invalid {
            name,
            value: value.to_owned(),
            reason: "expected an http:// or https:// URL such as http://127.0.0.1:3000".to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

impl SandboxConfig {
    /// Reads the settings from the environment, then from a `.env` file in
    /// the working directory for those the environment does not set. The
    /// `.env` file is read without changing the process environment.
    pub fn from_env() -> Result<SandboxConfig, ConfigError> {
        let dotenv: Vec<(String, String)> = match dotenvy::dotenv_iter() {
            Ok(entries) => entries.filter_map(Result::ok).collect(),
            Err(_) => Vec::new(),
        };
        Self::from_lookup(|name| {
            std::env::var(name).ok().or_else(|| {
                dotenv
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone())
            })
        })
    }

    /// Reads the settings through `lookup`, which returns a variable's value.
    /// Empty values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<SandboxConfig, ConfigError> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let addr = parse_addr(&read("SANDBOX_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned()))?;
        let public_url = parse_base_url(
            "SANDBOX_PUBLIC_URL",
            &read("SANDBOX_PUBLIC_URL").unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_owned()),
        )?;
        let app_url = parse_base_url(
            "APP_URL",
            &read("APP_URL").unwrap_or_else(|| DEFAULT_APP_URL.to_owned()),
        )?;
        let monday_client_id =
            read("MONDAY_CLIENT_ID").unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned());
        let monday_client_secret = read("MONDAY_CLIENT_SECRET").ok_or(ConfigError::Missing {
            name: "MONDAY_CLIENT_SECRET",
            hint: "set it to the app's Client Secret (the same value the app verifies sessionTokens with), in the environment or in .env",
        })?;
        let monday_signing_secret = read("MONDAY_SIGNING_SECRET");

        Ok(SandboxConfig {
            addr,
            public_url,
            app_url,
            monday_client_id,
            monday_client_secret,
            monday_signing_secret,
        })
    }

    /// Returns the settings of the monday stand-in.
    pub fn monday_settings(&self) -> MondaySettings {
        MondaySettings {
            client_id: self.monday_client_id.clone(),
            client_secret: self.monday_client_secret.clone(),
            signing_secret: self.monday_signing_secret.clone(),
            app_url: self.app_url.clone(),
        }
    }
}

/// Builds every route of the sandbox, with a fresh ActivTrak stand-in.
pub fn router(config: SandboxConfig) -> Router {
    router_with(config, ActivTrakStandIn::new())
}

/// Builds every route of the sandbox around `activtrak`, so a caller can
/// keep a clone to steer the ActivTrak stand-in.
pub fn router_with(config: SandboxConfig, activtrak: ActivTrakStandIn) -> Router {
    router_with_stand_ins(MondayStandIn::new(config.monday_settings()), activtrak)
}

/// Builds every route of the sandbox around both stand-ins, so a caller can
/// keep clones to steer them (OAuth mode, access tokens, lifecycle events,
/// ActivTrak faults).
pub fn router_with_stand_ins(monday: MondayStandIn, activtrak: ActivTrakStandIn) -> Router {
    monday
        .router()
        .nest("/activtrak", activtrak.router())
        .merge(activtrak.control_router())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
}

/// Binds `config.addr` and serves [`router`] until Ctrl-C. Requests held by
/// the hang fault are dropped at exit instead of awaited.
pub async fn run(config: SandboxConfig) -> std::io::Result<()> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url.clone();
    let app_url = config.app_url.clone();

    tracing::info!(%addr, "sandbox listening");
    tracing::info!("host page (Acme admin): {public_url}/?account=111&user=1001");
    tracing::info!(
        "host page (Acme member, dark theme): {public_url}/?account=111&user=1002&theme=dark"
    );
    tracing::info!("ActivTrak base URL for the app: http://{addr}/activtrak");
    tracing::info!("ActivTrak stand-in controls: http://{addr}/_sandbox/fault");
    tracing::info!("MONDAY_AUTH_URL for the app: {public_url}/monday");
    tracing::info!("MONDAY_API_URL for the app: {public_url}/monday/v2");
    tracing::info!("monday stand-in controls: {public_url}/monday/_sandbox/oauth-mode");
    tracing::info!("lifecycle webhooks go to {app_url}/monday/lifecycle");
    tracing::info!("the host page embeds {app_url}/view");

    let server = axum::serve(listener, router(config));
    tokio::select! {
        result = server => result,
        signal = tokio::signal::ctrl_c() => {
            match signal {
                Ok(()) => tracing::info!("sandbox stopping on Ctrl-C"),
                Err(error) => tracing::error!(%error, "sandbox stopping: listening for Ctrl-C failed"),
            }
            Ok(())
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<SandboxConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        SandboxConfig::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn config_defaults_apply() {
        let config = config_from(&[("MONDAY_CLIENT_SECRET", "secret")]).unwrap();
        assert_eq!(config.addr, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(config.public_url, DEFAULT_PUBLIC_URL);
        assert_eq!(config.app_url, DEFAULT_APP_URL);
        assert_eq!(config.monday_client_id, DEFAULT_CLIENT_ID);
        assert_eq!(config.monday_signing_secret, None);
    }

    #[test]
    fn config_requires_client_secret() {
        let error = config_from(&[]).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Missing {
                name: "MONDAY_CLIENT_SECRET",
                ..
            }
        ));
        assert!(error.to_string().contains("MONDAY_CLIENT_SECRET"));

        let blank = config_from(&[("MONDAY_CLIENT_SECRET", "  ")]).unwrap_err();
        assert!(matches!(blank, ConfigError::Missing { .. }));
    }

    #[test]
    fn config_rejects_public_addr() {
        let error = config_from(&[
            ("MONDAY_CLIENT_SECRET", "s"),
            ("SANDBOX_ADDR", "0.0.0.0:4000"),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("SANDBOX_ADDR"));
    }

    #[test]
    fn config_reads_every_setting() {
        let config = config_from(&[
            ("MONDAY_CLIENT_SECRET", "s"),
            ("MONDAY_SIGNING_SECRET", "t"),
            ("MONDAY_CLIENT_ID", "abc"),
            ("SANDBOX_ADDR", "localhost:4100"),
            ("SANDBOX_PUBLIC_URL", "http://localhost:4100/"),
            ("APP_URL", "http://127.0.0.1:3100/"),
        ])
        .unwrap();
        assert_eq!(config.addr, "127.0.0.1:4100".parse().unwrap());
        assert_eq!(config.public_url, "http://localhost:4100");
        assert_eq!(config.app_url, "http://127.0.0.1:3100");
        assert_eq!(config.monday_client_id, "abc");
        assert_eq!(config.monday_signing_secret.as_deref(), Some("t"));
    }

    #[test]
    fn config_rejects_bad_urls() {
        for value in ["localhost:3000", "ftp://x", "http://"] {
            let result = config_from(&[("MONDAY_CLIENT_SECRET", "s"), ("APP_URL", value)]);
            assert!(result.is_err(), "accepted {value}");
        }
    }

    #[test]
    fn config_debug_hides_secrets() {
        let config = config_from(&[
            ("MONDAY_CLIENT_SECRET", "very-secret"),
            ("MONDAY_SIGNING_SECRET", "also-secret"),
        ])
        .unwrap();
        let text = format!("{config:?}");
        assert!(!text.contains("very-secret"));
        assert!(!text.contains("also-secret"));
    }
}
