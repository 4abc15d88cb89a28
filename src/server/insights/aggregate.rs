//! Reduction of Working Hours rows to team figures.
//!
//! Definitions (one row is one person-day):
//! - an active day is a person-day whose total time reaches the account's
//!   active-day threshold;
//! - Productive Hrs/Day is productive seconds (active and passive) summed
//!   over active days, divided by the number of active days and by 3600;
//! - Active Hrs/Day is active seconds on active days over active days;
//! - productive share is productive seconds over all seconds, on all rows.
//!
//! The privacy rule: a figure is returned only when it covers at least the
//! minimum group size of distinct people, for the whole selection and for
//! each day of the chart.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::model::{ClassSeconds, DayTime, DayTotals, Insights, Period, TeamFigures};
use crate::server::activtrak::{TimeBlock, WorkingHoursRow};

/// The account settings that change the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AggregationRules {
    pub minimum_group_size: u32,
    pub active_day_threshold_seconds: u64,
}

/// Merges the rows of several queries (one per group), keeping one row per
/// person and date, so that a person in two chosen groups counts once. Rows
/// without a user id or a date cannot be attributed and are dropped.
pub fn merge_rows(sets: Vec<Vec<WorkingHoursRow>>) -> Vec<WorkingHoursRow> {
    let mut seen = HashSet::new();
    let mut merged = Vec::new();
    for row in sets.into_iter().flatten() {
        let (Some(user_id), Some(date)) = (row.user_id, row.date) else {
            continue;
        };
        if seen.insert((user_id, date)) {
            merged.push(row);
        }
    }
    merged
}

fn class_seconds(block: &TimeBlock) -> ClassSeconds {
    ClassSeconds {
        productive: block.productive,
        unproductive: block.unproductive,
        undefined: block.undefined,
    }
}

/// Computes the team figures for `rows` over `period`. Rows dated outside the
/// period, or without a user id, are ignored.
pub fn aggregate(
    rows: &[WorkingHoursRow],
    period: Period,
    groups: &[i64],
    rules: AggregationRules,
    fetched_at: i64,
) -> Insights {
    let in_period: Vec<(&WorkingHoursRow, i64, NaiveDate)> = rows
        .iter()
        .filter_map(|row| Some((row, row.user_id?, row.date?)))
        .filter(|(_, _, date)| *date >= period.from && *date <= period.to)
        .collect();
    if in_period.is_empty() {
        return Insights::NoActivity { period };
    }

    let people: HashSet<i64> = in_period.iter().map(|(_, user, _)| *user).collect();
    if (people.len() as u32) < rules.minimum_group_size {
        return Insights::TooFewPeople {
            period,
            minimum_group_size: rules.minimum_group_size,
        };
    }

    let mut active_days = 0u32;
    let mut productive_on_active_days = 0u64;
    let mut active_on_active_days = 0u64;
    let mut productive_all = 0u64;
    let mut seconds_all = 0u64;
    let mut by_date: BTreeMap<NaiveDate, (DayTime, HashSet<i64>)> = BTreeMap::new();

    for (row, user, date) in &in_period {
        let active = class_seconds(&row.active_time);
        let passive = class_seconds(&row.passive_time);
        let productive = active.productive + passive.productive;
        let total = row.total_seconds();

        productive_all += productive;
        seconds_all += total;
        if total >= rules.active_day_threshold_seconds {
            active_days += 1;
            productive_on_active_days += productive;
            active_on_active_days += row.active_time.total_seconds();
        }

        let (day, day_people) = by_date.entry(*date).or_default();
        day.active.add(&active);
        day.passive.add(&passive);
        day_people.insert(*user);
    }

    let per_active_day = |seconds: u64| {
        (active_days > 0).then(|| seconds as f64 / f64::from(active_days) / 3600.0)
    };
    let days = period
        .from
        .iter_days()
        .take_while(|date| *date <= period.to)
        .map(|date| DayTotals {
            date,
            time: by_date
                .get(&date)
                .filter(|(_, day_people)| day_people.len() as u32 >= rules.minimum_group_size)
                .map(|(time, _)| *time),
        })
        .collect();

    Insights::Figures(Box::new(TeamFigures {
        period,
        groups: groups.to_vec(),
        people: people.len() as u32,
        person_days: in_period.len() as u32,
        active_days,
        active_day_threshold_seconds: rules.active_day_threshold_seconds,
        minimum_group_size: rules.minimum_group_size,
        productive_hours_per_day: per_active_day(productive_on_active_days),
        active_hours_per_day: per_active_day(active_on_active_days),
        productive_share: (seconds_all > 0).then(|| productive_all as f64 / seconds_all as f64),
        days,
        fetched_at,
    }))
}

