//! `GET /reports/v2/workinghours/users`: key check, parameter checks, paging
//! and the fault modes.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::json;

use super::{ActivTrakStandIn, Fault, HeaderStyle, RecordedRequest};
use crate::sandbox::dataset::{self, ActivTrakAccount, WorkingHoursRow};

/// Default `pageSize`, as ActivTrak documents it.
pub const DEFAULT_PAGE_SIZE: u64 = 150;

/// Largest `pageSize` ActivTrak accepts.
pub const MAX_PAGE_SIZE: u64 = 1000;

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// A response built in full before it is sent, so that the truncation fault
/// can cut its body.
struct PlannedResponse {
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    retry_after_secs: Option<u64>,
}

impl PlannedResponse {
    fn json(status: StatusCode, body: serde_json::Value) -> Self {
        PlannedResponse {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string().into_bytes(),
            retry_after_secs: None,
        }
    }

    /// Builds ActivTrak's error body, `{"messages": [...], "success": false}`.
    fn error(status: StatusCode, message: impl Into<String>) -> Self {
        Self::json(
            status,
            json!({ "messages": [message.into()], "success": false }),
        )
    }

    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Some(seconds) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Reads the API key from `Authorization: Bearer <key>` or `x-api-key`, and
/// returns the header style and the account of the first known key.
fn authenticate(headers: &HeaderMap) -> (HeaderStyle, Option<&'static ActivTrakAccount>) {
    let authorization = headers.get(header::AUTHORIZATION);
    let api_key_header = headers.get("x-api-key");

    // The scheme name is case-insensitive (RFC 9110, section 11.1).
    let bearer_key = authorization
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    let plain_key = api_key_header
        .and_then(|value| value.to_str().ok())
        .map(str::trim);

    let style = match (authorization.is_some(), api_key_header.is_some()) {
        (true, true) => HeaderStyle::Both,
        (true, false) if bearer_key.is_some() => HeaderStyle::Bearer,
        (true, false) => HeaderStyle::OtherAuthorization,
        (false, true) => HeaderStyle::XApiKey,
        (false, false) => HeaderStyle::Missing,
    };
    let account = [bearer_key, plain_key]
        .into_iter()
        .flatten()
        .find_map(dataset::account_for_key);
    (style, account)
}

fn path_of(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|path_and_query| path_and_query.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned())
}

/// The one row filter a report request may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowFilter {
    All,
    Group(u64),
    User(u64),
    Device(u64),
}

impl RowFilter {
    fn keeps(&self, row: &WorkingHoursRow) -> bool {
        match *self {
            RowFilter::All => true,
            RowFilter::Group(id) => row.groups.iter().any(|group| group.id == id),
            RowFilter::User(id) => row.user_id == id,
            RowFilter::Device(id) => row.computer_id == id,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct ReportQuery {
    from: NaiveDate,
    to: NaiveDate,
    filter: RowFilter,
    page: u64,
    page_size: u64,
}

/// Returns the value of the parameter `name`, or an error when it is given
/// more than once.
fn single_value<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, String> {
    let mut values = pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("The parameter '{name}' may be given only once."));
    }
    Ok(first)
}

fn parse_date(pairs: &[(String, String)], name: &str) -> Result<NaiveDate, String> {
    let Some(text) = single_value(pairs, name)? else {
        return Err(format!(
            "The parameter '{name}' is required, as a date in the form YYYY-MM-DD."
        ));
    };
    // chrono alone would also take "2026-3-2", which the API format does not allow.
    let shaped = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if shaped => Ok(date),
        _ => Err(format!(
            "The parameter '{name}' has the invalid date '{text}': expected YYYY-MM-DD."
        )),
    }
}

fn parse_id(name: &str, text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!("The parameter '{name}' has the invalid value '{text}': expected a whole number.")
    })
}

fn parse_filter(pairs: &[(String, String)]) -> Result<RowFilter, String> {
    let group = single_value(pairs, "groupId")?;
    let client = single_value(pairs, "clientId")?;
    let device = single_value(pairs, "deviceId")?;

    let filter_count = [group, client, device]
        .iter()
        .filter(|value| value.is_some())
        .count();
    if filter_count > 1 {
        return Err(
            "Send at most one of the parameters 'clientId', 'groupId' and 'deviceId'.".to_owned(),
        );
    }

    if let Some(text) = group {
        return parse_id("groupId", text).map(RowFilter::Group);
    }
    if let Some(text) = device {
        return parse_id("deviceId", text).map(RowFilter::Device);
    }
    match client {
        None | Some("-1") => Ok(RowFilter::All),
        Some(text) => parse_id("clientId", text)
            .map(RowFilter::User)
            .map_err(|_| format!("The parameter 'clientId' has the invalid value '{text}': expected a user id, or -1 for all users.")),
    }
}

