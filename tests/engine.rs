//! The insights engine under concurrency and upstream faults: one fetch per
//! key, stale answers, the deadline, 429 and rejected keys. Each test runs
//! on SQLite and on PostgreSQL.

mod common;

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use activtrak_board::sandbox::activtrak::Fault;
use activtrak_board::sandbox::dataset::ACME_API_KEY;
use activtrak_board::server::activtrak::{AuthHeader, Region};
use activtrak_board::server::db::credentials::{load_credential, save_credential, NewCredential};
use activtrak_board::server::ids::MondayId;
use activtrak_board::server::insights::load_insights;
use activtrak_board::server::session_token::MondaySession;
use axum::http::StatusCode;
use chrono::Duration;
use common::harness::{token, Harness};
use common::TestDb;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

fn member() -> MondaySession {
    MondaySession {
        account_id: MondayId(111),
        user_id: MondayId(1002),
        is_admin: false,
        is_guest: false,
        is_view_only: false,
        user_kind: Some("member".to_owned()),
    }
}

/// Asserts that no query (path and parameters) reached the stand-in twice.
fn assert_each_query_once(harness: &Harness) -> usize {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for request in harness.standin.requests() {
        *counts.entry(request.path).or_default() += 1;
    }
    for (path, count) in &counts {
        assert_eq!(*count, 1, "{path} was requested {count} times");
    }
    counts.len()
}

