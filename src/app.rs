//! The HTML shell and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::pages::board_view::BoardView;
use crate::pages::not_found::NotFound;
use crate::pages::settings::SettingsPageView;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="no-referrer"/>
                // No favicon: an empty data URL keeps browsers from asking for one.
                <link rel="icon" href="data:,"/>
                // monday's SDK and ECharts, served by the app from their npm
                // packages. Deferred scripts run in order, before the
                // hydration module.
                <script src="/vendor/monday-sdk.js" defer></script>
                <script src="/vendor/echarts.min.js" defer></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/activtrak-board.css"/>
        <Title text="ActivTrak insights"/>
        <Router>
            <Routes fallback=NotFound>
                // Async: the first response waits for the figures, so they
                // are in the HTML monday's iframe receives.
                <Route path=path!("/view") view=BoardView ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=SettingsPageView ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