fn parse_positive(pairs: &[(String, String)], name: &str, default: u64) -> Result<u64, String> {
    match single_value(pairs, name)? {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(value) if value >= 1 => Ok(value),
            _ => Err(format!("The parameter '{name}' has the invalid value '{text}': expected a whole number of at least 1.")),
        },
    }
}

fn parse_report_query(pairs: &[(String, String)]) -> Result<ReportQuery, String> {
    let from = parse_date(pairs, "from")?;
    let to = parse_date(pairs, "to")?;
    if from > to {
        return Err(format!(
            "The date range is invalid: 'from' ({from}) is after 'to' ({to})."
        ));
    }

    let filter = parse_filter(pairs)?;
    let page = parse_positive(pairs, "page", 1)?;
    let page_size = parse_positive(pairs, "pageSize", DEFAULT_PAGE_SIZE)?;
    if page_size > MAX_PAGE_SIZE {
        return Err(format!(
            "The parameter 'pageSize' is {page_size}, above the maximum of {MAX_PAGE_SIZE}."
        ));
    }

    Ok(ReportQuery {
        from,
        to,
        filter,
        page,
        page_size,
    })
}

/// Builds the response the real API would send, before any fault is applied.
fn normal_response(
    standin: &ActivTrakStandIn,
    account: Option<&'static ActivTrakAccount>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> PlannedResponse {
    let Some(account) = account else {
        return PlannedResponse::error(
            StatusCode::UNAUTHORIZED,
            "The API key is missing or invalid. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
        );
    };
    let pairs = match query {
        Ok(Query(pairs)) => pairs,
        Err(rejection) => {
            return PlannedResponse::error(
                StatusCode::BAD_REQUEST,
                format!("The query string is invalid: {rejection}."),
            )
        }
    };
    let report_query = match parse_report_query(&pairs) {
        Ok(report_query) => report_query,
        Err(message) => return PlannedResponse::error(StatusCode::BAD_REQUEST, message),
    };

    let rows: Vec<WorkingHoursRow> = dataset::rows_for_on(
        account.api_key,
        report_query.from,
        report_query.to,
        standin.today(),
    )
    .into_iter()
    .filter(|row| report_query.filter.keeps(row))
    .collect();

    let total = rows.len();
    let page_size = usize::try_from(report_query.page_size).unwrap_or(usize::MAX);
    let skipped = usize::try_from(report_query.page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(page_size);
    let groups_format = standin.groups_format();
    let activity: Vec<serde_json::Value> = rows
        .iter()
        .skip(skipped)
        .take(page_size)
        .map(|row| row.to_json(groups_format))
        .collect();

    PlannedResponse::json(
        StatusCode::OK,
        json!({ "activity": activity, "total": total }),
    )
}

/// Serves `GET /reports/v2/workinghours/users`.
pub(super) async fn working_hours_users(
    State(standin): State<ActivTrakStandIn>,
    uri: Uri,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let (header_style, account) = authenticate(&headers);
    let fault = standin.fault();

    let planned = match fault {
        Fault::Hang => None,
        Fault::RateLimited { retry_after_secs } => {
            let mut planned = PlannedResponse::error(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests. Retry after {retry_after_secs} seconds."),
            );
            planned.retry_after_secs = Some(retry_after_secs);
            Some(planned)
        }
        Fault::Forbidden => Some(PlannedResponse::error(
            StatusCode::FORBIDDEN,
            "This API key is not allowed to use the API.",
        )),
        Fault::ServerError => Some(PlannedResponse::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error has occurred.",
        )),
        Fault::BadGateway => Some(PlannedResponse {
            status: StatusCode::BAD_GATEWAY,
            content_type: "text/html",
            body: BAD_GATEWAY_PAGE.as_bytes().to_vec(),
            retry_after_secs: None,
        }),
        Fault::None | Fault::Slow { .. } => Some(normal_response(&standin, account, query)),
        Fault::TruncatedJson => {
            let mut planned = normal_response(&standin, account, query);
            let half = planned.body.len() / 2;
            planned.body.truncate(half);
            Some(planned)
        }
    };

    let path = path_of(&uri);
    let status = planned.as_ref().map(|planned| planned.status.as_u16());
    tracing::info!(
        path = %path,
        status = ?status,
        account = account.map(|account| account.name),
        header_style = ?header_style,
        fault = fault.mode_name(),
        "ActivTrak stand-in received a report request"
    );
    standin.record(RecordedRequest {
        path,
        header_style,
        account: account.map(|account| account.name),
        status,
    });

    let Some(planned) = planned else {
        // The hang fault: hyper drops this future when the client gives up.
        return std::future::pending::<Response>().await;
    };
    if let Fault::Slow { delay } = fault {
        tokio::time::sleep(delay).await;
    }
    planned.into_response()
}

