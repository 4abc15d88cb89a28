//! The app's settings, read once from the environment (and a `.env` file when
//! present) and checked at start. Every setting is listed in `.env.example`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use secrecy::SecretString;
use thiserror::Error;
use url::Url;

use crate::server::crypto::{EncryptionKey, Keyring};

/// Path of the generated local encryption key, used when `TOKEN_ENCRYPTION_KEY`
/// is not set outside production.
pub const GENERATED_KEY_FILE: &str = "data/encryption.key";

const DEFAULT_DATABASE_URL: &str = "sqlite://data/activtrak-board.db?mode=rwc";

/// A setting that is missing or malformed; the message names the variable.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0} is not set. See .env.example for what it holds.")]
    Missing(&'static str),
    #[error("{variable} is invalid: {message}")]
    Invalid { variable: &'static str, message: String },
    #[error("could not use the generated encryption key file {path}: {source}")]
    KeyFile { path: PathBuf, source: std::io::Error },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

/// Everything the server needs, typed. Secrets are `SecretString`s or keys
/// that never print their value.
#[derive(Clone, Debug)]
pub struct Config {
    /// `APP_ENV`: `development` (default) or `production`. Production refuses
    /// to start without an explicit encryption key.
    pub app_env: AppEnv,
    /// `MONDAY_CLIENT_ID`: the app's client id from monday's Developer Center.
    pub monday_client_id: String,
    /// `MONDAY_CLIENT_SECRET`: signs sessionTokens and lifecycle webhooks.
    pub monday_client_secret: SecretString,
    /// `MONDAY_SIGNING_SECRET`: signs integration recipes, which this app
    /// does not use. It is read and kept, but nothing is verified with it.
    pub monday_signing_secret: SecretString,
    /// `DATABASE_URL`: `sqlite://…` (default, a file under `data/`) or
    /// `postgres://…`.
    pub database_url: String,
    /// `TOKEN_ENCRYPTION_KEY` (current key) and
    /// `TOKEN_ENCRYPTION_PREVIOUS_KEYS` (comma-separated older keys): base64
    /// 32-byte AES-256-GCM keys for stored ActivTrak API keys.
    pub keyring: Keyring,
    /// `ACTIVTRAK_BASE_URL`: replaces every region's ActivTrak host (for the
    /// local stand-in and tests). Unset in production.
    pub activtrak_base_url: Option<Url>,
    /// `ACTIVTRAK_CONNECT_TIMEOUT_MS` (default 3000).
    pub activtrak_connect_timeout: Duration,
    /// `ACTIVTRAK_REQUEST_TIMEOUT_MS` (default 8000): one upstream request,
    /// from sending it to the last byte of the reply.
    pub activtrak_request_timeout: Duration,
    /// `ACTIVTRAK_RETRIES` (default 2): retries of a request that timed out,
    /// failed to connect or got a 5xx.
    pub activtrak_retries: u32,
    /// `ACTIVTRAK_RETRY_BACKOFF_MS` (default 250): the first retry's delay,
    /// doubled for each next one, plus random jitter up to this much.
    pub activtrak_retry_backoff: Duration,
    /// `ACTIVTRAK_RETRY_AFTER_CAP_SECS` (default 300): the longest wait a
    /// 429's `Retry-After` can impose on an account.
    pub activtrak_retry_after_cap: Duration,
    /// `INSIGHTS_DEADLINE_MS` (default 8000): the longest a view request
    /// waits for ActivTrak before it is answered without fresh data.
    pub insights_deadline: Duration,
    /// `FETCH_LEASE_SECS` (default 30): how long one instance may hold the
    /// right to fetch a cache key before others may take it over.
    pub fetch_lease: Duration,
    /// `MONDAY_AUTH_URL` (default `https://auth.monday.com`): monday's OAuth
    /// host.
    pub monday_auth_url: Url,
    /// `MONDAY_API_URL` (default `https://api.monday.com/v2`): monday's
    /// GraphQL endpoint.
    pub monday_api_url: Url,
    /// `APP_PUBLIC_URL` (default `http://127.0.0.1:3000`): the app's address
    /// as browsers reach it, for settings links and the OAuth redirect URI.
    /// Over `https` the session cookie gets the `__Host-` prefix and `Secure`.
    pub public_url: Url,
    /// `FRAME_ANCESTORS`: space-separated origins allowed to frame the board
    /// view, written into its `Content-Security-Policy`.
    pub frame_ancestors: Vec<String>,
}

impl Config {
    /// Returns the OAuth redirect URI, the same string in the authorize and
    /// the token request.
    pub fn oauth_redirect_uri(&self) -> String {
        format!("{}/oauth/callback", self.public_url.as_str().trim_end_matches('/'))
    }

    /// Returns whether browsers reach the app over https (so cookies are `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Reads the configuration from the process environment, after loading a
    /// `.env` file from the working directory when there is one.
    pub fn from_env() -> Result<Config, ConfigError> {
        // A missing .env file is normal in production, so only its absence is ignored.
        if let Err(error) = dotenvy::dotenv() {
            if !error.not_found() {
                return Err(ConfigError::Invalid {
                    variable: ".env",
                    message: error.to_string(),
                });
            }
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable lookup; tests pass a map.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let app_env = match get("APP_ENV").as_deref() {
            None | Some("development") => AppEnv::Development,
            Some("production") => AppEnv::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    variable: "APP_ENV",
                    message: format!("expected `development` or `production`, got `{other}`"),
                })
            }
        };

        let required = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));
        let monday_client_id = required("MONDAY_CLIENT_ID")?;
        let monday_client_secret = SecretString::from(required("MONDAY_CLIENT_SECRET")?);
        let monday_signing_secret = SecretString::from(required("MONDAY_SIGNING_SECRET")?);

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError::Invalid {
                variable: "DATABASE_URL",
                message: "expected a `sqlite:` or `postgres://` URL".to_owned(),
            });
        }

        let current_key = match get("TOKEN_ENCRYPTION_KEY") {
            Some(encoded) => parse_key("TOKEN_ENCRYPTION_KEY", &encoded)?,
            None if app_env == AppEnv::Production => {
                return Err(ConfigError::Missing("TOKEN_ENCRYPTION_KEY"))
            }
            None => load_or_generate_local_key(Path::new(GENERATED_KEY_FILE))?,
        };
        let mut previous_keys = Vec::new();
        if let Some(list) = get("TOKEN_ENCRYPTION_PREVIOUS_KEYS") {
            for encoded in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                previous_keys.push(parse_key("TOKEN_ENCRYPTION_PREVIOUS_KEYS", encoded)?);
            }
        }

        let activtrak_base_url = get("ACTIVTRAK_BASE_URL")
            .map(|value| parse_url("ACTIVTRAK_BASE_URL", &value))
            .transpose()?;

        Ok(Config {
            app_env,
            monday_client_id,
            monday_client_secret,
            monday_signing_secret,
            database_url,
            keyring: Keyring::new(current_key, previous_keys),
            activtrak_base_url,
            activtrak_connect_timeout: parse_millis(&get, "ACTIVTRAK_CONNECT_TIMEOUT_MS", 3_000)?,
            activtrak_request_timeout: parse_millis(&get, "ACTIVTRAK_REQUEST_TIMEOUT_MS", 8_000)?,
            activtrak_retries: parse_number(&get, "ACTIVTRAK_RETRIES", 2)? as u32,
            activtrak_retry_backoff: parse_millis(&get, "ACTIVTRAK_RETRY_BACKOFF_MS", 250)?,
            activtrak_retry_after_cap: Duration::from_secs(parse_number(&get, "ACTIVTRAK_RETRY_AFTER_CAP_SECS", 300)?),
            insights_deadline: parse_millis(&get, "INSIGHTS_DEADLINE_MS", 8_000)?,
            fetch_lease: Duration::from_secs(parse_number(&get, "FETCH_LEASE_SECS", 30)?.max(1)),
            monday_auth_url: parse_url(
                "MONDAY_AUTH_URL",
                &get("MONDAY_AUTH_URL").unwrap_or_else(|| "https://auth.monday.com".to_owned()),
            )?,
            monday_api_url: parse_url(
                "MONDAY_API_URL",
                &get("MONDAY_API_URL").unwrap_or_else(|| "https://api.monday.com/v2".to_owned()),
            )?,
            public_url: parse_url(
                "APP_PUBLIC_URL",
                &get("APP_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned()),
            )?,
            frame_ancestors: get("FRAME_ANCESTORS")
                .unwrap_or_else(|| "https://*.monday.com https://monday.com".to_owned())
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        })
    }
}

