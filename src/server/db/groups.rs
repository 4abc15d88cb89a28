//! ActivTrak groups known for an account: learned from the `groups` field of
//! Working Hours rows, or added by an admin by id.

use sqlx::Row;

use super::{Database, StorageError};

/// A known group. `name` is `None` until ActivTrak's rows name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownGroup {
    pub group_id: i64,
    pub name: Option<String>,
    pub added_by_hand: bool,
}

/// Records groups seen in rows. A name seen now replaces an older one; a
/// group added by hand keeps that mark.
pub async fn record_seen_groups(db: &Database, account_id: i64, groups: &[(i64, Option<String>)]) -> Result<(), StorageError> {
    for (group_id, name) in groups {
        sqlx::query(
            "INSERT INTO activtrak_groups (account_id, group_id, name) \
             SELECT $1, $2, $3 FROM accounts WHERE account_id = $1 \
             ON CONFLICT (account_id, group_id) DO UPDATE SET name = COALESCE(excluded.name, activtrak_groups.name)",
        )
        .bind(account_id)
        .bind(group_id)
        .bind(name.as_deref())
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// Adds a group by id (an admin's action). Returns whether it was new.
pub async fn add_group_by_hand(db: &Database, account_id: i64, group_id: i64, name: Option<&str>) -> Result<bool, StorageError> {
    let existed: Option<i64> =
        sqlx::query_scalar("SELECT group_id FROM activtrak_groups WHERE account_id = $1 AND group_id = $2")
            .bind(account_id)
            .bind(group_id)
            .fetch_optional(db.pool())
            .await?;
    sqlx::query(
        "INSERT INTO activtrak_groups (account_id, group_id, name, added_by_hand) \
         SELECT $1, $2, $3, 1 FROM accounts WHERE account_id = $1 \
         ON CONFLICT (account_id, group_id) DO UPDATE SET added_by_hand = 1, \
         name = COALESCE(excluded.name, activtrak_groups.name)",
    )
    .bind(account_id)
    .bind(group_id)
    .bind(name)
    .execute(db.pool())
    .await?;
    Ok(existed.is_none())
}

pub async fn list_groups(db: &Database, account_id: i64) -> Result<Vec<KnownGroup>, StorageError> {
    let rows = sqlx::query(
        "SELECT group_id, name, added_by_hand FROM activtrak_groups WHERE account_id = $1 ORDER BY name, group_id",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let added_by_hand: i64 = row.try_get("added_by_hand")?;
            Ok(KnownGroup {
                group_id: row.try_get("group_id")?,
                name: row.try_get("name")?,
                added_by_hand: added_by_hand != 0,
            })
        })
        .collect()
}
