//! The HTTP client for `GET /reports/v2/workinghours/users`.

use std::time::Duration;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::{header, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use thiserror::Error;
use url::Url;

use super::{AuthHeader, Region, WorkingHoursRow};

/// ActivTrak's documented maximum for `pageSize`.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Pages after the first are fetched at most this many at a time.
const PARALLEL_PAGES: usize = 4;

/// A guard against a `total` that never ends: 1000 pages of 1000 rows is
/// far beyond a 92-day period of any account the app serves.
const MAX_PAGES: u32 = 1000;

#[derive(Debug, Error)]
pub enum ActivTrakError {
    /// 401: the key is invalid or was deleted.
    #[error("ActivTrak rejected the API key (401): it is invalid or was deleted")]
    Unauthorized,
    /// 403: the key may not use the API.
    #[error("ActivTrak refused access (403): the ActivTrak plan may not include API access, or the key's creator may not see this data")]
    Forbidden,
    /// 429, with the wait ActivTrak asked for.
    #[error("ActivTrak is rate limiting requests (429)")]
    RateLimited { retry_after: Option<Duration> },
    /// 400 with ActivTrak's `messages`.
    #[error("ActivTrak rejected the request (400): {0}")]
    BadRequest(String),
    /// Any other status.
    #[error("ActivTrak answered with HTTP {0}")]
    Status(u16),
    #[error("ActivTrak did not answer in time")]
    Timeout,
    #[error("could not connect to ActivTrak")]
    Connect,
    /// A 2xx reply that is not the documented JSON.
    #[error("ActivTrak sent an invalid response: {0}")]
    InvalidResponse(String),
}

impl ActivTrakError {
    /// Whether retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            ActivTrakError::Timeout | ActivTrakError::Connect | ActivTrakError::RateLimited { .. } => true,
            ActivTrakError::Status(status) => *status >= 500,
            _ => false,
        }
    }

    fn from_reqwest(error: reqwest::Error) -> ActivTrakError {
        if error.is_timeout() {
            ActivTrakError::Timeout
        } else if error.is_connect() {
            ActivTrakError::Connect
        } else if error.is_decode() || error.is_body() {
            ActivTrakError::InvalidResponse("the body could not be read".to_owned())
        } else {
            ActivTrakError::Connect
        }
    }
}

/// Which rows to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingHoursQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_id: Option<i64>,
}

#[derive(Deserialize)]
struct Page {
    activity: Vec<WorkingHoursRow>,
    #[serde(default)]
    total: Option<u64>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    messages: Vec<String>,
}

/// A reqwest client with ActivTrak's timeouts, and the base URL override
/// used by the local stand-in and tests.
#[derive(Clone, Debug)]
pub struct ActivTrakClient {
    http: reqwest::Client,
    base_url_override: Option<Url>,
    page_size: u32,
}

impl ActivTrakClient {
    pub fn new(
        base_url_override: Option<Url>,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<ActivTrakClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(request_timeout)
            .user_agent(concat!("activtrak-board/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ActivTrakClient {
            http,
            base_url_override,
            page_size: MAX_PAGE_SIZE,
        })
    }

    /// Uses a smaller page size (tests use it to exercise paging).
    pub fn with_page_size(mut self, page_size: u32) -> ActivTrakClient {
        self.page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    fn endpoint(&self, region: Region) -> String {
        let base = match &self.base_url_override {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => region.base_url().to_owned(),
        };
        format!("{base}/reports/v2/workinghours/users")
    }

    /// Reads every page of the report for `query`.
    pub async fn working_hours(
        &self,
        region: Region,
        auth_header: AuthHeader,
        api_key: &SecretString,
        query: WorkingHoursQuery,
    ) -> Result<Vec<WorkingHoursRow>, ActivTrakError> {
        let first = self.fetch_page(region, auth_header, api_key, query, 1).await?;
        let mut rows = first.activity;
        let total = first.total.unwrap_or(rows.len() as u64);
        let pages = total.div_ceil(u64::from(self.page_size)).min(u64::from(MAX_PAGES)) as u32;
        if pages <= 1 || rows.is_empty() {
            return Ok(rows);
        }

        let rest: Vec<Page> = stream::iter(2..=pages)
            .map(|page| self.fetch_page(region, auth_header, api_key, query, page))
            .buffered(PARALLEL_PAGES)
            .try_collect()
            .await?;
        for page in rest {
            rows.extend(page.activity);
        }
        Ok(rows)
    }

    async fn fetch_page(
        &self,
        region: Region,
        auth_header: AuthHeader,
        api_key: &SecretString,
        query: WorkingHoursQuery,
        page: u32,
    ) -> Result<Page, ActivTrakError> {
        let mut params = vec![
            ("from", query.from.format("%Y-%m-%d").to_string()),
            ("to", query.to.format("%Y-%m-%d").to_string()),
            ("page", page.to_string()),
            ("pageSize", self.page_size.to_string()),
        ];
        if let Some(group_id) = query.group_id {
            params.push(("groupId", group_id.to_string()));
        }

        let request = self.http.get(self.endpoint(region)).query(&params);
        let request = match auth_header {
            AuthHeader::Bearer => request.bearer_auth(api_key.expose_secret()),
            AuthHeader::XApiKey => request.header("x-api-key", api_key.expose_secret()),
        };
        let started = std::time::Instant::now();
        let sent = request.header(header::ACCEPT, "application/json").send().await;
        let status_label = match &sent {
            Ok(response) => response.status().as_u16().to_string(),
            Err(error) if error.is_timeout() => "timeout".to_owned(),
            Err(_) => "connect".to_owned(),
        };
        let elapsed = started.elapsed();
        // The caller's span carries the account id; the key is never logged.
        tracing::info!(
            page,
            group_id = query.group_id,
            http.status = %status_label,
            duration_ms = elapsed.as_millis() as u64,
            "ActivTrak working hours request"
        );
        metrics::counter!("activtrak_board_upstream_requests_total", "status" => status_label.clone()).increment(1);
        metrics::histogram!("activtrak_board_upstream_request_duration_seconds", "status" => status_label)
            .record(elapsed.as_secs_f64());
        let response = sent.map_err(ActivTrakError::from_reqwest)?;
        let status = response.status();

        if status.is_success() {
            let body = response.bytes().await.map_err(ActivTrakError::from_reqwest)?;
            return serde_json::from_slice::<Page>(&body)
                .map_err(|error| ActivTrakError::InvalidResponse(format!("not the documented JSON ({error})")));
        }
        Err(match status {
            StatusCode::UNAUTHORIZED => ActivTrakError::Unauthorized,
            StatusCode::FORBIDDEN => ActivTrakError::Forbidden,
            StatusCode::TOO_MANY_REQUESTS => ActivTrakError::RateLimited {
                retry_after: response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.trim().parse::<u64>().ok())
                    .map(Duration::from_secs),
            },
            StatusCode::BAD_REQUEST => {
                let messages = response
                    .json::<ErrorBody>()
                    .await
                    .map(|body| body.messages.join("; "))
                    .unwrap_or_default();
                ActivTrakError::BadRequest(if messages.is_empty() { "no details".to_owned() } else { messages })
            }
            other => ActivTrakError::Status(other.as_u16()),
        })
    }
}
