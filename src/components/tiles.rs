//! The headline tiles. Each value also sits unrounded in `data-value`, so
//! tests can compare it exactly.

use leptos::prelude::*;

use crate::model::TeamFigures;

#[component]
fn Tile(label: &'static str, value: Option<f64>, unit: &'static str, note: &'static str) -> impl IntoView {
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
    let footnote = format!(
        "{} people, {} person-days, {} active days. An active day has at least {threshold_hours:.1} h of \
         recorded time (this app's setting).",
        figures.people, figures.person_days, figures.active_days
    );
    view! {
        <div class="tiles">
            <Tile label="Productive Hrs/Day" value=figures.productive_hours_per_day unit=" h" note="per active day"/>
            <Tile label="Active Hrs/Day" value=figures.active_hours_per_day unit=" h" note="per active day"/>
            <Tile
                label="Productive share"
                value=figures.productive_share.map(|share| share * 100.0)
                unit="%"
                note="derived by this app"
            />
        </div>
        <p class="footnote">{footnote}</p>
    }
}
