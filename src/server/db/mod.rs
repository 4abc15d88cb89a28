//! Storage on SQLite (the default) or PostgreSQL, chosen by `DATABASE_URL`.
//!
//! Queries are written once in SQL that both dialects accept (`$1`
//! placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`) and run through
//! sqlx's `Any` driver; the schema has one migration folder per dialect.

pub mod accounts;
pub mod audit;
pub mod cache;
pub mod credentials;
pub mod groups;
pub mod leases;
pub mod settings;
pub mod sign_in;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use thiserror::Error;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// How long a SQLite connection waits for another writer before failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored row for account {account_id} is invalid: {message}")]
    CorruptRow { account_id: i64, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection pool and the dialect behind it.
#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    dialect: Dialect,
}

impl Database {
    /// Connects, creating the SQLite file (and its folder) when missing, and
    /// runs the embedded migrations.
    pub async fn connect(url: &str) -> Result<Database, StorageError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        };
        if dialect == Dialect::Sqlite {
            create_sqlite_folder(url)?;
        }

        let options: AnyConnectOptions = url.parse()?;
        let options = options.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if dialect == Dialect::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers proceed while one writer commits;
                        // the busy timeout makes writers queue instead of
                        // failing with "database is locked".
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection
                            .execute(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str())
                            .await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                        connection.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;

        match dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Database { pool, dialect })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

fn create_sqlite_folder(url: &str) -> Result<(), StorageError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| StorageError::Database(sqlx::Error::Io(error)))?;
    }
    Ok(())
}
