//! Seeded Working Hours rows for the ActivTrak stand-in.
//!
//! Every value is a pure function of the account's seed, the user id and the
//! date, so the same request returns the same rows in every process and on
//! every machine. The only input that moves is "today": the history covers
//! the [`HISTORY_DAYS`] dates ending today (UTC), and a given date keeps its
//! rows while it stays inside that window.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// API key of the larger sandbox ActivTrak account ("Acme", 26 people).
pub const ACME_API_KEY: &str = "sandbox-acme-key";

/// API key of the smaller sandbox ActivTrak account ("Globex", 8 people).
pub const GLOBEX_API_KEY: &str = "sandbox-globex-key";

/// Number of dates with data, ending today (UTC) inclusive.
pub const HISTORY_DAYS: i64 = 90;

const SECONDS_PER_HOUR: f64 = 3600.0;

/// An ActivTrak group of a sandbox account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivTrakGroup {
    pub id: u64,
    pub name: &'static str,
}

/// A person tracked by ActivTrak, with the one computer the rows name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivTrakUser {
    pub id: u64,
    /// Login name, sent as the row's `user` field.
    pub login: &'static str,
    pub computer_id: u64,
    pub computer: &'static str,
    pub group_ids: &'static [u64],
}

/// A sandbox ActivTrak account: its API key, groups, people and the knobs
/// that make its numbers differ from the other account's.
#[derive(Debug)]
pub struct ActivTrakAccount {
    pub name: &'static str,
    pub api_key: &'static str,
    pub groups: &'static [ActivTrakGroup],
    pub users: &'static [ActivTrakUser],
    seed: u64,
    /// Range of active productive hours on a normal working day.
    productive_hours: (f64, f64),
}

impl ActivTrakAccount {
    /// Finds a group of this account by id.
    pub fn group(&self, id: u64) -> Option<&'static ActivTrakGroup> {
        self.groups.iter().find(|group| group.id == id)
    }

    /// Lists the users that belong to the group `group_id`.
    pub fn group_members(&self, group_id: u64) -> Vec<&'static ActivTrakUser> {
        self.users
            .iter()
            .filter(|user| user.group_ids.contains(&group_id))
            .collect()
    }
}

#[rustfmt::skip]
const ACME_GROUPS: &[ActivTrakGroup] = &[
    ActivTrakGroup { id: 101, name: "Sales" },
    ActivTrakGroup { id: 102, name: "Engineering" },
    ActivTrakGroup { id: 103, name: "Support" },
    ActivTrakGroup { id: 104, name: "Marketing" },
    ActivTrakGroup { id: 105, name: "Leadership" },
];

