//! The server-side error: it carries the cause for the log, and turns into
//! the client-visible [`AppError`] without it.

use thiserror::Error;

use crate::errors::AppError;
use crate::server::activtrak::ActivTrakError;
use crate::server::crypto::CryptoError;
use crate::server::db::credentials::KeyProblem;
use crate::server::db::StorageError;
use crate::server::insights::engine::FetchFailure;
use crate::server::session_token::TokenError;

#[derive(Debug, Error)]
pub enum ServiceError {
    /// An error meant for the caller as it is (bad parameter, forbidden, …).
    #[error(transparent)]
    Client(#[from] AppError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("stored ActivTrak key for account {account_id} cannot be decrypted: {source}")]
    Crypto { account_id: i64, source: CryptoError },
    #[error("reading ActivTrak for account {account_id} failed: {failure:?}")]
    Fetch { account_id: i64, is_admin: bool, failure: FetchFailure },
    #[error("ActivTrak rejected the stored key of account {account_id} earlier ({problem:?})")]
    KeyRejected { account_id: i64, is_admin: bool, problem: KeyProblem },
}

impl From<TokenError> for ServiceError {
    fn from(error: TokenError) -> ServiceError {
        ServiceError::Client(match error {
            TokenError::Expired => AppError::SessionExpired,
            TokenError::Invalid => AppError::SessionInvalid,
        })
    }
}

impl ServiceError {
    /// Logs the cause once, where the error is handled, and returns what the
    /// caller may see.
    pub fn into_app_error(self) -> AppError {
        match self {
            ServiceError::Client(error) => error,
            ServiceError::Storage(error) => {
                tracing::error!(error = %error, "storage failed");
                AppError::Internal
            }
            ServiceError::Crypto { account_id, source } => {
                tracing::error!(account.id = account_id, error = %source, "stored ActivTrak key is undecryptable");
                AppError::NeedsAttention { message: UNDECRYPTABLE_MESSAGE.to_owned() }
            }
            ServiceError::Fetch { account_id, is_admin, failure } => match failure {
                FetchFailure::ActivTrak(error) => {
                    tracing::warn!(account.id = account_id, error = %error, "reading ActivTrak failed");
                    activtrak_message(&error, is_admin)
                }
                FetchFailure::KeyRejected(problem) => key_rejected_message(problem, is_admin),
                FetchFailure::KeyChanged => AppError::Upstream {
                    message: "The ActivTrak connection changed while the figures were loading. Please try again."
                        .to_owned(),
                },
                FetchFailure::Undecryptable => {
                    tracing::error!(account.id = account_id, "stored ActivTrak key is undecryptable");
                    undecryptable_message(is_admin)
                }
                FetchFailure::Storage(error) => {
                    tracing::error!(account.id = account_id, error = %error, "storage failed during a fetch");
                    AppError::Internal
                }
            },
            ServiceError::KeyRejected { problem, is_admin, .. } => key_rejected_message(problem, is_admin),
        }
    }
}

const UNDECRYPTABLE_MESSAGE: &str = "The stored ActivTrak key can no longer be read. An admin of this monday account \
                                     needs to enter the ActivTrak API key again.";

fn undecryptable_message(is_admin: bool) -> AppError {
    let message = if is_admin {
        "The stored ActivTrak key can no longer be read. Open Settings and enter the ActivTrak API key again."
    } else {
        UNDECRYPTABLE_MESSAGE
    };
    AppError::NeedsAttention { message: message.to_owned() }
}

fn key_rejected_message(problem: KeyProblem, is_admin: bool) -> AppError {
    let error = match problem {
        KeyProblem::Unauthorized => ActivTrakError::Unauthorized,
        KeyProblem::Forbidden => ActivTrakError::Forbidden,
    };
    activtrak_message(&error, is_admin)
}

fn activtrak_message(error: &ActivTrakError, is_admin: bool) -> AppError {
    let reconnect = if is_admin {
        "Open Settings and reconnect ActivTrak with a valid API key."
    } else {
        "Ask an admin of this monday account to reconnect ActivTrak."
    };
    match error {
        ActivTrakError::Unauthorized => AppError::NeedsAttention {
            message: format!("ActivTrak no longer accepts the stored API key (it may have been deleted). {reconnect}"),
        },
        ActivTrakError::Forbidden => AppError::NeedsAttention {
            message: format!(
                "ActivTrak refused the stored API key: the ActivTrak plan may not include API access, \
                 or the person who created the key may not see this data. {reconnect}"
            ),
        },
        ActivTrakError::Timeout => AppError::Upstream {
            message: "ActivTrak is not responding. Please try again in a few minutes.".to_owned(),
        },
        ActivTrakError::Connect => AppError::Upstream {
            message: "ActivTrak could not be reached. Please try again in a few minutes.".to_owned(),
        },
        ActivTrakError::RateLimited { .. } => AppError::Upstream {
            message: "ActivTrak is limiting requests right now. Please try again in a few minutes.".to_owned(),
        },
        ActivTrakError::Status(status) => AppError::Upstream {
            message: format!("ActivTrak answered with an error (HTTP {status}). Please try again later."),
        },
        ActivTrakError::BadRequest(_) => AppError::Upstream {
            message: "ActivTrak rejected the request for this selection.".to_owned(),
        },
        ActivTrakError::InvalidResponse(_) => AppError::Upstream {
            message: "ActivTrak sent an invalid response. Please try again later.".to_owned(),
        },
    }
}
