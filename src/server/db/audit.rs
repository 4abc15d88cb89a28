//! The audit log: who changed what on an account, and when. Entries never
//! hold a secret.

use sqlx::Row;

use super::{Database, StorageError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub details: String,
}

/// Appends an entry. `details` is plain text or JSON without secrets.
pub async fn record(
    db: &Database,
    account_id: i64,
    actor_user_id: Option<i64>,
    action: &str,
    details: &str,
    at: i64,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO audit_log (account_id, at, actor_user_id, action, details) VALUES ($1, $2, $3, $4, $5)")
        .bind(account_id)
        .bind(at)
        .bind(actor_user_id)
        .bind(action)
        .bind(details)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The newest `limit` entries of the account, newest first.
pub async fn recent(db: &Database, account_id: i64, limit: i64) -> Result<Vec<AuditEntry>, StorageError> {
    let rows = sqlx::query(
        "SELECT at, actor_user_id, action, details FROM audit_log WHERE account_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                at: row.try_get("at")?,
                actor_user_id: row.try_get("actor_user_id")?,
                action: row.try_get("action")?,
                details: row.try_get("details")?,
            })
        })
        .collect()
}
