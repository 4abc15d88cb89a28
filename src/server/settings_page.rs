//! The settings page's services: what it shows, connecting and
//! disconnecting ActivTrak, and account settings. Rights are checked by the
//! server functions before these run.

use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};

use crate::errors::AppError;
use crate::model::{AccountSettingsForm, AuditLine, ConnectionInfo, SettingsView};
use crate::server::activtrak::{ActivTrakError, AuthHeader, Region, WorkingHoursQuery};
use crate::server::db::accounts::load_account;
use crate::server::db::audit;
use crate::server::db::credentials::{
    clear_problem, delete_credential, load_credential, save_credential, KeyProblem, NewCredential,
};
use crate::server::db::settings::{load_settings, save_settings as store_settings};
use crate::server::db::sign_in::SignedInUser;
use crate::server::error::ServiceError;
use crate::server::insights::settings::AccountSettings;
use crate::server::state::AppState;

/// Audit entries shown on the page.
const AUDIT_LINES: i64 = 50;

/// Whether `user` may change the account's connection and settings: monday
/// account admins, and the user who connected the account.
pub async fn may_manage(state: &AppState, user: &SignedInUser) -> Result<bool, ServiceError> {
    if user.is_admin {
        return Ok(true);
    }
    let credential = load_credential(&state.db, user.account_id).await?;
    Ok(credential.is_some_and(|credential| credential.connected_by == Some(user.user_id)))
}

