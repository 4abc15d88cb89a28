//! The account's ActivTrak credential: the sealed API key, its region and the
//! header style it is sent with.

use sqlx::Row;

use super::{Database, StorageError};
use crate::server::activtrak::{AuthHeader, Region};
use crate::server::crypto::{Keyring, Sealed};

/// A stored credential. The key stays sealed until the ActivTrak client needs
/// it, and `Debug` never shows it.
#[derive(Clone, Debug)]
pub struct StoredCredential {
    pub account_id: i64,
    pub region: Region,
    pub auth_header: AuthHeader,
    pub sealed_key: Sealed,
    /// The account's credential generation when this key was stored.
    pub generation: i64,
    pub connected_by: Option<i64>,
    pub connected_at: i64,
    /// No ActivTrak request for the account before this Unix time, because
    /// ActivTrak answered 429 with `Retry-After`.
    pub blocked_until: i64,
    /// Set when ActivTrak rejected the key; an admin must reconnect.
    pub problem: Option<KeyProblem>,
}

/// The reason ActivTrak rejected a stored key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyProblem {
    /// 401: the key is invalid or was deleted.
    Unauthorized,
    /// 403: the key may not use the API.
    Forbidden,
}

impl KeyProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyProblem::Unauthorized => "unauthorized",
            KeyProblem::Forbidden => "forbidden",
        }
    }

    fn parse(value: &str) -> Option<KeyProblem> {
        match value {
            "unauthorized" => Some(KeyProblem::Unauthorized),
            "forbidden" => Some(KeyProblem::Forbidden),
            _ => None,
        }
    }
}

/// The row written when an account is connected or its key replaced.
pub struct NewCredential<'a> {
    pub account_id: i64,
    pub region: Region,
    pub auth_header: AuthHeader,
    pub sealed_key: &'a Sealed,
    pub connected_by: Option<i64>,
    pub now: i64,
}

/// Stores (or replaces) the account's credential and raises its generation,
/// in one transaction. Returns the new generation.
pub async fn save_credential(db: &Database, credential: NewCredential<'_>) -> Result<i64, StorageError> {
    let mut transaction = db.pool().begin().await?;
    let generation: i64 = sqlx::query(
        "INSERT INTO accounts (account_id, created_at, credential_generation) VALUES ($1, $2, 1) \
         ON CONFLICT (account_id) DO UPDATE SET credential_generation = accounts.credential_generation + 1 \
         RETURNING credential_generation",
    )
    .bind(credential.account_id)
    .bind(credential.now)
    .fetch_one(&mut *transaction)
    .await?
    .try_get(0)?;

    sqlx::query(
        "INSERT INTO activtrak_credentials \
         (account_id, region, auth_header, key_id, sealed_key, generation, connected_by, connected_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (account_id) DO UPDATE SET region = excluded.region, auth_header = excluded.auth_header, \
         key_id = excluded.key_id, sealed_key = excluded.sealed_key, generation = excluded.generation, \
         connected_by = excluded.connected_by, connected_at = excluded.connected_at, \
         blocked_until = 0, problem = NULL",
    )
    .bind(credential.account_id)
    .bind(credential.region.as_str())
    .bind(credential.auth_header.as_str())
    .bind(credential.sealed_key.key_id.as_str())
    .bind(credential.sealed_key.bytes.clone())
    .bind(generation)
    .bind(credential.connected_by)
    .bind(credential.now)
    .execute(&mut *transaction)
    .await?;

    // Aggregates fetched with an earlier key must not be served again.
    sqlx::query("DELETE FROM aggregate_cache WHERE account_id = $1")
        .bind(credential.account_id)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(generation)
}

