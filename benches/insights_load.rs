//! Load benchmark: 200 concurrent `/api/insights` requests for one cold key,
//! then 200 for the same key warm, against the app served on loopback with
//! the ActivTrak stand-in. Prints upstream calls, median and 99th-percentile
//! latency, and requests per second.
//!
//! Run: `cargo bench --features ssr,sandbox --bench insights_load`
//! (`BENCH_DATABASE_URL=postgres://…` to use PostgreSQL; SQLite otherwise).

use std::sync::Arc;
use std::time::{Duration, Instant};

use activtrak_board::sandbox::activtrak::ActivTrakStandIn;
use activtrak_board::sandbox::dataset::ACME_API_KEY;
use activtrak_board::server::activtrak::{ActivTrakClient, AuthHeader, Region};
use activtrak_board::server::config::Config;
use activtrak_board::server::db::credentials::{save_credential, NewCredential};
use activtrak_board::server::db::Database;
use activtrak_board::server::http::router;
use activtrak_board::server::insights::engine::Engine;
use activtrak_board::server::state::{AppState, SystemClock};
use jsonwebtoken::{encode, EncodingKey, Header};
use secrecy::SecretString;

const CONCURRENT_REQUESTS: usize = 200;
const CLIENT_SECRET: &str = "bench-client-secret";

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

fn session_token() -> String {
    let claims = serde_json::json!({
        "dat": {"account_id": 111, "user_id": 1002, "is_admin": false, "user_kind": "member"},
        "exp": chrono::Utc::now().timestamp() + 600
    });
    let key = EncodingKey::from_secret(CLIENT_SECRET.as_bytes()).expect("key");
    encode(&Header::default(), &claims, &key).expect("token")
}

struct Round {
    latencies: Vec<Duration>,
    elapsed: Duration,
    failures: usize,
}

async fn round(client: &reqwest::Client, url: &str, token: &str) -> Round {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENT_REQUESTS)
        .map(|_| {
            let request = client.get(url).bearer_auth(token).send();
            tokio::spawn(async move {
                let sent = Instant::now();
                let ok = matches!(request.await, Ok(response) if response.status().is_success());
                (sent.elapsed(), ok)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(CONCURRENT_REQUESTS);
    let mut failures = 0;
    for task in tasks {
        let (latency, ok) = task.await.expect("request task");
        latencies.push(latency);
        failures += usize::from(!ok);
    }
    latencies.sort();
    Round { latencies, elapsed: started.elapsed(), failures }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn report(name: &str, round: &Round, upstream_calls: usize) {
    println!(
        "{name:5} | upstream calls {upstream_calls:3} | median {:7.1} ms | p99 {:7.1} ms | {:8.0} requests/s | failures {}",
        percentile(&round.latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&round.latencies, 0.99).as_secs_f64() * 1000.0,
        CONCURRENT_REQUESTS as f64 / round.elapsed.as_secs_f64(),
        round.failures
    );
}

#[tokio::main]
async fn main() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let database_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", directory.path().display()));

    let standin = ActivTrakStandIn::new();
    let activtrak_url = serve(standin.router()).await;
    let settings = [
        ("MONDAY_CLIENT_ID", "bench"),
        ("MONDAY_CLIENT_SECRET", CLIENT_SECRET),
        ("MONDAY_SIGNING_SECRET", "bench-signing-secret"),
        ("TOKEN_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
        ("DATABASE_URL", database_url.as_str()),
        ("ACTIVTRAK_BASE_URL", activtrak_url.as_str()),
    ];
    let config = Config::from_lookup(|name| {
        settings.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
    })
    .expect("configuration");
    let db = Database::connect(&config.database_url).await.expect("database");
    // A PostgreSQL database may hold an earlier run's cache: start cold.
    sqlx::query("DELETE FROM aggregate_cache").execute(db.pool()).await.expect("clear the cache");
    let sealed = config.keyring.seal(111, &SecretString::from(ACME_API_KEY.to_owned()));
    let credential = NewCredential {
        account_id: 111,
        region: Region::Us,
        auth_header: AuthHeader::Bearer,
        sealed_key: &sealed,
        connected_by: None,
        now: 0,
    };
    save_credential(&db, credential).await.expect("store the key");

    let activtrak = ActivTrakClient::new(
        config.activtrak_base_url.clone(),
        config.activtrak_connect_timeout,
        config.activtrak_request_timeout,
    )
    .expect("client");
    let state = AppState {
        config: Arc::new(config),
        db,
        activtrak,
        clock: Arc::new(SystemClock),
        leptos_options: leptos::config::LeptosOptions::builder().output_name("activtrak-board").build(),
        engine: Arc::new(Engine::default()),
        metrics: None,
    };
    let app_url = serve(router(state)).await;
    let url = format!("{app_url}/api/insights");
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENT_REQUESTS).build().expect("client");
    let token = session_token();

    println!("database: {}", if database_url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" });
    let cold = round(&client, &url, &token).await;
    let cold_calls = standin.request_count();
    report("cold", &cold, cold_calls);
    let warm = round(&client, &url, &token).await;
    report("warm", &warm, standin.request_count() - cold_calls);
}
