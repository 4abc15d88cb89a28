//! Reading the Working Hours rows a selection needs from ActivTrak, with
//! retries for passing failures and the account's 429 block.

use std::time::Duration;

use rand::Rng;
use secrecy::SecretString;

use crate::model::Period;
use crate::server::activtrak::{ActivTrakError, WorkingHoursQuery, WorkingHoursRow};
use crate::server::db::credentials::StoredCredential;
use crate::server::state::AppState;

/// Reads the rows of one query, retrying timeouts, connection failures and
/// 5xx answers with jittered exponential backoff.
pub async fn fetch_rows(
    state: &AppState,
    credential: &StoredCredential,
    api_key: &SecretString,
    period: Period,
    group_id: Option<i64>,
) -> Result<Vec<WorkingHoursRow>, ActivTrakError> {
    let query = WorkingHoursQuery {
        from: period.from,
        to: period.to,
        group_id,
    };
    let retries = state.config.activtrak_retries;
    let mut attempt = 0;
    loop {
        let result = state
            .activtrak
            .working_hours(credential.region, credential.auth_header, api_key, query)
            .await;
        match result {
            Err(error) if is_retried(&error) && attempt < retries => {
                let delay = backoff(state.config.activtrak_retry_backoff, attempt);
                tracing::warn!(
                    attempt = attempt + 1,
                    delay_ms = delay.as_millis() as u64,
                    error = %error,
                    "ActivTrak request failed; retrying"
                );
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_retried(error: &ActivTrakError) -> bool {
    match error {
        ActivTrakError::Timeout | ActivTrakError::Connect => true,
        ActivTrakError::Status(status) => *status >= 500,
        _ => false,
    }
}

/// `base · 2^attempt`, plus up to `base` of random jitter so that instances
/// that failed together do not retry together.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt));
    let jitter_ms = rand::thread_rng().gen_range(0..=base.as_millis().max(1) as u64);
    exponential + Duration::from_millis(jitter_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(250);
        for attempt in 0..3 {
            let delay = backoff(base, attempt);
            let floor = base * 2u32.pow(attempt);
            assert!(delay >= floor, "{delay:?} < {floor:?}");
            assert!(delay <= floor + base, "{delay:?} > {floor:?} + {base:?}");
        }
    }

    #[test]
    fn only_passing_failures_are_retried() {
        assert!(is_retried(&ActivTrakError::Timeout));
        assert!(is_retried(&ActivTrakError::Status(502)));
        assert!(!is_retried(&ActivTrakError::Status(404)));
        assert!(!is_retried(&ActivTrakError::Unauthorized));
        assert!(!is_retried(&ActivTrakError::RateLimited { retry_after: None }));
        assert!(!is_retried(&ActivTrakError::InvalidResponse("cut".into())));
    }
}
