//! `GET /api/insights`: the same team figures the view draws, as JSON, for
//! callers that hold a monday sessionToken.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde_json::json;

use crate::errors::AppError;
use crate::model::InsightsQuery;
use crate::server::insights::load_insights;
use crate::server::error::ServiceError;
use crate::server::session_token::{verify_session_token, MondaySession};
use crate::server::state::AppState;

/// Maps each client-visible error to its HTTP status.
pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::SessionExpired | AppError::SessionInvalid => StatusCode::UNAUTHORIZED,
        AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
        AppError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
        AppError::Upstream { .. } | AppError::NeedsAttention { .. } => StatusCode::BAD_GATEWAY,
        AppError::Internal | AppError::Transport { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Builds the JSON error envelope: `{"error": {"code", "message", "parameter"?}}`.
pub fn error_response(error: &AppError) -> Response {
    let mut body = json!({ "code": error.code(), "message": error.to_string() });
    if let AppError::InvalidParameter { parameter, .. } = error {
        body["parameter"] = json!(parameter);
    }
    let mut response = (status_of(error), Json(json!({ "error": body }))).into_response();
    if matches!(error, AppError::SessionExpired | AppError::SessionInvalid) {
        let challenge = if *error == AppError::SessionExpired {
            r#"Bearer error="invalid_token", error_description="expired""#
        } else {
            r#"Bearer error="invalid_token""#
        };
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    response
}

/// Parses the query string by hand because `group` may repeat.
pub fn parse_query(raw: Option<&str>) -> Result<InsightsQuery, AppError> {
    let mut query = InsightsQuery::default();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "from" => query.from = Some(parse_date("from", &value)?),
            "to" => query.to = Some(parse_date("to", &value)?),
            "days" => {
                query.days = Some(value.trim().parse().map_err(|_| {
                    AppError::invalid("days", format!("`{value}` is not a whole number of days"))
                })?)
            }
            "group" => query.groups.push(
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::invalid("group", format!("`{value}` is not a numeric ActivTrak group id")))?,
            ),
            // Anything else (an `account_id`, say) is ignored: the account
            // comes from the verified token only.
            _ => {}
        }
    }
    Ok(query)
}

fn parse_date(parameter: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(parameter, format!("`{value}` is not a date in the form YYYY-MM-DD")))
}

/// Extracts the token from `Authorization: Bearer <token>`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|token| !token.is_empty())
}

/// Verifies the `Authorization: Bearer <sessionToken>` header, or returns
/// the 401 response to send.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<MondaySession, Box<Response>> {
    let Some(token) = bearer_token(headers) else {
        return Err(Box::new(error_response(&AppError::SessionInvalid)));
    };
    verify_session_token(token, &state.config.monday_client_secret)
        .map_err(|error| Box::new(error_response(&ServiceError::from(error).into_app_error())))
}

pub async fn get_insights(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let session = match authenticate(&state, &headers) {
        Ok(session) => session,
        Err(response) => return *response,
    };
    let query = match parse_query(raw.as_deref()) {
        Ok(query) => query,
        Err(error) => return error_response(&error),
    };
    match load_insights(&state, &session, &query).await {
        Ok(insights) => Json(insights).into_response(),
        Err(error) => error_response(&error.into_app_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_groups_are_collected() {
        let query = parse_query(Some("from=2026-03-01&to=2026-03-07&group=101&group=104")).unwrap();
        assert_eq!(query.groups, vec![101, 104]);
        assert_eq!(query.from, NaiveDate::from_ymd_opt(2026, 3, 1));
    }

    #[test]
    fn malformed_date_names_parameter() {
        let error = parse_query(Some("from=2026-3-1x&to=2026-03-07")).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "from"));
    }

    #[test]
    fn non_numeric_group_names_parameter() {
        let error = parse_query(Some("group=sales")).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "group"));
    }

    #[test]
    fn bearer_scheme_is_required() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Token abc"));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&headers), Some("abc"));
    }
}
