//! App state around the ActivTrak stand-in, and monday tokens, for HTTP and
//! engine tests.

use std::sync::Arc;

use activtrak_board::sandbox::activtrak::ActivTrakStandIn;
use activtrak_board::server::activtrak::{ActivTrakClient, AuthHeader, Region};
use activtrak_board::server::db::credentials::{save_credential, NewCredential};
use activtrak_board::server::http::router;
use activtrak_board::server::insights::engine::Engine;
use activtrak_board::server::state::{AppState, ManualClock};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, TimeZone, Utc};
use http_body_util::BodyExt;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use secrecy::SecretString;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{serve, test_config_with, TestDb, CLIENT_SECRET};

/// The stand-in's and the app's "today".
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

pub struct Harness {
    pub state: AppState,
    pub standin: ActivTrakStandIn,
    pub clock: Arc<ManualClock>,
}

impl Harness {
    pub async fn new(test_db: &TestDb) -> Harness {
        Harness::with_settings(test_db, &[]).await
    }

    /// A harness whose configuration has `settings` on top of the defaults.
    pub async fn with_settings(test_db: &TestDb, settings: &[(&'static str, &str)]) -> Harness {
        let standin = ActivTrakStandIn::new();
        standin.set_today(Some(today()));
        let base_url = serve(standin.router()).await;
        let config = test_config_with(&test_db.url, Some(&base_url), settings);
        let activtrak = ActivTrakClient::new(
            config.activtrak_base_url.clone(),
            config.activtrak_connect_timeout,
            config.activtrak_request_timeout,
        )
        .unwrap();
        let clock = Arc::new(ManualClock::new(Utc.from_utc_datetime(&today().and_hms_opt(12, 0, 0).unwrap())));
        let state = AppState {
            config: Arc::new(config),
            db: test_db.db.clone(),
            activtrak,
            clock: clock.clone(),
            leptos_options: leptos::config::LeptosOptions::builder().output_name("activtrak-board").build(),
            engine: Arc::new(Engine::default()),
            metrics: None,
        };
        Harness { state, standin, clock }
    }

    pub async fn connect(&self, account_id: i64, api_key: &str, auth_header: AuthHeader) {
        let sealed = self.state.config.keyring.seal(account_id, &SecretString::from(api_key.to_owned()));
        let credential = NewCredential {
            account_id,
            region: Region::Us,
            auth_header,
            sealed_key: &sealed,
            connected_by: Some(1001),
            now: 0,
        };
        save_credential(&self.state.db, credential).await.unwrap();
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut request = Request::builder().uri(uri);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let response = router(self.state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn get_json(&self, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
        let (status, _, body) = self.get(uri, token).await;
        let json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        (status, json)
    }
}

pub fn claims(account_id: i64, user_id: i64, kind: &str, exp: Value) -> Value {
    json!({
        "dat": {
            "client_id": "test-client-id", "user_id": user_id, "account_id": account_id, "slug": "acme",
            "app_id": 10001, "app_version_id": 20001, "install_id": 3,
            "is_admin": kind == "admin", "is_view_only": kind == "view_only", "is_guest": kind == "guest",
            "user_kind": kind
        },
        "exp": exp
    })
}

pub fn sign(claims: &Value, algorithm: Algorithm, secret: &str) -> String {
    encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret.as_bytes()).unwrap()).unwrap()
}

pub fn token(account_id: i64, user_id: i64, kind: &str) -> String {
    sign(&claims(account_id, user_id, kind, json!(Utc::now().timestamp() + 60)), Algorithm::HS256, CLIENT_SECRET)
}

