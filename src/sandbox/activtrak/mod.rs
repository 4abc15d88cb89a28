//! Stand-in for ActivTrak's Working Hours API, with switchable faults.
//!
//! [`ActivTrakStandIn::router`] serves these routes (the full sandbox mounts
//! them under `/activtrak`):
//!
//! - `GET /reports/v2/workinghours/users`: the Working Hours report over the
//!   seeded rows of [`crate::sandbox::dataset`]. The key goes in
//!   `Authorization: Bearer <key>` or `x-api-key: <key>`.
//! - `GET /_sandbox/fault`: the current fault, groups format and request count.
//! - `POST /_sandbox/fault` with `{"mode": "none" | "slow" | "hang" |
//!   "rate_limited" | "forbidden" | "server_error" | "bad_gateway" |
//!   "truncated_json", "delay_ms": 3000, "retry_after_secs": 30}`.
//!   `delay_ms` applies to `slow` (default 3000, at most 600000) and
//!   `retry_after_secs` to `rate_limited` (default 30).
//! - `POST /_sandbox/groups-format` with `{"format": "objects" | "ids"}`.
//! - `GET /_sandbox/requests`: `{"count": N, "requests": [{"path": ...,
//!   "header_style": ..., "account": ..., "status": ...}]}`.
//! - `POST /_sandbox/reset`: no fault, objects, no recorded requests, the
//!   real date as today.
//!
//! The control endpoints return 200 with the state after the change, or 400
//! with `{"messages": ["..."], "success": false}` for a body they cannot use.
//! Other paths return 404 in the same JSON shape.

mod control;
mod report;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use chrono::{NaiveDate, Utc};
use serde::Serialize;

pub use crate::sandbox::dataset::GroupsFormat;

/// Number of recorded requests kept; older ones are dropped first, while
/// [`ActivTrakStandIn::request_count`] keeps counting.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;

/// A failure the stand-in plays on every report request while it is set.
///
/// `Slow` and `TruncatedJson` change how the normal response is sent. Every
/// other mode replaces it, whatever the key and parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// Wait `delay`, then send the normal response.
    Slow { delay: Duration },
    /// Accept the request and never respond, keeping the connection open.
    /// Requests held this way stay open after the fault is cleared, until
    /// their clients give up.
    Hang,
    /// 429 with a `Retry-After: <retry_after_secs>` header.
    RateLimited { retry_after_secs: u64 },
    /// 403 with a JSON body, as for a key without API access.
    Forbidden,
    /// 500 with ActivTrak's documented JSON error body.
    ServerError,
    /// 502 with an HTML page, as a proxy in front of the API sends.
    BadGateway,
    /// The normal status and `application/json`, with the body cut in half.
    TruncatedJson,
}

impl Fault {
    /// Returns the mode name used by `POST /_sandbox/fault`.
    pub fn mode_name(&self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::Slow { .. } => "slow",
            Fault::Hang => "hang",
            Fault::RateLimited { .. } => "rate_limited",
            Fault::Forbidden => "forbidden",
            Fault::ServerError => "server_error",
            Fault::BadGateway => "bad_gateway",
            Fault::TruncatedJson => "truncated_json",
        }
    }
}

/// Header that carried the API key of a recorded request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderStyle {
    /// `Authorization: Bearer <key>`
    Bearer,
    /// `x-api-key: <key>`
    XApiKey,
    /// Both headers were sent.
    Both,
    /// An `Authorization` header without the `Bearer ` prefix, and no `x-api-key`.
    OtherAuthorization,
    /// Neither header was sent.
    Missing,
}

/// One request the stand-in received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// Path and query as received, without the `/activtrak` prefix.
    pub path: String,
    pub header_style: HeaderStyle,
    /// Name of the sandbox ActivTrak account whose key was sent, or `None`
    /// for a missing or unknown key.
    pub account: Option<&'static str>,
    /// Status sent, or `None` for a request the `Hang` fault keeps open.
    pub status: Option<u16>,
}

#[derive(Debug, Default)]
struct StandInState {
    fault: Fault,
    groups_format: GroupsFormat,
    requests: Vec<RecordedRequest>,
    request_count: usize,
    fixed_today: Option<NaiveDate>,
}

/// The ActivTrak stand-in. Clones share one state, so a test can keep one
/// clone to steer the stand-in while a server runs its router.
#[derive(Clone, Debug, Default)]
pub struct ActivTrakStandIn {
    state: Arc<Mutex<StandInState>>,
}

impl ActivTrakStandIn {
    /// Creates a stand-in with no fault and groups served as objects.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the routes, without any prefix: serve them on their own for a
    /// base URL of `http://127.0.0.1:PORT`, or nest them under `/activtrak`.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/reports/v2/workinghours/users",
                get(report::working_hours_users),
            )
            .merge(control::routes())
            .fallback(report::not_found)
            .with_state(self.clone())
    }

    /// Builds only the `/_sandbox/...` control routes.
    pub fn control_router(&self) -> Router {
        control::routes().with_state(self.clone())
    }

    /// Sets the fault played on every following report request.
    pub fn set_fault(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    pub fn fault(&self) -> Fault {
        self.lock().fault
    }

    /// Sets the form of the items in each row's `groups` array.
    pub fn set_groups_format(&self, format: GroupsFormat) {
        self.lock().groups_format = format;
    }

    pub fn groups_format(&self) -> GroupsFormat {
        self.lock().groups_format
    }

    /// Fixes the date the history ends on, or with `None` goes back to the
    /// current UTC date. Tests use it to compare against
    /// [`crate::sandbox::dataset::rows_for_on`] without racing midnight.
    pub fn set_today(&self, today: Option<NaiveDate>) {
        self.lock().fixed_today = today;
    }

    /// Returns the date the history ends on.
    pub fn today(&self) -> NaiveDate {
        self.lock()
            .fixed_today
            .unwrap_or_else(|| Utc::now().date_naive())
    }

    /// Counts the requests received since the last reset, including those
    /// dropped from [`ActivTrakStandIn::requests`].
    pub fn request_count(&self) -> usize {
        self.lock().request_count
    }

    /// Lists the last [`MAX_RECORDED_REQUESTS`] requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Clears the fault, the groups format, the fixed date and the recorded
    /// requests.
    pub fn reset(&self) {
        *self.lock() = StandInState::default();
    }

    fn record(&self, request: RecordedRequest) {
        let mut state = self.lock();
        state.request_count += 1;
        if state.requests.len() >= MAX_RECORDED_REQUESTS {
            state.requests.remove(0);
        }
        state.requests.push(request);
    }

    fn lock(&self) -> MutexGuard<'_, StandInState> {
        // No update under this lock calls code that can panic halfway, so the
        // state behind a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests;
