//! The `/_sandbox/...` control endpoints of the ActivTrak stand-in, for
//! browser tests and demos that cannot call [`ActivTrakStandIn`] directly.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ActivTrakStandIn, Fault, GroupsFormat, RecordedRequest};

/// Delay of the `slow` fault when the request names none.
pub const DEFAULT_SLOW_DELAY_MS: u64 = 3000;

/// Maximum delay of the `slow` fault: 10 minutes.
pub const MAX_SLOW_DELAY_MS: u64 = 600_000;

/// `Retry-After` of the `rate_limited` fault when the request names none.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 30;

pub(super) fn routes() -> Router<ActivTrakStandIn> {
    Router::new()
        .route("/_sandbox/fault", get(show_status).post(set_fault))
        .route(
            "/_sandbox/groups-format",
            get(show_status).post(set_groups_format),
        )
        .route("/_sandbox/requests", get(list_requests))
        .route("/_sandbox/reset", post(reset))
}

#[derive(Debug, Serialize)]
struct FaultStatus {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
}

#[derive(Debug, Serialize)]
struct StandInStatus {
    fault: FaultStatus,
    groups_format: GroupsFormat,
    request_count: usize,
    today: NaiveDate,
}

fn status_of(standin: &ActivTrakStandIn) -> StandInStatus {
    let fault = standin.fault();
    let (delay_ms, retry_after_secs) = match fault {
        Fault::Slow { delay } => (
            Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
            None,
        ),
        Fault::RateLimited { retry_after_secs } => (None, Some(retry_after_secs)),
        _ => (None, None),
    };
    StandInStatus {
        fault: FaultStatus {
            mode: fault.mode_name(),
            delay_ms,
            retry_after_secs,
        },
        groups_format: standin.groups_format(),
        request_count: standin.request_count(),
        today: standin.today(),
    }
}

fn bad_request(message: String) -> Response {
    let body = json!({ "messages": [message], "success": false });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn show_status(State(standin): State<ActivTrakStandIn>) -> Json<StandInStatus> {
    Json(status_of(&standin))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    mode: String,
    delay_ms: Option<u64>,
    retry_after_secs: Option<u64>,
}

fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let request: FaultRequest = serde_json::from_slice(body).map_err(|error| {
        format!("The fault request is invalid ({error}). Expected {{\"mode\": \"none|slow|hang|rate_limited|forbidden|server_error|bad_gateway|truncated_json\", \"delay_ms\": 3000, \"retry_after_secs\": 30}}.")
    })?;

    let fault = match request.mode.as_str() {
        "none" => Fault::None,
        "slow" => {
            let delay_ms = request.delay_ms.unwrap_or(DEFAULT_SLOW_DELAY_MS);
            if delay_ms > MAX_SLOW_DELAY_MS {
                return Err(format!("delay_ms is {delay_ms}, above the maximum of {MAX_SLOW_DELAY_MS}."));
            }
            Fault::Slow { delay: Duration::from_millis(delay_ms) }
        }
        "hang" => Fault::Hang,
        "rate_limited" => Fault::RateLimited {
            retry_after_secs: request.retry_after_secs.unwrap_or(DEFAULT_RETRY_AFTER_SECS),
        },
        "forbidden" => Fault::Forbidden,
        "server_error" => Fault::ServerError,
        "bad_gateway" => Fault::BadGateway,
        "truncated_json" => Fault::TruncatedJson,
        other => {
            return Err(format!(
                "The fault mode '{other}' is unknown. Use one of none, slow, hang, rate_limited, forbidden, server_error, bad_gateway, truncated_json."
            ))
        }
    };
    Ok(fault)
}

async fn set_fault(State(standin): State<ActivTrakStandIn>, body: Bytes) -> Response {
    match parse_fault(&body) {
        Ok(fault) => {
            standin.set_fault(fault);
            tracing::info!(fault = ?fault, "ActivTrak stand-in fault set");
            Json(status_of(&standin)).into_response()
        }
        Err(message) => bad_request(message),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupsFormatRequest {
    format: GroupsFormat,
}

async fn set_groups_format(State(standin): State<ActivTrakStandIn>, body: Bytes) -> Response {
    match serde_json::from_slice::<GroupsFormatRequest>(&body) {
        Ok(request) => {
            standin.set_groups_format(request.format);
            tracing::info!(format = ?request.format, "ActivTrak stand-in groups format set");
            Json(status_of(&standin)).into_response()
        }
        Err(error) => bad_request(format!(
            "The groups format request is invalid ({error}). Expected {{\"format\": \"objects\"}} or {{\"format\": \"ids\"}}."
        )),
    }
}

#[derive(Debug, Serialize)]
struct RequestList {
    count: usize,
    requests: Vec<RecordedRequest>,
}

async fn list_requests(State(standin): State<ActivTrakStandIn>) -> Json<RequestList> {
    Json(RequestList {
        count: standin.request_count(),
        requests: standin.requests(),
    })
}

async fn reset(State(standin): State<ActivTrakStandIn>) -> Json<StandInStatus> {
    standin.reset();
    tracing::info!("ActivTrak stand-in reset");
    Json(status_of(&standin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_request_reads_every_mode() {
        let cases = [
            (r#"{"mode":"none"}"#, Fault::None),
            (
                r#"{"mode":"slow","delay_ms":250}"#,
                Fault::Slow {
                    delay: Duration::from_millis(250),
                },
            ),
            (
                r#"{"mode":"slow"}"#,
                Fault::Slow {
                    delay: Duration::from_millis(DEFAULT_SLOW_DELAY_MS),
                },
            ),
            (r#"{"mode":"hang"}"#, Fault::Hang),
            (
                r#"{"mode":"rate_limited","retry_after_secs":7}"#,
                Fault::RateLimited {
                    retry_after_secs: 7,
                },
            ),
            (r#"{"mode":"forbidden"}"#, Fault::Forbidden),
            (r#"{"mode":"server_error"}"#, Fault::ServerError),
            (r#"{"mode":"bad_gateway"}"#, Fault::BadGateway),
            (r#"{"mode":"truncated_json"}"#, Fault::TruncatedJson),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_fault(body.as_bytes()), Ok(expected), "{body}");
        }
    }

    #[test]
    fn fault_request_rejects_bad_bodies() {
        let cases = [
            r#"{"mode":"melt"}"#,
            r#"{"mode":"slow","delay_ms":600001}"#,
            r#"{"mode":"slow","delay":5}"#,
            r#"{"delay_ms":5}"#,
            "not json",
            "",
        ];
        for body in cases {
            assert!(parse_fault(body.as_bytes()).is_err(), "accepted {body}");
        }
    }
}
