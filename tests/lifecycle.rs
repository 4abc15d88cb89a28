//! `POST /monday/lifecycle` through the real router, on both databases.

mod common;

use activtrak_board::sandbox::dataset::ACME_API_KEY;
use activtrak_board::server::activtrak::AuthHeader;
use activtrak_board::server::db::accounts::load_account;
use activtrak_board::server::db::cache::load_cached;
use activtrak_board::server::db::credentials::load_credential;
use activtrak_board::server::db::settings::{load_settings, save_settings};
use activtrak_board::server::insights::settings::AccountSettings;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use common::harness::{claims, sign, token, Harness};
use common::{TestDb, CLIENT_SECRET, SIGNING_SECRET};
use http_body_util::BodyExt;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use tower::ServiceExt;

fn webhook_jwt(account_id: i64) -> String {
    sign(&claims(account_id, 1, "admin", json!(Utc::now().timestamp() + 60)), Algorithm::HS256, CLIENT_SECRET)
}

fn event(kind: &str, account_id: i64) -> Value {
    json!({
        "type": kind,
        "data": {
            "app_id": 10001, "user_id": 1, "user_email": "ada@example.com", "user_name": "Ada Admin",
            "account_id": account_id, "account_name": "Acme Corp", "account_slug": "acme",
            "account_tier": "pro", "account_max_users": 50, "timestamp": "2026-12-04T10:00:00Z",
            "subscription": {"plan_id": "basic", "is_trial": false, "renewal_date": "2027-01-01",
                             "billing_period": "monthly", "days_left": 28, "pricing_version": 2, "max_units": 10},
            "version_data": {"major": 1, "minor": 0, "patch": 0, "type": "major"}
        }
    })
}

