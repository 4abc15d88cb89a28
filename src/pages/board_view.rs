//! The board view, shown in monday's iframe at `/view`.
//!
//! When monday's URL carries `sessionToken`, the server verifies it and the
//! first HTML already holds the figures. After hydration, and whenever the
//! URL has no token, the view asks monday's SDK for a fresh token before each
//! call and sends it explicitly (no cookies: browsers drop them in
//! third-party iframes).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::insights_panel::InsightsPanel;
use crate::errors::AppError;
use crate::model::{InsightsQuery, InsightsResponse, Theme};

/// `None` while the view still waits for monday's SDK to provide a token.
pub type ViewData = Option<Result<InsightsResponse, AppError>>;

#[component]
pub fn BoardView() -> impl IntoView {
    let url_token = use_query_map().with_untracked(|query| query.get("sessionToken"));
    let theme = RwSignal::new(Theme::Light);
    let reload = RwSignal::new(0u32);
    // The board view's own groups and period, from monday's view settings.
    let query = RwSignal::new(InsightsQuery::default());

    let insights = Resource::new(
        move || (reload.get(), query.get()),
        move |(_, query)| {
            let url_token = url_token.clone();
            async move { load(url_token, query).await }
        },
    );

    #[cfg(feature = "hydrate")]
    start_browser_side(theme, reload, query, insights);

    view! {
        <main class=move || format!("board-view {}", theme.get().css_class())>
            <header class="view-header">
                <h1>"Team productivity"</h1>
                <span class="source">"ActivTrak"</span>
            </header>
            <Transition fallback=|| view! { <p class="state loading">"Loading ActivTrak insights…"</p> }>
                {move || Suspend::new(async move {
                    let data = insights.await;
                    view! { <InsightsPanel data theme/> }
                })}
            </Transition>
        </main>
    }
}

#[cfg(feature = "ssr")]
async fn load(url_token: Option<String>, query: InsightsQuery) -> ViewData {
    use crate::server_fns::view::fetch_insights;
    use crate::server_fns::SessionToken;
    let token = url_token.filter(|token| !token.is_empty())?;
    Some(fetch_insights(SessionToken(token), query).await)
}

#[cfg(feature = "hydrate")]
fn load(_url_token: Option<String>, query: InsightsQuery) -> impl std::future::Future<Output = ViewData> + Send {
    // Browser futures hold JavaScript values, which are not `Send`; the
    // browser runs them on its one thread, so the wrapper never moves them.
    send_wrapper::SendWrapper::new(load_in_browser(query))
}

#[cfg(feature = "hydrate")]
async fn load_in_browser(query: InsightsQuery) -> ViewData {
    use crate::browser::monday::session_token;
    use crate::server_fns::view::fetch_insights;
    use crate::server_fns::SessionToken;

    // A token from monday for every call; when the server still calls it
    // expired, ask monday once more and retry once.
    let first = match session_token().await {
        Ok(token) => fetch_insights(SessionToken(token), query.clone()).await,
        Err(error) => return Some(Err(error)),
    };
    if first != Err(AppError::SessionExpired) {
        return Some(first);
    }
    Some(match session_token().await {
        Ok(token) => fetch_insights(SessionToken(token), query).await,
        Err(error) => Err(error),
    })
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
async fn load(_url_token: Option<String>, _query: InsightsQuery) -> ViewData {
    None
}

/// Follows monday's theme, loads figures when the server could not, and
/// refreshes them periodically.
#[cfg(feature = "hydrate")]
fn start_browser_side(
    theme: RwSignal<Theme>,
    reload: RwSignal<u32>,
    query: RwSignal<InsightsQuery>,
    insights: Resource<ViewData>,
) {
    use std::time::Duration;

    /// How often an open view asks for fresh figures.
    const REFRESH_INTERVAL_SECS: u64 = 300;
    /// How often a view without figures looks again.
    const WAITING_POLL_SECS: u64 = 5;

    // Whether the view still waits for figures; kept by an effect, because
    // resources may be read only in effects and suspense outside render.
    let waiting = RwSignal::new(true);
    Effect::new(move |_| {
        if let Some(data) = insights.get() {
            waiting.set(is_waiting_for_admin(&data));
        }
    });

    Effect::new(move |started: Option<()>| {
        if started.is_some() {
            return;
        }
        crate::browser::monday::listen_theme(move |next| theme.set(next));
        // A changed setting changes the query, which reloads the figures;
        // the same settings pushed again change nothing.
        crate::browser::monday::listen_settings(move |settings| {
            let next = crate::view_settings::query_from_view_settings(&settings);
            if query.get_untracked() != next {
                query.set(next);
            }
        });

        // Without a usable token in the URL the server rendered no figures:
        // fetch them now with a token from the SDK.
        let needs_load = insights.get_untracked().is_none_or(|data| {
            matches!(data, None | Some(Err(AppError::SessionExpired | AppError::SessionInvalid)))
        });
        if needs_load {
            reload.update(|count| *count += 1);
        }
        let _ = set_interval_with_handle(
            move || reload.update(|count| *count += 1),
            Duration::from_secs(REFRESH_INTERVAL_SECS),
        );
        // While the account is not connected, or its key needs an admin,
        // look again often, so that a connection made in the other tab shows
        // up without a reload. Such requests never reach ActivTrak; other
        // errors wait for the normal refresh.
        let _ = set_interval_with_handle(
            move || {
                if waiting.get_untracked() {
                    reload.update(|count| *count += 1);
                }
            },
            Duration::from_secs(WAITING_POLL_SECS),
        );
        // Coming back to the board tab (after the settings tab) refreshes.
        let _ = window_event_listener(leptos::ev::focus, move |_| reload.update(|count| *count += 1));
    });
}

#[cfg(feature = "hydrate")]
fn is_waiting_for_admin(data: &ViewData) -> bool {
    match data {
        None => true,
        Some(Ok(response)) => matches!(response.insights, crate::model::Insights::NotConnected { .. }),
        Some(Err(error)) => matches!(error, AppError::NeedsAttention { .. }),
    }
}
