//! The HTTP router: Leptos pages and server functions, the JSON API, static
//! files, security headers and access logs.

pub mod api;
pub mod groups;
pub mod lifecycle;
pub mod sign_in;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::app::{shell, App};
use crate::server::config::AppEnv;
use crate::server::state::AppState;

/// Builds the app's router. Tests call it with their own state and send
/// requests with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();

    Router::new()
        .route("/api/insights", get(api::get_insights))
        .route("/api/groups", get(groups::get_groups).post(groups::post_group))
        .route("/monday/lifecycle", axum::routing::post(lifecycle::handle_lifecycle))
        .route("/settings/handoff", get(sign_in::handoff))
        .route("/settings/sign-out", axum::routing::post(sign_in::sign_out))
        .route("/oauth/start", get(sign_in::oauth_start))
        .route("/oauth/callback", get(sign_in::oauth_callback))
        .route("/monday-app-association.json", get(app_association))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(render_metrics))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(
            // The span names the path only: the query string can carry a
            // sessionToken, which must never reach a log.
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                tracing::info_span!("request", http.method = %request.method(), http.path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// monday's app association file, which names this app's client id.
async fn app_association(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "apps": [{ "clientID": state.config.monday_client_id }] }))
}

/// Serves the counters and histograms in Prometheus's text format.
async fn render_metrics(State(state): State<AppState>) -> Response {
    use axum::response::IntoResponse;
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"))],
            handle.render(),
        )
            .into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}

/// Adds the headers every response needs. The board view may be framed by
/// the configured monday origins only; every other page refuses framing.
async fn security_headers(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let is_view = request.uri().path() == "/view";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();

    let frame_ancestors = if is_view && !state.config.frame_ancestors.is_empty() {
        state.config.frame_ancestors.join(" ")
    } else {
        "'none'".to_owned()
    };
    if let Ok(value) = HeaderValue::from_str(&format!("frame-ancestors {frame_ancestors}")) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // The view's URL can carry the sessionToken: no Referer may repeat it.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if state.config.app_env == AppEnv::Production {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if is_view {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
