//! HTTP tests of the ActivTrak stand-in, on an ephemeral loopback port.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use super::{ActivTrakStandIn, Fault, GroupsFormat, HeaderStyle};
use crate::sandbox::dataset::{rows_for_on, ACME_API_KEY, GLOBEX_API_KEY};
use crate::sandbox::test_support::serve;

const REPORT_PATH: &str = "/reports/v2/workinghours/users";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

/// Starts a stand-in whose history ends on [`today`].
async fn start() -> (ActivTrakStandIn, String) {
    let standin = ActivTrakStandIn::new();
    standin.set_today(Some(today()));
    let base_url = serve(standin.router()).await;
    (standin, base_url)
}

async fn get_report(base_url: &str, key: &str, query: &[(&str, &str)]) -> reqwest::Response {
    Client::new()
        .get(format!("{base_url}{REPORT_PATH}"))
        .bearer_auth(key)
        .query(query)
        .send()
        .await
        .unwrap()
}

async fn assert_error_body(response: reqwest::Response, status: StatusCode) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], json!(false));
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert!(!messages[0].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn paging_splits_all_rows() {
    let (_standin, base_url) = start().await;
    let expected = rows_for_on(
        ACME_API_KEY,
        today() - chrono::Duration::days(29),
        today(),
        today(),
    );
    let total = expected.len();
    assert!(total > 250, "only {total} rows in 30 days");

    let mut seen = Vec::new();
    for page in 1.. {
        let page_text = page.to_string();
        let response = get_report(
            &base_url,
            ACME_API_KEY,
            &[
                ("from", "2026-02-19"),
                ("to", "2026-03-20"),
                ("pageSize", "100"),
                ("page", &page_text),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["total"], json!(total), "page {page}");
        let activity = body["activity"].as_array().unwrap().clone();
        if activity.is_empty() {
            break;
        }
        assert!(activity.len() <= 100);
        seen.extend(activity);
    }

    let expected_json: Vec<Value> = expected
        .iter()
        .map(|row| row.to_json(GroupsFormat::Objects))
        .collect();
    assert_eq!(seen.len(), total);
    assert_eq!(seen, expected_json);
}

#[tokio::test]
async fn default_page_size_is_150() {
    let (_standin, base_url) = start().await;
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-02-19"), ("to", "2026-03-20")],
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["activity"].as_array().unwrap().len(), 150);
    assert!(body["total"].as_u64().unwrap() > 150);
}

#[tokio::test]
async fn to_date_is_inclusive() {
    let (_standin, base_url) = start().await;
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-19"), ("to", "2026-03-19")],
    )
    .await;
    let body: Value = response.json().await.unwrap();
    let rows = body["activity"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["date"], json!("2026-03-19T00:00:00"));
    }
}

#[tokio::test]
async fn both_header_styles_accepted() {
    let (standin, base_url) = start().await;
    let client = Client::new();
    let query = [("from", "2026-03-16"), ("to", "2026-03-20")];

    let bearer = client
        .get(format!("{base_url}{REPORT_PATH}"))
        .header("Authorization", format!("Bearer {ACME_API_KEY}"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);
    let bearer_body: Value = bearer.json().await.unwrap();

    let plain = client
        .get(format!("{base_url}{REPORT_PATH}"))
        .header("x-api-key", ACME_API_KEY)
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    let plain_body: Value = plain.json().await.unwrap();
    assert_eq!(bearer_body, plain_body);

    let requests = standin.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header_style, HeaderStyle::Bearer);
    assert_eq!(requests[1].header_style, HeaderStyle::XApiKey);
    assert_eq!(requests[0].account, Some("Acme"));
    assert_eq!(requests[0].status, Some(200));
}

