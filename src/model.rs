//! Wire types shared by the server and the browser: what the board view and
//! `/api/insights` return. Every figure here is a team aggregate; nothing in
//! these types describes one person.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An inclusive range of dates in the ActivTrak account's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Number of days in the period, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// A request for figures. Missing dates mean the account's default period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// ActivTrak group ids; empty means the whole account.
    #[serde(default)]
    pub groups: Vec<i64>,
    /// The last this many days, ending today, when `from` and `to` are not
    /// given (a board view's own period setting).
    #[serde(default)]
    pub days: Option<u32>,
}

/// A response with the age of its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsResponse {
    #[serde(flatten)]
    pub insights: Insights,
    pub freshness: Freshness,
    /// Whether the caller may open the settings page (a monday account
    /// admin, or the user who connected ActivTrak).
    #[serde(default)]
    pub can_manage: bool,
}

/// The age of a response's data, and the reason it could not be refreshed
/// when ActivTrak failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freshness {
    /// Unix time, in seconds, when the rows were read from ActivTrak; `None`
    /// when nothing was read (for example, not connected).
    pub fetched_at: Option<i64>,
    /// The data is older than the account allows; a refresh has started.
    pub stale: bool,
    /// The reason the latest attempt to read ActivTrak failed, in plain words.
    pub problem: Option<String>,
}

/// The result for one selection of groups and period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Insights {
    /// No ActivTrak key is stored for the account.
    NotConnected {
        /// Whether the caller may connect it (a monday account admin).
        can_connect: bool,
    },
    /// ActivTrak returned no rows for the selection.
    NoActivity { period: Period },
    /// The selection covers fewer distinct people than the account's
    /// minimum group size, so no figure is returned.
    TooFewPeople { period: Period, minimum_group_size: u32 },
    /// Team figures for the selection.
    Figures(Box<TeamFigures>),
    /// A comparison of several groups in which at least one group is
    /// withheld. No total over the groups is given, because subtracting the
    /// shown groups from it would reveal the withheld one.
    Comparison { period: Period, groups: Vec<GroupFigures> },
}

/// One group in a group comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    pub group_id: i64,
    /// The group's name in ActivTrak, when its rows named it.
    pub name: Option<String>,
    /// The group covers fewer people than the minimum group size, so it has
    /// no figure.
    pub withheld: bool,
    pub productive_hours_per_day: Option<f64>,
}

/// A figure this app derives itself; ActivTrak defines no such figure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DerivedFigure {
    pub value: f64,
    /// Always `true`: clients label the figure as the app's own.
    pub derived: bool,
}

impl DerivedFigure {
    pub fn new(value: f64) -> DerivedFigure {
        DerivedFigure { value, derived: true }
    }
}

/// The mean start and end of the work day, as times of day in ActivTrak's
/// local time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkDaySpan {
    /// Mean `firstActivity`, in seconds after midnight.
    pub mean_first_activity_seconds: u32,
    /// Mean `lastActivity`, in seconds after midnight.
    pub mean_last_activity_seconds: u32,
}

/// Headline figures minus those of the previous period of the same length.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadlineChanges {
    pub previous_period: Period,
    pub productive_hours_per_day: Option<f64>,
    pub active_hours_per_day: Option<f64>,
    /// Change of the derived productive share, in share points (0 to 1).
    pub productive_share: Option<f64>,
}

/// Formats seconds after midnight as `HH:MM`.
pub fn time_of_day(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 3600, (seconds % 3600) / 60)
}

