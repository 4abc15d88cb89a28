//! Cached team aggregates. Only the aggregated answer is stored (JSON of
//! `TeamFigures` or a withheld state), never ActivTrak's per-person rows.

use sqlx::Row;

use super::{Database, StorageError};

/// One cached answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedAggregate {
    pub generation: i64,
    pub payload: String,
    pub fetched_at: i64,
}

pub async fn load_cached(db: &Database, account_id: i64, cache_key: &str) -> Result<Option<CachedAggregate>, StorageError> {
    let row = sqlx::query("SELECT generation, payload, fetched_at FROM aggregate_cache WHERE account_id = $1 AND cache_key = $2")
        .bind(account_id)
        .bind(cache_key)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        Ok(CachedAggregate {
            generation: row.try_get("generation")?,
            payload: row.try_get("payload")?,
            fetched_at: row.try_get("fetched_at")?,
        })
    })
    .transpose()
}

/// Stores an answer unless the account's credential generation has moved on
/// since the fetch began (a key replaced or removed meanwhile), so that a
/// slow fetch never writes data from an old key. Returns whether it stored.
pub async fn store_cached(
    db: &Database,
    account_id: i64,
    cache_key: &str,
    entry: &CachedAggregate,
) -> Result<bool, StorageError> {
    let stored = sqlx::query(
        "INSERT INTO aggregate_cache (account_id, cache_key, generation, payload, fetched_at) \
         SELECT $1, $2, $3, $4, $5 FROM accounts WHERE account_id = $1 AND credential_generation = $3 \
         ON CONFLICT (account_id, cache_key) DO UPDATE SET generation = excluded.generation, \
         payload = excluded.payload, fetched_at = excluded.fetched_at",
    )
    .bind(account_id)
    .bind(cache_key)
    .bind(entry.generation)
    .bind(entry.payload.as_str())
    .bind(entry.fetched_at)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(stored > 0)
}
