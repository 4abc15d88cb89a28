//! Stored account settings; an account without a row uses the defaults.

use std::str::FromStr;

use chrono::Duration;
use sqlx::Row;

use super::{Database, StorageError};
use crate::server::insights::settings::AccountSettings;

pub async fn load_settings(db: &Database, account_id: i64) -> Result<AccountSettings, StorageError> {
    let row = sqlx::query(
        "SELECT productive_hours_goal, minimum_group_size, active_day_threshold_seconds, time_zone, \
         guests_may_view, view_only_may_view, default_period_days, refresh_interval_seconds \
         FROM account_settings WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(AccountSettings::default());
    };
    let corrupt = |message: String| StorageError::CorruptRow { account_id, message };
    let time_zone: String = row.try_get("time_zone")?;
    let minimum_group_size: i64 = row.try_get("minimum_group_size")?;
    let threshold: i64 = row.try_get("active_day_threshold_seconds")?;
    let guests: i64 = row.try_get("guests_may_view")?;
    let view_only: i64 = row.try_get("view_only_may_view")?;
    let period: i64 = row.try_get("default_period_days")?;
    let refresh: i64 = row.try_get("refresh_interval_seconds")?;
    Ok(AccountSettings {
        productive_hours_goal: row.try_get("productive_hours_goal")?,
        minimum_group_size: u32::try_from(minimum_group_size).map_err(|_| corrupt("minimum group size".into()))?,
        active_day_threshold_seconds: u64::try_from(threshold).map_err(|_| corrupt("active-day threshold".into()))?,
        time_zone: chrono_tz::Tz::from_str(&time_zone).map_err(|_| corrupt(format!("unknown time zone `{time_zone}`")))?,
        guests_may_view: guests != 0,
        view_only_may_view: view_only != 0,
        default_period_days: u32::try_from(period).map_err(|_| corrupt("default period".into()))?,
        refresh_interval: Duration::seconds(refresh),
    })
}

pub async fn save_settings(
    db: &Database,
    account_id: i64,
    settings: &AccountSettings,
    updated_by: Option<i64>,
    now: i64,
) -> Result<(), StorageError> {
    super::accounts::ensure_account(db, account_id, now).await?;
    sqlx::query(
        "INSERT INTO account_settings (account_id, productive_hours_goal, minimum_group_size, \
         active_day_threshold_seconds, time_zone, guests_may_view, view_only_may_view, default_period_days, \
         refresh_interval_seconds, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (account_id) DO UPDATE SET productive_hours_goal = excluded.productive_hours_goal, \
         minimum_group_size = excluded.minimum_group_size, \
         active_day_threshold_seconds = excluded.active_day_threshold_seconds, time_zone = excluded.time_zone, \
         guests_may_view = excluded.guests_may_view, view_only_may_view = excluded.view_only_may_view, \
         default_period_days = excluded.default_period_days, \
         refresh_interval_seconds = excluded.refresh_interval_seconds, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(settings.productive_hours_goal)
    .bind(i64::from(settings.minimum_group_size))
    .bind(settings.active_day_threshold_seconds as i64)
    .bind(settings.time_zone.name())
    .bind(i64::from(settings.guests_may_view))
    .bind(i64::from(settings.view_only_may_view))
    .bind(i64::from(settings.default_period_days))
    .bind(settings.refresh_interval.num_seconds())
    .bind(updated_by)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}
