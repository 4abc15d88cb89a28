use activtrak_board::server::cli::{self, Cli, Command};
use activtrak_board::server::config::Config;
use activtrak_board::server::http::router;
use activtrak_board::server::{build_state, StartupError};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();

    if let Err(error) = run(Cli::parse()).await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Connect { account, region, auth_header } => cli::connect(&config, account, region, auth_header).await,
        Command::RotateKeys => cli::rotate_keys(&config).await,
    }
}

async fn serve(config: Config) -> Result<(), StartupError> {
    // Run-time site options come from Leptos.toml, overridden by LEPTOS_*
    // variables (which cargo-leptos sets when it runs the server).
    let leptos_options = leptos::config::get_configuration(Some("Leptos.toml"))?.leptos_options;
    let address = leptos_options.site_addr;
    let mut state = build_state(config, leptos_options).await?;
    state.metrics = Some(metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?);
    spawn_cleanup(state.clone());
    let app = router(state);

    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(%address, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await?;
    Ok(())
}

/// Deletes expired handoff links, OAuth states and sessions, at start and
/// then hourly.
fn spawn_cleanup(state: activtrak_board::server::state::AppState) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            ticks.tick().await;
            let now = state.clock.now().timestamp();
            if let Err(error) = activtrak_board::server::db::sign_in::delete_expired(&state.db, now).await {
                tracing::warn!(error = %error, "could not delete expired sign-in rows");
            }
        }
    });
}
