//! Runs the local sandbox: the monday host page and token minting, and the
//! ActivTrak stand-in. See `activtrak_board::sandbox` for the routes and
//! settings.

use std::process::ExitCode;

use activtrak_board::sandbox::{self, SandboxConfig};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let config = match SandboxConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("sandbox: {error}");
            return ExitCode::from(2);
        }
    };
    let addr = config.addr;

    match sandbox::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sandbox: serving on {addr} failed: {error}");
            ExitCode::FAILURE
        }
    }
}
