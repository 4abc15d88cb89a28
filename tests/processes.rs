//! Two app processes (separate operating-system processes) sharing one
//! PostgreSQL database: concurrent cold requests split over both give one
//! ActivTrak request per page, and both serve metrics.

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use activtrak_board::sandbox::activtrak::ActivTrakStandIn;
use activtrak_board::sandbox::dataset::ACME_API_KEY;
use activtrak_board::server::activtrak::{AuthHeader, Region};
use activtrak_board::server::db::credentials::{save_credential, NewCredential};
use common::harness::token;
use common::{serve, test_config, TestDb, CLIENT_SECRET, ENCRYPTION_KEY, SIGNING_SECRET};
use secrecy::SecretString;

/// Kills the server process when the test ends, whatever happens.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_server(port: u16, database_url: &str, activtrak_url: &str) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_activtrak-board"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("MONDAY_CLIENT_ID", "test-client-id")
        .env("MONDAY_CLIENT_SECRET", CLIENT_SECRET)
        .env("MONDAY_SIGNING_SECRET", SIGNING_SECRET)
        .env("TOKEN_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("DATABASE_URL", database_url)
        .env("ACTIVTRAK_BASE_URL", activtrak_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the app binary");
    Server(child)
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not start");
}

#[tokio::test]
async fn two_processes_fetch_each_page_once() {
    let test_db = TestDb::postgres().await;
    let standin = ActivTrakStandIn::new();
    let activtrak_url = serve(standin.router()).await;

    let config = test_config(&test_db.url, None);
    let sealed = config.keyring.seal(111, &SecretString::from(ACME_API_KEY.to_owned()));
    let credential = NewCredential {
        account_id: 111,
        region: Region::Us,
        auth_header: AuthHeader::Bearer,
        sealed_key: &sealed,
        connected_by: None,
        now: 0,
    };
    save_credential(&test_db.db, credential).await.unwrap();

    let ports = [free_port(), free_port()];
    let _servers: Vec<Server> = ports.iter().map(|port| start_server(*port, &test_db.url, &activtrak_url)).collect();
    let client = reqwest::Client::new();
    let bases: Vec<String> = ports.iter().map(|port| format!("http://127.0.0.1:{port}")).collect();
    for base in &bases {
        wait_until_up(&client, base).await;
    }

    let member = token(111, 1002, "member");
    let mut requests = Vec::new();
    for index in 0..20 {
        let url = format!("{}/api/insights?group=102", bases[index % 2]);
        let request = client.get(url).bearer_auth(&member).send();
        requests.push(tokio::spawn(async move {
            let response = request.await.unwrap();
            (response.status(), response.text().await.unwrap())
        }));
    }
    let mut bodies = Vec::new();
    for request in requests {
        let (status, body) = request.await.unwrap();
        assert_eq!(status, 200, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        bodies.push(json["people"].clone());
    }
    assert!(bodies.iter().all(|people| *people == bodies[0]));

    let mut counts: HashMap<String, usize> = HashMap::new();
    for request in standin.requests() {
        *counts.entry(request.path).or_default() += 1;
    }
    // The period and the previous period, one page each, each fetched once.
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(counts.values().all(|count| *count == 1), "{counts:?}");

    for base in &bases {
        let metrics = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("activtrak_board_cache_lookups_total"), "{metrics}");
    }
    test_db.finish().await;
}

#[tokio::test]
async fn key_and_settings_saved_in_one_process_reach_the_other() {
    use activtrak_board::server::db::sign_in::{create_session, SignedInUser};
    let test_db = TestDb::postgres().await;
    let standin = ActivTrakStandIn::new();
    let activtrak_url = serve(standin.router()).await;
    let user = SignedInUser { account_id: 111, user_id: 1001, is_admin: true, user_name: None };
    let now = chrono::Utc::now().timestamp();
    create_session(&test_db.db, "process-test-session", &user, now, now + 3600).await.unwrap();

    let ports = [free_port(), free_port()];
    let _servers: Vec<Server> = ports.iter().map(|port| start_server(*port, &test_db.url, &activtrak_url)).collect();
    let client = reqwest::Client::new();
    let bases: Vec<String> = ports.iter().map(|port| format!("http://127.0.0.1:{port}")).collect();
    for base in &bases {
        wait_until_up(&client, base).await;
    }
    let call = |base: &str, endpoint: &str, body: serde_json::Value| {
        client
            .post(format!("{base}/api/{endpoint}"))
            .header("Cookie", "atb_session=process-test-session")
            .header("Origin", "http://127.0.0.1:3000")
            .json(&body)
            .send()
    };
    let member = token(111, 1002, "member");
    let insights = |base: &str| client.get(format!("{base}/api/insights")).bearer_auth(&member).send();

    let before: serde_json::Value = insights(&bases[1]).await.unwrap().json().await.unwrap();
    assert_eq!(before["status"], "not_connected");

    let connected = call(&bases[0], "connect_activtrak", serde_json::json!({"api_key": ACME_API_KEY, "region": "us", "auth_header": "bearer"}))
        .await
        .unwrap();
    assert_eq!(connected.status(), 200);
    let after: serde_json::Value = insights(&bases[1]).await.unwrap().json().await.unwrap();
    assert_eq!(after["status"], "figures", "{after}");

    let form = serde_json::json!({"form": {
        "productive_hours_goal": "6", "minimum_group_size": "40", "active_day_threshold_hours": "2",
        "time_zone": "UTC", "view_only_may_view": "on", "default_period_days": "7", "refresh_interval_minutes": "5"}});
    assert_eq!(call(&bases[0], "save_account_settings", form).await.unwrap().status(), 200);
    let limited: serde_json::Value = insights(&bases[1]).await.unwrap().json().await.unwrap();
    assert_eq!(limited["status"], "too_few_people", "{limited}");
    assert_eq!(limited["minimum_group_size"], 40);
    test_db.finish().await;
}
