//! HTTP tests of `/api/insights` and `/view` through the real router, with
//! the ActivTrak stand-in served on a loopback port. Each runs on SQLite and
//! on PostgreSQL.

mod common;

use std::collections::{BTreeMap, HashSet};

use activtrak_board::sandbox::activtrak::{ActivTrakStandIn, Fault};
use activtrak_board::sandbox::dataset::{rows_for_on, GroupsFormat, ACME_API_KEY, GLOBEX_API_KEY};
use activtrak_board::server::activtrak::{ActivTrakClient, AuthHeader, Region};
use activtrak_board::server::session_token::EXPIRY_LEEWAY_SECS;
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use common::harness::{claims, sign, today, token, Harness};
use common::{serve, TestDb, CLIENT_SECRET, SIGNING_SECRET};
use jsonwebtoken::Algorithm;
use secrecy::SecretString;
use serde_json::{json, Value};

/// Figures worked out from the stand-in's raw JSON rows, without the app's
/// parser or aggregation code.
struct Expected {
    people: usize,
    person_days: usize,
    active_days: usize,
    productive_hours_per_day: f64,
    active_hours_per_day: f64,
    productive_share: f64,
    active_seconds: u64,
    passive_seconds: u64,
    mean_first_activity_seconds: u64,
    mean_last_activity_seconds: u64,
    /// Per date: active productive seconds, or `None` when fewer than five people.
    active_productive_by_day: BTreeMap<String, Option<u64>>,
}

fn expected(api_key: &str, from: NaiveDate, to: NaiveDate, group: Option<u64>) -> Expected {
    let rows: Vec<Value> = rows_for_on(api_key, from, to, today())
        .iter()
        .map(|row| row.to_json(GroupsFormat::Objects))
        .filter(|row| match group {
            None => true,
            Some(id) => row["groups"].as_array().unwrap().iter().any(|g| g["id"].as_u64() == Some(id)),
        })
        .collect();
    let seconds = |row: &Value, block: &str, class: &str| row[block][class].as_u64().unwrap_or(0);

    let people: HashSet<u64> = rows.iter().map(|row| row["userId"].as_u64().unwrap()).collect();
    let mut active_days = 0;
    let (mut productive_active_days, mut active_active_days, mut productive_all, mut all) = (0u64, 0u64, 0u64, 0u64);
    let mut by_day: BTreeMap<String, (u64, HashSet<u64>)> = BTreeMap::new();
    let (mut active_seconds, mut passive_seconds) = (0, 0);
    let (mut first_sum, mut first_count, mut last_sum, mut last_count) = (0u64, 0u64, 0u64, 0u64);
    let time_of_day = |value: &Value| -> Option<u64> {
        let text = value.as_str()?;
        let (h, m, s) = (&text[11..13], &text[14..16], &text[17..19]);
        Some(h.parse::<u64>().ok()? * 3600 + m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?)
    };
    for row in &rows {
        active_seconds += seconds(row, "activeTime", "total");
        passive_seconds += seconds(row, "passiveTime", "total");
        if let Some(first) = time_of_day(&row["firstActivity"]) {
            first_sum += first;
            first_count += 1;
        }
        if let Some(last) = time_of_day(&row["lastActivity"]) {
            last_sum += last;
            last_count += 1;
        }
        let total = row["totalTime"].as_u64().unwrap();
        let productive = seconds(row, "activeTime", "productive") + seconds(row, "passiveTime", "productive");
        productive_all += productive;
        all += total;
        if total >= 7200 {
            active_days += 1;
            productive_active_days += productive;
            active_active_days += seconds(row, "activeTime", "total");
        }
        let entry = by_day.entry(row["date"].as_str().unwrap()[..10].to_owned()).or_default();
        entry.0 += seconds(row, "activeTime", "productive");
        entry.1.insert(row["userId"].as_u64().unwrap());
    }
    Expected {
        people: people.len(),
        person_days: rows.len(),
        active_days,
        productive_hours_per_day: productive_active_days as f64 / active_days as f64 / 3600.0,
        active_hours_per_day: active_active_days as f64 / active_days as f64 / 3600.0,
        productive_share: productive_all as f64 / all as f64,
        active_seconds,
        passive_seconds,
        mean_first_activity_seconds: (first_sum as f64 / first_count as f64).round() as u64,
        mean_last_activity_seconds: (last_sum as f64 / last_count as f64).round() as u64,
        active_productive_by_day: by_day
            .into_iter()
            .map(|(date, (seconds, people))| (date, (people.len() >= 5).then_some(seconds)))
            .collect(),
    }
}

