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

use chrono::{NaiveDate, Timelike};

use crate::model::{
    ClassSeconds, DayTime, DayTotals, DerivedFigure, GroupFigures, HeadlineChanges, Insights, Period, TeamFigures,
    WorkDaySpan,
};
use crate::server::activtrak::{TimeBlock, WorkingHoursRow};

/// The account settings that change the figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AggregationRules {
    pub minimum_group_size: u32,
    pub active_day_threshold_seconds: u64,
    pub goal_hours: f64,
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
    let (mut active_seconds, mut passive_seconds) = (0u64, 0u64);
    let mut first_times = (0u64, 0u64, HashSet::new());
    let mut last_times = (0u64, 0u64, HashSet::new());

    for (row, user, date) in &in_period {
        let active = class_seconds(&row.active_time);
        let passive = class_seconds(&row.passive_time);
        let productive = active.productive + passive.productive;
        let total = row.total_seconds();

        productive_all += productive;
        seconds_all += total;
        active_seconds += row.active_time.total_seconds();
        passive_seconds += row.passive_time.total_seconds();
        // A missing time is skipped, never read as midnight.
        if let Some(first) = row.first_activity {
            first_times.0 += u64::from(first.num_seconds_from_midnight());
            first_times.1 += 1;
            first_times.2.insert(*user);
        }
        if let Some(last) = row.last_activity {
            last_times.0 += u64::from(last.num_seconds_from_midnight());
            last_times.1 += 1;
            last_times.2.insert(*user);
        }
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
        productive_share: (seconds_all > 0).then(|| DerivedFigure::new(productive_all as f64 / seconds_all as f64)),
        goal_hours: rules.goal_hours,
        active_seconds,
        passive_seconds,
        work_day_span: work_day_span(&first_times, &last_times, rules.minimum_group_size),
        changes: None,
        group_comparison: Vec::new(),
        days,
        fetched_at,
    }))
}

type TimeSums = (u64, u64, HashSet<i64>);

fn work_day_span(first: &TimeSums, last: &TimeSums, minimum_group_size: u32) -> Option<WorkDaySpan> {
    let enough = |sums: &TimeSums| sums.1 > 0 && sums.2.len() as u32 >= minimum_group_size;
    if !enough(first) || !enough(last) {
        return None;
    }
    let mean = |sums: &TimeSums| ((sums.0 as f64 / sums.1 as f64).round()) as u32;
    Some(WorkDaySpan {
        mean_first_activity_seconds: mean(first),
        mean_last_activity_seconds: mean(last),
    })
}

/// Subtracts `previous`'s headline figures from `current`'s, when both
/// periods have figures.
pub fn headline_changes(current: &TeamFigures, previous: &Insights, previous_period: Period) -> Option<HeadlineChanges> {
    let Insights::Figures(previous) = previous else {
        return None;
    };
    let minus = |now: Option<f64>, before: Option<f64>| Some(now? - before?);
    Some(HeadlineChanges {
        previous_period,
        productive_hours_per_day: minus(current.productive_hours_per_day, previous.productive_hours_per_day),
        active_hours_per_day: minus(current.active_hours_per_day, previous.active_hours_per_day),
        productive_share: minus(
            current.productive_share.map(|share| share.value),
            previous.productive_share.map(|share| share.value),
        ),
    })
}

/// Productive Hrs/Day of each group, from that group's own rows. A group
/// with fewer people than the minimum (but some rows) is withheld.
pub fn compare_groups(
    sets: &[(i64, Vec<WorkingHoursRow>)],
    names: &HashMap<i64, String>,
    period: Period,
    rules: AggregationRules,
) -> Vec<GroupFigures> {
    sets.iter()
        .map(|(group_id, rows)| {
            let (withheld, productive_hours_per_day) = match aggregate(rows, period, &[*group_id], rules, 0) {
                Insights::Figures(figures) => (false, figures.productive_hours_per_day),
                Insights::TooFewPeople { .. } => (true, None),
                _ => (false, None),
            };
            GroupFigures {
                group_id: *group_id,
                name: names.get(group_id).cloned(),
                withheld,
                productive_hours_per_day,
            }
        })
        .collect()
}

