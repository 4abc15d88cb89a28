//! Account settings that shape the figures and who may see them.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::aggregate::AggregationRules;
use crate::errors::AppError;
use crate::model::{AccountSettingsForm, Period};

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

    /// Returns how long cached figures for `period` stay fresh.
    pub fn max_cache_age(&self, period: Period, today: NaiveDate) -> Duration {
        if period.to >= today {
            self.refresh_interval
        } else {
            CLOSED_PERIOD_MAX_AGE
        }
    }
}

impl AccountSettings {
    /// Converts the settings to the form's text fields.
    pub fn to_form(&self) -> AccountSettingsForm {
        let checked = |value: bool| value.then(|| "on".to_owned());
        AccountSettingsForm {
            productive_hours_goal: format!("{}", self.productive_hours_goal),
            minimum_group_size: self.minimum_group_size.to_string(),
            active_day_threshold_hours: format!("{}", self.active_day_threshold_seconds as f64 / 3600.0),
            time_zone: self.time_zone.name().to_owned(),
            guests_may_view: checked(self.guests_may_view),
            view_only_may_view: checked(self.view_only_may_view),
            default_period_days: self.default_period_days.to_string(),
            refresh_interval_minutes: self.refresh_interval.num_minutes().to_string(),
        }
    }

    /// Parses and checks the form; the error names the field and the rule.
    pub fn from_form(form: &AccountSettingsForm) -> Result<AccountSettings, AppError> {
        fn number(field: &str, value: &str, min: f64, max: f64, unit: &str) -> Result<f64, AppError> {
            let parsed: f64 = value
                .trim()
                .parse()
                .map_err(|_| AppError::invalid(field, format!("`{value}` is not a number")))?;
            if !(min..=max).contains(&parsed) {
                return Err(AppError::invalid(field, format!("must be between {min} and {max}{unit}")));
            }
            Ok(parsed)
        }
        fn whole(field: &str, value: &str, min: u32, max: u32, unit: &str) -> Result<u32, AppError> {
            let parsed: u32 = value
                .trim()
                .parse()
                .map_err(|_| AppError::invalid(field, format!("`{value}` is not a whole number")))?;
            if !(min..=max).contains(&parsed) {
                return Err(AppError::invalid(field, format!("must be between {min} and {max}{unit}")));
            }
            Ok(parsed)
        }

        let goal = number("productive_hours_goal", &form.productive_hours_goal, 0.5, 24.0, " hours")?;
        let minimum_group_size = whole(
            "minimum_group_size",
            &form.minimum_group_size,
            MINIMUM_GROUP_SIZE_FLOOR,
            1000,
            " people",
        )?;
        let threshold_hours = number("active_day_threshold_hours", &form.active_day_threshold_hours, 0.0, 24.0, " hours")?;
        let time_zone: Tz = form.time_zone.trim().parse().map_err(|_| {
            AppError::invalid(
                "time_zone",
                format!("`{}` is not an IANA time zone name such as Europe/Berlin or UTC", form.time_zone),
            )
        })?;
        let default_period_days = whole("default_period_days", &form.default_period_days, 1, 92, " days")?;
        let refresh_minutes = whole("refresh_interval_minutes", &form.refresh_interval_minutes, 1, 1440, " minutes")?;
        Ok(AccountSettings {
            productive_hours_goal: goal,
            minimum_group_size,
            active_day_threshold_seconds: (threshold_hours * 3600.0).round() as u64,
            time_zone,
            guests_may_view: form.guests_may_view.is_some(),
            view_only_may_view: form.view_only_may_view.is_some(),
            default_period_days,
            refresh_interval: Duration::minutes(i64::from(refresh_minutes)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_form() -> AccountSettingsForm {
        AccountSettings::default().to_form()
    }

    #[test]
    fn defaults_round_trip_through_form() {
        assert_eq!(AccountSettings::from_form(&valid_form()).unwrap(), AccountSettings::default());
    }

    #[test]
    fn minimum_group_size_below_three_is_rejected() {
        let form = AccountSettingsForm { minimum_group_size: "2".into(), ..valid_form() };
        let error = AccountSettings::from_form(&form).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "minimum_group_size"));
        assert!(error.to_string().contains("between 3 and 1000"));
    }

    #[test]
    fn unknown_time_zone_is_rejected() {
        let form = AccountSettingsForm { time_zone: "Mars/Olympus".into(), ..valid_form() };
        let error = AccountSettings::from_form(&form).unwrap_err();
        assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == "time_zone"));
    }

    #[test]
    fn form_values_are_parsed() {
        let form = AccountSettingsForm {
            productive_hours_goal: "5.5".into(),
            minimum_group_size: "8".into(),
            active_day_threshold_hours: "1.5".into(),
            time_zone: "Europe/Berlin".into(),
            guests_may_view: Some("on".into()),
            view_only_may_view: None,
            default_period_days: "14".into(),
            refresh_interval_minutes: "10".into(),
        };
        let settings = AccountSettings::from_form(&form).unwrap();
        assert_eq!(settings.productive_hours_goal, 5.5);
        assert_eq!(settings.minimum_group_size, 8);
        assert_eq!(settings.active_day_threshold_seconds, 5_400);
        assert_eq!(settings.time_zone, chrono_tz::Europe::Berlin);
        assert!(settings.guests_may_view);
        assert!(!settings.view_only_may_view);
        assert_eq!(settings.default_period_days, 14);
        assert_eq!(settings.refresh_interval, Duration::minutes(10));
    }

    #[test]
    fn garbage_numbers_name_their_field() {
        for (field, form) in [
            ("productive_hours_goal", AccountSettingsForm { productive_hours_goal: "six".into(), ..valid_form() }),
            ("active_day_threshold_hours", AccountSettingsForm { active_day_threshold_hours: "25".into(), ..valid_form() }),
            ("default_period_days", AccountSettingsForm { default_period_days: "0".into(), ..valid_form() }),
            ("refresh_interval_minutes", AccountSettingsForm { refresh_interval_minutes: "-1".into(), ..valid_form() }),
        ] {
            let error = AccountSettings::from_form(&form).unwrap_err();
            assert!(matches!(error, AppError::InvalidParameter { ref parameter, .. } if parameter == field), "{field}");
        }
    }
}
