//! The settings page's sign-in and server functions through the real
//! router, on both databases: handoff links, OAuth `state` checks, and the
//! rights check inside every server function.

mod common;

use activtrak_board::sandbox::dataset::ACME_API_KEY;
use activtrak_board::server::activtrak::AuthHeader;
use activtrak_board::server::db::credentials::load_credential;
use activtrak_board::server::db::settings::load_settings;
use activtrak_board::server::db::sign_in::{create_session, SignedInUser};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use chrono::Duration;
use common::harness::{token, Harness};
use common::TestDb;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with(&format!("{name}=")))
            .map(|value| value.split(';').next().unwrap_or_default().trim_start_matches(&format!("{name}=")).to_owned())
    }
}

async fn send(harness: &Harness, request: Request<Body>) -> Reply {
    let response = activtrak_board::server::http::router(harness.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(harness: &Harness, uri: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(harness, request.body(Body::empty()).unwrap()).await
}

/// Calls a server function as the settings page does.
async fn call(harness: &Harness, endpoint: &str, session: Option<&str>, body: Value) -> Reply {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, "http://127.0.0.1:3000");
    if let Some(session) = session {
        request = request.header(header::COOKIE, format!("atb_session={session}"));
    }
    send(harness, request.body(Body::from(body.to_string())).unwrap()).await
}

async fn session_for(harness: &Harness, account_id: i64, user_id: i64, is_admin: bool) -> String {
    let session = format!("test-session-{account_id}-{user_id}-{is_admin}");
    let user = SignedInUser { account_id, user_id, is_admin, user_name: None };
    let now = harness.state.clock.now().timestamp();
    create_session(&harness.state.db, &session, &user, now, now + 3600).await.unwrap();
    session
}

async fn handoff_link_signs_in_once(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let minted = call(&harness, "create_settings_link", None, json!({"session_token": token(111, 1001, "admin")})).await;
    assert_eq!(minted.status, StatusCode::OK, "{}", minted.body);
    let link: String = serde_json::from_str(&minted.body).unwrap();
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    assert!(path.starts_with("/settings/handoff?token="), "{link}");

    let first = get(&harness, path, None).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.headers[header::LOCATION], "/settings");
    let set_cookie = first.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("__Host-"), "plain http uses the unprefixed name");
    let session = first.cookie("atb_session").unwrap();

    let page = call(&harness, "settings_page", Some(&session), json!({})).await;
    assert_eq!(page.json()["signed_in"]["user_id"], 1001);
    assert_eq!(page.json()["signed_in"]["can_manage"], true);

    let replay = get(&harness, path, None).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.body.contains("expired"));
}

async fn handoff_link_expires_after_five_minutes(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let minted = call(&harness, "create_settings_link", None, json!({"session_token": token(111, 1001, "admin")})).await;
    let link: String = serde_json::from_str(&minted.body).unwrap();
    harness.clock.advance(Duration::minutes(5) + Duration::seconds(1));
    let late = get(&harness, link.trim_start_matches("http://127.0.0.1:3000"), None).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}