/// Sales has 7 people, Engineering 6, Support 5, Marketing 5 and Leadership 3
/// (below the app's default minimum group size of 5). User 17 is in both Sales
/// and Marketing, and user 36 is in no group.
#[rustfmt::skip]
const ACME_USERS: &[ActivTrakUser] = &[
    ActivTrakUser { id: 11, login: "aparker", computer_id: 211, computer: "ACME-LT-011", group_ids: &[101] },
    ActivTrakUser { id: 12, login: "bnguyen", computer_id: 212, computer: "ACME-LT-012", group_ids: &[101] },
    ActivTrakUser { id: 13, login: "cdiaz", computer_id: 213, computer: "ACME-LT-013", group_ids: &[101] },
    ActivTrakUser { id: 14, login: "dkim", computer_id: 214, computer: "ACME-LT-014", group_ids: &[101] },
    ActivTrakUser { id: 15, login: "eokafor", computer_id: 215, computer: "ACME-LT-015", group_ids: &[101] },
    ActivTrakUser { id: 16, login: "fmoreau", computer_id: 216, computer: "ACME-LT-016", group_ids: &[101] },
    ActivTrakUser { id: 17, login: "gsilva", computer_id: 217, computer: "ACME-LT-017", group_ids: &[101, 104] },
    ActivTrakUser { id: 18, login: "hpatel", computer_id: 218, computer: "ACME-DT-018", group_ids: &[102] },
    ActivTrakUser { id: 19, login: "ijohansson", computer_id: 219, computer: "ACME-DT-019", group_ids: &[102] },
    ActivTrakUser { id: 20, login: "jwong", computer_id: 220, computer: "ACME-DT-020", group_ids: &[102] },
    ActivTrakUser { id: 21, login: "kmuller", computer_id: 221, computer: "ACME-DT-021", group_ids: &[102] },
    ActivTrakUser { id: 22, login: "lrossi", computer_id: 222, computer: "ACME-DT-022", group_ids: &[102] },
    ActivTrakUser { id: 23, login: "mcohen", computer_id: 223, computer: "ACME-DT-023", group_ids: &[102] },
    ActivTrakUser { id: 24, login: "nsato", computer_id: 224, computer: "ACME-LT-024", group_ids: &[103] },
    ActivTrakUser { id: 25, login: "oberg", computer_id: 225, computer: "ACME-LT-025", group_ids: &[103] },
    ActivTrakUser { id: 26, login: "pmensah", computer_id: 226, computer: "ACME-LT-026", group_ids: &[103] },
    ActivTrakUser { id: 27, login: "qlopez", computer_id: 227, computer: "ACME-LT-027", group_ids: &[103] },
    ActivTrakUser { id: 28, login: "rbianchi", computer_id: 228, computer: "ACME-LT-028", group_ids: &[103] },
    ActivTrakUser { id: 29, login: "sdubois", computer_id: 229, computer: "ACME-LT-029", group_ids: &[104] },
    ActivTrakUser { id: 30, login: "tkowalski", computer_id: 230, computer: "ACME-LT-030", group_ids: &[104] },
    ActivTrakUser { id: 31, login: "uhassan", computer_id: 231, computer: "ACME-LT-031", group_ids: &[104] },
    ActivTrakUser { id: 32, login: "vandersen", computer_id: 232, computer: "ACME-LT-032", group_ids: &[104] },
    ActivTrakUser { id: 33, login: "wchen", computer_id: 233, computer: "ACME-LT-033", group_ids: &[105] },
    ActivTrakUser { id: 34, login: "xfischer", computer_id: 234, computer: "ACME-LT-034", group_ids: &[105] },
    ActivTrakUser { id: 35, login: "ygarcia", computer_id: 235, computer: "ACME-LT-035", group_ids: &[105] },
    ActivTrakUser { id: 36, login: "zcontractor", computer_id: 236, computer: "ACME-VM-036", group_ids: &[] },
];

#[rustfmt::skip]
const GLOBEX_GROUPS: &[ActivTrakGroup] = &[
    ActivTrakGroup { id: 201, name: "Operations" },
    ActivTrakGroup { id: 202, name: "Finance" },
];

/// Operations has 5 people and Finance 3.
#[rustfmt::skip]
const GLOBEX_USERS: &[ActivTrakUser] = &[
    ActivTrakUser { id: 501, login: "hscorpio", computer_id: 901, computer: "GLX-0901", group_ids: &[201] },
    ActivTrakUser { id: 502, login: "fmulder", computer_id: 902, computer: "GLX-0902", group_ids: &[201] },
    ActivTrakUser { id: 503, login: "dscully", computer_id: 903, computer: "GLX-0903", group_ids: &[201] },
    ActivTrakUser { id: 504, login: "wskinner", computer_id: 904, computer: "GLX-0904", group_ids: &[201] },
    ActivTrakUser { id: 505, login: "mreyes", computer_id: 905, computer: "GLX-0905", group_ids: &[201] },
    ActivTrakUser { id: 506, login: "jdoggett", computer_id: 906, computer: "GLX-0906", group_ids: &[202] },
    ActivTrakUser { id: 507, login: "ekersh", computer_id: 907, computer: "GLX-0907", group_ids: &[202] },
    ActivTrakUser { id: 508, login: "abyers", computer_id: 908, computer: "GLX-0908", group_ids: &[202] },
];

static ACCOUNTS: [ActivTrakAccount; 2] = [
    ActivTrakAccount {
        name: "Acme",
        api_key: ACME_API_KEY,
        groups: ACME_GROUPS,
        users: ACME_USERS,
        seed: 0x00AC_3E00_2026_0001,
        productive_hours: (3.0, 6.0),
    },
    ActivTrakAccount {
        name: "Globex",
        api_key: GLOBEX_API_KEY,
        groups: GLOBEX_GROUPS,
        users: GLOBEX_USERS,
        seed: 0x0061_0BE8_2026_0002,
        productive_hours: (2.5, 5.0),
    },
];

