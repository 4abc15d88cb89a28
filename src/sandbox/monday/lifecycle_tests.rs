//! Tests of the lifecycle webhooks: the signed request the sandbox builds,
//! and delivery to a fake app on an ephemeral loopback port.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::lifecycle::{is_subscription_event, LIFECYCLE_JWT_LIFETIME_SECS, MAX_RESPONSE_CHARS};
use super::token::SessionTokenClaims;
use super::{
    find_account, lifecycle_request, LifecycleError, LifecycleEvent, MondaySettings, MondayStandIn,
    LIFECYCLE_EVENT_TYPES,
};
use crate::sandbox::test_support::serve;

const CLIENT_ID: &str = "test-client-id";
const SECRET: &str = "test-client-secret";

/// One request the fake app received.
#[derive(Clone, Debug)]
struct Received {
    authorization: Option<String>,
    content_type: Option<String>,
    body: Value,
}

/// A fake app that records lifecycle requests and responds to each with a
/// fixed status and body.
#[derive(Clone)]
struct FakeApp {
    received: Arc<Mutex<Vec<Received>>>,
    status: AxumStatus,
    reply: String,
}

async fn record_lifecycle(
    State(app): State<FakeApp>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (AxumStatus, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    app.received.lock().unwrap().push(Received {
        authorization: header("authorization"),
        content_type: header("content-type"),
        body,
    });
    (app.status, app.reply.clone())
}

/// Starts a fake app and returns it with its base URL.
async fn start_app(status: AxumStatus, reply: &str) -> (FakeApp, String) {
    let app = FakeApp {
        received: Arc::default(),
        status,
        reply: reply.to_owned(),
    };
    let router = Router::new()
        .route("/monday/lifecycle", post(record_lifecycle))
        .with_state(app.clone());
    let base_url = serve(router).await;
    (app, base_url)
}

fn settings(app_url: &str) -> MondaySettings {
    MondaySettings {
        client_id: CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        signing_secret: None,
        app_url: app_url.to_owned(),
    }
}

/// Starts the monday stand-in aimed at `app_url`.
async fn start_sandbox(app_url: &str) -> (MondayStandIn, String) {
    let standin = MondayStandIn::new(settings(app_url));
    let base_url = serve(standin.router()).await;
    (standin, base_url)
}

async fn send(base_url: &str, request: Value) -> reqwest::Response {
    Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{base_url}/monday/_sandbox/lifecycle"))
        .json(&request)
        .send()
        .await
        .unwrap()
}

/// Decodes a webhook JWT with HS256 and the client secret.
fn decode_jwt(jwt: &str) -> jsonwebtoken::TokenData<Value> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap()
}

