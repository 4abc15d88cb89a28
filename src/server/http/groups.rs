//! `GET /api/groups` lists the ActivTrak groups known for the caller's
//! account; `POST /api/groups` lets an admin add one by id, for groups the
//! rows have not named yet (ActivTrak's API has no documented group list).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::api::{authenticate, error_response};
use crate::errors::AppError;
use crate::server::db::groups::{add_group_by_hand, list_groups};
use crate::server::error::ServiceError;
use crate::server::state::AppState;

/// Maximum length of a group name, in characters.
const MAX_NAME_CHARS: usize = 200;

#[derive(Deserialize)]
pub struct NewGroup {
    group_id: serde_json::Value,
    #[serde(default)]
    name: Option<String>,
}

pub async fn get_groups(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match authenticate(&state, &headers) {
        Ok(session) => session,
        Err(response) => return *response,
    };
    // Group names are the account's data: the view's policy for guests and
    // view-only users applies.
    let settings = match crate::server::db::settings::load_settings(&state.db, session.account_id.0).await {
        Ok(settings) => settings,
        Err(error) => return error_response(&ServiceError::from(error).into_app_error()),
    };
    if let Err(error) = crate::server::insights::check_view_policy(&session, &settings) {
        return error_response(&error);
    }
    match list_groups(&state.db, session.account_id.0).await {
        Ok(groups) => {
            let groups: Vec<_> = groups
                .into_iter()
                .map(|group| json!({"group_id": group.group_id, "name": group.name, "added_by_hand": group.added_by_hand}))
                .collect();
            Json(json!({ "groups": groups })).into_response()
        }
        Err(error) => error_response(&ServiceError::from(error).into_app_error()),
    }
}

pub async fn post_group(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let session = match authenticate(&state, &headers) {
        Ok(session) => session,
        Err(response) => return *response,
    };
    if !session.is_admin {
        return error_response(&AppError::Forbidden {
            message: "Only an admin of this monday account can add ActivTrak groups.".to_owned(),
        });
    }
    let Ok(new_group) = serde_json::from_slice::<NewGroup>(&body) else {
        return error_response(&AppError::invalid("body", "expected JSON like {\"group_id\": 123, \"name\": \"Sales\"}"));
    };
    let group_id = match &new_group.group_id {
        serde_json::Value::Number(number) => number.as_i64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    };
    let Some(group_id) = group_id.filter(|id| *id > 0) else {
        return error_response(&AppError::invalid("group_id", "must be a positive ActivTrak group id"));
    };
    let name = new_group.name.map(|name| name.trim().to_owned()).filter(|name| !name.is_empty());
    if name.as_ref().is_some_and(|name| name.chars().count() > MAX_NAME_CHARS) {
        return error_response(&AppError::invalid("name", format!("must be at most {MAX_NAME_CHARS} characters")));
    }
    match add_group_by_hand(&state.db, session.account_id.0, group_id, name.as_deref()).await {
        Ok(created) => {
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            (status, Json(json!({"group_id": group_id, "name": name, "added_by_hand": true}))).into_response()
        }
        Err(error) => error_response(&ServiceError::from(error).into_app_error()),
    }
}
