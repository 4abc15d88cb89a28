//! monday accounts as lifecycle webhooks describe them: install, uninstall
//! and subscription events.

use sqlx::Row;

use super::{Database, StorageError};

/// What an `install` event tells about the account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallRecord {
    pub account_id: i64,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub tier: Option<String>,
    pub max_users: Option<i64>,
    pub installed_by: Option<i64>,
    pub now: i64,
}

/// The stored account, as the settings page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountInfo {
    pub account_id: i64,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub tier: Option<String>,
    pub installed_by: Option<i64>,
    pub installed_at: Option<i64>,
    pub uninstalled_at: Option<i64>,
    pub plan_json: Option<String>,
    pub plan_event: Option<String>,
}

/// Records an install or reinstall; repeating it changes nothing more.
pub async fn record_install(db: &Database, record: &InstallRecord) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO accounts (account_id, created_at, name, slug, tier, max_users, installed_by, installed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $2) \
         ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, slug = excluded.slug, tier = excluded.tier, \
         max_users = excluded.max_users, installed_by = excluded.installed_by, \
         installed_at = COALESCE(accounts.installed_at, excluded.installed_at), uninstalled_at = NULL",
    )
    .bind(record.account_id)
    .bind(record.now)
    .bind(record.name.as_deref())
    .bind(record.slug.as_deref())
    .bind(record.tier.as_deref())
    .bind(record.max_users)
    .bind(record.installed_by)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Stores the plan fields of a subscription event (as JSON) for an account
/// the app knows; an unknown account is left unknown.
pub async fn record_subscription(
    db: &Database,
    account_id: i64,
    event: &str,
    plan_json: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let updated = sqlx::query(
        "UPDATE accounts SET plan_json = $2, plan_event = $3, plan_updated_at = $4 WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(plan_json)
    .bind(event)
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(updated > 0)
}

/// Deletes everything the app holds for the account at once: its key,
/// cached aggregates, groups, settings, sign-in rows and audit entries.
/// Only a minimal record stays: the account id and when it uninstalled.
pub async fn record_uninstall(db: &Database, account_id: i64, now: i64) -> Result<(), StorageError> {
    let mut transaction = db.pool().begin().await?;
    for table in [
        "activtrak_credentials",
        "aggregate_cache",
        "activtrak_groups",
        "fetch_leases",
        "account_settings",
        "settings_sessions",
        "handoff_links",
        "audit_log",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(account_id)
            .execute(&mut *transaction)
            .await?;
    }
    sqlx::query(
        "UPDATE accounts SET name = NULL, slug = NULL, tier = NULL, max_users = NULL, installed_by = NULL, \
         plan_json = NULL, plan_event = NULL, plan_updated_at = NULL, uninstalled_at = $2, \
         credential_generation = credential_generation + 1 WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(())
}

pub async fn load_account(db: &Database, account_id: i64) -> Result<Option<AccountInfo>, StorageError> {
    let row = sqlx::query(
        "SELECT name, slug, tier, installed_by, installed_at, uninstalled_at, plan_json, plan_event \
         FROM accounts WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(AccountInfo {
            account_id,
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            tier: row.try_get("tier")?,
            installed_by: row.try_get("installed_by")?,
            installed_at: row.try_get("installed_at")?,
            uninstalled_at: row.try_get("uninstalled_at")?,
            plan_json: row.try_get("plan_json")?,
            plan_event: row.try_get("plan_event")?,
        })
    })
    .transpose()
}

/// Makes sure an account row exists (settings and sessions refer to it).
pub async fn ensure_account(db: &Database, account_id: i64, now: i64) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO accounts (account_id, created_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING")
        .bind(account_id)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}