async fn twenty_cold_requests_fetch_once(test_db: &TestDb) {
    // C07: 20 views of account 111 ask at the same moment with a cold cache.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let query = activtrak_board::model::InsightsQuery { groups: vec![101], ..Default::default() };

    let mut tasks = Vec::new();
    for _ in 0..20 {
        let state = harness.state.clone();
        let query = query.clone();
        tasks.push(tokio::spawn(async move { load_insights(&state, &member(), &query).await }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap().map_err(|error| error.to_string()).unwrap());
    }

    // One query for the period and one for the previous period, one page each.
    assert_eq!(assert_each_query_once(&harness), 2);
    assert_eq!(harness.standin.request_count(), 2);
    for answer in &answers[1..] {
        assert_eq!(answer.insights, answers[0].insights);
    }
}

async fn stale_answer_is_served_while_refreshing(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member_token = token(111, 1002, "member");

    let (_, first) = harness.get_json("/api/insights", Some(&member_token)).await;
    let requests_after_first = harness.standin.request_count();
    assert_eq!(first["freshness"]["stale"], false);

    // The period includes today, so the answer is stale after 5 minutes.
    harness.clock.advance(Duration::minutes(6));
    harness.standin.set_fault(Fault::Slow { delay: StdDuration::from_millis(300) });
    let started = Instant::now();
    let (status, second) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < StdDuration::from_millis(300), "a stale answer must not wait for ActivTrak");
    assert_eq!(second["freshness"]["stale"], true);
    assert_eq!(second["freshness"]["fetched_at"], first["freshness"]["fetched_at"]);

    // The one background refresh lands, and the next answer is fresh.
    for _ in 0..100 {
        let (_, third) = harness.get_json("/api/insights", Some(&member_token)).await;
        if third["freshness"]["stale"] == false {
            assert!(third["freshness"]["fetched_at"].as_i64() > first["freshness"]["fetched_at"].as_i64());
            assert_eq!(harness.standin.request_count(), requests_after_first * 2);
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    panic!("the background refresh never landed");
}

async fn hung_upstream_answers_within_deadline(test_db: &TestDb) {
    // C08: ActivTrak accepts the connection and never answers.
    let harness = Harness::with_settings(
        test_db,
        &[("INSIGHTS_DEADLINE_MS", "400"), ("ACTIVTRAK_REQUEST_TIMEOUT_MS", "5000")],
    )
    .await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member_token = token(111, 1002, "member");
    let (_, good) = harness.get_json("/api/insights", Some(&member_token)).await;
    harness.standin.set_fault(Fault::Hang);

    // With no data at all for the selection: an error that says so.
    let started = Instant::now();
    let (status, json) = harness.get_json("/api/insights?from=2026-03-01&to=2026-03-02", Some(&member_token)).await;
    assert!(started.elapsed() < StdDuration::from_millis(1_500), "took {:?}", started.elapsed());
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(json["error"]["message"].as_str().unwrap().contains("not responding"), "{json}");

    // With earlier data: that data, its age, and the reason.
    harness.clock.advance(Duration::minutes(6));
    let (_, stale) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(stale["freshness"]["stale"], true);
    assert_eq!(stale["freshness"]["fetched_at"], good["freshness"]["fetched_at"]);
    assert_eq!(stale["people"], good["people"]);
}

async fn rate_limit_blocks_account_until_retry_after(test_db: &TestDb) {
    // C08: 429 with Retry-After: 30.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member_token = token(111, 1002, "member");
    harness.standin.set_fault(Fault::RateLimited { retry_after_secs: 30 });

    let (status, json) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(json["error"]["message"].as_str().unwrap().contains("limiting"), "{json}");
    let after_429 = harness.standin.request_count();
    assert!(after_429 >= 1);
    assert_each_query_once(&harness); // a 429 is not retried

    harness.standin.set_fault(Fault::None);
    harness.clock.advance(Duration::seconds(29));
    let (status, _) = harness.get_json("/api/insights?from=2026-03-10&to=2026-03-11", Some(&member_token)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(harness.standin.request_count(), after_429, "no request before Retry-After has passed");

    harness.clock.advance(Duration::seconds(2));
    let (status, _) = harness.get_json("/api/insights?from=2026-03-10&to=2026-03-11", Some(&member_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(harness.standin.request_count() > after_429);
}

async fn retry_after_is_capped(test_db: &TestDb) {
    let harness = Harness::with_settings(test_db, &[("ACTIVTRAK_RETRY_AFTER_CAP_SECS", "60")]).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    harness.standin.set_fault(Fault::RateLimited { retry_after_secs: 86_400 });
    harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    let credential = load_credential(&harness.state.db, 111).await.unwrap().unwrap();
    let now = harness.state.clock.now().timestamp();
    assert_eq!(credential.blocked_until, now + 60);
}

async fn server_errors_are_retried_then_succeed(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    harness.standin.set_fault(Fault::ServerError);
    let member_token = token(111, 1002, "member");
    let (status, json) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(json["error"]["message"].as_str().unwrap().contains("500"), "{json}");
    // Each query was tried once and retried twice; the period and the
    // previous period run side by side, and the first to fail ends both.
    let mut tries: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for request in harness.standin.requests() {
        *tries.entry(request.path).or_default() += 1;
    }
    assert_eq!(tries.values().max(), Some(&3), "{tries:?}");
}

async fn concurrent_views_and_key_save(test_db: &TestDb) {
    // C15: two cold views and an admin saving a new key, all at once.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let new_key = "sandbox-acme-key";

    let views: Vec<_> = (0..2)
        .map(|index| {
            let state = harness.state.clone();
            tokio::spawn(async move {
                let query = activtrak_board::model::InsightsQuery {
                    from: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1 + index).unwrap()),
                    to: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()),
                    ..Default::default()
                };
                load_insights(&state, &member(), &query).await
            })
        })
        .collect();
    let state = harness.state.clone();
    let save = tokio::spawn(async move {
        let sealed = state.config.keyring.seal(111, &SecretString::from(new_key.to_owned()));
        let credential = NewCredential {
            account_id: 111,
            region: Region::Eu,
            auth_header: AuthHeader::XApiKey,
            sealed_key: &sealed,
            connected_by: Some(1001),
            now: 5,
        };
        save_credential(&state.db, credential).await
    });

    save.await.unwrap().expect("saving the key must not fail");
    for view in views {
        let answer = view.await.unwrap().map_err(|error| error.to_string());
        assert!(answer.is_ok(), "{answer:?}");
    }
    let stored = load_credential(&harness.state.db, 111).await.unwrap().unwrap();
    assert_eq!(stored.region, Region::Eu);
    let key = harness.state.config.keyring.open(111, &stored.sealed_key).unwrap();
    assert_eq!(key.expose_secret(), new_key);
}

async fn disconnect_makes_cached_answer_unusable(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let member_token = token(111, 1002, "member");
    let (_, cached) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(cached["status"], "figures");

    activtrak_board::server::db::credentials::delete_credential(&harness.state.db, 111).await.unwrap();
    let (_, after) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(after["status"], "not_connected");

    // A new key never serves the old key's answer from memory.
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let before = harness.standin.request_count();
    let (_, fresh) = harness.get_json("/api/insights", Some(&member_token)).await;
    assert_eq!(fresh["status"], "figures");
    assert!(harness.standin.request_count() > before);
}

async fn groups_are_learned_from_rows(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    let groups = activtrak_board::server::db::groups::list_groups(&harness.state.db, 111).await.unwrap();
    let names: HashMap<i64, Option<String>> = groups.into_iter().map(|g| (g.group_id, g.name)).collect();
    assert_eq!(names.get(&101), Some(&Some("Sales".to_owned())));
    assert_eq!(names.get(&105), Some(&Some("Leadership".to_owned())));
}

async fn withheld_group_hides_the_total(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, body): (StatusCode, Value) = harness
        .get_json("/api/insights?group=101&group=105", Some(&token(111, 1002, "member")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "comparison", "{body}");
    assert!(body.get("productive_hours_per_day").is_none(), "no total beside a withheld group");
    let groups = body["groups"].as_array().unwrap();
    assert_eq!(groups[0]["withheld"], false);
    assert!(groups[0]["productive_hours_per_day"].is_f64());
    assert_eq!(groups[1]["withheld"], true);
    assert_eq!(groups[1]["productive_hours_per_day"], Value::Null);
}

async fn undecryptable_key_needs_attention(test_db: &TestDb) {
    use activtrak_board::server::crypto::{EncryptionKey, Keyring};
    let harness = Harness::new(test_db).await;
    // Sealed with a key the app no longer has.
    let lost = Keyring::new(EncryptionKey::from_bytes(&[9; 32]).unwrap(), vec![]);
    let sealed = lost.seal(111, &SecretString::from(ACME_API_KEY.to_owned()));
    let credential = NewCredential {
        account_id: 111,
        region: Region::Us,
        auth_header: AuthHeader::Bearer,
        sealed_key: &sealed,
        connected_by: Some(1001),
        now: 1,
    };
    save_credential(&harness.state.db, credential).await.unwrap();

    for (user, kind, hint) in [(1001, "admin", "enter the ActivTrak API key again"), (1002, "member", "An admin")] {
        let (status, json) = harness.get_json("/api/insights", Some(&token(111, user, kind))).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{json}");
        assert_eq!(json["error"]["code"], "needs_attention", "never not_connected");
        assert!(json["error"]["message"].as_str().unwrap().contains(hint), "{json}");
    }
    assert_eq!(harness.standin.request_count(), 0);
}

on_both_databases!(
    undecryptable_key_needs_attention,
);

on_both_databases!(
    twenty_cold_requests_fetch_once,
    stale_answer_is_served_while_refreshing,
    hung_upstream_answers_within_deadline,
    rate_limit_blocks_account_until_retry_after,
    retry_after_is_capped,
    server_errors_are_retried_then_succeed,
    concurrent_views_and_key_save,
    disconnect_makes_cached_answer_unusable,
    groups_are_learned_from_rows,
    withheld_group_hides_the_total,
);
