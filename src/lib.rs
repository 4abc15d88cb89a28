//! ActivTrak insights for monday.com: a board view that shows a team's
//! ActivTrak productivity next to its monday board.

pub mod app;
pub mod charts;
pub mod components;
pub mod errors;
pub mod model;
pub mod pages;
pub mod server_fns;
pub mod view_settings;

#[cfg(feature = "hydrate")]
pub mod browser;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "sandbox")]
pub mod sandbox;

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker for end-to-end tests, which must not act before hydration.
    if let Some(body) = web_sys::window().and_then(|window| window.document()).and_then(|doc| doc.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
