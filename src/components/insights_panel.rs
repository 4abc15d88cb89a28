//! What the view shows for each state of the answer.

use leptos::prelude::*;

use crate::components::productivity_chart::ProductivityChart;
use crate::components::tiles::Tiles;
use crate::errors::AppError;
use crate::components::group_comparison::GroupComparison;
use crate::model::{Freshness, Insights, InsightsResponse, Period, Theme};

fn period_text(period: &Period) -> String {
    format!("{} – {}", period.from.format("%b %-d, %Y"), period.to.format("%b %-d, %Y"))
}

/// "Updated at 10:42 UTC", or what went wrong and how old the data shown is.
/// Times are in UTC so that the server and the browser render the same text.
fn freshness_text(freshness: &Freshness) -> Option<String> {
    let fetched_at = chrono::DateTime::from_timestamp(freshness.fetched_at?, 0)?;
    let when = fetched_at.format("%b %-d, %H:%M UTC");
    Some(match (&freshness.problem, freshness.stale) {
        (Some(problem), _) => format!("{problem}; showing data from {when}."),
        (None, true) => format!("Updated {when}; refreshing."),
        (None, false) => format!("Updated {when}."),
    })
}

#[component]
pub fn InsightsPanel(data: Option<Result<InsightsResponse, AppError>>, theme: RwSignal<Theme>) -> impl IntoView {
    let (data, freshness, can_manage) = match data {
        Some(Ok(response)) => {
            let text = freshness_text(&response.freshness);
            (Some(Ok(response.insights)), text, response.can_manage)
        }
        Some(Err(error)) => (Some(Err(error)), None, false),
        None => (None, None, false),
    };
    let freshness = freshness.map(|text| view! { <p class="freshness">{text}</p> });
    let connected = matches!(data, Some(Ok(ref insights)) if !matches!(insights, Insights::NotConnected { .. }));
    let settings_button = (can_manage && connected).then(|| view! { <OpenSettings label="Settings"/> });
    view! {
        <div class="view-actions">{freshness}{settings_button}</div>
        {insights_view(data, theme)}
    }
}

/// A button that opens the settings page in a new tab, signed in through a
/// single-use link minted for the current monday user.
#[component]
fn OpenSettings(label: &'static str) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let open = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::server_fns::view::create_settings_link;
            use crate::server_fns::SessionToken;
            let link = match crate::browser::monday::session_token().await {
                Ok(token) => create_settings_link(SessionToken(token)).await,
                Err(error) => Err(error),
            };
            let opened = link.and_then(|url| crate::browser::monday::open_link_in_tab(&url));
            failure.set(opened.err().map(|error| error.to_string()));
        });
    };
    view! {
        <button type="button" class="button primary open-settings" on:click=open>{label}</button>
        {move || failure.get().map(|text| view! { <p class="outcome error" role="alert">{text}</p> })}
    }
}

fn insights_view(data: Option<Result<Insights, AppError>>, theme: RwSignal<Theme>) -> AnyView {
    match data {
        None => view! { <p class="state loading">"Loading ActivTrak insights…"</p> }.into_any(),
        Some(Ok(Insights::NotConnected { can_connect: true })) => view! {
            <section class="state not-connected" data-state="not-connected">
                <h2>"Connect ActivTrak"</h2>
                <p>
                    "This monday account is not connected to ActivTrak yet. As an admin, you can connect it "
                    "with an ActivTrak API key (created in ActivTrak under API & Integrations)."
                </p>
                <OpenSettings label="Connect ActivTrak"/>
            </section>
        }
        .into_any(),
        Some(Ok(Insights::NotConnected { can_connect: false })) => view! {
            <section class="state not-connected" data-state="not-connected">
                <h2>"ActivTrak is not connected"</h2>
                <p>"Ask an admin of this monday account to connect ActivTrak."</p>
            </section>
        }
        .into_any(),
        Some(Ok(Insights::NoActivity { period })) => view! {
            <section class="state no-activity" data-state="no-activity">
                <h2>"No activity recorded"</h2>
                <p>{format!("ActivTrak recorded no activity for {}.", period_text(&period))}</p>
            </section>
        }
        .into_any(),
        Some(Ok(Insights::TooFewPeople { period, minimum_group_size })) => view! {
            <section class="state too-few" data-state="too-few-people">
                <h2>"Too few people to show"</h2>
                <p>
                    {format!(
                        "To protect individual privacy, figures are shown only for groups of at least {minimum_group_size} people. \
                         This selection has fewer for {}.",
                        period_text(&period)
                    )}
                </p>
            </section>
        }
        .into_any(),
        Some(Ok(Insights::Figures(figures))) => {
            let period = period_text(&figures.period);
            let comparison = figures.group_comparison.clone();
            view! {
                <section class="figures" data-state="figures">
                    <p class="period">{period}</p>
                    <Tiles figures=(*figures).clone()/>
                    <ProductivityChart figures=*figures theme/>
                    <GroupComparison groups=comparison/>
                </section>
            }
            .into_any()
        }
        Some(Ok(Insights::Comparison { period, groups })) => view! {
            <section class="figures" data-state="comparison">
                <p class="period">{period_text(&period)}</p>
                <p class="footnote">
                    "A group below the minimum size is withheld, so no total over these groups is shown."
                </p>
                <GroupComparison groups/>
            </section>
        }
        .into_any(),
        Some(Err(error)) => {
            let message = match &error {
                AppError::SessionExpired | AppError::SessionInvalid => {
                    "Your monday session could not be verified. Reload the board to try again.".to_owned()
                }
                other => other.to_string(),
            };
            let reconnect = matches!(error, AppError::NeedsAttention { .. } if message.contains("Open Settings"))
                .then(|| view! { <OpenSettings label="Reconnect"/> });
            view! {
                <section class="state error" data-state="error" data-code=error.code() role="alert">
                    <h2>"Insights are unavailable"</h2>
                    <p>{message}</p>
                    {reconnect}
                </section>
            }
            .into_any()
        }
    }
}
