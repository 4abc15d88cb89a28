//! The insights service: from a verified monday session and a query to team
//! figures, through the account's credential, the cache and ActivTrak.

pub mod aggregate;
pub mod compute;
pub mod engine;
pub mod settings;
pub mod upstream;

use chrono::{Duration, NaiveDate};

use crate::errors::AppError;
use crate::model::{Freshness, Insights, InsightsQuery, InsightsResponse, Period};
use crate::server::activtrak::ActivTrakError;
use crate::server::db::credentials;
use crate::server::error::ServiceError;
use crate::server::session_token::MondaySession;
use crate::server::state::AppState;

use aggregate::AggregationRules;
use engine::{CachedAnswer, FetchFailure, FetchJob};
use settings::AccountSettings;

/// Maximum number of days one request may cover.
pub const MAX_PERIOD_DAYS: i64 = 92;

/// Maximum number of groups one request may name.
pub const MAX_GROUPS: usize = 20;

/// Returns the earliest date a request may name (an assumed floor: no
/// ActivTrak account has data from before 2000).
fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// Checks a query and resolves a missing period to the account's default,
/// which ends today in the account's time zone.
pub fn resolve_period(query: &InsightsQuery, today: NaiveDate, default_days: u32) -> Result<Period, AppError> {
    let period = match (query.from, query.to) {
        (Some(from), Some(to)) => Period { from, to },
        (None, None) => {
            let days = match query.days {
                Some(days) if (1..=MAX_PERIOD_DAYS as u32).contains(&days) => days,
                Some(_) => {
                    return Err(AppError::invalid("days", format!("must be between 1 and {MAX_PERIOD_DAYS}")))
                }
                None => default_days.max(1),
            };
            Period {
                from: today - Duration::days(i64::from(days) - 1),
                to: today,
            }
        }
        (Some(_), None) => return Err(AppError::invalid("to", "is required when `from` is given")),
        (None, Some(_)) => return Err(AppError::invalid("from", "is required when `to` is given")),
    };
    if period.from > period.to {
        return Err(AppError::invalid("from", "must not be after `to`"));
    }
    if period.from < earliest_date() {
        return Err(AppError::invalid("from", "must not be before 2000-01-01"));
    }
    if period.to > today {
        return Err(AppError::invalid("to", format!("must not be after today ({today})")));
    }
    if query.groups.iter().any(|group| *group <= 0) {
        return Err(AppError::invalid("group", "ActivTrak group ids are positive numbers"));
    }
    if period.days() > MAX_PERIOD_DAYS {
        return Err(AppError::invalid(
            "to",
            format!("the period covers {} days; the maximum is {MAX_PERIOD_DAYS}", period.days()),
        ));
    }
    if query.groups.len() > MAX_GROUPS {
        return Err(AppError::invalid("group", format!("at most {MAX_GROUPS} groups per request")));
    }
    Ok(period)
}

/// Checks the account's policy for guests and view-only users.
pub fn check_view_policy(session: &MondaySession, settings: &AccountSettings) -> Result<(), AppError> {
    if session.is_guest && !settings.guests_may_view {
        return Err(AppError::Forbidden {
            message: "Guests of this monday account can't see ActivTrak insights. An admin can allow it in Settings."
                .to_owned(),
        });
    }
    if session.is_view_only && !settings.view_only_may_view {
        return Err(AppError::Forbidden {
            message: "View-only users of this monday account can't see ActivTrak insights.".to_owned(),
        });
    }
    Ok(())
}

fn cache_key(period: Period, groups: &[i64], rules: AggregationRules) -> String {
    let mut groups = groups.to_vec();
    groups.sort_unstable();
    groups.dedup();
    let groups: Vec<String> = groups.iter().map(i64::to_string).collect();
    format!(
        "v2|{}|{}|groups={}|min={}|active={}|goal={}",
        period.from,
        period.to,
        groups.join(","),
        rules.minimum_group_size,
        rules.active_day_threshold_seconds,
        rules.goal_hours
    )
}

/// Returns the team figures the session may see for `query`, with their
/// age. Fresh cached answers return at once; a stale one returns at once
/// while one refresh runs in the background; a miss waits for one fetch,
/// shared with every other request for the same key, up to the deadline.
pub async fn load_insights(
    state: &AppState,
    session: &MondaySession,
    query: &InsightsQuery,
) -> Result<InsightsResponse, ServiceError> {
    // A key saved or removed while the fetch ran makes its result unusable;
    // one more attempt reads the new credential.
    match load_once(state, session, query).await {
        Err(ServiceError::Fetch { failure: FetchFailure::KeyChanged, .. }) => load_once(state, session, query).await,
        other => other,
    }
}

