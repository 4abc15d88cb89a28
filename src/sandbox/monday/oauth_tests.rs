//! HTTP tests of the OAuth flow, the GraphQL `me` query and their controls,
//! on an ephemeral loopback port.

use std::collections::HashMap;

use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use url::Url;

use super::{find_account, MondaySettings, MondayStandIn, OAuthMode};
use crate::sandbox::test_support::serve;
use crate::sandbox::{router_with_stand_ins, ActivTrakStandIn};

const CLIENT_ID: &str = "test-client-id";
const SECRET: &str = "test-client-secret";
/// A redirect URI with a query of its own, which the redirect must keep.
const REDIRECT_URI: &str = "http://127.0.0.1:3999/oauth/callback?next=%2Fsettings&x=1";

fn settings() -> MondaySettings {
    MondaySettings {
        client_id: CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        signing_secret: None,
        app_url: "http://127.0.0.1:3999".to_owned(),
    }
}

async fn start() -> (MondayStandIn, String) {
    let standin = MondayStandIn::new(settings());
    let base_url = serve(standin.router()).await;
    (standin, base_url)
}

/// A client that returns redirects instead of following them.
fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

async fn get_authorize(base_url: &str, query: &[(&str, &str)]) -> Response {
    client()
        .get(format!("{base_url}/monday/oauth2/authorize"))
        .query(query)
        .send()
        .await
        .unwrap()
}

async fn post_decision(base_url: &str, fields: &[(&str, &str)]) -> Response {
    client()
        .post(format!("{base_url}/monday/oauth2/authorize"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(fields))
        .send()
        .await
        .unwrap()
}

/// Returns the redirect's target and its query parameters.
fn redirect_target(response: &Response) -> (Url, HashMap<String, String>) {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().unwrap();
    let url = Url::parse(location).unwrap();
    let params = url.query_pairs().into_owned().collect();
    (url, params)
}

/// Runs the consent step as `user` and returns the authorization code.
async fn obtain_code(base_url: &str, user: &str, state: &str) -> String {
    let response = post_decision(
        base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "me:read"),
            ("state", state),
            ("user", user),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&response);
    params["code"].clone()
}

