//! Shared test helpers: a fresh database of each dialect, and app state.
#![allow(dead_code)] // Each test binary uses its own subset of these helpers.

pub mod harness;

use activtrak_board::server::config::Config;
use activtrak_board::server::db::Database;
use sqlx::{Connection, Executor};

/// The PostgreSQL server tests use. A test run fails, rather than skips,
/// when it is unreachable.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database that lives for one test.
pub struct TestDb {
    pub db: Database,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(tempfile::TempDir),
    PostgresDatabase(String),
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
        let db = Database::connect(&url).await.expect("SQLite test database");
        TestDb { db, url, cleanup: Cleanup::SqliteDir(dir) }
    }

    pub async fn postgres() -> TestDb {
        let admin_url = postgres_admin_url();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|error| {
            panic!("PostgreSQL at {admin_url} is unreachable ({error}); storage tests need it (set TEST_POSTGRES_URL)")
        });
        let name = format!("atb_test_{}", random_suffix());
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        let url = match admin_url.rfind('/') {
            Some(slash) => format!("{}/{name}", &admin_url[..slash]),
            None => panic!("TEST_POSTGRES_URL has no database name"),
        };
        let db = Database::connect(&url).await.expect("PostgreSQL test database");
        TestDb { db, url, cleanup: Cleanup::PostgresDatabase(name) }
    }

    /// Closes the pool and drops a PostgreSQL test database. A test that
    /// panics before this leaves its database behind, named `atb_test_*`.
    pub async fn finish(self) {
        self.db.pool().close().await;
        if let Cleanup::PostgresDatabase(name) = self.cleanup {
            if let Ok(mut admin) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
            }
        }
    }
}

pub fn random_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12).map(|_| char::from(b'a' + rng.gen_range(0..26))).collect()
}

pub const CLIENT_SECRET: &str = "test-client-secret";
pub const SIGNING_SECRET: &str = "test-signing-secret";
pub const ENCRYPTION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A configuration for tests, with the ActivTrak host replaced.
pub fn test_config(database_url: &str, activtrak_base_url: Option<&str>) -> Config {
    test_config_with(database_url, activtrak_base_url, &[])
}

/// [`test_config`] with more settings, which win over the defaults.
pub fn test_config_with(database_url: &str, activtrak_base_url: Option<&str>, extra: &[(&'static str, &str)]) -> Config {
    let mut pairs = vec![
        ("MONDAY_CLIENT_ID", "test-client-id".to_owned()),
        ("MONDAY_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("MONDAY_SIGNING_SECRET", SIGNING_SECRET.to_owned()),
        ("TOKEN_ENCRYPTION_KEY", ENCRYPTION_KEY.to_owned()),
        ("DATABASE_URL", database_url.to_owned()),
        ("ACTIVTRAK_REQUEST_TIMEOUT_MS", "2000".to_owned()),
        ("FRAME_ANCESTORS", "http://localhost:4000".to_owned()),
        // Retries still happen, without slowing the tests down.
        ("ACTIVTRAK_RETRY_BACKOFF_MS", "1".to_owned()),
    ];
    if let Some(url) = activtrak_base_url {
        pairs.push(("ACTIVTRAK_BASE_URL", url.to_owned()));
    }
    for (name, value) in extra {
        pairs.retain(|(key, _)| key != name);
        pairs.push((name, value.to_string()));
    }
    Config::from_lookup(move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone()))
        .expect("test configuration")
}

/// Runs one async test body against a fresh SQLite and a fresh PostgreSQL
/// database, as two separate tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let test_db = $crate::common::TestDb::sqlite().await;
                    super::$name(&test_db).await;
                    test_db.finish().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let test_db = $crate::common::TestDb::postgres().await;
                    super::$name(&test_db).await;
                    test_db.finish().await;
                }
            }
        )*
    };
}

/// Serves `router` on an ephemeral loopback port and returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}")
}