/// Lists the sandbox ActivTrak accounts.
pub fn activtrak_accounts() -> &'static [ActivTrakAccount] {
    &ACCOUNTS
}

/// Finds the sandbox ActivTrak account that owns `api_key`.
pub fn account_for_key(api_key: &str) -> Option<&'static ActivTrakAccount> {
    ACCOUNTS.iter().find(|account| account.api_key == api_key)
}

/// Form of the items in a row's `groups` array. ActivTrak does not document
/// it, so the stand-in serves both forms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupsFormat {
    /// `{"id": 101, "name": "Sales"}`
    #[default]
    Objects,
    /// `101`
    Ids,
}

/// Seconds of one class of time, split by ActivTrak's productivity classes.
/// `total` is always the sum of the three parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBreakdown {
    pub productive: u64,
    pub unproductive: u64,
    pub undefined: u64,
    pub total: u64,
}

impl TimeBreakdown {
    fn new(productive: u64, unproductive: u64, undefined: u64) -> Self {
        TimeBreakdown {
            productive,
            unproductive,
            undefined,
            total: productive + unproductive + undefined,
        }
    }

    fn scaled(self, factor: f64) -> Self {
        let scale = |seconds: u64| (seconds as f64 * factor).round() as u64;
        TimeBreakdown::new(
            scale(self.productive),
            scale(self.unproductive),
            scale(self.undefined),
        )
    }
}

/// Representation of a missing `firstActivity` or `lastActivity` in a row's JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingTimeStyle {
    /// The field is present with the value `null`.
    #[default]
    Null,
    /// The field is left out of the row.
    Absent,
}

/// One row of the Working Hours report: one user on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkingHoursRow {
    pub date: NaiveDate,
    pub user_id: u64,
    pub computer_id: u64,
    pub user: &'static str,
    pub computer: &'static str,
    pub groups: Vec<ActivTrakGroup>,
    /// Local date-time on `date`, in the account's ActivTrak time zone.
    pub first_activity: Option<NaiveDateTime>,
    pub last_activity: Option<NaiveDateTime>,
    /// NOTE: ActivTrak does not document `lastActivityLog`. The stand-in
    /// sends a date-time up to two minutes after `lastActivity`.
    pub last_activity_log: Option<NaiveDateTime>,
    pub missing_time_style: MissingTimeStyle,
    pub active_time: TimeBreakdown,
    pub passive_time: TimeBreakdown,
    /// `active_time.total + passive_time.total`, in seconds.
    pub total_time: u64,
    /// Seconds of offline meetings, counted apart from `total_time`.
    pub total_offline_meetings: u64,
    pub location: &'static str,
}

fn format_date_time(value: NaiveDateTime) -> String {
    value.format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl WorkingHoursRow {
    /// Renders the row as the JSON object the API sends, field names and all.
    pub fn to_json(&self, groups_format: GroupsFormat) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|group| match groups_format {
                GroupsFormat::Objects => json!({ "id": group.id, "name": group.name }),
                GroupsFormat::Ids => json!(group.id),
            })
            .collect();

        let mut row = Map::new();
        row.insert(
            "date".into(),
            json!(format_date_time(self.date.and_time(NaiveTime::MIN))),
        );
        row.insert("userId".into(), json!(self.user_id));
        row.insert("computerId".into(), json!(self.computer_id));
        row.insert("user".into(), json!(self.user));
        row.insert("computer".into(), json!(self.computer));
        row.insert("groups".into(), Value::Array(groups));

        let optional_times = [
            ("firstActivity", self.first_activity),
            ("lastActivity", self.last_activity),
            ("lastActivityLog", self.last_activity_log),
        ];
        for (name, value) in optional_times {
            match (value, self.missing_time_style) {
                (Some(value), _) => {
                    row.insert(name.into(), json!(format_date_time(value)));
                }
                (None, MissingTimeStyle::Null) => {
                    row.insert(name.into(), Value::Null);
                }
                (None, MissingTimeStyle::Absent) => {}
            }
        }

        row.insert("activeTime".into(), json!(self.active_time));
        row.insert("passiveTime".into(), json!(self.passive_time));
        row.insert("totalTime".into(), json!(self.total_time));
        row.insert(
            "TotalOfflineMeetings".into(),
            json!(self.total_offline_meetings),
        );
        row.insert("location".into(), json!(self.location));
        Value::Object(row)
    }
}

