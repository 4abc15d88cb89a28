//! The state every request handler and server function reads.

use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;

use crate::server::activtrak::ActivTrakClient;
use crate::server::config::Config;
use crate::server::db::Database;
use crate::server::insights::engine::Engine;

/// The time source. Tests use [`ManualClock`] so that nothing waits for real.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub activtrak: ActivTrakClient,
    pub clock: Arc<dyn Clock>,
    pub leptos_options: LeptosOptions,
    /// The in-process cache and in-flight fetches.
    pub engine: Arc<Engine>,
    /// Renders `/metrics`; `None` where no recorder is installed (tests).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}
