//! Sign-in with monday OAuth end to end against the sandbox's monday
//! stand-in (authorize page, token endpoint, GraphQL `me`), on both
//! databases.

mod common;

use std::collections::HashMap;

use activtrak_board::sandbox::monday::{MondaySettings, MondayStandIn, OAuthMode};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::harness::Harness;
use common::{serve, TestDb, CLIENT_SECRET};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Flow {
    harness: Harness,
    monday: MondayStandIn,
    monday_url: String,
}

async fn flow(test_db: &TestDb) -> Flow {
    let monday = MondayStandIn::new(MondaySettings {
        client_id: "test-client-id".to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        signing_secret: None,
        app_url: "http://127.0.0.1:3000".to_owned(),
    });
    let monday_url = serve(monday.router()).await;
    let auth_url = format!("{monday_url}/monday");
    let api_url = format!("{monday_url}/monday/v2");
    let harness = Harness::with_settings(test_db, &[("MONDAY_AUTH_URL", &auth_url), ("MONDAY_API_URL", &api_url)]).await;
    Flow { harness, monday, monday_url }
}

async fn app_get(harness: &Harness, uri: &str, cookie: Option<&str>) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = activtrak_board::server::http::router(harness.state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn set_cookie(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(|value| value.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

/// Starts sign-in on the app, then picks `user` on monday's consent page.
/// Returns the app's callback path and the browser cookie.
async fn authorize_as(flow: &Flow, user: u64) -> (String, String, HashMap<String, String>) {
    let (status, headers, _) = app_get(&flow.harness, "/oauth/start", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let browser = set_cookie(&headers, "atb_browser");
    let authorize = url::Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap();
    assert!(authorize.as_str().starts_with(&format!("{}/monday/oauth2/authorize", flow.monday_url)));
    let params: HashMap<String, String> = authorize.query_pairs().into_owned().collect();

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let consent = client.get(authorize.as_str()).send().await.unwrap();
    assert_eq!(consent.status(), 200);
    let mut form: Vec<(String, String)> = params.clone().into_iter().collect();
    form.push(("user".into(), user.to_string()));
    form.push(("decision".into(), "authorize".into()));
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let decision = client
        .post(format!("{}/monday/oauth2/authorize", flow.monday_url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), 302, "{}", decision.text().await.unwrap_or_default());
    let back = url::Url::parse(decision.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(back.path(), "/oauth/callback");
    let path = format!("{}?{}", back.path(), back.query().unwrap());
    (path, browser, params)
}

async fn admin_signs_in_with_oauth(test_db: &TestDb) {
    let flow = flow(test_db).await;
    let (callback, browser, params) = authorize_as(&flow, 1001).await;

    let (status, headers, body) = app_get(&flow.harness, &callback, Some(&browser)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], "/settings");
    let session = set_cookie(&headers, "atb_session");

    // C11: the token request repeated the authorize request's redirect_uri.
    let requests = flow.monday.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].redirect_uri.as_deref(), Some(params["redirect_uri"].as_str()));
    assert_eq!(requests[0].status, 200);

    let request = Request::post("/api/settings_page")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, session)
        .body(Body::from("{}"))
        .unwrap();
    let response = activtrak_board::server::http::router(flow.harness.state.clone()).oneshot(request).await.unwrap();
    let page: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(page["signed_in"]["account_id"], 111);
    assert_eq!(page["signed_in"]["user_id"], 1001);
    assert_eq!(page["signed_in"]["is_admin"], true);
    assert_eq!(page["signed_in"]["user_name"], "Ada Admin");
}

async fn install_refusal_is_explained(test_db: &TestDb) {
    let flow = flow(test_db).await;
    for (mode, phrase) in [(OAuthMode::AccountNotAllowed, "can't install"), (OAuthMode::CannotInstall, "share link")] {
        flow.monday.set_oauth_mode(mode);
        let (callback, browser, _) = authorize_as(&flow, 2001).await;
        let (status, _, body) = app_get(&flow.harness, &callback, Some(&browser)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains(phrase), "{mode:?}: {body}");
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings_sessions")
            .fetch_one(flow.harness.state.db.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0);
    }
}

async fn graphql_rate_limit_is_a_plain_error(test_db: &TestDb) {
    let flow = flow(test_db).await;
    let (callback, browser, _) = authorize_as(&flow, 1002).await;
    flow.monday.set_oauth_mode(OAuthMode::GraphqlRateLimited);
    let (status, _, body) = app_get(&flow.harness, &callback, Some(&browser)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(body.contains("monday is not responding"), "{body}");
}

on_both_databases!(admin_signs_in_with_oauth, install_refusal_is_explained, graphql_rate_limit_is_a_plain_error);
