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
