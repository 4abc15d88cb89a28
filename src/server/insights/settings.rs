//! Account settings that shape the figures and who may see them.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::aggregate::AggregationRules;
use crate::model::Period;

/// The smallest minimum group size an account may set.
pub const MINIMUM_GROUP_SIZE_FLOOR: u32 = 3;

/// Closed periods are refreshed this often, because ActivTrak reclassifies
/// apps and sites retroactively.
pub const CLOSED_PERIOD_MAX_AGE: Duration = Duration::hours(6);

#[derive(Clone, Debug, PartialEq)]
pub struct AccountSettings {
    /// Productive Hrs/Day goal shown as the goal line.
    pub productive_hours_goal: f64,
    /// Fewest distinct people a figure may cover (never below 3).
    pub minimum_group_size: u32,
    /// Total seconds a person-day needs to count as an active day.
    pub active_day_threshold_seconds: u64,
    /// The ActivTrak account's time zone, which dates "today".
    pub time_zone: Tz,
    pub guests_may_view: bool,
    pub view_only_may_view: bool,
    pub default_period_days: u32,
    /// How long figures for a period that includes today stay fresh.
    pub refresh_interval: Duration,
}

impl Default for AccountSettings {
    fn default() -> AccountSettings {
        AccountSettings {
            productive_hours_goal: 6.0,
            minimum_group_size: 5,
            active_day_threshold_seconds: 2 * 3600,
            time_zone: Tz::UTC,
            guests_may_view: false,
            view_only_may_view: true,
            default_period_days: 7,
            refresh_interval: Duration::minutes(5),
        }
    }
}

impl AccountSettings {
    pub fn aggregation_rules(&self) -> AggregationRules {
        AggregationRules {
            minimum_group_size: self.minimum_group_size.max(MINIMUM_GROUP_SIZE_FLOOR),
            active_day_threshold_seconds: self.active_day_threshold_seconds,
            goal_hours: self.productive_hours_goal,
        }
    }

    /// How long cached figures for `period` stay fresh.
    pub fn max_cache_age(&self, period: Period, today: NaiveDate) -> Duration {
        if period.to >= today {
            self.refresh_interval
        } else {
            CLOSED_PERIOD_MAX_AGE
        }
    }
}