fn parse_key(variable: &'static str, encoded: &str) -> Result<EncryptionKey, ConfigError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| ConfigError::Invalid {
            variable,
            message: "expected base64 (generate one with `openssl rand -base64 32`)".to_owned(),
        })?;
    EncryptionKey::from_bytes(&bytes).ok_or_else(|| ConfigError::Invalid {
        variable,
        message: format!("expected 32 bytes after base64 decoding, got {}", bytes.len()),
    })
}

fn parse_url(variable: &'static str, value: &str) -> Result<Url, ConfigError> {
    Url::parse(value).map_err(|error| ConfigError::Invalid {
        variable,
        message: format!("`{value}` is not a URL: {error}"),
    })
}

fn parse_millis(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    match get(variable) {
        None => Ok(Duration::from_millis(default)),
        Some(value) => value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|millis| *millis > 0)
            .map(Duration::from_millis)
            .ok_or_else(|| ConfigError::Invalid {
                variable,
                message: format!("expected a positive number of milliseconds, got `{value}`"),
            }),
    }
}

fn parse_number(get: &impl Fn(&str) -> Option<String>, variable: &'static str, default: u64) -> Result<u64, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(value) => value.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
            variable,
            message: format!("expected a whole number, got `{value}`"),
        }),
    }
}