/// Team aggregates over the chosen groups and period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamFigures {
    pub period: Period,
    /// ActivTrak group ids the figures cover; empty means the whole account.
    pub groups: Vec<i64>,
    /// Distinct people in the selection.
    pub people: u32,
    /// Rows (one person on one day).
    pub person_days: u32,
    /// Person-days whose total time reaches the active-day threshold.
    pub active_days: u32,
    /// The app setting that defines an active day, in seconds.
    pub active_day_threshold_seconds: u64,
    /// The minimum number of distinct people a figure must cover.
    pub minimum_group_size: u32,
    /// Productive hours (active and passive) per active day; `None` when no
    /// day reached the threshold.
    pub productive_hours_per_day: Option<f64>,
    /// Active hours per active day; `None` when no day reached the threshold.
    pub active_hours_per_day: Option<f64>,
    /// Productive time as a share of all time, from 0 to 1. Derived by this
    /// app: ActivTrak defines no such figure.
    pub productive_share: Option<DerivedFigure>,
    /// The account's Productive Hrs/Day goal.
    pub goal_hours: f64,
    /// All active and all passive seconds of the selection.
    pub active_seconds: u64,
    pub passive_seconds: u64,
    /// `None` when fewer people than the minimum have first and last
    /// activity times.
    pub work_day_span: Option<WorkDaySpan>,
    /// `None` when the previous period has no figures to compare with.
    pub changes: Option<HeadlineChanges>,
    /// One entry per requested group when two or more were requested.
    pub group_comparison: Vec<GroupFigures>,
    /// One entry per date in the period, oldest first.
    pub days: Vec<DayTotals>,
    /// Unix time, in seconds, when the rows were read from ActivTrak.
    pub fetched_at: i64,
}

/// Productivity on one date, summed over the selection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayTotals {
    pub date: NaiveDate,
    /// `None` when nobody has a row on this date, or when fewer people than
    /// the minimum group size do (the figure would describe too few people).
    pub time: Option<DayTime>,
}

/// Seconds by productivity class, split into active and passive time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTime {
    pub active: ClassSeconds,
    pub passive: ClassSeconds,
}

/// Seconds in each of ActivTrak's productivity classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSeconds {
    pub productive: u64,
    pub unproductive: u64,
    pub undefined: u64,
}

impl ClassSeconds {
    pub fn total(&self) -> u64 {
        self.productive + self.unproductive + self.undefined
    }

    pub fn add(&mut self, other: &ClassSeconds) {
        self.productive += other.productive;
        self.unproductive += other.unproductive;
        self.undefined += other.undefined;
    }
}

/// monday's colour themes for the board view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Dark,
    Black,
}

impl Theme {
    /// Parses the `theme` field of monday's context; unknown themes (such
    /// as the rare `hacker`) fall back to dark, the closest one.
    pub fn from_monday(name: &str) -> Theme {
        match name {
            "light" => Theme::Light,
            "black" => Theme::Black,
            _ => Theme::Dark,
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
            Theme::Black => "theme-black",
        }
    }

    pub fn is_dark(self) -> bool {
        self != Theme::Light
    }
}

/// The account settings form as the browser sends it: text fields, checked
/// checkboxes as `Some`. The server parses and checks every field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettingsForm {
    pub productive_hours_goal: String,
    pub minimum_group_size: String,
    pub active_day_threshold_hours: String,
    pub time_zone: String,
    #[serde(default)]
    pub guests_may_view: Option<String>,
    #[serde(default)]
    pub view_only_may_view: Option<String>,
    pub default_period_days: String,
    pub refresh_interval_minutes: String,
}

/// What the settings page shows; `None` when nobody is signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub signed_in: Option<SettingsView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub account_id: i64,
    pub account_name: Option<String>,
    pub user_id: i64,
    pub user_name: Option<String>,
    pub is_admin: bool,
    /// Admins and the user who connected the account may change things.
    pub can_manage: bool,
    pub connection: Option<ConnectionInfo>,
    pub settings: AccountSettingsForm,
    /// Newest first; empty for users who may not manage the account.
    pub audit: Vec<AuditLine>,
}

/// The stored ActivTrak connection, without the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    pub region: String,
    pub auth_header: String,
    pub connected_by: Option<i64>,
    pub connected_at: i64,
    /// The reason the connection needs an admin's attention, when it does.
    pub problem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub details: String,
}