async fn exchange_json(base_url: &str, body: Value) -> Response {
    client()
        .post(format!("{base_url}/monday/oauth2/token"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn token_body(code: &str, redirect_uri: &str) -> Value {
    json!({
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "code": code,
        "redirect_uri": redirect_uri,
    })
}

async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], json!(error), "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(!description.is_empty(), "{body}");
    description.to_owned()
}

async fn query_me(base_url: &str, authorization: Option<&str>, query: &str) -> Response {
    let mut request = client()
        .post(format!("{base_url}/monday/v2"))
        .header("API-Version", "2025-04")
        .json(&json!({ "query": query, "variables": {} }));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    request.send().await.unwrap()
}

const ME_QUERY: &str =
    "query { me { id name email is_admin is_guest is_view_only account { id name slug } } }";

#[tokio::test]
async fn consent_page_lists_users_and_scopes() {
    let (_, base_url) = start().await;
    let response = get_authorize(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "me:read boards:read"),
            ("state", "xyz"),
            ("app_version_id", "10234567"),
            ("force_install_if_needed", "true"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let page = response.text().await.unwrap();
    for id in [
        "user-1001",
        "user-1004",
        "user-2002",
        "authorize-button",
        "cancel-button",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "missing {id}");
    }
    assert!(page.contains("Acme Corp"));
    assert!(page.contains("Globex"));
    assert!(page.contains("<code>boards:read</code>"));
    assert!(page.contains("10234567"));
    assert!(page.contains("name=\"state\" value=\"xyz\""));
    assert!(!page.contains(SECRET));
}

#[tokio::test]
async fn oauth_flow_issues_working_token() {
    let (standin, base_url) = start().await;

    let response = post_decision(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "me:read"),
            ("state", "a b&c=d"),
            ("user", "1002"),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (url, params) = redirect_target(&response);
    assert_eq!(url.path(), "/oauth/callback");
    assert_eq!(params["next"], "/settings");
    assert_eq!(params["x"], "1");
    assert_eq!(params["state"], "a b&c=d");
    let code = params["code"].clone();
    assert!(code.len() >= 32, "{code}");

    let token_response = client()
        .post(format!("{base_url}/monday/oauth2/token"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(token_response.status(), StatusCode::OK);
    assert_eq!(token_response.headers()["cache-control"], "no-store");
    let body: Value = token_response.json().await.unwrap();
    assert_eq!(body["token_type"], json!("Bearer"));
    assert_eq!(body["scope"], json!("me:read"));
    let token = body["access_token"].as_str().unwrap();
    assert_ne!(token, code);

    let owner = standin.access_token_owner(token).unwrap();
    assert_eq!((owner.account_id, owner.user_id), (111, 1002));

    let me: Value = query_me(&base_url, Some(token), ME_QUERY)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me,
        json!({ "data": { "me": {
            "id": "1002",
            "name": "Max Member",
            "email": "max@acme.example",
            "is_admin": false,
            "is_guest": false,
            "is_view_only": false,
            "account": { "id": "111", "name": "Acme Corp", "slug": "acme" },
        } } })
    );

    let records = standin.token_requests();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, 200);
    assert_eq!(records[0].redirect_uri.as_deref(), Some(REDIRECT_URI));
    assert_eq!(records[0].user_id, Some(1002));
    assert!(records[0]
        .content_type
        .as_deref()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
}

#[tokio::test]
async fn redirect_without_state_has_none() {
    let (_, base_url) = start().await;
    let response = post_decision(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:3999/cb"),
            ("user", "2001"),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (url, params) = redirect_target(&response);
    assert!(params.contains_key("code"));
    assert!(!params.contains_key("state"));
    assert_eq!(url.query_pairs().count(), 1);
}

#[tokio::test]
async fn token_json_scope_defaults_to_me_read() {
    let (standin, base_url) = start().await;
    let response = post_decision(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("user", "2001"),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&response);

    let body: Value = exchange_json(&base_url, token_body(&params["code"], REDIRECT_URI))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["scope"], json!("me:read"));
    let owner = standin
        .access_token_owner(body["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!((owner.account_id, owner.user_id), (222, 2001));
}

#[tokio::test]
async fn redirect_uri_mismatch_is_invalid_grant() {
    let (standin, base_url) = start().await;
    let code = obtain_code(&base_url, "1001", "s").await;

    // The same URL with its parameters reordered is not byte for byte equal.
    let reordered = "http://127.0.0.1:3999/oauth/callback?x=1&next=%2Fsettings";
    let response = exchange_json(&base_url, token_body(&code, reordered)).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;

    let mut missing = token_body(&code, REDIRECT_URI);
    missing.as_object_mut().unwrap().remove("redirect_uri");
    let response = exchange_json(&base_url, missing).await;
    let description = assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("redirect_uri"), "{description}");

    // A rejected attempt does not use the code up.
    let response = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
    assert_eq!(response.status(), StatusCode::OK);

    let records = standin.token_requests();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].redirect_uri.as_deref(), Some(reordered));
    assert_eq!(records[0].error.as_deref(), Some("invalid_grant"));
    assert_eq!(records[1].redirect_uri, None);
    assert_eq!(records[2].status, 200);
}

#[tokio::test]
async fn replayed_code_is_invalid_grant() {
    let (_, base_url) = start().await;
    let code = obtain_code(&base_url, "1001", "s").await;

    let first = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
    assert_eq!(first.status(), StatusCode::OK);
    let replay = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
    let description = assert_oauth_error(replay, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("already been used"), "{description}");

    let unknown = exchange_json(&base_url, token_body("no-such-code", REDIRECT_URI)).await;
    assert_oauth_error(unknown, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_client_is_invalid_client() {
    let (_, base_url) = start().await;
    let code = obtain_code(&base_url, "1001", "s").await;

    let mut wrong_secret = token_body(&code, REDIRECT_URI);
    wrong_secret["client_secret"] = json!("not-the-secret");
    let response = exchange_json(&base_url, wrong_secret).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;

    let mut wrong_client = token_body(&code, REDIRECT_URI);
    wrong_client["client_id"] = json!("other-client");
    let response = exchange_json(&base_url, wrong_client).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;

    // Client errors do not use the code up either.
    let response = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn malformed_token_requests_are_invalid_request() {
    let (_, base_url) = start().await;

    for field in ["client_id", "client_secret", "code"] {
        let mut body = token_body("some-code", REDIRECT_URI);
        body.as_object_mut().unwrap().remove(field);
        let response = exchange_json(&base_url, body).await;
        let description =
            assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
        assert!(description.contains(field), "{description}");
    }

    let plain_text = client()
        .post(format!("{base_url}/monday/oauth2/token"))
        .header(CONTENT_TYPE, "text/plain")
        .body("code=abc")
        .send()
        .await
        .unwrap();
    assert_oauth_error(plain_text, StatusCode::BAD_REQUEST, "invalid_request").await;

    let broken_json = client()
        .post(format!("{base_url}/monday/oauth2/token"))
        .header(CONTENT_TYPE, "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_oauth_error(broken_json, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn authorize_rejects_bad_clients() {
    let (_, base_url) = start().await;

    let unknown = get_authorize(
        &base_url,
        &[
            ("client_id", "other-client"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s1"),
        ],
    )
    .await;
    let (url, params) = redirect_target(&unknown);
    assert_eq!(url.path(), "/oauth/callback");
    assert_eq!(params["error"], "unauthorized_client");
    assert_eq!(params["state"], "s1");
    assert_eq!(params["next"], "/settings");
    assert!(!params.contains_key("code"));

    let missing = get_authorize(&base_url, &[("redirect_uri", REDIRECT_URI)]).await;
    let (_, params) = redirect_target(&missing);
    assert_eq!(params["error"], "invalid_request");

    // The form's fields come from the browser, so the decision is checked too.
    let forged = post_decision(
        &base_url,
        &[
            ("client_id", "other-client"),
            ("redirect_uri", REDIRECT_URI),
            ("user", "1001"),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&forged);
    assert_eq!(params["error"], "unauthorized_client");
}

#[tokio::test]
async fn unusable_redirect_uri_gets_error_page() {
    let (_, base_url) = start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[("client_id", CLIENT_ID)],
        &[("client_id", CLIENT_ID), ("redirect_uri", "/relative/path")],
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", "javascript:alert(1)"),
        ],
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:3999/cb#top"),
        ],
    ];
    for query in cases {
        let response = get_authorize(&base_url, query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:?}");
        assert!(response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let page = response.text().await.unwrap();
        assert!(page.contains("id=\"error-message\""), "{query:?}");
    }
}

#[tokio::test]
async fn bad_decisions_get_error_page() {
    let (_, base_url) = start().await;
    let cases = [
        ("authorize", "9999"),
        ("authorize", "abc"),
        ("maybe", "1001"),
    ];
    for (decision, user) in cases {
        let response = post_decision(
            &base_url,
            &[
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("user", user),
                ("decision", decision),
            ],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{decision} {user}"
        );
    }
}

#[tokio::test]
async fn cancel_redirects_access_denied() {
    let (_, base_url) = start().await;
    let response = post_decision(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("state", "keep-me"),
            ("user", "1001"),
            ("decision", "cancel"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&response);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "keep-me");
    assert!(!params["error_description"].is_empty());
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn install_modes_reject_token_exchange() {
    let (standin, base_url) = start().await;
    let cases = [
        (
            OAuthMode::AccountNotAllowed,
            "Account is not allowed to install this app",
        ),
        (
            OAuthMode::CannotInstall,
            "The app cannot be installed in this account",
        ),
    ];
    for (mode, expected) in cases {
        standin.set_oauth_mode(OAuthMode::Normal);
        let code = obtain_code(&base_url, "2002", "s").await;
        standin.set_oauth_mode(mode);

        let response = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
        let description =
            assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
        assert_eq!(description, expected);
    }
    assert!(standin
        .token_requests()
        .iter()
        .all(|record| record.status == 400));
}

#[tokio::test]
async fn access_denied_mode_skips_consent() {
    let (standin, base_url) = start().await;
    standin.set_oauth_mode(OAuthMode::AccessDenied);

    let response = get_authorize(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s2"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&response);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "s2");

    let decision = post_decision(
        &base_url,
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("user", "1001"),
            ("decision", "authorize"),
        ],
    )
    .await;
    let (_, params) = redirect_target(&decision);
    assert_eq!(params["error"], "access_denied");
}

#[tokio::test]
async fn graphql_rate_limited_mode_sends_429() {
    let (standin, base_url) = start().await;
    let account = find_account(111).unwrap();
    let token = standin.issue_access_token(account, account.user(1001).unwrap());
    standin.set_oauth_mode(OAuthMode::GraphqlRateLimited);

    let response = query_me(&base_url, Some(&token), ME_QUERY).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "10");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("COMPLEXITY_BUDGET_EXHAUSTED")
    );
    assert_eq!(
        body["errors"][0]["message"],
        json!("Complexity budget exhausted")
    );

    // The OAuth flow still works in this mode.
    let code = obtain_code(&base_url, "1001", "s").await;
    let exchanged = exchange_json(&base_url, token_body(&code, REDIRECT_URI)).await;
    assert_eq!(exchanged.status(), StatusCode::OK);
}

#[tokio::test]
async fn mode_control_endpoint_round_trips() {
    let (standin, base_url) = start().await;
    let url = format!("{base_url}/monday/_sandbox/oauth-mode");

    let initial: Value = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(initial["mode"], json!("normal"));
    assert_eq!(
        initial["modes"].as_array().unwrap().len(),
        OAuthMode::ALL.len()
    );

    for mode in OAuthMode::ALL {
        let response = client()
            .post(&url)
            .json(&json!({ "mode": mode.as_str() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["mode"], json!(mode.as_str()));
        assert_eq!(standin.oauth_mode(), mode);
    }

    for bad in [
        json!({ "mode": "melt" }),
        json!({ "fault": "normal" }),
        json!([]),
    ] {
        let response = client().post(&url).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|text| !text.is_empty()));
    }
}

#[tokio::test]
async fn token_requests_endpoint_lists_and_clears() {
    let (_, base_url) = start().await;
    let code = obtain_code(&base_url, "1001", "s").await;
    exchange_json(&base_url, token_body(&code, "http://127.0.0.1:3999/other")).await;

    let url = format!("{base_url}/monday/_sandbox/oauth-requests");
    let listed: Value = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["count"], json!(1));
    let record = &listed["requests"][0];
    assert_eq!(record["redirect_uri"], json!("http://127.0.0.1:3999/other"));
    assert_eq!(record["status"], json!(400));
    assert_eq!(record["error"], json!("invalid_grant"));
    assert_eq!(record["client_id"], json!(CLIENT_ID));
    let text = listed.to_string();
    assert!(!text.contains(SECRET));
    assert!(!text.contains(&code));

    let cleared = client().delete(&url).send().await.unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    let listed: Value = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["count"], json!(0));
}

#[tokio::test]
async fn graphql_requires_known_token() {
    let (standin, base_url) = start().await;

    let missing = query_me(&base_url, None, ME_QUERY).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "errors": [{ "message": "Not Authenticated", "extensions": { "code": "UNAUTHENTICATED" } }] })
    );

    for value in ["unknown-token", "Bearer unknown-token", ""] {
        let response = query_me(&base_url, Some(value), ME_QUERY).await;
        assert_eq!(response.status(), StatusCode::OK, "{value:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            json!("UserUnauthorizedException"),
            "{value:?}"
        );
        assert_eq!(
            body["errors"][0]["message"],
            json!("User unauthorized to perform action")
        );
        assert!(body.get("data").is_none());
    }

    // A sessionToken-like JWT is not an API token either.
    let account = find_account(111).unwrap();
    let user = account.user(1001).unwrap();
    let session_token = super::mint_session_token(CLIENT_ID, SECRET, account, user).unwrap();
    let response = query_me(&base_url, Some(&session_token), ME_QUERY).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("UserUnauthorizedException")
    );

    let token = standin.issue_access_token(account, user);
    let with_bearer = query_me(&base_url, Some(&format!("Bearer {token}")), "{ me { id } }").await;
    assert_eq!(with_bearer.status(), StatusCode::OK);
    let body: Value = with_bearer.json().await.unwrap();
    assert_eq!(body, json!({ "data": { "me": { "id": "1001" } } }));
}