/// Returns the rows of the account that owns `api_key` for the dates
/// `from..=to`, ordered by date then user id, with "today" taken as the
/// current UTC date. An unknown key returns no rows.
pub fn rows_for(api_key: &str, from: NaiveDate, to: NaiveDate) -> Vec<WorkingHoursRow> {
    rows_for_on(api_key, from, to, Utc::now().date_naive())
}

/// Returns the same rows as [`rows_for`], with `today` given by the caller.
/// Only dates in `today - (HISTORY_DAYS - 1) ..= today` have rows.
pub fn rows_for_on(
    api_key: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Vec<WorkingHoursRow> {
    let Some(account) = account_for_key(api_key) else {
        return Vec::new();
    };

    let first_date = today - Duration::days(HISTORY_DAYS - 1);
    let start = from.max(first_date);
    let end = to.min(today);

    let mut users: Vec<&ActivTrakUser> = account.users.iter().collect();
    users.sort_by_key(|user| user.id);

    let mut rows = Vec::new();
    for date in start.iter_days().take_while(|date| *date <= end) {
        for user in &users {
            if let Some(row) = generate_row(account, user, date) {
                rows.push(row);
            }
        }
    }
    rows
}

/// splitmix64, a small PRNG whose whole state
/// is one `u64`, so a seed built from (account, user, date) fixes a day.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a value in `[0, 1)` from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn next_in(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_unit()
    }

    fn hours_in(&mut self, low: f64, high: f64) -> u64 {
        (self.next_in(low, high) * SECONDS_PER_HOUR).round() as u64
    }
}