async fn load_once(
    state: &AppState,
    session: &MondaySession,
    query: &InsightsQuery,
) -> Result<InsightsResponse, ServiceError> {
    let account_id = session.account_id.0;
    let settings = crate::server::db::settings::load_settings(&state.db, account_id).await?;
    check_view_policy(session, &settings)?;

    let now = state.clock.now();
    let today = now.with_timezone(&settings.time_zone).date_naive();
    let period = resolve_period(query, today, settings.default_period_days)?;

    let Some(credential) = credentials::load_credential(&state.db, account_id).await? else {
        return Ok(InsightsResponse {
            insights: Insights::NotConnected {
                can_connect: session.is_admin,
            },
            freshness: Freshness::default(),
            can_manage: session.is_admin,
        });
    };
    let can_manage = session.is_admin || credential.connected_by == Some(session.user_id.0);
    let rules = settings.aggregation_rules();
    let mut groups = query.groups.clone();
    groups.sort_unstable();
    groups.dedup();
    let job = FetchJob {
        account_id,
        generation: credential.generation,
        cache_key: cache_key(period, &groups, rules),
        period,
        groups,
        rules,
        max_age: settings.max_cache_age(period, today).num_seconds(),
    };

    if let Some(answer) = state.engine.cached(state, &job).await? {
        let fresh = now.timestamp() - answer.fetched_at < job.max_age;
        if fresh {
            return Ok(respond(&answer, false, None, can_manage));
        }
        metrics::counter!("activtrak_board_cache_lookups_total", "result" => "stale", "layer" => "any").increment(1);
        if credential.problem.is_none() {
            // Started, not awaited: this request returns the stale data now.
            let _refresh = state.engine.fetch(state, job.clone());
        }
        let problem = credential
            .problem
            .map(|_| "ActivTrak rejected the stored key".to_owned())
            .or_else(|| state.engine.problem(&job));
        return Ok(respond(&answer, true, problem, can_manage));
    }

    metrics::counter!("activtrak_board_cache_lookups_total", "result" => "miss", "layer" => "any").increment(1);
    if let Some(problem) = credential.problem {
        return Err(ServiceError::KeyRejected { account_id, is_admin: session.is_admin, problem });
    }
    let fetch = state.engine.fetch(state, job);
    match tokio::time::timeout(state.config.insights_deadline, fetch).await {
        Ok(Ok(answer)) => Ok(respond(&answer, false, None, can_manage)),
        Ok(Err(failure)) => Err(ServiceError::Fetch { account_id, is_admin: session.is_admin, failure }),
        Err(_) => Err(ServiceError::Fetch {
            account_id,
            is_admin: session.is_admin,
            failure: FetchFailure::ActivTrak(std::sync::Arc::new(ActivTrakError::Timeout)),
        }),
    }
}

fn respond(answer: &CachedAnswer, stale: bool, problem: Option<String>, can_manage: bool) -> InsightsResponse {
    InsightsResponse {
        can_manage,
        insights: answer.insights.clone(),
        freshness: Freshness {
            fetched_at: Some(answer.fetched_at),
            stale,
            problem,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn query(from: Option<u32>, to: Option<u32>) -> InsightsQuery {
        InsightsQuery { from: from.map(day), to: to.map(day), groups: vec![], days: None }
    }

    #[test]
    fn days_pick_the_last_days_ending_today() {
        let last_fourteen = InsightsQuery { days: Some(14), ..InsightsQuery::default() };
        assert_eq!(resolve_period(&last_fourteen, day(20), 7).unwrap(), Period { from: day(7), to: day(20) });
        let too_many = InsightsQuery { days: Some(93), ..InsightsQuery::default() };
        let error = resolve_period(&too_many, day(20), 7).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "days"));
    }

    #[test]
    fn default_period_is_last_seven_days() {
        let period = resolve_period(&query(None, None), day(20), 7).unwrap();
        assert_eq!(period, Period { from: day(14), to: day(20) });
        assert_eq!(period.days(), 7);
    }

    #[test]
    fn from_after_to_names_from() {
        let error = resolve_period(&query(Some(5), Some(4)), day(20), 7).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "from"));
    }

    #[test]
    fn only_one_date_is_rejected() {
        let error = resolve_period(&query(Some(5), None), day(20), 7).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "to"));
    }

    #[test]
    fn ninety_two_days_pass_ninety_three_fail() {
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let ok = InsightsQuery { from: Some(from), to: Some(from + Duration::days(91)), ..InsightsQuery::default() };
        let today = from + Duration::days(100);
        assert_eq!(resolve_period(&ok, today, 7).unwrap().days(), 92);
        let too_long = InsightsQuery { from: Some(from), to: Some(from + Duration::days(92)), ..InsightsQuery::default() };
        assert!(resolve_period(&too_long, today, 7).is_err());
    }

    #[test]
    fn cache_key_ignores_group_order_and_repeats() {
        let rules = AggregationRules { minimum_group_size: 5, active_day_threshold_seconds: 7200, goal_hours: 6.0 };
        let period = Period { from: day(1), to: day(7) };
        assert_eq!(cache_key(period, &[3, 1, 3], rules), cache_key(period, &[1, 3], rules));
        assert_ne!(cache_key(period, &[1], rules), cache_key(period, &[], rules));
    }
}
