//! The shared cache and the one-fetch-per-key rule.
//!
//! Answers are cached in two layers: a small in-process cache in front of
//! the `aggregate_cache` table that all instances share. However many
//! requests ask for one key at once, one fetch runs: within a process the
//! requests join one future, and between processes a lease row in the
//! database lets one instance fetch while the others wait for its result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use tracing::Instrument;

use crate::model::{Insights, Period};
use crate::server::activtrak::ActivTrakError;
use crate::server::db::cache::{load_cached, store_cached, CachedAggregate};
use crate::server::db::credentials::{block_until, load_credential, mark_problem, KeyProblem};
use crate::server::db::leases;
use crate::server::db::StorageError;
use crate::server::state::AppState;

use super::aggregate::AggregationRules;
use super::compute;

/// How often an instance waiting on another's lease looks for its result.
const LEASE_POLL: Duration = Duration::from_millis(100);

/// In-process entries kept at most (the database keeps everything).
const MEMORY_ENTRIES: u64 = 10_000;

/// One cached result with the time its rows were read.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedAnswer {
    pub insights: Insights,
    pub fetched_at: i64,
}

/// Everything that identifies one fetch.
#[derive(Clone, Debug)]
pub struct FetchJob {
    pub account_id: i64,
    pub generation: i64,
    pub cache_key: String,
    pub period: Period,
    pub groups: Vec<i64>,
    pub rules: AggregationRules,
    /// Seconds a cached result stays fresh.
    pub max_age: i64,
}

impl FetchJob {
    fn memory_key(&self) -> String {
        format!("{}|{}|{}", self.account_id, self.generation, self.cache_key)
    }
}

/// The reason a fetch failed. Cloneable, because every joined request gets it.
#[derive(Clone, Debug)]
pub enum FetchFailure {
    ActivTrak(Arc<ActivTrakError>),
    /// The key was replaced or removed while the fetch ran.
    KeyChanged,
    /// ActivTrak rejected the key earlier; an admin must reconnect.
    KeyRejected(KeyProblem),
    Undecryptable,
    Storage(Arc<StorageError>),
}

impl From<StorageError> for FetchFailure {
    fn from(error: StorageError) -> FetchFailure {
        FetchFailure::Storage(Arc::new(error))
    }
}

type SharedFetch = Shared<BoxFuture<'static, Result<Arc<CachedAnswer>, FetchFailure>>>;

/// State shared by every request of one process.
pub struct Engine {
    memory: moka::sync::Cache<String, Arc<CachedAnswer>>,
    inflight: Mutex<HashMap<String, SharedFetch>>,
    /// The latest failure per memory key, cleared by a success.
    problems: Mutex<HashMap<String, String>>,
    /// Names this process in lease rows.
    instance_id: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("instance_id", &self.instance_id).finish_non_exhaustive()
    }
}

