//! The headline tiles. Each value also sits unrounded in `data-value`, so
//! tests can compare it exactly.

use leptos::prelude::*;

use crate::model::{time_of_day, TeamFigures};

fn change_text(change: Option<f64>, unit: &str, scale: f64) -> String {
    let Some(change) = change else {
        return "no previous period to compare".to_owned();
    };
    // Rounded first, so that a tiny decrease does not read "-0.0".
    let rounded = (change * scale * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "same as previous period".to_owned()
    } else {
        format!("{rounded:+.1}{unit} vs previous period")
    }
}

#[component]
fn Tile(label: &'static str, value: Option<f64>, unit: &'static str, note: String) -> impl IntoView {
    let text = match value {
        Some(value) => format!("{value:.1}{unit}"),
        None => "–".to_owned(),
    };
    let raw = value.map(|value| value.to_string()).unwrap_or_default();
    view! {
        <div class="tile" data-tile=label>
            <span class="tile-label">{label}</span>
            <span class="tile-value" data-value=raw>{text}</span>
            <span class="tile-note">{note}</span>
        </div>
    }
}

#[component]
pub fn Tiles(figures: TeamFigures) -> impl IntoView {
    let threshold_hours = figures.active_day_threshold_seconds as f64 / 3600.0;
    let changes = figures.changes;
    let productive_note = format!(
        "per active day; goal {:.1} h; {}",
        figures.goal_hours,
        change_text(changes.and_then(|c| c.productive_hours_per_day), " h", 1.0)
    );
    let active_note = format!(
        "per active day; {}",
        change_text(changes.and_then(|c| c.active_hours_per_day), " h", 1.0)
    );
    let share_note = format!(
        "derived by this app; {}",
        change_text(changes.and_then(|c| c.productive_share), " points", 100.0)
    );
    let all_seconds = figures.active_seconds + figures.passive_seconds;
    let active_share = (all_seconds > 0).then(|| figures.active_seconds as f64 / all_seconds as f64 * 100.0);
    let span = figures.work_day_span.map(|span| {
        format!(
            "{} – {}",
            time_of_day(span.mean_first_activity_seconds),
            time_of_day(span.mean_last_activity_seconds)
        )
    });
    let footnote = format!(
        "{} people, {} person-days, {} active days. An active day has at least {threshold_hours:.1} h of \
         recorded time (this app's setting).",
        figures.people, figures.person_days, figures.active_days
    );
    view! {
        <div class="tiles">
            <Tile label="Productive Hrs/Day" value=figures.productive_hours_per_day unit=" h" note=productive_note/>
            <Tile label="Active Hrs/Day" value=figures.active_hours_per_day unit=" h" note=active_note/>
            <Tile
                label="Productive share"
                value=figures.productive_share.map(|share| share.value * 100.0)
                unit="%"
                note=share_note
            />
            <Tile
                label="Active time"
                value=active_share
                unit="%"
                note="of all time; the rest is passive (derived by this app)".to_owned()
            />
            <div class="tile" data-tile="Work-day span">
                <span class="tile-label">"Work-day span"</span>
                <span class="tile-value">{span.unwrap_or_else(|| "–".to_owned())}</span>
                <span class="tile-note">"mean first to last activity, ActivTrak's local time"</span>
            </div>
        </div>
        <p class="footnote">{footnote}</p>
    }
}
