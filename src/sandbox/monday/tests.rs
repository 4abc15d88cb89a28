//! HTTP tests of the monday stand-in and of the whole sandbox router.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use super::context::board_view_context;
use super::token::{SessionTokenClaims, SESSION_TOKEN_LIFETIME_SECS};
use super::{accounts, find_account, MondaySettings, MondayStandIn, UserKind};
use crate::sandbox::test_support::serve;
use crate::sandbox::{
    router_with, ActivTrakStandIn, Fault, SandboxConfig, ACME_API_KEY, GLOBEX_API_KEY,
};

const SECRET: &str = "test-client-secret";

fn settings() -> MondaySettings {
    MondaySettings {
        client_id: "test-client-id".to_owned(),
        client_secret: SECRET.to_owned(),
        signing_secret: None,
        app_url: "http://127.0.0.1:3999".to_owned(),
    }
}

async fn start() -> String {
    serve(MondayStandIn::new(settings()).router()).await
}

fn hs256_validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    validation
}

async fn fetch_token(base_url: &str, account: &str, user: &str) -> reqwest::Response {
    Client::new()
        .get(format!("{base_url}/monday/session-token"))
        .query(&[("account", account), ("user", user)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn minted_token_decodes_with_secret() {
    let base_url = start().await;
    let response = fetch_token(&base_url, "111", "1002").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();

    let decoded = jsonwebtoken::decode::<SessionTokenClaims>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        &hs256_validation(),
    )
    .unwrap();
    assert_eq!(decoded.header.alg, Algorithm::HS256);

    let claims = decoded.claims;
    assert_eq!(claims.dat.client_id, "test-client-id");
    assert_eq!(claims.dat.account_id, 111);
    assert_eq!(claims.dat.user_id, 1002);
    assert_eq!(claims.dat.slug, "acme");
    assert_eq!(claims.dat.user_kind, "member");
    assert!(!claims.dat.is_admin);
    assert!(!claims.dat.is_guest);
    assert!(!claims.dat.is_view_only);

    let lifetime = claims.exp - Utc::now().timestamp();
    assert!(
        (SESSION_TOKEN_LIFETIME_SECS - 5..=SESSION_TOKEN_LIFETIME_SECS).contains(&lifetime),
        "{lifetime}"
    );
}

#[tokio::test]
async fn token_has_only_monday_claims() {
    let base_url = start().await;
    let body: Value = fetch_token(&base_url, "222", "2001")
        .await
        .json()
        .await
        .unwrap();
    let decoded = jsonwebtoken::decode::<Value>(
        body["token"].as_str().unwrap(),
        &DecodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        &hs256_validation(),
    )
    .unwrap();

    let claims = decoded.claims.as_object().unwrap();
    let mut top_level: Vec<&str> = claims.keys().map(String::as_str).collect();
    top_level.sort();
    assert_eq!(top_level, vec!["dat", "exp"]);
    assert!(claims["exp"].is_i64());

    let dat = &claims["dat"];
    assert_eq!(dat["account_id"], json!(222));
    assert_eq!(dat["user_id"], json!(2001));
    assert_eq!(dat["is_admin"], json!(true));
    assert_eq!(dat["user_kind"], json!("admin"));
    assert!(dat["install_id"].as_i64().unwrap() < 0);
    assert!(dat["app_id"].is_u64());
    assert!(dat["app_version_id"].is_u64());
}

#[tokio::test]
async fn token_fails_with_other_secret() {
    let base_url = start().await;
    let body: Value = fetch_token(&base_url, "111", "1001")
        .await
        .json()
        .await
        .unwrap();
    let result = jsonwebtoken::decode::<SessionTokenClaims>(
        body["token"].as_str().unwrap(),
        &DecodingKey::from_secret(b"another-secret").unwrap(),
        &hs256_validation(),
    );
    assert!(result.is_err());
}

#[tokio::test]
async fn token_roles_follow_directory() {
    let base_url = start().await;
    let cases = [
        ("1001", "admin"),
        ("1002", "member"),
        ("1003", "guest"),
        ("1004", "view_only"),
    ];
    for (user, kind) in cases {
        let body: Value = fetch_token(&base_url, "111", user)
            .await
            .json()
            .await
            .unwrap();
        let claims = jsonwebtoken::decode::<SessionTokenClaims>(
            body["token"].as_str().unwrap(),
            &DecodingKey::from_secret(SECRET.as_bytes()).unwrap(),
            &hs256_validation(),
        )
        .unwrap()
        .claims;
        assert_eq!(claims.dat.user_kind, kind, "user {user}");
        assert_eq!(claims.dat.is_admin, kind == "admin", "user {user}");
        assert_eq!(claims.dat.is_guest, kind == "guest", "user {user}");
        assert_eq!(claims.dat.is_view_only, kind == "view_only", "user {user}");
    }
}

#[tokio::test]
async fn token_request_errors_are_json() {
    let base_url = start().await;
    let cases = [
        ("999", "1001", StatusCode::NOT_FOUND),
        ("111", "2001", StatusCode::NOT_FOUND),
        ("111", "abc", StatusCode::BAD_REQUEST),
        ("", "1001", StatusCode::BAD_REQUEST),
    ];
    for (account, user, status) in cases {
        let response = fetch_token(&base_url, account, user).await;
        assert_eq!(
            response.status(),
            status,
            "account {account:?}, user {user:?}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|text| !text.is_empty()));
    }

    let missing = Client::new()
        .get(format!("{base_url}/monday/session-token?account=111"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn host_page_embeds_config() {
    let base_url = start().await;
    let response = Client::new()
        .get(format!("{base_url}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"<iframe id="board-view""#));
    assert!(!page.contains("__SANDBOX_CONFIG__"));
    assert!(!page.contains(SECRET));

    let start_tag = r#"<script type="application/json" id="sandbox-config">"#;
    let config_start = page.find(start_tag).unwrap() + start_tag.len();
    let config_end = config_start + page[config_start..].find("</script>").unwrap();
    let config: Value = serde_json::from_str(&page[config_start..config_end]).unwrap();
    assert_eq!(config["appUrl"], json!("http://127.0.0.1:3999"));
    assert_eq!(config["themes"], json!(["light", "dark", "black"]));
    assert_eq!(config["accounts"][0]["id"], json!("111"));
    assert_eq!(config["accounts"][0]["users"][1]["kind"], json!("member"));
    assert_eq!(
        config["accounts"][0]["users"][1]["context"]["user"]["id"],
        json!("1002")
    );

    let script = Client::new()
        .get(format!("{base_url}/host.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script.text().await.unwrap().contains("sandboxMessages"));
}

#[test]
fn context_uses_string_ids() {
    let account = find_account(111).unwrap();
    let user = account.user(1004).unwrap();
    let context = board_view_context("client", account, user, "dark");

    assert_eq!(context["theme"], json!("dark"));
    assert_eq!(context["account"]["id"], json!("111"));
    assert_eq!(context["user"]["id"], json!("1004"));
    assert_eq!(context["user"]["isViewOnly"], json!(true));
    assert_eq!(context["user"]["isAdmin"], json!(false));
    assert_eq!(context["user"]["currentLanguage"], json!("en"));
    assert_eq!(context["instanceType"], json!("board_view"));
    assert_eq!(context["app"]["clientId"], json!("client"));
    assert!(context["boardId"].as_u64().unwrap() > u64::from(u32::MAX));
    assert_eq!(context["boardIds"], json!([context["boardId"]]));
    assert!(context["user"]["timeZoneOffset"].is_number());
}

#[test]
fn directory_matches_roles() {
    let acme = find_account(111).unwrap();
    assert_eq!(acme.name, "Acme Corp");
    assert_eq!(acme.activtrak_api_key, ACME_API_KEY);
    let kinds: Vec<(u64, UserKind)> = acme.users.iter().map(|user| (user.id, user.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (1001, UserKind::Admin),
            (1002, UserKind::Member),
            (1003, UserKind::Guest),
            (1004, UserKind::ViewOnly),
        ]
    );

    let globex = find_account(222).unwrap();
    assert_eq!(globex.slug, "globex");
    assert_eq!(globex.activtrak_api_key, GLOBEX_API_KEY);
    assert_eq!(globex.users.len(), 2);
    assert_eq!(accounts().len(), 2);
}

#[tokio::test]
async fn sandbox_router_mounts_everything() {
    let config = SandboxConfig::from_lookup(|name| match name {
        "MONDAY_CLIENT_SECRET" => Some(SECRET.to_owned()),
        _ => None,
    })
    .unwrap();
    let activtrak = ActivTrakStandIn::new();
    let base_url = serve(router_with(config, activtrak.clone())).await;
    let client = Client::new();

    let report = client
        .get(format!(
            "{base_url}/activtrak/reports/v2/workinghours/users?from=2026-03-01&to=2026-03-02"
        ))
        .header("x-api-key", ACME_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert_eq!(
        activtrak.requests()[0].path,
        "/reports/v2/workinghours/users?from=2026-03-01&to=2026-03-02"
    );

    for control in ["/_sandbox/fault", "/activtrak/_sandbox/fault"] {
        let response = client
            .post(format!("{base_url}{control}"))
            .json(&json!({ "mode": "forbidden" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{control}");
        assert_eq!(activtrak.fault(), Fault::Forbidden);
        activtrak.set_fault(Fault::None);
    }

    let token = client
        .get(format!(
            "{base_url}/monday/session-token?account=111&user=1001"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    let page = client.get(format!("{base_url}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}