/// Reads the local key file, or creates it with a new random key, readable
/// only by its owner. Used outside production only.
fn load_or_generate_local_key(path: &Path) -> Result<EncryptionKey, ConfigError> {
    let key_file_error = |source| ConfigError::KeyFile {
        path: path.to_owned(),
        source,
    };
    if path.exists() {
        let encoded = std::fs::read_to_string(path).map_err(key_file_error)?;
        return parse_key("TOKEN_ENCRYPTION_KEY", &encoded);
    }

    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(key_file_error)?;
    }
    let bytes = EncryptionKey::random_bytes();
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    write_owner_only(path, &encoded).map_err(key_file_error)?;
    tracing::warn!(
        path = %path.display(),
        "TOKEN_ENCRYPTION_KEY is not set, so a new local encryption key was generated; \
         set TOKEN_ENCRYPTION_KEY in production"
    );
    parse_key("TOKEN_ENCRYPTION_KEY", &encoded)
}

fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("MONDAY_CLIENT_ID", "id"),
            ("MONDAY_CLIENT_SECRET", "secret"),
            ("MONDAY_SIGNING_SECRET", "signing"),
            ("TOKEN_ENCRYPTION_KEY", KEY),
        ]
    }

    #[test]
    fn missing_client_secret_names_variable() {
        let pairs: Vec<_> = base().into_iter().filter(|(k, _)| *k != "MONDAY_CLIENT_SECRET").collect();
        let error = Config::from_lookup(lookup(&pairs)).unwrap_err();
        assert!(error.to_string().contains("MONDAY_CLIENT_SECRET"), "{error}");
    }

    #[test]
    fn production_requires_encryption_key() {
        let mut pairs: Vec<_> = base().into_iter().filter(|(k, _)| *k != "TOKEN_ENCRYPTION_KEY").collect();
        pairs.push(("APP_ENV", "production"));
        let error = Config::from_lookup(lookup(&pairs)).unwrap_err();
        assert!(matches!(error, ConfigError::Missing("TOKEN_ENCRYPTION_KEY")), "{error}");
    }

    #[test]
    fn short_encryption_key_is_rejected() {
        let mut pairs = base();
        pairs.retain(|(k, _)| *k != "TOKEN_ENCRYPTION_KEY");
        pairs.push(("TOKEN_ENCRYPTION_KEY", "c2hvcnQ="));
        let error = Config::from_lookup(lookup(&pairs)).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("TOKEN_ENCRYPTION_KEY"), "{text}");
        assert!(text.contains("32 bytes"), "{text}");
    }

    #[test]
    fn malformed_timeout_names_variable() {
        let mut pairs = base();
        pairs.push(("ACTIVTRAK_REQUEST_TIMEOUT_MS", "soon"));
        let error = Config::from_lookup(lookup(&pairs)).unwrap_err();
        assert!(error.to_string().contains("ACTIVTRAK_REQUEST_TIMEOUT_MS"));
    }

    #[test]
    fn defaults_apply() {
        let config = Config::from_lookup(lookup(&base())).unwrap();
        assert_eq!(config.app_env, AppEnv::Development);
        assert!(config.database_url.starts_with("sqlite://data/"));
        assert_eq!(config.activtrak_request_timeout, Duration::from_secs(8));
        assert_eq!(config.monday_auth_url.as_str(), "https://auth.monday.com/");
    }

    #[test]
    fn generated_key_file_is_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/encryption.key");
        let first = load_or_generate_local_key(&path).unwrap();
        let second = load_or_generate_local_key(&path).unwrap();
        assert_eq!(first.id(), second.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
