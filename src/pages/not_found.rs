use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <main class="page not-found">
            <h1>"Page not found"</h1>
            <p>"Open ActivTrak insights from a board view in monday.com."</p>
        </main>
    }
}