#[tokio::test]
async fn accounts_see_own_rows() {
    let (_standin, base_url) = start().await;
    let response = get_report(
        &base_url,
        GLOBEX_API_KEY,
        &[("from", "2026-02-19"), ("to", "2026-03-20")],
    )
    .await;
    let body: Value = response.json().await.unwrap();
    let users: BTreeSet<u64> = body["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["userId"].as_u64().unwrap())
        .collect();
    assert_eq!(users.len(), 8);
    assert!(users.iter().all(|id| (501..=508).contains(id)));
}

#[tokio::test]
async fn bad_or_missing_key_is_401() {
    let (standin, base_url) = start().await;
    let client = Client::new();
    let url = format!("{base_url}{REPORT_PATH}?from=2026-03-01&to=2026-03-02");

    let missing = client.get(&url).send().await.unwrap();
    assert_error_body(missing, StatusCode::UNAUTHORIZED).await;

    let unknown = client
        .get(&url)
        .bearer_auth("not-a-key")
        .send()
        .await
        .unwrap();
    assert_error_body(unknown, StatusCode::UNAUTHORIZED).await;

    let unknown_plain = client
        .get(&url)
        .header("x-api-key", "not-a-key")
        .send()
        .await
        .unwrap();
    assert_error_body(unknown_plain, StatusCode::UNAUTHORIZED).await;

    let no_scheme = client
        .get(&url)
        .header("Authorization", ACME_API_KEY)
        .send()
        .await
        .unwrap();
    assert_error_body(no_scheme, StatusCode::UNAUTHORIZED).await;

    let styles: Vec<HeaderStyle> = standin
        .requests()
        .iter()
        .map(|request| request.header_style)
        .collect();
    assert_eq!(
        styles,
        vec![
            HeaderStyle::Missing,
            HeaderStyle::Bearer,
            HeaderStyle::XApiKey,
            HeaderStyle::OtherAuthorization
        ]
    );
    assert!(standin
        .requests()
        .iter()
        .all(|request| request.status == Some(401)));
}

#[tokio::test]
async fn bad_parameters_are_400() {
    let (standin, base_url) = start().await;
    let cases: &[&[(&str, &str)]] = &[
        &[
            ("from", "2026-03-01"),
            ("to", "2026-03-02"),
            ("groupId", "101"),
            ("clientId", "12"),
        ],
        &[
            ("from", "2026-03-01"),
            ("to", "2026-03-02"),
            ("groupId", "101"),
            ("deviceId", "211"),
        ],
        &[
            ("from", "2026-03-01"),
            ("to", "2026-03-02"),
            ("clientId", "12"),
            ("deviceId", "211"),
        ],
        &[("from", "2026-03-01")],
        &[("to", "2026-03-02")],
        &[("from", "2026/03/01"), ("to", "2026-03-02")],
        &[("from", "2026-03-01"), ("to", "tomorrow")],
        &[("from", "2026-03-05"), ("to", "2026-03-02")],
        &[
            ("from", "2026-03-01"),
            ("to", "2026-03-02"),
            ("pageSize", "1001"),
        ],
        &[("from", "2026-03-01"), ("to", "2026-03-02"), ("page", "0")],
    ];
    for case in cases {
        let response = get_report(&base_url, ACME_API_KEY, case).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case:?}");
        assert_error_body(response, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(standin.request_count(), cases.len());
}

#[tokio::test]
async fn group_filter_returns_only_members() {
    let (_standin, base_url) = start().await;
    let cases = [("105", 3usize), ("104", 5), ("101", 7)];
    for (group, people) in cases {
        let response = get_report(
            &base_url,
            ACME_API_KEY,
            &[
                ("from", "2026-02-19"),
                ("to", "2026-03-20"),
                ("groupId", group),
                ("pageSize", "1000"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        let rows = body["activity"].as_array().unwrap();
        assert_eq!(body["total"], json!(rows.len()));

        let group_id: u64 = group.parse().unwrap();
        for row in rows {
            let ids: Vec<u64> = row["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_u64().unwrap())
                .collect();
            assert!(
                ids.contains(&group_id),
                "row of user {} is not in group {group}",
                row["userId"]
            );
        }
        let users: BTreeSet<u64> = rows
            .iter()
            .map(|row| row["userId"].as_u64().unwrap())
            .collect();
        assert_eq!(users.len(), people, "group {group}");
    }
}

#[tokio::test]
async fn client_and_device_filters_apply() {
    let (_standin, base_url) = start().await;
    let range = [("from", "2026-03-02"), ("to", "2026-03-20")];

    let mut query = range.to_vec();
    query.push(("clientId", "17"));
    let body: Value = get_report(&base_url, ACME_API_KEY, &query)
        .await
        .json()
        .await
        .unwrap();
    let rows = body["activity"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| row["userId"] == json!(17)));

    let mut query = range.to_vec();
    query.push(("deviceId", "220"));
    let body: Value = get_report(&base_url, ACME_API_KEY, &query)
        .await
        .json()
        .await
        .unwrap();
    let rows = body["activity"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| row["computerId"] == json!(220)));

    let mut query = range.to_vec();
    query.push(("clientId", "-1"));
    let all: Value = get_report(&base_url, ACME_API_KEY, &query)
        .await
        .json()
        .await
        .unwrap();
    let unfiltered: Value = get_report(&base_url, ACME_API_KEY, &range)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], unfiltered["total"]);
}

#[tokio::test]
async fn ids_format_serves_bare_ids() {
    let (standin, base_url) = start().await;
    standin.set_groups_format(GroupsFormat::Ids);
    let body: Value = get_report(
        &base_url,
        ACME_API_KEY,
        &[
            ("from", "2026-03-16"),
            ("to", "2026-03-20"),
            ("clientId", "17"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let rows = body["activity"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["groups"], json!([101, 104]));
    }
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let (standin, base_url) = start().await;
    standin.set_fault(Fault::RateLimited {
        retry_after_secs: 7,
    });
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-01"), ("to", "2026-03-02")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "7");
    assert_error_body(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(standin.requests()[0].status, Some(429));
}

#[tokio::test]
async fn forbidden_and_server_error_are_json() {
    let (standin, base_url) = start().await;
    let query = [("from", "2026-03-01"), ("to", "2026-03-02")];

    standin.set_fault(Fault::Forbidden);
    assert_error_body(
        get_report(&base_url, ACME_API_KEY, &query).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    standin.set_fault(Fault::ServerError);
    assert_error_body(
        get_report(&base_url, ACME_API_KEY, &query).await,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
}

#[tokio::test]
async fn bad_gateway_is_html() {
    let (standin, base_url) = start().await;
    standin.set_fault(Fault::BadGateway);
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-01"), ("to", "2026-03-02")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("502 Bad Gateway"));
    assert!(serde_json::from_str::<Value>(&body).is_err());
}

#[tokio::test]
async fn truncated_json_does_not_parse() {
    let (standin, base_url) = start().await;
    standin.set_fault(Fault::TruncatedJson);
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-01"), ("to", "2026-03-20")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body = response.bytes().await.unwrap();
    assert!(body.len() > 100);
    assert!(body.starts_with(b"{"));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

#[tokio::test]
async fn slow_fault_delays_response() {
    let (standin, base_url) = start().await;
    standin.set_fault(Fault::Slow {
        delay: Duration::from_millis(300),
    });
    let started = Instant::now();
    let response = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-01"), ("to", "2026-03-02")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let body: Value = response.json().await.unwrap();
    assert!(body["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn hang_fault_never_responds() {
    let (standin, base_url) = start().await;
    standin.set_fault(Fault::Hang);
    let client = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let result = client
        .get(format!(
            "{base_url}{REPORT_PATH}?from=2026-03-01&to=2026-03-02"
        ))
        .bearer_auth(ACME_API_KEY)
        .send()
        .await;
    let error = result.unwrap_err();
    assert!(error.is_timeout(), "{error}");

    let requests = standin.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, None);
}

#[tokio::test]
async fn unknown_path_is_json_404() {
    let (standin, base_url) = start().await;
    let response = Client::new()
        .get(format!(
            "{base_url}/reports/v2/workinghours/computers?from=2026-03-01&to=2026-03-02"
        ))
        .bearer_auth(ACME_API_KEY)
        .send()
        .await
        .unwrap();
    assert_error_body(response, StatusCode::NOT_FOUND).await;
    assert_eq!(standin.requests()[0].status, Some(404));
}

#[tokio::test]
async fn http_controls_steer_standin() {
    let (standin, base_url) = start().await;
    let client = Client::new();

    let set = client
        .post(format!("{base_url}/_sandbox/fault"))
        .json(&json!({ "mode": "rate_limited", "retry_after_secs": 12 }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let status: Value = set.json().await.unwrap();
    assert_eq!(
        status["fault"],
        json!({ "mode": "rate_limited", "retry_after_secs": 12 })
    );
    assert_eq!(
        standin.fault(),
        Fault::RateLimited {
            retry_after_secs: 12
        }
    );

    let bad = client
        .post(format!("{base_url}/_sandbox/fault"))
        .json(&json!({ "mode": "explode" }))
        .send()
        .await
        .unwrap();
    assert_error_body(bad, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        standin.fault(),
        Fault::RateLimited {
            retry_after_secs: 12
        }
    );

    let format = client
        .post(format!("{base_url}/_sandbox/groups-format"))
        .json(&json!({ "format": "ids" }))
        .send()
        .await
        .unwrap();
    assert_eq!(format.status(), StatusCode::OK);
    assert_eq!(standin.groups_format(), GroupsFormat::Ids);

    let bad_format = client
        .post(format!("{base_url}/_sandbox/groups-format"))
        .json(&json!({ "format": "names" }))
        .send()
        .await
        .unwrap();
    assert_error_body(bad_format, StatusCode::BAD_REQUEST).await;

    let report = get_report(
        &base_url,
        ACME_API_KEY,
        &[("from", "2026-03-01"), ("to", "2026-03-02")],
    )
    .await;
    assert_eq!(report.status(), StatusCode::TOO_MANY_REQUESTS);

    let list: Value = client
        .get(format!("{base_url}/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["count"], json!(1));
    assert_eq!(
        list["requests"][0],
        json!({
            "path": "/reports/v2/workinghours/users?from=2026-03-01&to=2026-03-02",
            "header_style": "bearer",
            "account": "Acme",
            "status": 429,
        })
    );

    let reset = client
        .post(format!("{base_url}/_sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let status: Value = reset.json().await.unwrap();
    assert_eq!(status["fault"], json!({ "mode": "none" }));
    assert_eq!(status["groups_format"], json!("objects"));
    assert_eq!(status["request_count"], json!(0));
    assert_eq!(standin.request_count(), 0);
    assert!(standin.requests().is_empty());
}
