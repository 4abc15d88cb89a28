//! What the view shows for each state of the answer.

use leptos::prelude::*;

use crate::components::productivity_chart::ProductivityChart;
use crate::components::tiles::Tiles;
use crate::errors::AppError;
use crate::model::{Insights, Period, Theme};

fn period_text(period: &Period) -> String {
    format!("{} – {}", period.from.format("%b %-d, %Y"), period.to.format("%b %-d, %Y"))
}

#[component]
pub fn InsightsPanel(data: Option<Result<Insights, AppError>>, theme: RwSignal<Theme>) -> impl IntoView {
    match data {
        None => view! { <p class="state loading">"Loading ActivTrak insights…"</p> }.into_any(),
        Some(Ok(Insights::NotConnected { can_connect: true })) => view! {
            <section class="state not-connected" data-state="not-connected">
                <h2>"Connect ActivTrak"</h2>
                <p>
                    "This monday account is not connected to ActivTrak yet. As an admin, you can connect it "
                    "with an ActivTrak API key (created in ActivTrak under API & Integrations)."
                </p>
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
            view! {
                <section class="figures" data-state="figures">
                    <p class="period">{period}</p>
                    <Tiles figures=(*figures).clone()/>
                    <ProductivityChart figures=*figures theme/>
                </section>
            }
            .into_any()
        }
        Some(Err(error)) => {
            let message = match &error {
                AppError::SessionExpired | AppError::SessionInvalid => {
                    "Your monday session could not be verified. Reload the board to try again.".to_owned()
                }
                other => other.to_string(),
            };
            view! {
                <section class="state error" data-state="error" data-code=error.code() role="alert">
                    <h2>"Insights are unavailable"</h2>
                    <p>{message}</p>
                </section>
            }
            .into_any()
        }
    }
}
