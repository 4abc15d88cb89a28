//! Fetch leases: one row per cache key while an instance fetches it from
//! ActivTrak, so that other instances wait for its result instead of
//! fetching too. A lease expires, so a crashed holder blocks others only
//! until then.

use super::{Database, StorageError};

/// Takes the lease for `cache_key` when it is free or expired. Returns
/// whether `holder` now has it.
pub async fn try_acquire(
    db: &Database,
    account_id: i64,
    cache_key: &str,
    holder: &str,
    now: i64,
    expires_at: i64,
) -> Result<bool, StorageError> {
    let taken = sqlx::query(
        "INSERT INTO fetch_leases (account_id, cache_key, holder, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, cache_key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE fetch_leases.expires_at <= $5",
    )
    .bind(account_id)
    .bind(cache_key)
    .bind(holder)
    .bind(expires_at)
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(taken > 0)
}

/// Gives the lease back, if `holder` still has it.
pub async fn release(db: &Database, account_id: i64, cache_key: &str, holder: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM fetch_leases WHERE account_id = $1 AND cache_key = $2 AND holder = $3")
        .bind(account_id)
        .bind(cache_key)
        .bind(holder)
        .execute(db.pool())
        .await?;
    Ok(())
}