fn close(actual: &Value, expected: f64) -> bool {
    (actual.as_f64().unwrap() - expected).abs() < 1e-9
}

async fn figures_match_stand_in_rows(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (from, to) = (today() - Duration::days(13), today());

    let (status, body) = harness
        .get_json(&format!("/api/insights?from={from}&to={to}"), Some(&token(111, 1002, "member")))
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "figures");
    let want = expected(ACME_API_KEY, from, to, None);
    assert_eq!(body["people"], want.people);
    assert_eq!(body["person_days"], want.person_days);
    assert_eq!(body["active_days"], want.active_days);
    assert!(close(&body["productive_hours_per_day"], want.productive_hours_per_day), "{body}");
    assert!(close(&body["active_hours_per_day"], want.active_hours_per_day), "{body}");
    assert!(close(&body["productive_share"]["value"], want.productive_share), "{body}");
    assert_eq!(body["productive_share"]["derived"], true);
    assert_eq!(body["goal_hours"], 6.0);
    assert_eq!(body["active_seconds"], want.active_seconds);
    assert_eq!(body["passive_seconds"], want.passive_seconds);
    let span = &body["work_day_span"];
    assert_eq!(span["mean_first_activity_seconds"], want.mean_first_activity_seconds, "{span}");
    assert_eq!(span["mean_last_activity_seconds"], want.mean_last_activity_seconds, "{span}");

    // Change against the 14 days before.
    let before = expected(ACME_API_KEY, from - Duration::days(14), from - Duration::days(1), None);
    let changes = &body["changes"];
    assert_eq!(changes["previous_period"]["to"], (from - Duration::days(1)).to_string());
    assert!(close(&changes["productive_hours_per_day"], want.productive_hours_per_day - before.productive_hours_per_day));
    assert!(close(&changes["productive_share"], want.productive_share - before.productive_share));
    assert!(body["freshness"]["fetched_at"].is_i64());
    assert_eq!(body["freshness"]["stale"], false);

    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    for day in days {
        let date = day["date"].as_str().unwrap();
        let want_day = want.active_productive_by_day.get(date).copied().flatten();
        assert_eq!(day["time"]["active"]["productive"].as_u64(), want_day, "day {date}");
    }
}

async fn default_period_is_last_seven_days(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, body) = harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["period"]["from"], (today() - Duration::days(6)).to_string());
    assert_eq!(body["period"]["to"], today().to_string());
}

