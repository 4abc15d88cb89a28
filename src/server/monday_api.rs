//! Calls to monday: the OAuth code exchange and GraphQL `me`, for the
//! settings page's sign-in. The sessionToken is never sent to monday.

use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

use crate::server::config::Config;
use crate::server::ids::MondayId;

/// monday's GraphQL API version this app is written against.
const API_VERSION: &str = "2025-04";

#[derive(Debug, Error)]
pub enum MondayError {
    /// monday's OAuth error code and description, as sent.
    #[error("monday rejected the sign-in: {code} ({description})")]
    OAuth { code: String, description: String },
    #[error("monday's API rejected the request: {0}")]
    Api(String),
    #[error("monday could not be reached: {0}")]
    Unreachable(String),
}

/// The signed-in user as `me` describes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MondayMe {
    pub user_id: MondayId,
    pub name: Option<String>,
    pub is_admin: bool,
    pub account_id: MondayId,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn http_client() -> Result<reqwest::Client, MondayError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|error| MondayError::Unreachable(error.to_string()))
}

/// Exchanges an authorization code for an access token, with the same
/// `redirect_uri` as the authorize request.
pub async fn exchange_code(config: &Config, code: &str) -> Result<secrecy::SecretString, MondayError> {
    use secrecy::ExposeSecret;
    let url = format!("{}/oauth2/token", config.monday_auth_url.as_str().trim_end_matches('/'));
    let redirect_uri = config.oauth_redirect_uri();
    let response = http_client()?
        .post(url)
        .form(&[
            ("client_id", config.monday_client_id.as_str()),
            ("client_secret", config.monday_client_secret.expose_secret()),
            ("code", code),
            ("redirect_uri", redirect_uri.as_str()),
        ])
        .send()
        .await
        .map_err(|error| MondayError::Unreachable(error.without_url().to_string()))?;
    let status = response.status();
    let reply: TokenReply = response
        .json()
        .await
        .map_err(|_| MondayError::Api(format!("the token endpoint answered HTTP {status} without JSON")))?;
    match (reply.access_token, reply.error) {
        (Some(token), None) if status.is_success() => Ok(secrecy::SecretString::from(token)),
        (_, error) => Err(MondayError::OAuth {
            code: error.unwrap_or_else(|| format!("http_{}", status.as_u16())),
            description: reply.error_description.unwrap_or_default(),
        }),
    }
}

/// Asks GraphQL `me` who the access token belongs to. Errors may come as an
/// HTTP status or as HTTP 200 with an `errors` array.
pub async fn fetch_me(config: &Config, access_token: &secrecy::SecretString) -> Result<MondayMe, MondayError> {
    use secrecy::ExposeSecret;
    let query = "query { me { id name is_admin account { id } } }";
    let response = http_client()?
        .post(config.monday_api_url.as_str())
        .header("Authorization", access_token.expose_secret())
        .header("API-Version", API_VERSION)
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .map_err(|error| MondayError::Unreachable(error.without_url().to_string()))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|_| MondayError::Api(format!("HTTP {status} without JSON")))?;
    if let Some(errors) = body.get("errors").and_then(Value::as_array).filter(|errors| !errors.is_empty()) {
        let messages: Vec<String> = errors
            .iter()
            .map(|error| {
                let message = error.get("message").and_then(Value::as_str).unwrap_or("unknown error");
                match error.pointer("/extensions/code").and_then(Value::as_str) {
                    Some(code) => format!("{message} ({code})"),
                    None => message.to_owned(),
                }
            })
            .collect();
        return Err(MondayError::Api(messages.join("; ")));
    }
    if !status.is_success() {
        return Err(MondayError::Api(format!("HTTP {status}")));
    }
    let me = body.pointer("/data/me").ok_or_else(|| MondayError::Api("no `me` in the reply".to_owned()))?;
    let id = |value: Option<&Value>| value.and_then(|value| serde_json::from_value::<MondayId>(value.clone()).ok());
    Ok(MondayMe {
        user_id: id(me.get("id")).ok_or_else(|| MondayError::Api("`me` has no id".to_owned()))?,
        name: me.get("name").and_then(Value::as_str).map(str::to_owned),
        is_admin: me.get("is_admin").and_then(Value::as_bool).unwrap_or(false),
        account_id: id(me.pointer("/account/id")).ok_or_else(|| MondayError::Api("`me` has no account".to_owned()))?,
    })
}
