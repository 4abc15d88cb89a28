//! Rows behind the settings page's sign-in: single-use handoff links from
//! the view, OAuth `state` values, and sessions. Each random token is
//! stored as its SHA-256 hash, so a database reader cannot use it. Every
//! instance can serve the next request, because the rows are shared.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Database, StorageError};

/// SHA-256 of a token, hex-encoded.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 32 random bytes as URL-safe text.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Who a handoff link or a session stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInUser {
    pub account_id: i64,
    pub user_id: i64,
    pub is_admin: bool,
    pub user_name: Option<String>,
}

pub async fn create_handoff(db: &Database, token: &str, user: &SignedInUser, expires_at: i64) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO handoff_links (token_hash, account_id, user_id, is_admin, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash(token))
        .bind(user.account_id)
        .bind(user.user_id)
        .bind(i64::from(user.is_admin))
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Uses up a handoff link: returns who it was for when it exists and has
/// not expired, and deletes it either way, so it works once.
pub async fn consume_handoff(db: &Database, token: &str, now: i64) -> Result<Option<SignedInUser>, StorageError> {
    let row = sqlx::query(
        "DELETE FROM handoff_links WHERE token_hash = $1 RETURNING account_id, user_id, is_admin, expires_at",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at <= now {
        return Ok(None);
    }
    let is_admin: i64 = row.try_get("is_admin")?;
    Ok(Some(SignedInUser {
        account_id: row.try_get("account_id")?,
        user_id: row.try_get("user_id")?,
        is_admin: is_admin != 0,
        user_name: None,
    }))
}

pub async fn create_oauth_state(db: &Database, state: &str, browser: &str, expires_at: i64) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO oauth_states (state_hash, browser_hash, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash(state))
        .bind(token_hash(browser))
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Uses up an OAuth state: true only when it exists, has not expired, and
/// was started by the same browser (`browser` is its pre-sign-in cookie).
pub async fn consume_oauth_state(db: &Database, state: &str, browser: Option<&str>, now: i64) -> Result<bool, StorageError> {
    let row = sqlx::query("DELETE FROM oauth_states WHERE state_hash = $1 RETURNING browser_hash, expires_at")
        .bind(token_hash(state))
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(false) };
    let browser_hash: String = row.try_get("browser_hash")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    Ok(expires_at > now && browser.is_some_and(|browser| token_hash(browser) == browser_hash))
}

pub async fn create_session(
    db: &Database,
    session: &str,
    user: &SignedInUser,
    now: i64,
    expires_at: i64,
) -> Result<(), StorageError> {
    super::accounts::ensure_account(db, user.account_id, now).await?;
    sqlx::query(
        "INSERT INTO settings_sessions (session_hash, account_id, user_id, is_admin, user_name, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(session))
    .bind(user.account_id)
    .bind(user.user_id)
    .bind(i64::from(user.is_admin))
    .bind(user.user_name.as_deref())
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The session's user, while it has not expired.
pub async fn load_session(db: &Database, session: &str, now: i64) -> Result<Option<SignedInUser>, StorageError> {
    let row = sqlx::query(
        "SELECT account_id, user_id, is_admin, user_name FROM settings_sessions \
         WHERE session_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash(session))
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        let is_admin: i64 = row.try_get("is_admin")?;
        Ok(SignedInUser {
            account_id: row.try_get("account_id")?,
            user_id: row.try_get("user_id")?,
            is_admin: is_admin != 0,
            user_name: row.try_get("user_name")?,
        })
    })
    .transpose()
}

pub async fn delete_session(db: &Database, session: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM settings_sessions WHERE session_hash = $1")
        .bind(token_hash(session))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes expired handoff links, states and sessions.
pub async fn delete_expired(db: &Database, now: i64) -> Result<(), StorageError> {
    for table in ["handoff_links", "oauth_states", "settings_sessions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
            .bind(now)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}
