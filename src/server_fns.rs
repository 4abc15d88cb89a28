//! Server functions the browser calls. Each one verifies the sessionToken
//! it is given, calls one service function, and returns wire types. The
//! account always comes from the verified token, never from an argument.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;
use crate::model::{InsightsQuery, InsightsResponse};

/// A monday sessionToken as sent by the view. `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionToken(pub String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// Team figures for the caller's account.
#[server(endpoint = "view_insights", input = Json)]
pub async fn fetch_insights(session_token: SessionToken, query: InsightsQuery) -> Result<InsightsResponse, AppError> {
    use crate::server::error::ServiceError;
    use crate::server::insights::load_insights;
    use crate::server::session_token::verify_session_token;
    use crate::server::state::AppState;

    let state = use_context::<AppState>().ok_or(AppError::Internal)?;
    let session = verify_session_token(&session_token.0, &state.config.monday_client_secret)
        .map_err(|error| ServiceError::from(error).into_app_error())?;
    load_insights(&state, &session, &query)
        .await
        .map_err(ServiceError::into_app_error)
}