/// Returns an address on loopback where nothing listens.
async fn unused_loopback_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn webhook_jwt_verifies_with_secret() {
    let (app, app_url) = start_app(AxumStatus::OK, "{\"ok\":true}").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(
        &base_url,
        json!({ "type": "install", "account": 222, "user": 2002, "bearer": true, "body_account": null }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["status"], json!(200));
    assert_eq!(result["response"], json!("{\"ok\":true}"));

    let received = app.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(result["sent"], received[0].body);

    let authorization = received[0].authorization.as_deref().unwrap();
    let jwt = authorization.strip_prefix("Bearer ").unwrap();
    let decoded = decode_jwt(jwt);
    assert_eq!(decoded.header.alg, Algorithm::HS256);

    let claims = decoded.claims.as_object().unwrap();
    let mut top_level: Vec<&str> = claims.keys().map(String::as_str).collect();
    top_level.sort();
    assert_eq!(top_level, vec!["dat", "exp"]);
    let lifetime = claims["exp"].as_i64().unwrap() - Utc::now().timestamp();
    assert!(
        (LIFECYCLE_JWT_LIFETIME_SECS - 5..=LIFECYCLE_JWT_LIFETIME_SECS).contains(&lifetime),
        "{lifetime}"
    );

    // The same `dat` layout as the sessionToken.
    let typed: SessionTokenClaims = serde_json::from_value(decoded.claims.clone()).unwrap();
    assert_eq!(typed.dat.client_id, CLIENT_ID);
    assert_eq!(typed.dat.account_id, 222);
    assert_eq!(typed.dat.user_id, 2002);
    assert_eq!(typed.dat.slug, "globex");
    assert_eq!(typed.dat.user_kind, "member");
    assert!(typed.dat.install_id < 0);
    let mut dat_keys: Vec<&str> = claims["dat"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    dat_keys.sort();
    assert_eq!(
        dat_keys,
        vec![
            "account_id",
            "app_id",
            "app_version_id",
            "client_id",
            "install_id",
            "is_admin",
            "is_guest",
            "is_view_only",
            "slug",
            "user_id",
            "user_kind"
        ]
    );

    let other_secret = jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(b"another-secret").unwrap(),
        &Validation::new(Algorithm::HS256),
    );
    assert!(other_secret.is_err());
}

#[tokio::test]
async fn webhook_body_has_documented_fields() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    send(
        &base_url,
        json!({ "type": "install", "account": "111", "user": "1001" }),
    )
    .await;
    let body = app.received.lock().unwrap()[0].body.clone();
    assert_eq!(body["type"], json!("install"));

    let data = &body["data"];
    assert!(data["app_id"].is_u64());
    assert_eq!(data["user_id"], json!(1001));
    assert_eq!(data["user_email"], json!("ada@acme.example"));
    assert_eq!(data["user_name"], json!("Ada Admin"));
    assert_eq!(data["account_id"], json!(111));
    assert_eq!(data["account_name"], json!("Acme Corp"));
    assert_eq!(data["account_slug"], json!("acme"));
    assert_eq!(data["account_tier"], json!("pro"));
    assert_eq!(data["account_max_users"], json!(25));
    assert_eq!(
        data["version_data"],
        json!({ "major": 1, "minor": 0, "patch": 0, "type": "major" })
    );
    assert!(data.get("subscription").is_none());

    let timestamp = data["timestamp"].as_str().unwrap();
    let parsed = DateTime::parse_from_rfc3339(timestamp).unwrap();
    assert!(
        (Utc::now() - parsed.with_timezone(&Utc))
            .num_seconds()
            .abs()
            < 60
    );
}

#[tokio::test]
async fn bearer_false_sends_bare_jwt() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(&base_url, json!({ "type": "uninstall", "bearer": false })).await;
    assert_eq!(response.status(), StatusCode::OK);

    let authorization = app.received.lock().unwrap()[0]
        .authorization
        .clone()
        .unwrap();
    assert!(!authorization.starts_with("Bearer"), "{authorization}");
    assert_eq!(authorization.split('.').count(), 3);
    assert_eq!(
        decode_jwt(&authorization).claims["dat"]["account_id"],
        json!(111)
    );
}

#[tokio::test]
async fn body_account_changes_only_body() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(
        &base_url,
        json!({ "type": "install", "account": 111, "user": 1001, "body_account": 222 }),
    )
    .await;
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["sent"]["data"]["account_id"], json!(222));

    let received = app.received.lock().unwrap()[0].clone();
    assert_eq!(received.body["data"]["account_id"], json!(222));
    // Everything else in the body still describes the JWT's account.
    assert_eq!(received.body["data"]["account_slug"], json!("acme"));
    let jwt = received
        .authorization
        .as_deref()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_owned();
    assert_eq!(decode_jwt(&jwt).claims["dat"]["account_id"], json!(111));
}

#[tokio::test]
async fn every_documented_type_is_delivered() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    for event_type in LIFECYCLE_EVENT_TYPES {
        let response = send(&base_url, json!({ "type": event_type })).await;
        assert_eq!(response.status(), StatusCode::OK, "{event_type}");
    }

    let received = app.received.lock().unwrap().clone();
    assert_eq!(received.len(), LIFECYCLE_EVENT_TYPES.len());
    for (request, event_type) in received.iter().zip(LIFECYCLE_EVENT_TYPES) {
        assert_eq!(request.body["type"], json!(event_type));
        let subscription = &request.body["data"]["subscription"];
        assert_eq!(
            subscription.is_object(),
            is_subscription_event(event_type),
            "{event_type}"
        );
        if subscription.is_object() {
            for field in [
                "plan_id",
                "is_trial",
                "renewal_date",
                "billing_period",
                "days_left",
                "pricing_version",
                "max_units",
            ] {
                assert!(subscription.get(field).is_some(), "{event_type}: {field}");
            }
        }
    }
}