impl Default for Engine {
    fn default() -> Engine {
        use rand::Rng;
        let suffix: u64 = rand::thread_rng().gen();
        Engine {
            memory: moka::sync::Cache::new(MEMORY_ENTRIES),
            inflight: Mutex::new(HashMap::new()),
            problems: Mutex::new(HashMap::new()),
            instance_id: format!("{}-{suffix:016x}", std::process::id()),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
    /// Returns the cached result for `job`, from memory or the database, fresh or not.
    ///
    /// In-process entries are keyed by the credential generation, which the
    /// caller reads from the database on every request: a disconnect, a new
    /// key or an uninstall on any instance makes them unusable at once.
    pub async fn cached(&self, state: &AppState, job: &FetchJob) -> Result<Option<Arc<CachedAnswer>>, StorageError> {
        if let Some(answer) = self.memory.get(&job.memory_key()) {
            metrics::counter!("activtrak_board_cache_lookups_total", "result" => "hit", "layer" => "memory").increment(1);
            return Ok(Some(answer));
        }

        let Some(entry) = load_cached(&state.db, job.account_id, &job.cache_key).await? else {
            return Ok(None);
        };
        if entry.generation != job.generation {
            return Ok(None);
        }
        let Ok(insights) = serde_json::from_str::<Insights>(&entry.payload) else {
            tracing::warn!(account.id = job.account_id, "cached aggregate is unreadable; fetching again");
            return Ok(None);
        };
        metrics::counter!("activtrak_board_cache_lookups_total", "result" => "hit", "layer" => "database").increment(1);
        let answer = Arc::new(CachedAnswer {
            insights,
            fetched_at: entry.fetched_at,
        });
        self.memory.insert(job.memory_key(), answer.clone());
        Ok(Some(answer))
    }

    /// Returns the latest failure to refresh `job`, if the last attempt failed.
    pub fn problem(&self, job: &FetchJob) -> Option<String> {
        lock(&self.problems).get(&job.memory_key()).cloned()
    }

    /// Runs the fetch for `job`, or joins the one already running in this
    /// process. The fetch runs in its own task, so it completes (and fills
    /// the cache) even when every caller stopped waiting.
    pub fn fetch(&self, state: &AppState, job: FetchJob) -> SharedFetch {
        let key = job.memory_key();
        let mut inflight = lock(&self.inflight);
        if let Some(running) = inflight.get(&key) {
            metrics::counter!("activtrak_board_joined_waits_total", "scope" => "process").increment(1);
            return running.clone();
        }

        let task_state = state.clone();
        let task_key = key.clone();
        let span = tracing::info_span!("activtrak_fetch", account.id = job.account_id, cache.key = %job.cache_key);
        let handle = tokio::spawn(
            async move {
                let result = lead_fetch(&task_state, &job).await;
                let engine = &task_state.engine;
                match &result {
                    Ok(answer) => {
                        engine.memory.insert(task_key.clone(), answer.clone());
                        lock(&engine.problems).remove(&task_key);
                    }
                    Err(failure) => {
                        lock(&engine.problems).insert(task_key.clone(), describe(failure));
                    }
                }
                lock(&engine.inflight).remove(&task_key);
                result
            }
            .instrument(span),
        );
        let shared = async move {
            handle
                .await
                .unwrap_or_else(|_| Err(FetchFailure::Storage(Arc::new(StorageError::CorruptRow {
                    account_id: 0,
                    message: "the fetch task stopped unexpectedly".to_owned(),
                }))))
        }
        .boxed()
        .shared();
        inflight.insert(key, shared.clone());
        shared
    }
}

/// Describes a failure in a few plain words, for "showing data from …".
pub fn describe(failure: &FetchFailure) -> String {
    match failure {
        FetchFailure::ActivTrak(error) => match error.as_ref() {
            ActivTrakError::Timeout => "ActivTrak is not responding".to_owned(),
            ActivTrakError::Connect => "ActivTrak could not be reached".to_owned(),
            ActivTrakError::RateLimited { .. } => "ActivTrak is limiting requests".to_owned(),
            ActivTrakError::Unauthorized | ActivTrakError::Forbidden => "ActivTrak rejected the stored key".to_owned(),
            ActivTrakError::Status(status) => format!("ActivTrak returned HTTP {status}"),
            ActivTrakError::BadRequest(_) => "ActivTrak rejected the request".to_owned(),
            ActivTrakError::InvalidResponse(_) => "ActivTrak sent an invalid response".to_owned(),
        },
        FetchFailure::KeyChanged => "the ActivTrak key was changed".to_owned(),
        FetchFailure::KeyRejected(_) => "ActivTrak rejected the stored key".to_owned(),
        FetchFailure::Undecryptable => "the stored key cannot be read".to_owned(),
        FetchFailure::Storage(_) => "the app's database failed".to_owned(),
    }
}

/// Waits for another instance's fetch through the lease, or takes the lease
/// and fetches.
async fn lead_fetch(state: &AppState, job: &FetchJob) -> Result<Arc<CachedAnswer>, FetchFailure> {
    let holder = format!("{}-{}", state.engine.instance_id, job.memory_key());
    let mut waited = false;
    loop {
        // Another instance may have just stored a fresh answer.
        if let Some(entry) = load_cached(&state.db, job.account_id, &job.cache_key).await? {
            let now = state.clock.now().timestamp();
            if entry.generation == job.generation && now - entry.fetched_at < job.max_age {
                if let Ok(insights) = serde_json::from_str::<Insights>(&entry.payload) {
                    return Ok(Arc::new(CachedAnswer {
                        insights,
                        fetched_at: entry.fetched_at,
                    }));
                }
            }
        }

        let now = state.clock.now().timestamp();
        let expires_at = now + state.config.fetch_lease.as_secs() as i64;
        if leases::try_acquire(&state.db, job.account_id, &job.cache_key, &holder, now, expires_at).await? {
            let result = fetch_and_store(state, job).await;
            if let Err(error) = leases::release(&state.db, job.account_id, &job.cache_key, &holder).await {
                tracing::warn!(account.id = job.account_id, error = %error, "could not release the fetch lease");
            }
            return result;
        }
        if !waited {
            metrics::counter!("activtrak_board_joined_waits_total", "scope" => "lease").increment(1);
            waited = true;
        }
        tokio::time::sleep(LEASE_POLL).await;
    }
}

async fn fetch_and_store(state: &AppState, job: &FetchJob) -> Result<Arc<CachedAnswer>, FetchFailure> {
    let credential = load_credential(&state.db, job.account_id)
        .await?
        .filter(|credential| credential.generation == job.generation)
        .ok_or(FetchFailure::KeyChanged)?;
    if let Some(problem) = credential.problem {
        return Err(FetchFailure::KeyRejected(problem));
    }
    let now = state.clock.now().timestamp();
    if credential.blocked_until > now {
        let wait = Duration::from_secs((credential.blocked_until - now) as u64);
        return Err(FetchFailure::ActivTrak(Arc::new(ActivTrakError::RateLimited { retry_after: Some(wait) })));
    }
    let api_key = state
        .config
        .keyring
        .open(job.account_id, &credential.sealed_key)
        .map_err(|_| FetchFailure::Undecryptable)?;

    let computed = compute::compute(state, &credential, &api_key, job).await;
    let insights = match computed {
        Ok(insights) => insights,
        Err(error) => {
            record_rejection(state, job, &error).await;
            return Err(FetchFailure::ActivTrak(Arc::new(error)));
        }
    };

    let fetched_at = state.clock.now().timestamp();
    let payload = serde_json::to_string(&insights).map_err(|error| StorageError::CorruptRow {
        account_id: job.account_id,
        message: format!("could not serialize the aggregate: {error}"),
    })?;
    let entry = CachedAggregate {
        generation: job.generation,
        payload,
        fetched_at,
    };
    if !store_cached(&state.db, job.account_id, &job.cache_key, &entry).await? {
        return Err(FetchFailure::KeyChanged);
    }
    Ok(Arc::new(CachedAnswer { insights, fetched_at }))
}

/// Records ActivTrak's rejection for the account: a 429 blocks requests
/// until `Retry-After` (capped) has passed; a 401 or 403 marks the key.
async fn record_rejection(state: &AppState, job: &FetchJob, error: &ActivTrakError) {
    let recorded = match error {
        ActivTrakError::RateLimited { retry_after } => {
            let cap = state.config.activtrak_retry_after_cap;
            // Without Retry-After, wait one minute (ActivTrak documents no default).
            let wait = retry_after.unwrap_or(Duration::from_secs(60)).min(cap);
            let until = state.clock.now().timestamp() + wait.as_secs() as i64;
            block_until(&state.db, job.account_id, job.generation, until).await
        }
        ActivTrakError::Unauthorized => mark_problem(&state.db, job.account_id, job.generation, KeyProblem::Unauthorized).await,
        ActivTrakError::Forbidden => mark_problem(&state.db, job.account_id, job.generation, KeyProblem::Forbidden).await,
        _ => Ok(()),
    };
    if let Err(storage) = recorded {
        tracing::error!(account.id = job.account_id, error = %storage, "could not record ActivTrak's rejection");
    }
}
