//! Everything that runs only on the server.

pub mod activtrak;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod http;
pub mod ids;
pub mod insights;
pub mod monday_api;
pub mod session_token;
pub mod settings_page;
pub mod state;

use std::sync::Arc;

use leptos::config::LeptosOptions;

use crate::server::activtrak::ActivTrakClient;
use crate::server::config::Config;
use crate::server::db::Database;
use crate::server::insights::engine::Engine;
use crate::server::state::{AppState, SystemClock};

/// Builds the state from a checked configuration: connects to the database
/// (running migrations) and prepares the ActivTrak client.
pub async fn build_state(config: Config, leptos_options: LeptosOptions) -> Result<AppState, StartupError> {
    let db = Database::connect(&config.database_url).await?;
    let activtrak = ActivTrakClient::new(
        config.activtrak_base_url.clone(),
        config.activtrak_connect_timeout,
        config.activtrak_request_timeout,
    )?;
    Ok(AppState {
        config: Arc::new(config),
        db,
        activtrak,
        clock: Arc::new(SystemClock),
        leptos_options,
        engine: Arc::new(Engine::default()),
        metrics: None,
    })
}

/// An error on a start-up or command path, where the only handling is to
/// print its message and exit.
pub type StartupError = Box<dyn std::error::Error + Send + Sync>;