#[tokio::test]
async fn unknown_type_is_sent_as_is() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(&base_url, json!({ "type": "app_feature_flag_toggled" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = app.received.lock().unwrap()[0].body.clone();
    assert_eq!(body["type"], json!("app_feature_flag_toggled"));
    assert!(body["data"].get("subscription").is_none());
}

#[tokio::test]
async fn app_error_status_is_passed_on() {
    let long_reply = "x".repeat(MAX_RESPONSE_CHARS + 500);
    let (_, app_url) = start_app(AxumStatus::UNAUTHORIZED, &long_reply).await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(&base_url, json!({ "type": "install" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["status"], json!(401));
    assert_eq!(
        result["response"].as_str().unwrap().chars().count(),
        MAX_RESPONSE_CHARS
    );
}

#[tokio::test]
async fn stopped_app_gives_bad_gateway() {
    let app_url = unused_loopback_url().await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let response = send(&base_url, json!({ "type": "install" })).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.unwrap();
    let message = body["error"].as_str().unwrap();
    assert!(message.contains(&app_url), "{message}");
    assert_eq!(body["url"], json!(format!("{app_url}/monday/lifecycle")));
    assert_eq!(body["sent"]["type"], json!("install"));
}

#[tokio::test]
async fn lifecycle_endpoint_rejects_bad_requests() {
    let (app, app_url) = start_app(AxumStatus::OK, "").await;
    let (_, base_url) = start_sandbox(&app_url).await;

    let cases = [
        (
            json!({ "type": "install", "account": 999, "user": 1001 }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "type": "install", "account": 111, "user": 2001 }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "type": "install", "account": 999 }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "type": "install", "account": "acme" }),
            StatusCode::BAD_REQUEST,
        ),
        (json!({ "account": 111 }), StatusCode::BAD_REQUEST),
        (
            json!({ "type": "install", "bearer": "yes" }),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (request, status) in cases {
        let response = send(&base_url, request.clone()).await;
        assert_eq!(response.status(), status, "{request}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|text| !text.is_empty()));
    }
    assert!(app.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn uninstall_revokes_access_tokens() {
    let (_, app_url) = start_app(AxumStatus::OK, "").await;
    let (standin, _) = start_sandbox(&app_url).await;
    let acme = find_account(111).unwrap();
    let globex = find_account(222).unwrap();
    let acme_token = standin.issue_access_token(acme, acme.user(1002).unwrap());
    let globex_token = standin.issue_access_token(globex, globex.user(2001).unwrap());

    let event = LifecycleEvent {
        event_type: "uninstall".to_owned(),
        account_id: 111,
        user_id: 1001,
        bearer: true,
        body_account_id: None,
    };
    let delivery = standin.send_lifecycle_event(&event).await.unwrap();
    assert_eq!(delivery.status, 200);
    assert_eq!(standin.access_token_owner(&acme_token), None);
    assert!(standin.access_token_owner(&globex_token).is_some());
}

#[tokio::test]
async fn send_reports_unknown_user() {
    let standin = MondayStandIn::new(settings("http://127.0.0.1:9"));
    let event = LifecycleEvent {
        event_type: "install".to_owned(),
        account_id: 222,
        user_id: 1001,
        bearer: true,
        body_account_id: None,
    };
    let error = standin.send_lifecycle_event(&event).await.unwrap_err();
    assert!(matches!(
        error,
        LifecycleError::UnknownUser {
            account_id: 222,
            user_id: 1001
        }
    ));
}

#[test]
fn lifecycle_request_builds_without_http() {
    let account = find_account(111).unwrap();
    let user = account.user(1004).unwrap();

    let (authorization, body) = lifecycle_request(
        CLIENT_ID,
        SECRET,
        "app_subscription_created",
        account,
        user,
        true,
    )
    .unwrap();
    let claims = decode_jwt(authorization.strip_prefix("Bearer ").unwrap()).claims;
    assert_eq!(claims["dat"]["user_id"], json!(1004));
    assert_eq!(claims["dat"]["is_view_only"], json!(true));
    assert_eq!(body["type"], json!("app_subscription_created"));
    assert_eq!(body["data"]["user_id"], json!(1004));
    assert_eq!(body["data"]["subscription"]["is_trial"], json!(false));

    let (bare, _) = lifecycle_request(CLIENT_ID, SECRET, "install", account, user, false).unwrap();
    assert!(!bare.starts_with("Bearer "));
    assert!(lifecycle_request(CLIENT_ID, "", "install", account, user, false).is_err());
}