async fn member_cannot_mint_or_change(test_db: &TestDb) {
    // C12: a member who did not connect the account.
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let minted = call(&harness, "create_settings_link", None, json!({"session_token": token(111, 1002, "member")})).await;
    assert_eq!(minted.status, StatusCode::FORBIDDEN, "{}", minted.body);

    let member = session_for(&harness, 111, 1002, false).await;
    let before = load_credential(&harness.state.db, 111).await.unwrap().unwrap();
    let attempts = [
        ("connect_activtrak", json!({"api_key": "sandbox-globex-key", "region": "us", "auth_header": "bearer"})),
        ("disconnect_activtrak", json!({"confirmed": true})),
        ("test_activtrak", json!({})),
        ("save_account_settings", json!({"form": {
            "productive_hours_goal": "1", "minimum_group_size": "3", "active_day_threshold_hours": "1",
            "time_zone": "UTC", "guests_may_view": "on", "default_period_days": "7", "refresh_interval_minutes": "5"}})),
    ];
    for (endpoint, body) in attempts {
        let reply = call(&harness, endpoint, Some(&member), body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{endpoint}: {}", reply.body);
    }
    let after = load_credential(&harness.state.db, 111).await.unwrap().unwrap();
    assert_eq!(after.generation, before.generation, "nothing changed");
    assert!(!load_settings(&harness.state.db, 111).await.unwrap().guests_may_view);

    // The page itself shows a member the read-only notice, without the audit log.
    let page = call(&harness, "settings_page", Some(&member), json!({})).await;
    assert_eq!(page.json()["signed_in"]["can_manage"], false);
    assert_eq!(page.json()["signed_in"]["audit"], json!([]));
}

async fn signed_out_calls_are_rejected(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let reply = call(&harness, "disconnect_activtrak", None, json!({"confirmed": true})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    let page = call(&harness, "settings_page", None, json!({})).await;
    assert_eq!(page.json(), json!({"signed_in": null}));
}

async fn foreign_origin_is_rejected(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let admin = session_for(&harness, 111, 1001, true).await;
    let request = Request::post("/api/disconnect_activtrak")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("atb_session={admin}"))
        .body(Body::from(r#"{"confirmed":true}"#))
        .unwrap();
    assert_eq!(send(&harness, request).await.status, StatusCode::FORBIDDEN);
}

async fn admin_connects_tests_and_disconnects(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let admin = session_for(&harness, 111, 1001, true).await;

    let wrong = call(&harness, "connect_activtrak", Some(&admin), json!({"api_key": "not-a-key", "region": "us", "auth_header": "bearer"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(wrong.json()["message"].as_str().unwrap_or(&wrong.body).contains("401") || wrong.body.contains("401"), "{}", wrong.body);
    assert!(load_credential(&harness.state.db, 111).await.unwrap().is_none());

    harness.standin.set_fault(activtrak_board::sandbox::activtrak::Fault::Forbidden);
    let refused = call(&harness, "connect_activtrak", Some(&admin), json!({"api_key": ACME_API_KEY, "region": "us", "auth_header": "bearer"})).await;
    assert!(refused.body.contains("403"), "{}", refused.body);
    assert!(refused.body.contains("plan"), "{}", refused.body);
    harness.standin.set_fault(activtrak_board::sandbox::activtrak::Fault::None);

    let connected = call(&harness, "connect_activtrak", Some(&admin), json!({"api_key": format!(" {ACME_API_KEY} "), "region": "us", "auth_header": "x-api-key"})).await;
    assert_eq!(connected.status, StatusCode::OK, "{}", connected.body);
    let stored = load_credential(&harness.state.db, 111).await.unwrap().unwrap();
    assert_eq!(stored.connected_by, Some(1001));
    assert_eq!(stored.auth_header, AuthHeader::XApiKey);
    let (_, insights) = harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    assert_eq!(insights["status"], "figures");

    let tested = call(&harness, "test_activtrak", Some(&admin), json!({})).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);

    let unconfirmed = call(&harness, "disconnect_activtrak", Some(&admin), json!({"confirmed": false})).await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    assert!(load_credential(&harness.state.db, 111).await.unwrap().is_some());
    let disconnected = call(&harness, "disconnect_activtrak", Some(&admin), json!({"confirmed": true})).await;
    assert_eq!(disconnected.status, StatusCode::OK, "{}", disconnected.body);
    let (_, after) = harness.get_json("/api/insights", Some(&token(111, 1002, "member"))).await;
    assert_eq!(after["status"], "not_connected");

    let page = call(&harness, "settings_page", Some(&admin), json!({})).await;
    let actions: Vec<String> = page.json()["signed_in"]["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"connect".to_owned()), "{actions:?}");
    assert!(actions.contains(&"disconnect".to_owned()), "{actions:?}");
    assert!(!page.body.contains(ACME_API_KEY), "the key never reaches the page");
}

async fn connector_may_manage_without_admin(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let admin = session_for(&harness, 111, 1001, true).await;
    call(&harness, "connect_activtrak", Some(&admin), json!({"api_key": ACME_API_KEY, "region": "us", "auth_header": "bearer"})).await;
    // The connecting user later loses admin rights in monday.
    let former_admin = session_for(&harness, 111, 1001, false).await;
    let tested = call(&harness, "test_activtrak", Some(&former_admin), json!({})).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
}

async fn settings_are_validated_and_applied(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    harness.connect(111, ACME_API_KEY, AuthHeader::Bearer).await;
    let admin = session_for(&harness, 111, 1001, true).await;
    let form = |minimum: &str, guests: bool| {
        let mut form = json!({
            "productive_hours_goal": "7", "minimum_group_size": minimum, "active_day_threshold_hours": "2",
            "time_zone": "Europe/Berlin", "view_only_may_view": "on", "default_period_days": "14",
            "refresh_interval_minutes": "5"
        });
        if guests {
            form["guests_may_view"] = json!("on");
        }
        json!({ "form": form })
    };

    let invalid = call(&harness, "save_account_settings", Some(&admin), form("2", false)).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.json()["parameter"], "minimum_group_size");

    // C12: guests see nothing until an admin allows it.
    let (status, _) = harness.get_json("/api/insights", Some(&token(111, 1003, "guest"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let saved = call(&harness, "save_account_settings", Some(&admin), form("30", true)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (status, guest_view) = harness.get_json("/api/insights", Some(&token(111, 1003, "guest"))).await;
    assert_eq!(status, StatusCode::OK);
    // 30 people is more than the account has.
    assert_eq!(guest_view["status"], "too_few_people");
    assert_eq!(guest_view["minimum_group_size"], 30);
    assert_eq!(guest_view["period"]["from"], (common::harness::today() - Duration::days(13)).to_string());

    let page = call(&harness, "settings_page", Some(&admin), json!({})).await;
    let audit = page.json()["signed_in"]["audit"].clone();
    assert_eq!(audit[0]["action"], "settings");
    assert!(audit[0]["details"].as_str().unwrap().contains("minimum group size: 5 → 30"), "{audit}");
}

async fn oauth_state_checks(test_db: &TestDb) {
    // C09. monday's token endpoint is unreachable here, so a state that
    // passes the check ends in "monday is not responding" (502), and one
    // that fails it in 400.
    let harness = Harness::with_settings(test_db, &[("MONDAY_AUTH_URL", "http://127.0.0.1:9")]).await;

    let forged = get(&harness, "/oauth/callback?code=abc&state=forged", None).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings_sessions")
        .fetch_one(harness.state.db.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0, "nothing stored");

    let start = get(&harness, "/oauth/start", None).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let location = start.headers[header::LOCATION].to_str().unwrap().to_owned();
    let authorize = url::Url::parse(&location).unwrap();
    assert_eq!(authorize.path(), "/oauth2/authorize");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["redirect_uri"], "http://127.0.0.1:3000/oauth/callback");
    assert_eq!(query["client_id"], "test-client-id");
    let state = query["state"].clone();
    let browser = format!("atb_browser={}", start.cookie("atb_browser").unwrap());

    let other_browser = get(&harness, &format!("/oauth/callback?code=abc&state={state}"), Some("atb_browser=someone-else")).await;
    assert_eq!(other_browser.status, StatusCode::BAD_REQUEST);

    // The failed attempt above used the state up; start again.
    let start = get(&harness, "/oauth/start", Some(&browser)).await;
    let state = url::Url::parse(start.headers[header::LOCATION].to_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "state")
        .unwrap()
        .1
        .into_owned();
    let first = get(&harness, &format!("/oauth/callback?code=abc&state={state}"), Some(&browser)).await;
    assert_eq!(first.status, StatusCode::BAD_GATEWAY, "the state passed; monday was unreachable");
    let replay = get(&harness, &format!("/oauth/callback?code=abc&state={state}"), Some(&browser)).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);

    let start = get(&harness, "/oauth/start", Some(&browser)).await;
    let state = url::Url::parse(start.headers[header::LOCATION].to_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "state")
        .unwrap()
        .1
        .into_owned();
    harness.clock.advance(Duration::minutes(10) + Duration::seconds(1));
    let late = get(&harness, &format!("/oauth/callback?code=abc&state={state}"), Some(&browser)).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}

async fn oauth_error_is_explained(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let start = get(&harness, "/oauth/start", None).await;
    let browser = format!("atb_browser={}", start.cookie("atb_browser").unwrap());
    let state = url::Url::parse(start.headers[header::LOCATION].to_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "state")
        .unwrap()
        .1
        .into_owned();
    let denied = get(&harness, &format!("/oauth/callback?error=access_denied&state={state}"), Some(&browser)).await;
    assert_eq!(denied.status, StatusCode::BAD_REQUEST);
    assert!(denied.body.contains("cancelled the sign-in"), "{}", denied.body);
}

async fn settings_page_refuses_framing(test_db: &TestDb) {
    let harness = Harness::new(test_db).await;
    let page = get(&harness, "/settings", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
    assert!(page.body.contains("Sign in with monday"));
}

on_both_databases!(
    handoff_link_signs_in_once,
    handoff_link_expires_after_five_minutes,
    member_cannot_mint_or_change,
    signed_out_calls_are_rejected,
    foreign_origin_is_rejected,
    admin_connects_tests_and_disconnects,
    connector_may_manage_without_admin,
    settings_are_validated_and_applied,
    oauth_state_checks,
    oauth_error_is_explained,
    settings_page_refuses_framing,
);
