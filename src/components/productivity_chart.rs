//! The "productivity by day" chart. The server renders an empty container;
//! the browser draws into it with ECharts.

use leptos::html::Div;
use leptos::prelude::*;

use crate::model::{TeamFigures, Theme};

#[component]
pub fn ProductivityChart(figures: TeamFigures, theme: RwSignal<Theme>) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    let note = format!(
        "Days with no activity, or with fewer than {} people, have no bar.",
        figures.minimum_group_size
    );

    #[cfg(feature = "hydrate")]
    crate::browser::echarts::drive_chart(node, theme, move |theme| {
        crate::charts::productivity_by_day(&figures, theme).to_string()
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (figures, theme);

    view! {
        <figure class="chart-card">
            <figcaption>"Productivity by day (hours)"</figcaption>
            <div class="chart" id="productivity-by-day" node_ref=node role="img" aria-label="Productivity by day"></div>
            <p class="chart-note">{note}</p>
        </figure>
    }
}
