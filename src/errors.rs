//! The error the browser and API clients may see: a stable code and a plain
//! message, never the underlying cause (that is logged on the server).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A client-visible error with a stable `code`.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// The sessionToken has expired: fetch a new one from the monday SDK and
    /// retry once.
    #[error("Your monday session has expired. Fetching a new one.")]
    SessionExpired,
    /// The sessionToken is missing, malformed or not signed by monday.
    #[error("The monday session token is missing or invalid.")]
    SessionInvalid,
    /// The caller is authenticated but may not do this.
    #[error("{message}")]
    Forbidden { message: String },
    /// A request parameter is invalid; `parameter` names it.
    #[error("Invalid parameter `{parameter}`: {message}")]
    InvalidParameter { parameter: String, message: String },
    /// ActivTrak did not answer in time or answered with an error.
    #[error("{message}")]
    Upstream { message: String },
    /// ActivTrak rejected the stored key (401 or 403): an admin must act.
    #[error("{message}")]
    NeedsAttention { message: String },
    /// Anything else; the cause is in the server log.
    #[error("Something went wrong on our side. Please try again in a minute.")]
    Internal,
    /// The request never reached the server function, or its reply could
    /// not be read (a network failure in the browser).
    #[error("Could not reach the server: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn invalid(parameter: &str, message: impl Into<String>) -> AppError {
        AppError::InvalidParameter {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }

    /// The stable code, as serialized in the `code` field.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::SessionExpired => "session_expired",
            AppError::SessionInvalid => "session_invalid",
            AppError::Forbidden { .. } => "forbidden",
            AppError::InvalidParameter { .. } => "invalid_parameter",
            AppError::Upstream { .. } => "upstream",
            AppError::NeedsAttention { .. } => "needs_attention",
            AppError::Internal => "internal",
            AppError::Transport { .. } => "transport",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport {
            message: value.to_string(),
        }
    }
}