pub async fn load(state: &AppState, user: &SignedInUser) -> Result<SettingsView, ServiceError> {
    let account_id = user.account_id;
    let can_manage = may_manage(state, user).await?;
    let account = load_account(&state.db, account_id).await?;
    let settings = load_settings(&state.db, account_id).await?;
    let connection = load_credential(&state.db, account_id).await?.map(|credential| {
        let readable = state.config.keyring.open(account_id, &credential.sealed_key).is_ok();
        let problem = if !readable {
            Some("The stored key can no longer be read (the encryption key changed). Enter the API key again.".to_owned())
        } else {
            credential.problem.map(|problem| match problem {
                KeyProblem::Unauthorized => {
                    "ActivTrak no longer accepts this key (401): it may have been deleted. Replace the key.".to_owned()
                }
                KeyProblem::Forbidden => "ActivTrak refuses this key (403): the plan may not include API access, \
                                          or its creator may not see the data. Replace the key."
                    .to_owned(),
            })
        };
        ConnectionInfo {
            region: credential.region.as_str().to_owned(),
            auth_header: credential.auth_header.as_str().to_owned(),
            connected_by: credential.connected_by,
            connected_at: credential.connected_at,
            problem,
        }
    });
    let audit = if can_manage {
        audit::recent(&state.db, account_id, AUDIT_LINES)
            .await?
            .into_iter()
            .map(|entry| AuditLine {
                at: entry.at,
                actor_user_id: entry.actor_user_id,
                action: entry.action,
                details: entry.details,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SettingsView {
        account_id,
        account_name: account.and_then(|account| account.name),
        user_id: user.user_id,
        user_name: user.user_name.clone(),
        is_admin: user.is_admin,
        can_manage,
        connection,
        settings: settings.to_form(),
        audit,
    })
}

/// Checks a key with a one-day Working Hours request and explains a refusal.
async fn verify_key(
    state: &AppState,
    region: Region,
    auth_header: AuthHeader,
    api_key: &SecretString,
    account_id: i64,
) -> Result<(), AppError> {
    let settings = load_settings(&state.db, account_id).await.map_err(|_| AppError::Internal)?;
    let yesterday = state.clock.now().with_timezone(&settings.time_zone).date_naive() - Duration::days(1);
    let query = WorkingHoursQuery { from: yesterday, to: yesterday, group_id: None };
    match state.activtrak.working_hours(region, auth_header, api_key, query).await {
        Ok(_) => Ok(()),
        Err(ActivTrakError::Unauthorized) => Err(AppError::invalid(
            "api_key",
            "ActivTrak rejected this API key (401): it is invalid or was deleted. Copy it again from ActivTrak \
             under API & Integrations → API Keys.",
        )),
        Err(ActivTrakError::Forbidden) => Err(AppError::invalid(
            "api_key",
            "ActivTrak refused this key (403). Either the ActivTrak plan does not include API access (trial and \
             free plans have none), or the person who created the key has a role that cannot see this data.",
        )),
        Err(ActivTrakError::Timeout | ActivTrakError::Connect) => Err(AppError::Upstream {
            message: format!(
                "ActivTrak could not be reached in the {} region. Check the region and try again.",
                region.as_str().to_uppercase()
            ),
        }),
        Err(other) => {
            tracing::warn!(account.id = account_id, error = %other, "ActivTrak key check failed");
            Err(AppError::Upstream { message: format!("ActivTrak could not check the key: {other}.") })
        }
    }
}

pub async fn connect(
    state: &AppState,
    user: &SignedInUser,
    api_key: String,
    region: &str,
    auth_header: &str,
) -> Result<String, ServiceError> {
    let api_key = SecretString::from(api_key.trim().to_owned());
    if api_key.expose_secret().is_empty() {
        return Err(AppError::invalid("api_key", "paste the ActivTrak API key").into());
    }
    let region: Region = region.parse().map_err(|message: String| AppError::invalid("region", message))?;
    let auth_header: AuthHeader =
        auth_header.parse().map_err(|message: String| AppError::invalid("auth_header", message))?;
    let account_id = user.account_id;
    verify_key(state, region, auth_header, &api_key, account_id).await?;

    let replacing = load_credential(&state.db, account_id).await?.is_some();
    let sealed = state.config.keyring.seal(account_id, &api_key);
    let now = state.clock.now().timestamp();
    save_credential(
        &state.db,
        NewCredential {
            account_id,
            region,
            auth_header,
            sealed_key: &sealed,
            connected_by: Some(user.user_id),
            now,
        },
    )
    .await?;
    let action = if replacing { "replace_key" } else { "connect" };
    let details = format!("region {}, header {}", region.as_str(), auth_header.as_str());
    audit::record(&state.db, account_id, Some(user.user_id), action, &details, now).await?;
    tracing::info!(account.id = account_id, user.id = user.user_id, action, "ActivTrak key stored");
    Ok(if replacing { "The ActivTrak key was replaced." } else { "ActivTrak is connected." }.to_owned())
}

pub async fn test(state: &AppState, user: &SignedInUser) -> Result<String, ServiceError> {
    let account_id = user.account_id;
    let credential = load_credential(&state.db, account_id)
        .await?
        .ok_or_else(|| AppError::invalid("api_key", "ActivTrak is not connected yet"))?;
    let api_key = state
        .config
        .keyring
        .open(account_id, &credential.sealed_key)
        .map_err(|source| ServiceError::Crypto { account_id, source })?;
    verify_key(state, credential.region, credential.auth_header, &api_key, account_id).await?;
    clear_problem(&state.db, account_id, credential.generation).await?;
    Ok("The connection works: ActivTrak accepted the key.".to_owned())
}

pub async fn disconnect(state: &AppState, user: &SignedInUser) -> Result<String, ServiceError> {
    let account_id = user.account_id;
    let existed = delete_credential(&state.db, account_id).await?;
    let now = state.clock.now().timestamp();
    if existed {
        audit::record(&state.db, account_id, Some(user.user_id), "disconnect", "key and cached data deleted", now).await?;
        tracing::info!(account.id = account_id, user.id = user.user_id, "ActivTrak disconnected");
    }
    Ok("ActivTrak is disconnected; the key and the cached data were deleted.".to_owned())
}

pub async fn save_settings(state: &AppState, user: &SignedInUser, form: &AccountSettingsForm) -> Result<String, ServiceError> {
    let settings = AccountSettings::from_form(form)?;
    let account_id = user.account_id;
    let before = load_settings(&state.db, account_id).await?.to_form();
    let now = state.clock.now().timestamp();
    store_settings(&state.db, account_id, &settings, Some(user.user_id), now).await?;
    let after = settings.to_form();
    let changed = changed_fields(&before, &after);
    if !changed.is_empty() {
        audit::record(&state.db, account_id, Some(user.user_id), "settings", &changed.join("; "), now).await?;
    }
    Ok("Settings saved. They apply to the next request on every board.".to_owned())
}

fn changed_fields(before: &AccountSettingsForm, after: &AccountSettingsForm) -> Vec<String> {
    let describe = |value: &Option<String>| if value.is_some() { "yes" } else { "no" }.to_owned();
    let pairs = [
        ("Productive Hrs/Day goal", before.productive_hours_goal.clone(), after.productive_hours_goal.clone()),
        ("minimum group size", before.minimum_group_size.clone(), after.minimum_group_size.clone()),
        ("active-day threshold (h)", before.active_day_threshold_hours.clone(), after.active_day_threshold_hours.clone()),
        ("time zone", before.time_zone.clone(), after.time_zone.clone()),
        ("guests may view", describe(&before.guests_may_view), describe(&after.guests_may_view)),
        ("view-only users may view", describe(&before.view_only_may_view), describe(&after.view_only_may_view)),
        ("default period (days)", before.default_period_days.clone(), after.default_period_days.clone()),
        ("refresh interval (min)", before.refresh_interval_minutes.clone(), after.refresh_interval_minutes.clone()),
    ];
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(name, old, new)| format!("{name}: {old} → {new}"))
        .collect()
}