/// Group ids and names seen in rows, for the account's list of groups.
pub fn groups_seen(rows: &[WorkingHoursRow]) -> HashMap<i64, Option<String>> {
    let mut seen: HashMap<i64, Option<String>> = HashMap::new();
    for group in rows.iter().flat_map(|row| &row.groups) {
        if let Some(id) = group.id {
            let entry = seen.entry(id).or_default();
            if entry.is_none() {
                entry.clone_from(&group.name);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::activtrak::WorkingHoursRow;

    const RULES: AggregationRules = AggregationRules {
        minimum_group_size: 3,
        active_day_threshold_seconds: 7200,
        goal_hours: 6.0,
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
        let share = result.productive_share.unwrap();
        assert!((share.value - 26_100.0 / 36_000.0).abs() < 1e-12);
        assert!(share.derived);
        // Active: 12 600 + 10 800 + 7 200 + 3 600; passive: 900 + 600 + 300.
        assert_eq!(result.active_seconds, 34_200);
        assert_eq!(result.passive_seconds, 1_800);

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
        assert_eq!(result.productive_share.map(|share| share.value), Some(1.0));
        assert_eq!(result.active_seconds, 0);
        assert_eq!(result.passive_seconds, 27_000);
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
        assert!((result.productive_share.unwrap().value - 1_200.0 / 1_800.0).abs() < 1e-12);
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

    fn with_times(mut row: WorkingHoursRow, first: Option<(u32, u32)>, last: Option<(u32, u32)>) -> WorkingHoursRow {
        row.first_activity = first.map(|(h, m)| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap());
        row.last_activity = last.map(|(h, m)| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap());
        row
    }

    #[test]
    fn work_day_span_skips_missing_times() {
        let rows = vec![
            with_times(row(1, 2, [9_000, 0, 0], [0; 3]), Some((8, 0)), Some((17, 0))),
            with_times(row(2, 2, [9_000, 0, 0], [0; 3]), Some((9, 0)), Some((18, 0))),
            with_times(row(3, 2, [9_000, 0, 0], [0; 3]), Some((10, 0)), None),
            with_times(row(3, 3, [9_000, 0, 0], [0; 3]), None, Some((16, 30))),
        ];
        let span = figures(aggregate(&rows, period(2, 3), &[], RULES, 0)).work_day_span.unwrap();
        // First: (8 + 9 + 10) h / 3 = 9:00. Last: (17 + 18 + 16.5) h / 3 = 17:10.
        assert_eq!(span.mean_first_activity_seconds, 9 * 3600);
        assert_eq!(span.mean_last_activity_seconds, 17 * 3600 + 10 * 60);
        assert_eq!(crate::model::time_of_day(span.mean_last_activity_seconds), "17:10");
    }

    #[test]
    fn work_day_span_needs_enough_people() {
        let rows = vec![
            with_times(row(1, 2, [9_000, 0, 0], [0; 3]), Some((8, 0)), Some((17, 0))),
            with_times(row(2, 2, [9_000, 0, 0], [0; 3]), Some((9, 0)), Some((18, 0))),
            with_times(row(3, 2, [9_000, 0, 0], [0; 3]), None, None),
        ];
        assert_eq!(figures(aggregate(&rows, period(2, 2), &[], RULES, 0)).work_day_span, None);
    }

    #[test]
    fn changes_subtract_previous_period() {
        let current_rows = vec![
            row(1, 9, [14_400, 0, 0], [0; 3]),
            row(2, 9, [14_400, 0, 0], [0; 3]),
            row(3, 9, [7_200, 7_200, 0], [0; 3]),
        ];
        let previous_rows = vec![
            row(1, 2, [7_200, 7_200, 0], [0; 3]),
            row(2, 2, [7_200, 7_200, 0], [0; 3]),
            row(3, 2, [7_200, 7_200, 0], [0; 3]),
        ];
        let current = figures(aggregate(&current_rows, period(9, 9), &[], RULES, 0));
        let previous = aggregate(&previous_rows, period(2, 2), &[], RULES, 0);
        let changes = headline_changes(&current, &previous, period(2, 2)).unwrap();
        // Now (4 + 4 + 2) h / 3 = 3.333 h; before 2 h each: +1.333 h.
        assert!((changes.productive_hours_per_day.unwrap() - (10.0 / 3.0 - 2.0)).abs() < 1e-12);
        // Active time is 4 h per day in both periods.
        assert!(changes.active_hours_per_day.unwrap().abs() < 1e-12);
        // Share: 36 000 / 43 200 now, 0.5 before.
        assert!((changes.productive_share.unwrap() - (36_000.0 / 43_200.0 - 0.5)).abs() < 1e-12);

        let empty = aggregate(&[], period(2, 2), &[], RULES, 0);
        assert_eq!(headline_changes(&current, &empty, period(2, 2)), None);
    }

    #[test]
    fn small_group_is_withheld_in_comparison() {
        let big = vec![row(1, 2, [9_000, 0, 0], [0; 3]), row(2, 2, [9_000, 0, 0], [0; 3]), row(3, 2, [3_600, 0, 0], [0; 3])];
        let small = vec![row(4, 2, [9_000, 0, 0], [0; 3]), row(5, 2, [9_000, 0, 0], [0; 3])];
        let names = HashMap::from([(101, "Sales".to_owned())]);
        let groups = compare_groups(&[(101, big), (105, small)], &names, period(2, 2), RULES);
        assert_eq!(groups[0].name.as_deref(), Some("Sales"));
        assert!(!groups[0].withheld);
        // (2.5 + 2.5) h over 2 active days (the 1 h day is not active).
        assert_eq!(groups[0].productive_hours_per_day, Some(2.5));
        assert!(groups[1].withheld);
        assert_eq!(groups[1].productive_hours_per_day, None);
    }

    #[test]
    fn groups_seen_keeps_first_name() {
        let mut first = row(1, 2, [1; 3], [0; 3]);
        first.groups = vec![crate::server::activtrak::GroupRef { id: Some(101), name: None }];
        let mut second = row(2, 2, [1; 3], [0; 3]);
        second.groups = vec![crate::server::activtrak::GroupRef { id: Some(101), name: Some("Sales".into()) }];
        let seen = groups_seen(&[first, second]);
        assert_eq!(seen.get(&101), Some(&Some("Sales".to_owned())));
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
