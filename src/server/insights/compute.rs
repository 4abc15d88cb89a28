//! One fetch: the rows of the selection and of the previous period, reduced
//! to the answer that is cached.

use std::collections::HashMap;

use chrono::Duration;
use secrecy::SecretString;

use crate::model::{Insights, Period};
use crate::server::activtrak::{ActivTrakError, WorkingHoursRow};
use crate::server::db::credentials::StoredCredential;
use crate::server::db::groups::record_seen_groups;
use crate::server::state::AppState;

use super::aggregate::{aggregate, compare_groups, groups_seen, headline_changes, merge_rows};
use super::engine::FetchJob;
use super::upstream::fetch_rows;

/// Returns the period of the same length that ends the day before `period`
/// starts.
pub fn previous_period(period: Period) -> Period {
    let length = Duration::days(period.days());
    Period {
        from: period.from - length,
        to: period.to - length,
    }
}

/// Rows per requested group (one query each), or one query for the whole
/// account when no group is named.
async fn rows_by_group(
    state: &AppState,
    credential: &StoredCredential,
    api_key: &SecretString,
    period: Period,
    groups: &[i64],
) -> Result<Vec<(Option<i64>, Vec<WorkingHoursRow>)>, ActivTrakError> {
    let group_ids: Vec<Option<i64>> = if groups.is_empty() {
        vec![None]
    } else {
        groups.iter().copied().map(Some).collect()
    };
    // One query per group, all at once (at most 20 groups per request).
    let fetches = group_ids.into_iter().map(|group_id| async move {
        let rows = fetch_rows(state, credential, api_key, period, group_id).await?;
        Ok::<_, ActivTrakError>((group_id, rows))
    });
    futures::future::try_join_all(fetches).await
}

/// Fetches and aggregates everything one answer needs.
pub async fn compute(
    state: &AppState,
    credential: &StoredCredential,
    api_key: &SecretString,
    job: &FetchJob,
) -> Result<Insights, ActivTrakError> {
    let fetched_at = state.clock.now().timestamp();
    // The previous period (for the changes) is read at the same time.
    let previous = previous_period(job.period);
    let (sets, previous_sets) = futures::try_join!(
        rows_by_group(state, credential, api_key, job.period, &job.groups),
        rows_by_group(state, credential, api_key, previous, &job.groups),
    )?;
    learn_groups(state, job.account_id, &sets).await;

    let merged = merge_rows(sets.iter().map(|(_, rows)| rows.clone()).collect());
    let current = aggregate(&merged, job.period, &job.groups, job.rules, fetched_at);

    let mut comparison = Vec::new();
    if job.groups.len() >= 2 {
        let names: HashMap<i64, String> = groups_seen(&merged)
            .into_iter()
            .filter_map(|(id, name)| Some((id, name?)))
            .collect();
        let per_group: Vec<(i64, Vec<WorkingHoursRow>)> =
            sets.into_iter().filter_map(|(group, rows)| Some((group?, rows))).collect();
        comparison = compare_groups(&per_group, &names, job.period, job.rules);
        if comparison.iter().any(|group| group.withheld) {
            return Ok(Insights::Comparison {
                period: job.period,
                groups: comparison,
            });
        }
    }

    let Insights::Figures(mut figures) = current else {
        return Ok(current);
    };
    let previous_rows = merge_rows(previous_sets.into_iter().map(|(_, rows)| rows).collect());
    let previous_insights = aggregate(&previous_rows, previous, &job.groups, job.rules, fetched_at);
    figures.changes = headline_changes(&figures, &previous_insights, previous);
    figures.group_comparison = comparison;
    Ok(Insights::Figures(figures))
}

/// Records the group ids and names seen in rows. A failure here only costs
/// a name in the list, so it is logged and the fetch goes on.
async fn learn_groups(state: &AppState, account_id: i64, sets: &[(Option<i64>, Vec<WorkingHoursRow>)]) {
    let mut seen: Vec<(i64, Option<String>)> = Vec::new();
    for (_, rows) in sets {
        for (id, name) in groups_seen(rows) {
            if !seen.iter().any(|(known, _)| *known == id) {
                seen.push((id, name));
            }
        }
    }
    if let Err(error) = record_seen_groups(&state.db, account_id, &seen).await {
        tracing::warn!(account.id = account_id, error = %error, "could not record ActivTrak groups");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn previous_period_has_same_length_and_ends_before() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let previous = previous_period(Period { from: day(14), to: day(20) });
        assert_eq!(previous, Period { from: day(7), to: day(13) });
    }
}
