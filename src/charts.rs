//! Pure chart builders: team figures in, a `charming::Chart` (an ECharts
//! option) out. They run in the browser and in tests alike.

use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, ItemStyle, Tooltip, Trigger};
use charming::series::Bar;
use charming::Chart;

use crate::model::{ClassSeconds, TeamFigures, Theme};

/// ActivTrak's colours: productive teal, unproductive purple, undefined grey,
/// with lighter shades for passive time.
pub const PRODUCTIVE_ACTIVE: &str = "#1aa39a";
pub const PRODUCTIVE_PASSIVE: &str = "#8fd6cf";
pub const UNPRODUCTIVE_ACTIVE: &str = "#7b52ab";
pub const UNPRODUCTIVE_PASSIVE: &str = "#c3acdf";
pub const UNDEFINED_ACTIVE: &str = "#8a8f98";
pub const UNDEFINED_PASSIVE: &str = "#c9ccd1";

/// Picks one class of seconds from a day's active and passive time.
type PickSeconds = fn(&ClassSeconds, &ClassSeconds) -> u64;

/// The series of the productivity chart, in stacking order: name, colour,
/// and which seconds it shows.
pub const PRODUCTIVITY_SERIES: [(&str, &str, PickSeconds); 6] = [
    ("Productive (active)", PRODUCTIVE_ACTIVE, |active, _| active.productive),
    ("Productive (passive)", PRODUCTIVE_PASSIVE, |_, passive| passive.productive),
    ("Unproductive (active)", UNPRODUCTIVE_ACTIVE, |active, _| active.unproductive),
    ("Unproductive (passive)", UNPRODUCTIVE_PASSIVE, |_, passive| passive.unproductive),
    ("Undefined (active)", UNDEFINED_ACTIVE, |active, _| active.undefined),
    ("Undefined (passive)", UNDEFINED_PASSIVE, |_, passive| passive.undefined),
];

/// Seconds to hours, rounded to two decimals for display.
pub fn hours(seconds: u64) -> f64 {
    (seconds as f64 / 36.0).round() / 100.0
}

/// Builds the "productivity by day" stacked bar chart, in hours. A day without a
/// figure (no rows, or too few people) has no bar.
pub fn productivity_by_day(figures: &TeamFigures, theme: Theme) -> Chart {
    let dates: Vec<String> = figures.days.iter().map(|day| day.date.format("%b %-d").to_string()).collect();
    let text_colour = if theme.is_dark() { "#d5d8df" } else { "#323338" };

    let mut chart = Chart::new()
        .background_color("transparent")
        .animation_duration(300)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0).text_style(charming::element::TextStyle::new().color(text_colour)))
        .grid(Grid::new().left(48).right(16).top(36).bottom(64))
        .x_axis(Axis::new().type_(AxisType::Category).data(dates))
        .y_axis(Axis::new().type_(AxisType::Value).name("Hours"));

    for (name, colour, pick) in PRODUCTIVITY_SERIES {
        let values: Vec<Option<f64>> = figures
            .days
            .iter()
            .map(|day| day.time.map(|time| hours(pick(&time.active, &time.passive))))
            .collect();
        chart = chart.series(
            Bar::new()
                .name(name)
                .stack("time")
                .item_style(ItemStyle::new().color(colour))
                .data(values),
        );
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DayTime, DayTotals, Period};
    use chrono::NaiveDate;
    use serde_json::Value;

    fn figures() -> TeamFigures {
        let date = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        TeamFigures {
            period: Period { from: date(2), to: date(3) },
            groups: vec![],
            people: 5,
            person_days: 5,
            active_days: 5,
            active_day_threshold_seconds: 7200,
            minimum_group_size: 5,
            productive_hours_per_day: Some(1.0),
            active_hours_per_day: Some(1.0),
            productive_share: Some(crate::model::DerivedFigure::new(0.5)),
            goal_hours: 6.0,
            active_seconds: 0,
            passive_seconds: 0,
            work_day_span: None,
            changes: None,
            group_comparison: vec![],
            days: vec![
                DayTotals {
                    date: date(2),
                    time: Some(DayTime {
                        active: ClassSeconds { productive: 9_000, unproductive: 1_800, undefined: 36 },
                        passive: ClassSeconds { productive: 720, unproductive: 0, undefined: 3_600 },
                    }),
                },
                DayTotals { date: date(3), time: None },
            ],
            fetched_at: 0,
        }
    }

    #[test]
    fn series_hold_hours_per_class() {
        let json: Value = serde_json::from_str(&productivity_by_day(&figures(), Theme::Light).to_string()).unwrap();
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), 6);
        assert_eq!(series[0]["name"], "Productive (active)");
        assert_eq!(series[0]["type"], "bar");
        assert_eq!(series[0]["stack"], "time");
        // 9 000 s = 2.5 h; 720 s = 0.2 h; 1 800 s = 0.5 h; 36 s = 0.01 h; 3 600 s = 1 h.
        assert_eq!(series[0]["data"][0], 2.5);
        assert_eq!(series[1]["data"][0], 0.2);
        assert_eq!(series[2]["data"][0], 0.5);
        assert_eq!(series[3]["data"][0], 0.0);
        assert_eq!(series[4]["data"][0], 0.01);
        assert_eq!(series[5]["data"][0], 1.0);
    }

    #[test]
    fn withheld_day_has_no_bar() {
        let json: Value = serde_json::from_str(&productivity_by_day(&figures(), Theme::Dark).to_string()).unwrap();
        for series in json["series"].as_array().unwrap() {
            assert_eq!(series["data"][1], Value::Null);
        }
        assert_eq!(json["xAxis"]["data"], serde_json::json!(["Mar 2", "Mar 3"]));
    }

    #[test]
    fn series_colours_follow_activtrak() {
        let json: Value = serde_json::from_str(&productivity_by_day(&figures(), Theme::Light).to_string()).unwrap();
        assert_eq!(json["series"][0]["itemStyle"]["color"], PRODUCTIVE_ACTIVE);
        assert_eq!(json["series"][2]["itemStyle"]["color"], UNPRODUCTIVE_ACTIVE);
    }
}