async fn post(harness: &Harness, authorization: Option<String>, body: &str) -> (StatusCode, String) {
    let mut request = Request::post("/monday/lifecycle").header("Content-Type", "application/json");
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = activtrak_board::server::http::router(harness.state.clone())
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn send(harness: &Harness, kind: &str, account_id: i64) -> StatusCode {
    post(harness, Some(webhook_jwt(account_id)), &event(kind, account_id).to_string()).await.0
}

async fn install_twice_keeps_one_record(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    assert_eq!(send(&harness, "install", 12345).await, StatusCode::OK);
    assert_eq!(send(&harness, "install", 12345).await, StatusCode::OK);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE account_id = $1")
        .bind(12345i64)
        .fetch_one(harness.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
    let account = load_account(&harness.state.db, 12345).await.unwrap().unwrap();
    assert_eq!(account.name.as_deref(), Some("Acme Corp"));
    assert_eq!(account.tier.as_deref(), Some("pro"));
    assert_eq!(account.installed_by, Some(1));
}

async fn uninstall_deletes_account_data(test_db: &TestDb) {
    // C02: uninstall of account 12345 deletes its credential, cache and settings.
    let harness = Harness::new(test_db).await;
    send(&harness, "install", 12345).await;
    harness.connect(12345, ACME_API_KEY, AuthHeader::Bearer).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let db = &harness.state.db;
    let settings = AccountSettings { minimum_group_size: 7, ..AccountSettings::default() };
    save_settings(db, 12345, &settings, Some(1), 1).await.unwrap();
    harness.get_json("/api/insights", Some(&token(12345, 2, "member"))).await;
    let cached: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM aggregate_cache WHERE account_id = $1")
        .bind(12345i64)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(cached > 0);

    assert_eq!(send(&harness, "uninstall", 12345).await, StatusCode::OK);

    assert!(load_credential(db, 12345).await.unwrap().is_none());
    for table in ["aggregate_cache", "account_settings", "audit_log", "settings_sessions", "activtrak_groups"] {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE account_id = $1"))
            .bind(12345i64)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, 0, "{table} still holds rows of the uninstalled account");
    }
    assert_eq!(load_settings(db, 12345).await.unwrap(), AccountSettings::default());
    let account = load_account(db, 12345).await.unwrap().unwrap();
    assert!(account.uninstalled_at.is_some());
    assert_eq!(account.name, None);
    assert_eq!(account.installed_by, None);
    // Another account is untouched.
    assert!(load_credential(db, 111).await.unwrap().is_some());
    // A repeat is fine.
    assert_eq!(send(&harness, "uninstall", 12345).await, StatusCode::OK);
}

async fn uninstall_of_unknown_account_is_acknowledged(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    assert_eq!(send(&harness, "uninstall", 424242).await, StatusCode::OK);
}

async fn mismatched_account_is_rejected(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(12345, ACME_API_KEY, AuthHeader::Bearer).await;
    let (status, _) = post(&harness, Some(webhook_jwt(999)), &event("uninstall", 12345).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(load_credential(&harness.state.db, 12345).await.unwrap().is_some(), "nothing changes");
}

async fn signing_secret_jwt_is_rejected(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(12345, ACME_API_KEY, AuthHeader::Bearer).await;
    let jwt = sign(&claims(12345, 1, "admin", json!(Utc::now().timestamp() + 60)), Algorithm::HS256, SIGNING_SECRET);
    let (status, _) = post(&harness, Some(jwt), &event("uninstall", 12345).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(&harness, None, &event("uninstall", 12345).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(load_credential(&harness.state.db, 12345).await.unwrap().is_some());
}

async fn bearer_prefix_and_extra_claims_verify(test_db: &TestDb) {
    // C03: an `aud` claim and unknown fields inside `dat`.
    let harness = Harness::new(test_db).await;
    let mut body = claims(12345, 1, "admin", json!(Utc::now().timestamp() + 60));
    body["aud"] = json!("https://app.example/monday/lifecycle");
    body["dat"]["brand_new_field"] = json!([1, 2, 3]);
    let jwt = sign(&body, Algorithm::HS256, CLIENT_SECRET);
    for authorization in [jwt.clone(), format!("Bearer {jwt}")] {
        let (status, text) = post(&harness, Some(authorization), &event("install", 12345).to_string()).await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }
}

async fn malformed_body_and_unknown_type(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let (status, text) = post(&harness, Some(webhook_jwt(12345)), "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("not a monday lifecycle event"), "{text}");
    let (status, _) = post(&harness, Some(webhook_jwt(12345)), &event("app_something_new", 12345).to_string()).await;
    assert_eq!(status, StatusCode::OK);
}

async fn subscription_fields_are_stored(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    send(&harness, "install", 12345).await;
    assert_eq!(send(&harness, "app_subscription_changed", 12345).await, StatusCode::OK);
    let account = load_account(&harness.state.db, 12345).await.unwrap().unwrap();
    assert_eq!(account.plan_event.as_deref(), Some("app_subscription_changed"));
    let plan: Value = serde_json::from_str(account.plan_json.as_deref().unwrap()).unwrap();
    assert_eq!(plan["plan_id"], "basic");
    assert_eq!(plan["max_units"], 10);
    // The same event for an unknown account is acknowledged and stores nothing.
    assert_eq!(send(&harness, "app_subscription_renewed", 777).await, StatusCode::OK);
    assert!(load_account(&harness.state.db, 777).await.unwrap().is_none());
    let _ = load_cached(&harness.state.db, 12345, "x").await.unwrap();
}

async fn app_association_names_client_id(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let (status, json) = harness.get_json("/monday-app-association.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json, json!({"apps": [{"clientID": "test-client-id"}]}));
}

async fn member_session_token_cannot_uninstall(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(12345, ACME_API_KEY, AuthHeader::Bearer).await;
    for kind in ["member", "guest", "view_only"] {
        let jwt = sign(&claims(12345, 1, kind, json!(Utc::now().timestamp() + 60)), Algorithm::HS256, CLIENT_SECRET);
        let (status, _) = post(&harness, Some(jwt), &event("uninstall", 12345).to_string()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{kind}");
    }
    // An admin token naming another user than the body's.
    let other_user = sign(&claims(12345, 2, "admin", json!(Utc::now().timestamp() + 60)), Algorithm::HS256, CLIENT_SECRET);
    let (status, _) = post(&harness, Some(other_user), &event("uninstall", 12345).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(load_credential(&harness.state.db, 12345).await.unwrap().is_some(), "nothing deleted");
}

on_both_databases!(member_session_token_cannot_uninstall);

on_both_databases!(
    install_twice_keeps_one_record,
    uninstall_deletes_account_data,
    uninstall_of_unknown_account_is_acknowledged,
    mismatched_account_is_rejected,
    signing_secret_jwt_is_rejected,
    bearer_prefix_and_extra_claims_verify,
    malformed_body_and_unknown_type,
    subscription_fields_are_stored,
    app_association_names_client_id,
);