fn seed_for(account_seed: u64, user_id: u64, day_number: i64) -> u64 {
    let mut mixer = SplitMix64::new(account_seed ^ user_id.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let user_part = mixer.next_u64();
    let mut mixer =
        SplitMix64::new(user_part ^ (day_number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    mixer.next_u64()
}

/// Per-person habits that stay the same every day.
struct UserProfile {
    /// Usual first activity, in minutes after midnight.
    start_minute: f64,
    /// Usual position in the account's range of productive hours, 0..1.
    productivity: f64,
    /// Share of working days spent in the office.
    office_share: f64,
}

fn user_profile(account: &ActivTrakAccount, user: &ActivTrakUser) -> UserProfile {
    let mut rng = SplitMix64::new(seed_for(account.seed, user.id, i64::MIN));
    UserProfile {
        start_minute: rng.next_in(7.5 * 60.0, 9.5 * 60.0),
        productivity: rng.next_unit(),
        office_share: rng.next_in(0.0, 0.8),
    }
}

/// The kinds of person-day the generator produces.
enum DayKind {
    Absent,
    Normal,
    /// Under 2 hours in total, so below the default active-day threshold.
    Short,
    /// Passive time only: the computer was on, but no user input arrived.
    PassiveOnly,
}

fn pick_day_kind(rng: &mut SplitMix64, date: NaiveDate) -> DayKind {
    let draw = rng.next_unit();
    let is_weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    if is_weekend {
        return match draw {
            d if d < 0.86 => DayKind::Absent,
            d if d < 0.96 => DayKind::Short,
            _ => DayKind::Normal,
        };
    }
    match draw {
        d if d < 0.06 => DayKind::Absent,
        d if d < 0.12 => DayKind::Short,
        d if d < 0.14 => DayKind::PassiveOnly,
        _ => DayKind::Normal,
    }
}

fn generate_row(
    account: &ActivTrakAccount,
    user: &ActivTrakUser,
    date: NaiveDate,
) -> Option<WorkingHoursRow> {
    let profile = user_profile(account, user);
    let mut rng = SplitMix64::new(seed_for(
        account.seed,
        user.id,
        i64::from(date.num_days_from_ce()),
    ));

    let (active_time, passive_time) = match pick_day_kind(&mut rng, date) {
        DayKind::Absent => return None,
        DayKind::Normal => normal_day_times(account, &profile, &mut rng),
        DayKind::Short => {
            let (active, passive) = normal_day_times(account, &profile, &mut rng);
            let target_seconds = rng.hours_in(0.4, 1.9) as f64;
            let factor = target_seconds / (active.total + passive.total) as f64;
            (active.scaled(factor), passive.scaled(factor))
        }
        DayKind::PassiveOnly => {
            let passive = TimeBreakdown::new(rng.hours_in(0.0, 0.3), 0, rng.hours_in(0.1, 0.5));
            (TimeBreakdown::default(), passive)
        }
    };
    let total_time = active_time.total + passive_time.total;

    let total_offline_meetings = if active_time.total > 0 && rng.next_unit() < 0.3 {
        rng.hours_in(0.5, 1.5)
    } else {
        0
    };

    let location = if active_time.total == 0 {
        "Unknown"
    } else if rng.next_unit() < profile.office_share {
        "Office"
    } else {
        "Remote"
    };

    // Breaks and offline meetings sit between the first and last activity,
    // so the span is longer than the tracked time.
    let start_seconds = (profile.start_minute + rng.next_in(-40.0, 40.0)) * 60.0;
    let break_seconds = rng.hours_in(0.3, 1.5);
    let last_second_of_day = 24 * 3600 - 1;
    let first_offset = (start_seconds.round() as u64).min(last_second_of_day);
    let last_offset = (first_offset + total_time + break_seconds + total_offline_meetings)
        .min(last_second_of_day);
    let log_offset = (last_offset + rng.hours_in(0.0, 0.03)).min(last_second_of_day);
    let at_offset =
        |seconds: u64| date.and_time(NaiveTime::MIN) + Duration::seconds(seconds as i64);

    let mut first_activity = Some(at_offset(first_offset));
    let mut last_activity = Some(at_offset(last_offset));
    let mut last_activity_log = Some(at_offset(log_offset));
    let mut missing_time_style = MissingTimeStyle::Null;

    // ActivTrak does not document these fields as always present, so a few
    // rows lack them, in both JSON forms of a missing value.
    let missing_draw = rng.next_unit();
    if missing_draw < 0.015 {
        first_activity = None;
        last_activity = None;
        last_activity_log = None;
    } else if missing_draw < 0.03 {
        first_activity = None;
        last_activity = None;
        last_activity_log = None;
        missing_time_style = MissingTimeStyle::Absent;
    } else if missing_draw < 0.04 {
        last_activity = None;
        last_activity_log = None;
    }

    Some(WorkingHoursRow {
        date,
        user_id: user.id,
        computer_id: user.computer_id,
        user: user.login,
        computer: user.computer,
        groups: user
            .group_ids
            .iter()
            .filter_map(|id| account.group(*id).copied())
            .collect(),
        first_activity,
        last_activity,
        last_activity_log,
        missing_time_style,
        active_time,
        passive_time,
        total_time,
        total_offline_meetings,
        location,
    })
}

fn normal_day_times(
    account: &ActivTrakAccount,
    profile: &UserProfile,
    rng: &mut SplitMix64,
) -> (TimeBreakdown, TimeBreakdown) {
    let (low, high) = account.productive_hours;
    // Mostly the person's habit, partly the day's chance.
    let level = (0.6 * profile.productivity + 0.4 * rng.next_unit()).clamp(0.0, 1.0);
    let productive_hours = low + (high - low) * level;

    let active = TimeBreakdown::new(
        (productive_hours * SECONDS_PER_HOUR).round() as u64,
        rng.hours_in(0.2, 1.2),
        rng.hours_in(0.1, 0.8),
    );
    let passive = TimeBreakdown::new(
        rng.hours_in(0.2, 0.7),
        rng.hours_in(0.0, 0.2),
        rng.hours_in(0.05, 0.3),
    );
    (active, passive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn whole_history(api_key: &str, today: NaiveDate) -> Vec<WorkingHoursRow> {
        rows_for_on(api_key, today - Duration::days(400), today, today)
    }

    #[test]
    fn rows_are_deterministic() {
        let today = day("2026-03-20");
        let first = whole_history(ACME_API_KEY, today);
        let second = whole_history(ACME_API_KEY, today);
        assert!(!first.is_empty());
        assert_eq!(first, second);
    }

    #[test]
    fn date_keeps_rows_when_today_moves() {
        let date = day("2026-03-02");
        let seen_early = rows_for_on(ACME_API_KEY, date, date, day("2026-03-05"));
        let seen_later = rows_for_on(ACME_API_KEY, date, date, day("2026-04-20"));
        assert!(!seen_early.is_empty());
        assert_eq!(seen_early, seen_later);
    }

    #[test]
    fn history_covers_ninety_days() {
        let today = day("2026-03-20");
        let rows = whole_history(ACME_API_KEY, today);
        let first = rows.first().unwrap().date;
        let last = rows.last().unwrap().date;
        assert!(first >= today - Duration::days(HISTORY_DAYS - 1));
        assert!(last <= today);

        let is_weekday = |date: &NaiveDate| !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let dates_with_rows: BTreeSet<NaiveDate> = rows.iter().map(|row| row.date).collect();
        let weekdays_with_rows = dates_with_rows
            .iter()
            .filter(|date| is_weekday(date))
            .count();
        // 2025-12-21 ..= 2026-03-20 contains 65 weekdays, and each has rows.
        let weekdays_in_window = (today - Duration::days(HISTORY_DAYS - 1))
            .iter_days()
            .take(HISTORY_DAYS as usize)
            .filter(is_weekday)
            .count();
        assert_eq!(weekdays_in_window, 65);
        assert_eq!(weekdays_with_rows, weekdays_in_window);
    }

    #[test]
    fn rows_ordered_by_date_then_user() {
        let rows = whole_history(GLOBEX_API_KEY, day("2026-03-20"));
        for pair in rows.windows(2) {
            let left = (pair[0].date, pair[0].user_id);
            let right = (pair[1].date, pair[1].user_id);
            assert!(left < right, "{left:?} is not before {right:?}");
        }
    }

    #[test]
    fn totals_equal_sums_of_parts() {
        for key in [ACME_API_KEY, GLOBEX_API_KEY] {
            for row in whole_history(key, day("2026-03-20")) {
                for part in [row.active_time, row.passive_time] {
                    assert_eq!(
                        part.total,
                        part.productive + part.unproductive + part.undefined
                    );
                }
                assert_eq!(
                    row.total_time,
                    row.active_time.total + row.passive_time.total
                );
            }
        }
    }

    #[test]
    fn activity_times_fall_on_row_date() {
        for row in whole_history(ACME_API_KEY, day("2026-03-20")) {
            for time in [row.first_activity, row.last_activity, row.last_activity_log]
                .into_iter()
                .flatten()
            {
                assert_eq!(time.date(), row.date);
            }
            if let (Some(first), Some(last)) = (row.first_activity, row.last_activity) {
                assert!(first <= last);
            }
        }
    }

    #[test]
    fn dataset_has_hard_cases() {
        let rows = whole_history(ACME_API_KEY, day("2026-03-20"));
        let two_hours = 2 * 3600;

        let short_days = rows.iter().filter(|row| row.total_time < two_hours).count();
        let passive_only = rows
            .iter()
            .filter(|row| row.active_time.total == 0 && row.passive_time.total > 0)
            .count();
        let null_times = rows
            .iter()
            .filter(|row| {
                row.first_activity.is_none() && row.missing_time_style == MissingTimeStyle::Null
            })
            .count();
        let absent_times = rows
            .iter()
            .filter(|row| {
                row.first_activity.is_none() && row.missing_time_style == MissingTimeStyle::Absent
            })
            .count();
        let weekend_rows = rows
            .iter()
            .filter(|row| matches!(row.date.weekday(), Weekday::Sat | Weekday::Sun))
            .count();

        assert!(short_days > 20, "short days: {short_days}");
        assert!(passive_only > 5, "passive-only rows: {passive_only}");
        assert!(null_times > 3, "rows with null times: {null_times}");
        assert!(absent_times > 3, "rows without time fields: {absent_times}");
        assert!(weekend_rows > 0, "weekend rows: {weekend_rows}");
        assert!(
            weekend_rows < rows.len() / 10,
            "weekend rows: {weekend_rows}"
        );
    }

    #[test]
    fn normal_days_look_realistic() {
        let rows = whole_history(ACME_API_KEY, day("2026-03-20"));
        let normal: Vec<&WorkingHoursRow> = rows
            .iter()
            .filter(|row| row.total_time >= 4 * 3600)
            .collect();
        assert!(normal.len() > rows.len() / 2);
        for row in normal {
            let productive_hours = row.active_time.productive as f64 / 3600.0;
            assert!(
                (3.0..=6.0).contains(&productive_hours),
                "{productive_hours} h on {:?}",
                row
            );
            assert!(row.total_time < 10 * 3600);
        }
    }

    #[test]
    fn acme_groups_have_expected_sizes() {
        let acme = account_for_key(ACME_API_KEY).unwrap();
        let sizes: HashMap<u64, usize> = acme
            .groups
            .iter()
            .map(|group| (group.id, acme.group_members(group.id).len()))
            .collect();
        for id in [101, 102, 103, 104] {
            assert!(sizes[&id] >= 5, "group {id} has {} people", sizes[&id]);
        }
        assert_eq!(sizes[&105], 3);

        let in_sales_and_marketing: Vec<u64> = acme
            .users
            .iter()
            .filter(|user| user.group_ids.contains(&101) && user.group_ids.contains(&104))
            .map(|user| user.id)
            .collect();
        assert_eq!(in_sales_and_marketing, vec![17]);
    }

    #[test]
    fn accounts_differ() {
        let today = day("2026-03-20");
        let acme = whole_history(ACME_API_KEY, today);
        let globex = whole_history(GLOBEX_API_KEY, today);
        let acme_users: BTreeSet<u64> = acme.iter().map(|row| row.user_id).collect();
        let globex_users: BTreeSet<u64> = globex.iter().map(|row| row.user_id).collect();
        assert_eq!(acme_users.len(), 26);
        assert_eq!(globex_users.len(), 8);
        assert!(acme_users.is_disjoint(&globex_users));
    }

    #[test]
    fn unknown_key_has_no_rows() {
        let today = day("2026-03-20");
        assert!(rows_for_on("not-a-key", today - Duration::days(10), today, today).is_empty());
    }

    #[test]
    fn row_json_has_documented_fields() {
        let rows = whole_history(ACME_API_KEY, day("2026-03-20"));
        let row = rows
            .iter()
            .find(|row| {
                row.user_id == 17 && row.first_activity.is_some() && row.last_activity.is_some()
            })
            .unwrap();

        let objects = row.to_json(GroupsFormat::Objects);
        assert_eq!(objects["date"], json!(format!("{}T00:00:00", row.date)));
        assert_eq!(objects["userId"], json!(17));
        assert_eq!(objects["user"], json!("gsilva"));
        assert_eq!(
            objects["groups"],
            json!([{"id": 101, "name": "Sales"}, {"id": 104, "name": "Marketing"}])
        );
        assert_eq!(objects["activeTime"]["total"], json!(row.active_time.total));
        assert_eq!(objects["totalTime"], json!(row.total_time));
        assert!(objects["TotalOfflineMeetings"].is_u64());
        assert!(objects["firstActivity"]
            .as_str()
            .unwrap()
            .starts_with(&row.date.to_string()));

        let ids = row.to_json(GroupsFormat::Ids);
        assert_eq!(ids["groups"], json!([101, 104]));
    }

    #[test]
    fn missing_times_serialize_as_styled() {
        let rows = whole_history(ACME_API_KEY, day("2026-03-20"));
        let null_row = rows
            .iter()
            .find(|row| {
                row.first_activity.is_none() && row.missing_time_style == MissingTimeStyle::Null
            })
            .unwrap()
            .to_json(GroupsFormat::Objects);
        assert!(null_row["firstActivity"].is_null());
        assert!(null_row.as_object().unwrap().contains_key("firstActivity"));

        let absent_row = rows
            .iter()
            .find(|row| {
                row.first_activity.is_none() && row.missing_time_style == MissingTimeStyle::Absent
            })
            .unwrap()
            .to_json(GroupsFormat::Objects);
        assert!(!absent_row
            .as_object()
            .unwrap()
            .contains_key("firstActivity"));
        assert!(!absent_row.as_object().unwrap().contains_key("lastActivity"));
    }
}