async fn x_api_key_header_is_sent(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(222, GLOBEX_API_KEY, AuthHeader::XApiKey).await;
    let (status, body) = harness.get_json("/api/insights", Some(&token(222, 2002, "member"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let requests = harness.standin.requests();
    assert!(!requests.is_empty());
    for request in requests {
        assert_eq!(format!("{:?}", request.header_style), "XApiKey");
        assert_eq!(request.status, Some(200));
    }
}

async fn tenant_comes_from_token_only(test_db: &TestDb) {
    // C01: account 111's token with account 222 named in the query.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    harness.connect(222, GLOBEX_API_KEY, AuthHeader::Bearer).await;
    let (from, to) = (today() - Duration::days(6), today());

    let (status, body) = harness
        .get_json(
            &format!("/api/insights?from={from}&to={to}&account_id=222&accountId=222"),
            Some(&token(111, 1002, "member")),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["people"], expected(ACME_API_KEY, from, to, None).people);
    let accounts: HashSet<_> = harness.standin.requests().iter().map(|r| r.account).collect();
    assert_eq!(accounts.len(), 1);
    assert!(accounts.iter().all(|account| account.is_some_and(|name| name.to_lowercase().contains("acme"))));
}

async fn not_connected_tells_who_can_connect(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let (status, member) = harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member["status"], "not_connected");
    assert_eq!(member["can_connect"], false);
    assert_eq!(member["freshness"]["fetched_at"], Value::Null);
    let (_, admin) = harness.get_json("/api/insights", Some(&token(111, 1001, "admin"))).await;
    assert_eq!(admin["status"], "not_connected");
    assert_eq!(admin["can_connect"], true);
    assert_eq!(harness.standin.request_count(), 0);
}

async fn guest_is_forbidden_by_default(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, body) = harness.get_json("/api/insights", Some(&token(111, 1003, "guest"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(harness.standin.request_count(), 0);

    let (status, _) = harness.get_json("/api/insights", Some(&token(111, 1004, "view_only"))).await;
    assert_eq!(status, StatusCode::OK);
}

async fn token_expiry_cases(test_db: &TestDb) {
    // C04.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let now = Utc::now().timestamp();

    let fresh = sign(&claims(111, 1002, "member", json!(now + 60)), Algorithm::HS256, CLIENT_SECRET);
    assert_eq!(harness.get_json("/api/insights", Some(&fresh)).await.0, StatusCode::OK);

    let expired = sign(
        &claims(111, 1002, "member", json!(now - (EXPIRY_LEEWAY_SECS as i64 + 1))),
        Algorithm::HS256,
        CLIENT_SECRET,
    );
    let (status, headers, body) = harness.get("/api/insights", Some(&expired)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], "session_expired");
    assert!(headers["www-authenticate"].to_str().unwrap().contains("invalid_token"));

    let mut without_exp = claims(111, 1002, "member", json!(0));
    without_exp.as_object_mut().unwrap().remove("exp");
    let string_exp = claims(111, 1002, "member", json!("2023-12-01T00:00:00Z"));
    for body in [without_exp, string_exp] {
        let (status, json) = harness
            .get_json("/api/insights", Some(&sign(&body, Algorithm::HS256, CLIENT_SECRET)))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(json["error"]["code"], "session_invalid");
    }
}

async fn forged_tokens_get_one_generic_answer(test_db: &TestDb) {
    // C05.
    use base64::Engine;
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let body = claims(111, 1001, "admin", json!(Utc::now().timestamp() + 60));
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let alg_none = format!("{}.{}.", engine.encode(br#"{"alg":"none","typ":"JWT"}"#), engine.encode(body.to_string()));
    let hs512 = sign(&body, Algorithm::HS512, CLIENT_SECRET);
    let signing_secret = sign(&body, Algorithm::HS256, SIGNING_SECRET);
    let valid = sign(&body, Algorithm::HS256, CLIENT_SECRET);
    let parts: Vec<&str> = valid.split('.').collect();
    let mut payload: Vec<char> = parts[1].chars().collect();
    payload[5] = if payload[5] == 'x' { 'y' } else { 'x' };
    let changed = format!("{}.{}.{}", parts[0], payload.into_iter().collect::<String>(), parts[2]);

    let mut messages = HashSet::new();
    for forged in [alg_none, hs512, signing_secret, changed] {
        let (status, json) = harness.get_json("/api/insights", Some(&forged)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
        assert_eq!(json["error"]["code"], "session_invalid");
        messages.insert(json["error"]["message"].as_str().unwrap().to_owned());
    }
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(harness.standin.request_count(), 0);

    let (status, json) = harness.get_json("/api/insights", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json["error"]["code"], "session_invalid");
}

async fn bad_parameters_name_the_parameter(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member = token(111, 1002, "member");
    let cases = [
        ("/api/insights?from=2026-02-30&to=2026-03-05", "from"),
        ("/api/insights?from=2026-03-01&to=03/05/2026", "to"),
        ("/api/insights?from=2026-03-06&to=2026-03-05", "from"),
        ("/api/insights?from=2025-12-01&to=2026-03-05", "to"),
        ("/api/insights?from=2026-03-01&to=2026-03-05&group=sales", "group"),
        ("/api/insights?from=2026-03-01", "to"),
        ("/api/insights?group=-1", "group"),
        ("/api/insights?days=abc", "days"),
        ("/api/insights?days=93", "days"),
        ("/api/insights?from=2026-03-01&to=2026-03-21", "to"),
        ("/api/insights?from=1999-12-31&to=2000-01-02", "from"),
    ];
    for (uri, parameter) in cases {
        let (status, json) = harness.get_json(uri, Some(&member)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {json}");
        assert_eq!(json["error"]["code"], "invalid_parameter", "{uri}");
        assert_eq!(json["error"]["parameter"], parameter, "{uri}");
        assert!(json["error"]["message"].as_str().unwrap().contains(parameter), "{uri}");
    }
    assert_eq!(harness.standin.request_count(), 0);
}

async fn groups_are_queried_one_by_one_and_merged(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (from, to) = (today() - Duration::days(6), today());
    let member = token(111, 1002, "member");

    let (status, sales) = harness.get_json(&format!("/api/insights?from={from}&to={to}&group=101"), Some(&member)).await;
    assert_eq!(status, StatusCode::OK, "{sales}");
    assert_eq!(sales["people"], expected(ACME_API_KEY, from, to, Some(101)).people);
    assert!(harness.standin.requests().iter().all(|request| request.path.contains("groupId=101")));

    harness.standin.reset();
    harness.standin.set_today(Some(today()));
    let (_, both) = harness
        .get_json(&format!("/api/insights?from={from}&to={to}&group=101&group=104"), Some(&member))
        .await;
    let sales_people = expected(ACME_API_KEY, from, to, Some(101)).people;
    let marketing_people = expected(ACME_API_KEY, from, to, Some(104)).people;
    // Someone is in both groups and counts once.
    assert!((both["people"].as_u64().unwrap() as usize) < sales_people + marketing_people);
    // One query per group, for the period and for the previous one.
    let paths: Vec<String> = harness.standin.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    let previous_from = format!("from={}", from - Duration::days(7));
    for group in ["groupId=101", "groupId=104"] {
        assert!(paths.iter().any(|p| p.contains(group) && p.contains(&format!("from={from}"))), "{paths:?}");
        assert!(paths.iter().any(|p| p.contains(group) && p.contains(&previous_from)), "{paths:?}");
    }
    let comparison = both["group_comparison"].as_array().unwrap();
    assert_eq!(comparison.len(), 2);
    assert_eq!(comparison[0]["group_id"], 101);
    assert_eq!(comparison[0]["name"], "Sales");
    assert_eq!(comparison[0]["withheld"], false);
}

async fn small_group_gets_too_few_people(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, body) = harness.get_json("/api/insights?group=105", Some(&token(111, 1002, "member"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "too_few_people", "{body}");
    assert_eq!(body["minimum_group_size"], 5);
    assert!(body.get("people").is_none());
    assert!(body.get("days").is_none());
}

async fn second_request_is_served_from_cache(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member = token(111, 1002, "member");
    let (_, first) = harness.get_json("/api/insights", Some(&member)).await;
    let upstream = harness.standin.request_count();
    assert!(upstream >= 1);
    let (_, second) = harness.get_json("/api/insights", Some(&member)).await;
    assert_eq!(harness.standin.request_count(), upstream);
    assert_eq!(first, second);
}

async fn upstream_failures_are_named(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member = token(111, 1002, "member");

    harness.standin.set_fault(Fault::BadGateway);
    let (status, json) = harness.get_json("/api/insights", Some(&member)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(json["error"]["code"], "upstream");
    assert!(json["error"]["message"].as_str().unwrap().contains("502"), "{json}");
    // Each query was tried once and retried twice; the period and the
    // previous period run side by side, and the first to fail ends both.
    let mut tries: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for request in harness.standin.requests() {
        *tries.entry(request.path).or_default() += 1;
    }
    assert_eq!(tries.values().max(), Some(&3), "{tries:?}");

    harness.standin.set_fault(Fault::TruncatedJson);
    let (_, json) = harness.get_json("/api/insights?from=2026-03-01&to=2026-03-02", Some(&member)).await;
    assert!(json["error"]["message"].as_str().unwrap().contains("invalid response"), "{json}");

    harness.standin.set_fault(Fault::Forbidden);
    let (status, json) = harness.get_json("/api/insights?from=2026-03-03&to=2026-03-04", Some(&member)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(json["error"]["code"], "needs_attention");
    assert!(json["error"]["message"].as_str().unwrap().contains("Ask an admin"), "{json}");

    // The key is now marked: no more requests until an admin reconnects.
    harness.standin.set_fault(Fault::None);
    let before = harness.standin.request_count();
    let (status, json) = harness.get_json("/api/insights?from=2026-03-05&to=2026-03-06", Some(&token(111, 1001, "admin"))).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(json["error"]["code"], "needs_attention");
    assert!(json["error"]["message"].as_str().unwrap().contains("reconnect ActivTrak"), "{json}");
    assert_eq!(harness.standin.request_count(), before);

    // Reconnecting clears the mark.
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, _) = harness.get_json("/api/insights?from=2026-03-05&to=2026-03-06", Some(&member)).await;
    assert_eq!(status, StatusCode::OK);
}

async fn view_html_already_holds_figures(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member = token(111, 1002, "member");

    let (status, headers, html) = harness.get(&format!("/view?sessionToken={member}"), None).await;

    assert_eq!(status, StatusCode::OK);
    let want = expected(ACME_API_KEY, today() - Duration::days(6), today(), None);
    let tile = format!("{:.1} h", want.productive_hours_per_day);
    assert!(html.contains(&tile), "first HTML lacks {tile}");
    assert!(html.contains(&format!("data-value=\"{}\"", want.productive_hours_per_day)));
    assert!(html.contains("Updated "), "the first HTML says how old the data is");
    assert_eq!(headers["content-security-policy"], "frame-ancestors http://localhost:4000");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(!html.contains(&member), "the token must not be echoed into the page");
}

async fn view_without_token_renders_loading(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let (status, _, html) = harness.get("/view", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Loading ActivTrak insights"));
    assert_eq!(harness.standin.request_count(), 0);
}

on_both_databases!(
    figures_match_stand_in_rows,
    default_period_is_last_seven_days,
    x_api_key_header_is_sent,
    tenant_comes_from_token_only,
    not_connected_tells_who_can_connect,
    guest_is_forbidden_by_default,
    token_expiry_cases,
    forged_tokens_get_one_generic_answer,
    bad_parameters_name_the_parameter,
    groups_are_queried_one_by_one_and_merged,
    small_group_gets_too_few_people,
    second_request_is_served_from_cache,
    upstream_failures_are_named,
    view_html_already_holds_figures,
    view_without_token_renders_loading,
);

#[tokio::test]
async fn client_pages_through_total() {
    let standin = ActivTrakStandIn::new();
    standin.set_today(Some(today()));
    let base_url = serve(standin.router()).await;
    let client = ActivTrakClient::new(
        Some(base_url.parse().unwrap()),
        std::time::Duration::from_secs(2),
        std::time::Duration::from_secs(5),
    )
    .unwrap()
    .with_page_size(7);
    let (from, to) = (today() - Duration::days(9), today());
    let key = SecretString::from(ACME_API_KEY.to_owned());
    let query = activtrak_board::server::activtrak::WorkingHoursQuery { from, to, group_id: None };

    let rows = client.working_hours(Region::Us, AuthHeader::Bearer, &key, query).await.unwrap();

    let all = rows_for_on(ACME_API_KEY, from, to, today());
    assert_eq!(rows.len(), all.len());
    let pairs: HashSet<(i64, NaiveDate)> = rows.iter().map(|r| (r.user_id.unwrap(), r.date.unwrap())).collect();
    assert_eq!(pairs.len(), all.len(), "no row twice, none missing");
    let pages = all.len().div_ceil(7);
    assert_eq!(standin.request_count(), pages);
    for page in 1..=pages {
        assert!(standin.requests().iter().any(|r| r.path.contains(&format!("page={page}&"))), "page {page}");
    }
}

mod groups {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn post(harness: &Harness, token: &str, body: &str) -> (StatusCode, Value) {
        let request = Request::post("/api/groups")
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = activtrak_board::server::http::router(harness.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn admin_adds_group_member_cannot(test_db: &TestDb) {
        let harness = Harness::new(test_db).await;
        harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;

        let (status, json) = post(&harness, &token(111, 1002, "member"), r#"{"group_id": 777}"#).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
        let (_, listed) = harness.get_json("/api/groups", Some(&token(111, 1002, "member"))).await;
        assert_eq!(listed["groups"], json!([]));
        let (status, _) = harness.get_json("/api/groups", Some(&token(111, 1003, "guest"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "guests see no group names by default");

        let (status, json) = post(&harness, &token(111, 1001, "admin"), r#"{"group_id": "777", "name": " Night shift "}"#).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        let (status, _) = post(&harness, &token(111, 1001, "admin"), r#"{"group_id": 777}"#).await;
        assert_eq!(status, StatusCode::OK);

        let (_, listed) = harness.get_json("/api/groups", Some(&token(111, 1002, "member"))).await;
        assert_eq!(listed["groups"], json!([{"group_id": 777, "name": "Night shift", "added_by_hand": true}]));
        // Another account sees none of it.
        harness.connect(222, GLOBEX_API_KEY, AuthHeader::Bearer).await;
        let (_, other) = harness.get_json("/api/groups", Some(&token(222, 2002, "member"))).await;
        assert_eq!(other["groups"], json!([]));
    }

    async fn bad_group_id_is_rejected(test_db: &TestDb) {
        let harness = Harness::new(test_db).await;
        harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
        let admin = token(111, 1001, "admin");
        for body in [r#"{"group_id": "sales"}"#, r#"{"group_id": -4}"#, r#"{"name": "x"}"#, "not json"] {
            let (status, json) = post(&harness, &admin, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
            assert_eq!(json["error"]["code"], "invalid_parameter");
        }
    }

    on_both_databases!(admin_adds_group_member_cannot, bad_group_id_is_rejected);
}