/// Loads the account's credential, if it has one.
pub async fn load_credential(db: &Database, account_id: i64) -> Result<Option<StoredCredential>, StorageError> {
    let row = sqlx::query(
        "SELECT region, auth_header, key_id, sealed_key, generation, connected_by, connected_at, \
         blocked_until, problem FROM activtrak_credentials WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };

    let corrupt = |message: String| StorageError::CorruptRow { account_id, message };
    let region: String = row.try_get("region")?;
    let auth_header: String = row.try_get("auth_header")?;
    let problem: Option<String> = row.try_get("problem")?;
    let problem = match problem {
        None => None,
        Some(text) => Some(KeyProblem::parse(&text).ok_or_else(|| corrupt(format!("unknown key problem `{text}`")))?),
    };
    Ok(Some(StoredCredential {
        account_id,
        region: region.parse().map_err(|_| corrupt(format!("unknown region `{region}`")))?,
        auth_header: auth_header
            .parse()
            .map_err(|_| corrupt(format!("unknown auth header style `{auth_header}`")))?,
        sealed_key: Sealed {
            key_id: row.try_get("key_id")?,
            bytes: row.try_get("sealed_key")?,
        },
        generation: row.try_get("generation")?,
        connected_by: row.try_get("connected_by")?,
        connected_at: row.try_get("connected_at")?,
        blocked_until: row.try_get("blocked_until")?,
        problem,
    }))
}

/// Records that ActivTrak asked for no requests before `until` (Unix time).
/// Only the generation it was learned under is touched, and an earlier
/// block never shortens a later one.
pub async fn block_until(db: &Database, account_id: i64, generation: i64, until: i64) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE activtrak_credentials SET blocked_until = $3 \
         WHERE account_id = $1 AND generation = $2 AND blocked_until < $3",
    )
    .bind(account_id)
    .bind(generation)
    .bind(until)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Marks the key of `generation` as rejected by ActivTrak. A key saved since
/// then is left alone.
pub async fn mark_problem(db: &Database, account_id: i64, generation: i64, problem: KeyProblem) -> Result<(), StorageError> {
    sqlx::query("UPDATE activtrak_credentials SET problem = $3 WHERE account_id = $1 AND generation = $2")
        .bind(account_id)
        .bind(generation)
        .bind(problem.as_str())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes the account's credential, cached aggregates and learned groups,
/// and raises its generation. Returns whether a credential existed.
pub async fn delete_credential(db: &Database, account_id: i64) -> Result<bool, StorageError> {
    let mut transaction = db.pool().begin().await?;
    let deleted = sqlx::query("DELETE FROM activtrak_credentials WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM aggregate_cache WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *transaction)
        .await?;
    // Group names were learned with the removed key and may belong to
    // another ActivTrak account than the next key's.
    sqlx::query("DELETE FROM activtrak_groups WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *transaction)
        .await?;
    sqlx::query("DELETE FROM fetch_leases WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *transaction)
        .await?;
    sqlx::query("UPDATE accounts SET credential_generation = credential_generation + 1 WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(deleted > 0)
}

/// Clears a rejection mark and a rate-limit block after the key worked.
pub async fn clear_problem(db: &Database, account_id: i64, generation: i64) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE activtrak_credentials SET problem = NULL, blocked_until = 0 WHERE account_id = $1 AND generation = $2",
    )
    .bind(account_id)
    .bind(generation)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Counts of what a key rotation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    pub rotated: usize,
    pub current: usize,
    pub undecryptable: usize,
}

/// Re-encrypts every stored key under the keyring's current key. Each row is
/// updated only if it is still the one read, so a key saved meanwhile is
/// not overwritten.
pub async fn rotate_all(db: &Database, keyring: &Keyring) -> Result<RotationReport, StorageError> {
    let rows = sqlx::query("SELECT account_id, key_id, sealed_key, generation FROM activtrak_credentials")
        .fetch_all(db.pool())
        .await?;
    let mut report = RotationReport::default();
    for row in rows {
        let account_id: i64 = row.try_get("account_id")?;
        let generation: i64 = row.try_get("generation")?;
        let sealed = Sealed { key_id: row.try_get("key_id")?, bytes: row.try_get("sealed_key")? };
        if sealed.key_id == keyring.current_key_id() {
            report.current += 1;
            continue;
        }
        let Ok(secret) = keyring.open(account_id, &sealed) else {
            tracing::warn!(account.id = account_id, key.id = %sealed.key_id, "stored key cannot be decrypted; left as is");
            report.undecryptable += 1;
            continue;
        };
        let resealed = keyring.seal(account_id, &secret);
        sqlx::query(
            "UPDATE activtrak_credentials SET key_id = $3, sealed_key = $4 WHERE account_id = $1 AND generation = $2",
        )
        .bind(account_id)
        .bind(generation)
        .bind(resealed.key_id.as_str())
        .bind(resealed.bytes.clone())
        .execute(db.pool())
        .await?;
        report.rotated += 1;
    }
    Ok(report)
}
