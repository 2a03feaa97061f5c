//! The signing keys of each JWKS URL, cached by `kid`, and the rules for fetching them again:
//! - a known `kid` is used at once, even when the endpoint is down or the set is old (a set older than
//!   the maximum age is refreshed in the background, and kept if that fails);
//! - an unknown `kid` refetches the set, but at most once per refetch interval per URL, and one fetch
//!   at a time per URL (single flight): forged `kid`s cannot make us hammer the issuer;
//! - a successful fetch replaces the set (rotated-out keys disappear); a failed one keeps it.
//!
//! Times come from the caller's `now`, the service's clock, so tests move time instead of sleeping.
//! A clock that goes back counts as "long enough ago": the next attempt resets the mark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use scim_token_core::Timestamp;

use crate::error::FetchError;
use crate::fetch::JwksFetcher;
use crate::keys::{KeySet, VerifyingKey};

/// When to fetch again, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefetchRules {
    pub(crate) refetch_interval_ms: i64,
    pub(crate) max_age_ms: i64,
}

/// The key sets of every JWKS URL seen, and the fetcher that fills them.
pub(crate) struct KeySource {
    urls: Mutex<HashMap<String, Arc<UrlEntry>>>,
    fetcher: JwksFetcher,
    rules: RefetchRules,
}

#[derive(Default)]
struct UrlEntry {
    state: Mutex<KeyState>,
    /// Held across a fetch: the single flight.
    fetching: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
struct KeyState {
    keys: Arc<KeySet>,
    fetched_at: Option<Timestamp>,
    last_attempt: Option<Timestamp>,
    /// Why the last attempt failed, if it did (the error's text: the error itself is not `Clone`).
    last_failure: Option<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn older_than(then: Option<Timestamp>, now: Timestamp, ms: i64) -> bool {
    then.is_none_or(|then| {
        let elapsed = now.unix_millis().saturating_sub(then.unix_millis());
        elapsed < 0 || elapsed >= ms
    })
}

impl KeySource {
    pub(crate) fn new(fetcher: JwksFetcher, rules: RefetchRules) -> Self {
        Self { urls: Mutex::default(), fetcher, rules }
    }

    fn entry(&self, url: &str) -> Arc<UrlEntry> {
        let mut urls = lock(&self.urls);
        Arc::clone(urls.entry(url.to_owned()).or_default())
    }

    /// The key `kid` at `url`: `Ok(None)` if the issuer does not list it (after at most one refetch per
    /// interval); `Err` if it is not cached and the keys could not be fetched.
    pub(crate) async fn key(
        self: &Arc<Self>,
        url: &str,
        kid: &str,
        now: Timestamp,
    ) -> Result<Option<VerifyingKey>, FetchError> {
        let entry = self.entry(url);
        let cached = {
            let state = lock(&entry.state);
            state.keys.get(kid).cloned().map(|key| {
                let stale = older_than(state.fetched_at, now, self.rules.max_age_ms)
                    && older_than(state.last_attempt, now, self.rules.refetch_interval_ms);
                (key, stale)
            })
        };
        if let Some((key, stale)) = cached {
            if stale {
                self.refresh_in_background(url, &entry, now);
            }
            return Ok(Some(key));
        }

        let _flight = entry.fetching.lock().await;
        {
            let mut state = lock(&entry.state);
            // Another request may have fetched while this one waited.
            if let Some(key) = state.keys.get(kid) {
                return Ok(Some(key.clone()));
            }
            if !older_than(state.last_attempt, now, self.rules.refetch_interval_ms) {
                return match &state.last_failure {
                    Some(why) => Err(FetchError::RecentlyFailed(why.clone())),
                    None => Ok(None),
                };
            }
            state.last_attempt = Some(now);
        }
        let keys = self.fetch_into(url, &entry, now).await?;
        Ok(keys.get(kid).cloned())
    }

    /// Fetches `url` and records the outcome; the caller holds the single-flight lock.
    async fn fetch_into(
        &self,
        url: &str,
        entry: &UrlEntry,
        now: Timestamp,
    ) -> Result<Arc<KeySet>, FetchError> {
        let fetched = self.fetcher.fetch(url).await;
        let mut state = lock(&entry.state);
        match fetched {
            Ok(keys) => {
                tracing::debug!(jwks_url = url, keys = keys.len(), "fetched the issuer's signing keys");
                state.keys = Arc::new(keys);
                state.fetched_at = Some(now);
                state.last_failure = None;
                Ok(Arc::clone(&state.keys))
            }
            Err(error) => {
                tracing::warn!(jwks_url = url, error = %error, "could not fetch the issuer's signing keys");
                state.last_failure = Some(error.to_string());
                Err(error)
            }
        }
    }

    /// Refreshes an old set without making the current request wait; skipped if a fetch is under way.
    fn refresh_in_background(self: &Arc<Self>, url: &str, entry: &Arc<UrlEntry>, now: Timestamp) {
        let Ok(flight) = Arc::clone(&entry.fetching).try_lock_owned() else { return };
        lock(&entry.state).last_attempt = Some(now);
        let (this, entry, url) = (Arc::clone(self), Arc::clone(entry), url.to_owned());
        tokio::spawn(async move {
            // The outcome is recorded (and logged) by fetch_into; a failure keeps the old set.
            let _ = this.fetch_into(&url, &entry, now).await;
            drop(flight);
        });
    }
}