/// Responds to every path the stand-in does not serve with 404 in
/// ActivTrak's error shape, and records the request.
pub(super) async fn not_found(
    State(standin): State<ActivTrakStandIn>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (header_style, account) = authenticate(&headers);
    let path = path_of(&uri);
    tracing::info!(path = %path, "ActivTrak stand-in has no route for the request");
    standin.record(RecordedRequest {
        path: path.clone(),
        header_style,
        account: account.map(|account| account.name),
        status: Some(StatusCode::NOT_FOUND.as_u16()),
    });
    PlannedResponse::error(
        StatusCode::NOT_FOUND,
        format!("No resource at '{}'.", uri.path()),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn query_defaults_apply() {
        let parsed =
            parse_report_query(&pairs(&[("from", "2026-03-01"), ("to", "2026-03-02")])).unwrap();
        assert_eq!(
            parsed,
            ReportQuery {
                from: day("2026-03-01"),
                to: day("2026-03-02"),
                filter: RowFilter::All,
                page: 1,
                page_size: DEFAULT_PAGE_SIZE,
            }
        );
    }

    #[test]
    fn query_reads_each_filter() {
        let base = [("from", "2026-03-01"), ("to", "2026-03-01")];
        let cases = [
            (("groupId", "101"), RowFilter::Group(101)),
            (("clientId", "12"), RowFilter::User(12)),
            (("clientId", "-1"), RowFilter::All),
            (("deviceId", "211"), RowFilter::Device(211)),
        ];
        for (parameter, expected) in cases {
            let mut items = base.to_vec();
            items.push(parameter);
            assert_eq!(
                parse_report_query(&pairs(&items)).unwrap().filter,
                expected,
                "{parameter:?}"
            );
        }
    }

    #[test]
    fn query_rejects_bad_input() {
        let cases: &[&[(&str, &str)]] = &[
            &[("to", "2026-03-01")],
            &[("from", "2026-03-01")],
            &[("from", "2026-3-1"), ("to", "2026-03-01")],
            &[("from", "2026-02-30"), ("to", "2026-03-01")],
            &[("from", "03/01/2026"), ("to", "2026-03-01")],
            &[("from", "2026-03-02"), ("to", "2026-03-01")],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("groupId", "101"),
                ("clientId", "-1"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("groupId", "101"),
                ("deviceId", "1"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("groupId", "101"),
                ("groupId", "102"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("groupId", "sales"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("clientId", "-2"),
            ],
            &[("from", "2026-03-01"), ("to", "2026-03-01"), ("page", "0")],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("pageSize", "0"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("pageSize", "1001"),
            ],
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("page", "99999999999999999999999"),
            ],
        ];
        for case in cases {
            assert!(
                parse_report_query(&pairs(case)).is_err(),
                "accepted {case:?}"
            );
        }
    }

    #[test]
    fn query_accepts_max_page_size() {
        let parsed = parse_report_query(&pairs(&[
            ("from", "2026-03-01"),
            ("to", "2026-03-01"),
            ("pageSize", "1000"),
            ("page", "3"),
        ]))
        .unwrap();
        assert_eq!(parsed.page_size, 1000);
        assert_eq!(parsed.page, 3);
    }

    #[test]
    fn authenticate_reads_both_styles() {
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sandbox-acme-key"),
        );
        let (style, account) = authenticate(&bearer);
        assert_eq!(style, HeaderStyle::Bearer);
        assert_eq!(account.map(|account| account.name), Some("Acme"));

        let mut plain = HeaderMap::new();
        plain.insert("x-api-key", HeaderValue::from_static("sandbox-globex-key"));
        let (style, account) = authenticate(&plain);
        assert_eq!(style, HeaderStyle::XApiKey);
        assert_eq!(account.map(|account| account.name), Some("Globex"));

        let mut raw = HeaderMap::new();
        raw.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("sandbox-acme-key"),
        );
        let (style, account) = authenticate(&raw);
        assert_eq!(style, HeaderStyle::OtherAuthorization);
        assert!(account.is_none());

        let (style, account) = authenticate(&HeaderMap::new());
        assert_eq!(style, HeaderStyle::Missing);
        assert!(account.is_none());
    }
}