/// Counts distinct people per group id in `rows` (used to report group
/// membership without keeping any per-person value).
pub fn people_per_group(rows: &[WorkingHoursRow]) -> HashMap<i64, usize> {
    let mut members: HashMap<i64, HashSet<i64>> = HashMap::new();
    for row in rows {
        let Some(user) = row.user_id else { continue };
        for group in row.groups.iter().filter_map(|group| group.id) {
            members.entry(group).or_default().insert(user);
        }
    }
    members.into_iter().map(|(group, people)| (group, people.len())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::activtrak::WorkingHoursRow;

    const RULES: AggregationRules = AggregationRules {
        minimum_group_size: 3,
        active_day_threshold_seconds: 7200,
    };

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn period(from: u32, to: u32) -> Period {
        Period { from: date(from), to: date(to) }
    }

    /// A row with active (productive, unproductive, undefined) and passive
    /// (productive, unproductive, undefined) seconds; `totalTime` is left
    /// out so the row's total is the sum of both blocks.
    fn row(user: i64, day: u32, active: [u64; 3], passive: [u64; 3]) -> WorkingHoursRow {
        let block = |s: [u64; 3]| TimeBlock {
            productive: s[0],
            unproductive: s[1],
            undefined: s[2],
            total: None,
        };
        WorkingHoursRow {
            date: Some(date(day)),
            user_id: Some(user),
            active_time: block(active),
            passive_time: block(passive),
            ..WorkingHoursRow::default()
        }
    }

    fn figures(insights: Insights) -> TeamFigures {
        match insights {
            Insights::Figures(figures) => *figures,
            other => panic!("expected figures, got {other:?}"),
        }
    }

    #[test]
    fn hand_worked_example() {
        // Day 2: three people. Day 3: person 1 only, 1 h (not an active day).
        let rows = vec![
            row(1, 2, [10_800, 1_800, 0], [900, 0, 0]),     // 13 500 s, productive 11 700
            row(2, 2, [7_200, 0, 3_600], [0, 600, 0]),      // 11 400 s, productive 7 200
            row(3, 2, [3_600, 3_600, 0], [0, 0, 300]),      //  7 500 s, productive 3 600
            row(1, 3, [3_600, 0, 0], [0, 0, 0]),            //  3 600 s, below 2 h
        ];
        let result = figures(aggregate(&rows, period(2, 3), &[], RULES, 99));

        assert_eq!(result.people, 3);
        assert_eq!(result.person_days, 4);
        assert_eq!(result.active_days, 3);
        // (11 700 + 7 200 + 3 600) / 3 / 3600 = 22 500 / 10 800 = 2.0833…
        assert!((result.productive_hours_per_day.unwrap() - 22_500.0 / 10_800.0).abs() < 1e-12);
        // Active seconds on active days: 12 600 + 10 800 + 7 200 = 30 600; / 3 / 3600 = 2.8333…
        assert!((result.active_hours_per_day.unwrap() - 30_600.0 / 10_800.0).abs() < 1e-12);
        // Productive on all rows: 22 500 + 3 600 = 26 100 of 13 500 + 11 400 + 7 500 + 3 600 = 36 000.
        assert!((result.productive_share.unwrap() - 26_100.0 / 36_000.0).abs() < 1e-12);

        assert_eq!(result.days.len(), 2);
        let day_two = result.days[0].time.unwrap();
        assert_eq!(day_two.active, ClassSeconds { productive: 21_600, unproductive: 5_400, undefined: 3_600 });
        assert_eq!(day_two.passive, ClassSeconds { productive: 900, unproductive: 600, undefined: 300 });
        // Day 3 has one person, below the minimum of 3: withheld.
        assert_eq!(result.days[1].time, None);
        assert_eq!(result.fetched_at, 99);
    }

    #[test]
    fn too_few_people_returns_no_figures() {
        let rows = vec![row(1, 2, [9_000, 0, 0], [0; 3]), row(2, 2, [9_000, 0, 0], [0; 3])];
        assert_eq!(
            aggregate(&rows, period(2, 2), &[], RULES, 0),
            Insights::TooFewPeople { period: period(2, 2), minimum_group_size: 3 }
        );
    }

    #[test]
    fn no_rows_is_no_activity() {
        assert_eq!(
            aggregate(&[], period(2, 8), &[], RULES, 0),
            Insights::NoActivity { period: period(2, 8) }
        );
    }

    #[test]
    fn rows_outside_period_are_ignored() {
        let rows = vec![
            row(1, 1, [9_000, 0, 0], [0; 3]),
            row(2, 1, [9_000, 0, 0], [0; 3]),
            row(3, 1, [9_000, 0, 0], [0; 3]),
        ];
        assert_eq!(aggregate(&rows, period(2, 3), &[], RULES, 0), Insights::NoActivity { period: period(2, 3) });
    }

    #[test]
    fn passive_only_day_counts_by_total_time() {
        // 2.5 h of passive time only: an active day with zero active seconds.
        let rows = vec![
            row(1, 2, [0; 3], [9_000, 0, 0]),
            row(2, 2, [0; 3], [9_000, 0, 0]),
            row(3, 2, [0; 3], [9_000, 0, 0]),
        ];
        let result = figures(aggregate(&rows, period(2, 2), &[], RULES, 0));
        assert_eq!(result.active_days, 3);
        assert_eq!(result.active_hours_per_day, Some(0.0));
        assert_eq!(result.productive_hours_per_day, Some(2.5));
        assert_eq!(result.productive_share, Some(1.0));
    }

    #[test]
    fn no_active_day_leaves_per_day_figures_empty() {
        let rows = vec![
            row(1, 2, [600, 0, 0], [0; 3]),
            row(2, 2, [600, 0, 0], [0; 3]),
            row(3, 2, [0, 600, 0], [0; 3]),
        ];
        let result = figures(aggregate(&rows, period(2, 2), &[], RULES, 0));
        assert_eq!(result.active_days, 0);
        assert_eq!(result.productive_hours_per_day, None);
        assert_eq!(result.active_hours_per_day, None);
        assert!((result.productive_share.unwrap() - 1_200.0 / 1_800.0).abs() < 1e-12);
    }

    #[test]
    fn total_time_field_decides_active_day() {
        // Blocks sum to 1 h but ActivTrak's totalTime says 3 h: the row's
        // own total wins, as the product's definition says.
        let mut with_total = row(1, 2, [3_600, 0, 0], [0; 3]);
        with_total.total_time = Some(10_800);
        let rows = vec![with_total, row(2, 2, [9_000, 0, 0], [0; 3]), row(3, 2, [9_000, 0, 0], [0; 3])];
        let result = figures(aggregate(&rows, period(2, 2), &[], RULES, 0));
        assert_eq!(result.active_days, 3);
    }

    #[test]
    fn merge_counts_person_in_two_groups_once() {
        let sales = vec![row(1, 2, [9_000, 0, 0], [0; 3]), row(2, 2, [9_000, 0, 0], [0; 3])];
        let marketing = vec![row(2, 2, [9_000, 0, 0], [0; 3]), row(3, 2, [9_000, 0, 0], [0; 3])];
        let merged = merge_rows(vec![sales, marketing]);
        assert_eq!(merged.len(), 3);
        let result = figures(aggregate(&merged, period(2, 2), &[101, 104], RULES, 0));
        assert_eq!(result.people, 3);
        assert_eq!(result.days[0].time.unwrap().active.productive, 27_000);
    }

    #[test]
    fn merge_drops_rows_without_user_or_date() {
        let mut no_user = row(1, 2, [1; 3], [0; 3]);
        no_user.user_id = None;
        let mut no_date = row(2, 2, [1; 3], [0; 3]);
        no_date.date = None;
        assert!(merge_rows(vec![vec![no_user, no_date]]).is_empty());
    }
}