#[tokio::test]
async fn graphql_serves_only_me() {
    let (standin, base_url) = start().await;
    let account = find_account(222).unwrap();
    let token = standin.issue_access_token(account, account.user(2002).unwrap());

    let cases = [
        "{ boards { id name } }",
        "query { me { id } boards { id } }",
        "mutation { create_item(item_name: \"x\") { id } }",
        "{ me { id ",
    ];
    for query in cases {
        let response = query_me(&base_url, Some(&token), query).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body.get("data").is_none(), "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(!message.is_empty(), "{query}");
    }

    let not_json = client()
        .post(format!("{base_url}/monday/v2"))
        .header("Authorization", &token)
        .header(CONTENT_TYPE, "application/json")
        .body("query { me { id } }")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let body: Value = not_json.json().await.unwrap();
    assert!(body["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn old_api_versions_add_account_id() {
    let (standin, base_url) = start().await;
    let account = find_account(111).unwrap();
    let token = standin.issue_access_token(account, account.user(1003).unwrap());

    let cases = [
        (Some("2024-10"), true),
        (Some("2025-01"), false),
        (None, false),
    ];
    for (version, has_account_id) in cases {
        let mut request = client()
            .post(format!("{base_url}/monday/v2"))
            .header("Authorization", &token)
            .json(&json!({ "query": "{ me { is_guest } }" }));
        if let Some(version) = version {
            request = request.header("API-Version", version);
        }
        let body: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(body["data"]["me"]["is_guest"], json!(true));
        assert_eq!(
            body.get("account_id") == Some(&json!(111)),
            has_account_id,
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn full_sandbox_serves_oauth_routes() {
    let monday = MondayStandIn::new(settings());
    let base_url = serve(router_with_stand_ins(
        monday.clone(),
        ActivTrakStandIn::new(),
    ))
    .await;

    let code = obtain_code(&base_url, "1001", "s").await;
    let body: Value = exchange_json(&base_url, token_body(&code, REDIRECT_URI))
        .await
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert!(monday.access_token_owner(token).is_some());

    let me = query_me(&base_url, Some(token), "{ me { account { id } } }").await;
    let body: Value = me.json().await.unwrap();
    assert_eq!(body["data"]["me"]["account"]["id"], json!("111"));

    let health = client()
        .get(format!("{base_url}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
