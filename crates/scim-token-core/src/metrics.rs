//! Metrics through the [`metrics`](https://docs.rs/metrics/0.24) facade (feature `metrics`), so that
//! whatever exporter the host installed (Prometheus, StatsD, an OpenTelemetry bridge) receives them.
//!
//! | name | kind | labels | counts |
//! |---|---|---|---|
//! | [`VERIFICATIONS_TOTAL`] | counter | `outcome`: `valid`, `invalid`, `busy`, `store_error`, `error` | every `verify`/`verify_for` that returned |
//! | [`VERIFY_DURATION_SECONDS`] | histogram | `path`: `cache_hit`, `argon2`, `rejected_early` | the same calls' durations |
//! | [`HASHES_IN_FLIGHT`] | gauge | — | Argon2 computations holding a slot (verify and generate) |
//! | [`HASH_WAIT_SECONDS`] | histogram | — | how long a call waited for a hashing slot (`busy_wait` when refused) |
//! | [`ROTATIONS_TOTAL`] | counter | — | successful `generate` calls |
//! | [`REVOCATIONS_TOTAL`] | counter | — | tokens removed by `revoke` and `revoke_token` |
//! | [`STORE_ERRORS_TOTAL`] | counter | `operation`: the `TokenStore` method | failed store calls, including `record_use` |
//! | [`EXPIRING_SOON_TOTAL`] | counter | — | expiry warnings (at most one a day per token per process) |
//! | [`OVERLAPS_ENDED_TOTAL`] | counter | `reason`: `first_use`, `expired` | overlaps until first use ended by the new token's first use |
//! | [`OAUTH_TOKEN_REQUESTS_TOTAL`] | counter | `outcome`: `issued` or the OAuth error code (`invalid_client`, …) | token endpoint answers |
//!
//! - `outcome="error"` is an internal failure (Argon2 or the blocking pool); it should stay at zero.
//! - `path="argon2"` is any call that needed Argon2, including one refused as `busy` or a wrong secret;
//!   `rejected_early` is any call refused before it (malformed, unknown, expired, revoked, disabled scope,
//!   other scope, or the store failing on the look-up).
//! - `reason="first_use"` is an overlap until first use ended by the new token's first verification
//!   while the replaced token still worked; `expired` is one whose first use came after the overlap's
//!   maximum (the identity provider switched too late, so provisioning may have failed meanwhile). Each
//!   is counted once over all instances sharing the store, by the instance whose delete won.
//! - Labels never hold a token, a token id or (by default) a scope. A host with few tenants may opt in to a
//!   `scope` label on the counters of verifications, rotations, revocations and expiry warnings with
//!   [`metrics_scope_label(true)`](crate::ScimTokenServiceBuilder::metrics_scope_label); a verification
//!   whose token matched no stored record then has `scope=""`.
//! - A call abandoned by its caller before it returned (a dropped future) is not counted.
//!
//! **Install the recorder before building the service.** The service registers its metrics once, when
//! [`build`](crate::ScimTokenServiceBuilder::build) runs, with the recorder in place then (the global one,
//! or a local one set around `build`), and afterwards only touches those handles: a cache-hit verify
//! costs two readings of the CPU's time-stamp counter (`quanta`), one counter increment and one
//! histogram sample, with no look-up or allocation.
//! A service built before any recorder was installed records nothing. (With the scope label, the
//! labelled counters are looked up on each call, in the recorder current at that call.)

use std::time::Instant;

use ::metrics::{Counter, Gauge, Histogram, Unit};

use crate::audit::{AuditAction, AuditEvent};
use crate::ids::Scope;
use crate::verdict::Verdict;

/// Counter `{outcome}`: verifications that returned, by outcome.
pub const VERIFICATIONS_TOTAL: &str = "scim_token_verifications_total";
/// Histogram `{path}`, seconds: how long verifications took, by the path they took.
pub const VERIFY_DURATION_SECONDS: &str = "scim_token_verify_duration_seconds";
/// Gauge: Argon2 computations running or queued on the blocking pool with a slot.
pub const HASHES_IN_FLIGHT: &str = "scim_token_hashes_in_flight";
/// Histogram, seconds: the wait for a hashing slot.
pub const HASH_WAIT_SECONDS: &str = "scim_token_hash_wait_seconds";
/// Counter: tokens generated (each one replaces the scope's previous token).
pub const ROTATIONS_TOTAL: &str = "scim_token_rotations_total";
/// Counter: tokens revoked.
pub const REVOCATIONS_TOTAL: &str = "scim_token_revocations_total";
/// Counter `{operation}`: failed calls to the token store, by `TokenStore` method name.
pub const STORE_ERRORS_TOTAL: &str = "scim_token_store_errors_total";
/// Counter: warnings that a token in use expires within the `expiry_warning` window.
pub const EXPIRING_SOON_TOTAL: &str = "scim_token_expiring_soon_total";
/// Counter `{reason}`: overlaps until first use that ended, by `first_use` or `expired`.
pub const OVERLAPS_ENDED_TOTAL: &str = "scim_token_overlaps_ended_total";

/// Counter `{outcome}`: token endpoint answers, `issued` or by OAuth error code.
pub const OAUTH_TOKEN_REQUESTS_TOTAL: &str = "scim_token_oauth_token_requests_total";

/// Histogram buckets, in seconds, that separate the three verify paths (a cache hit takes microseconds,
/// Argon2 tens of milliseconds, a refused `busy` call the `busy_wait`): for exporters that need buckets,
/// e.g. `metrics-exporter-prometheus`'s `set_buckets_for_metric`.
pub const DURATION_BUCKETS_SECONDS: &[f64] =
    &[0.000_005, 0.000_025, 0.000_1, 0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The path a verification took, for [`VERIFY_DURATION_SECONDS`].
#[derive(Clone, Copy)]
enum VerifyPath {
    CacheHit,
    Argon2,
    RejectedEarly,
}

const PATHS: [(VerifyPath, &str); 3] = [
    (VerifyPath::CacheHit, "cache_hit"),
    (VerifyPath::Argon2, "argon2"),
    (VerifyPath::RejectedEarly, "rejected_early"),
];

/// The service's metric handles, registered once at build time.
pub(crate) struct ServiceMetrics {
    clock: quanta::Clock,
    verifications: [Counter; Verdict::ALL.len()],
    durations: [Histogram; PATHS.len()],
    find_token_errors: Counter,
    rotations: Counter,
    revocations: Counter,
    expiring_soon: Counter,
    /// By [`OverlapEnd`]: first use, expired.
    overlaps_ended: [Counter; OVERLAP_ENDS.len()],
    /// By [`TOKEN_OUTCOMES`].
    token_requests: [Counter; TOKEN_OUTCOMES.len()],
    scope_label: bool,
}

/// The `outcome` labels of [`OAUTH_TOKEN_REQUESTS_TOTAL`]: `issued`, then every OAuth error code.
const TOKEN_OUTCOMES: [&str; 9] = [
    "issued",
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "temporarily_unavailable",
    "server_error",
];

/// Why an overlap until first use ended, for [`OVERLAPS_ENDED_TOTAL`].
#[derive(Clone, Copy)]
enum OverlapEnd {
    FirstUse,
    Expired,
}

const OVERLAP_ENDS: [(OverlapEnd, &str); 2] =
    [(OverlapEnd::FirstUse, "first_use"), (OverlapEnd::Expired, "expired")];

impl ServiceMetrics {
    pub(crate) fn register(scope_label: bool) -> Self {
        describe();
        Self {
            // Calibrates the time-stamp counter against the OS clock (milliseconds, once per process).
            clock: quanta::Clock::new(),
            verifications: Verdict::ALL
                .map(|v| ::metrics::counter!(VERIFICATIONS_TOTAL, "outcome" => v.label())),
            durations: PATHS.map(|(_, path)| ::metrics::histogram!(VERIFY_DURATION_SECONDS, "path" => path)),
            find_token_errors: ::metrics::counter!(STORE_ERRORS_TOTAL, "operation" => "find_token"),
            rotations: ::metrics::counter!(ROTATIONS_TOTAL),
            revocations: ::metrics::counter!(REVOCATIONS_TOTAL),
            expiring_soon: ::metrics::counter!(EXPIRING_SOON_TOTAL),
            overlaps_ended: OVERLAP_ENDS
                .map(|(_, reason)| ::metrics::counter!(OVERLAPS_ENDED_TOTAL, "reason" => reason)),
            token_requests: TOKEN_OUTCOMES
                .map(|outcome| ::metrics::counter!(OAUTH_TOKEN_REQUESTS_TOTAL, "outcome" => outcome)),
            scope_label,
        }
    }

    /// Records one finished verification.
    pub(crate) fn verified(&self, timer: &VerifyTimer, verdict: Verdict) {
        let path = match (timer.argon2, verdict) {
            (true, _) => VerifyPath::Argon2,
            (false, Verdict::Valid) => VerifyPath::CacheHit,
            (false, _) => VerifyPath::RejectedEarly,
        };
        let nanos = self.clock.delta_as_nanos(timer.started, self.clock.raw());
        self.durations[path as usize].record(nanos as f64 * 1e-9);
        if self.scope_label {
            let scope = timer.scope.as_ref().map_or_else(String::new, |s| s.as_str().to_owned());
            ::metrics::counter!(VERIFICATIONS_TOTAL, "outcome" => verdict.label(), "scope" => scope)
                .increment(1);
        } else {
            self.verifications[verdict as usize].increment(1);
        }
        // `find_token` is the one store call of a verification that can fail it; the store wrapper
        // passes it through uncounted, to keep the hot path free of an extra boxed future.
        if matches!(verdict, Verdict::StoreError) {
            self.find_token_errors.increment(1);
        }
    }

    /// Counts rotations, revocations and ended overlaps from the audit events the service emits.
    pub(crate) fn audited(&self, event: &AuditEvent) {
        let (counter, name, count) = match event.action {
            AuditAction::TokenGenerated => (&self.rotations, ROTATIONS_TOTAL, 1),
            AuditAction::TokensRevoked | AuditAction::TokenRevoked => {
                (&self.revocations, REVOCATIONS_TOTAL, event.token_ids.len() as u64)
            }
            AuditAction::OverlapEndedByFirstUse => return self.overlap_ended(OverlapEnd::FirstUse),
            AuditAction::OverlapExpired => return self.overlap_ended(OverlapEnd::Expired),
            _ => return,
        };
        self.count(counter, name, &event.scope, count);
    }

    /// Counts one ended overlap. Never by scope: it happens once per rotation, and the reason is what
    /// an alert wants.
    fn overlap_ended(&self, end: OverlapEnd) {
        self.overlaps_ended[end as usize].increment(1);
    }

    /// Counts one token endpoint answer; `outcome` is one of nine fixed labels, never anything the
    /// client sent.
    pub(crate) fn token_request(&self, outcome: &'static str) {
        if let Some(at) = TOKEN_OUTCOMES.iter().position(|&known| known == outcome) {
            self.token_requests[at].increment(1);
        }
    }

    /// Counts one expiry warning.
    pub(crate) fn expiring_soon(&self, scope: &Scope) {
        self.count(&self.expiring_soon, EXPIRING_SOON_TOTAL, scope, 1);
    }

    fn count(&self, unlabelled: &Counter, name: &'static str, scope: &Scope, count: u64) {
        if self.scope_label {
            ::metrics::counter!(name, "scope" => scope.as_str().to_owned()).increment(count);
        } else {
            unlabelled.increment(count);
        }
    }
}

/// One verification being timed, in raw time-stamp counter ticks: a cache-hit verify takes well under a
/// microsecond, and two `std::time::Instant` readings cost a sizeable part of that on some VMs.
pub(crate) struct VerifyTimer {
    started: u64,
    argon2: bool,
    /// Kept only with the scope label on.
    scope: Option<Scope>,
    scope_label: bool,
}

impl VerifyTimer {
    pub(crate) fn start(metrics: &ServiceMetrics) -> Self {
        Self { started: metrics.clock.raw(), argon2: false, scope: None, scope_label: metrics.scope_label }
    }

    pub(crate) fn argon2(&mut self) {
        self.argon2 = true;
    }

    pub(crate) fn scope(&mut self, scope: &Scope) {
        if self.scope_label {
            self.scope = Some(scope.clone());
        }
    }
}

/// The hasher's handles: slots in use and the wait for one.
pub(crate) struct HashMetrics {
    in_flight: Gauge,
    wait: Histogram,
}

impl HashMetrics {
    pub(crate) fn register() -> Self {
        describe();
        Self {
            in_flight: ::metrics::gauge!(HASHES_IN_FLIGHT),
            wait: ::metrics::histogram!(HASH_WAIT_SECONDS),
        }
    }

    /// Awaits `acquire` (the wait for a slot) and records how long it took, success or not.
    pub(crate) async fn time_wait<T>(&self, acquire: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let acquired = acquire.await;
        self.wait.record(started.elapsed());
        acquired
    }

    /// Counts one hash in flight until the returned guard drops.
    pub(crate) fn in_flight(&self) -> InFlight {
        self.in_flight.increment(1.0);
        InFlight(self.in_flight.clone())
    }
}

/// Decrements [`HASHES_IN_FLIGHT`] when dropped.
pub(crate) struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// Sends every metric's unit and description to the current recorder (e.g. Prometheus `# HELP`).
fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(VERIFICATIONS_TOTAL, Unit::Count, "SCIM token verifications, by outcome");
    describe_histogram!(VERIFY_DURATION_SECONDS, Unit::Seconds, "SCIM token verification time, by path");
    describe_gauge!(HASHES_IN_FLIGHT, Unit::Count, "Argon2 computations holding a hashing slot");
    describe_histogram!(HASH_WAIT_SECONDS, Unit::Seconds, "Wait for an Argon2 hashing slot");
    describe_counter!(ROTATIONS_TOTAL, Unit::Count, "SCIM tokens generated");
    describe_counter!(REVOCATIONS_TOTAL, Unit::Count, "SCIM tokens revoked");
    describe_counter!(STORE_ERRORS_TOTAL, Unit::Count, "Failed token store calls, by operation");
    describe_counter!(EXPIRING_SOON_TOTAL, Unit::Count, "Warnings that a SCIM token in use expires soon");
    describe_counter!(OAUTH_TOKEN_REQUESTS_TOTAL, Unit::Count, "OAuth token endpoint answers, by outcome");
    describe_counter!(
        OVERLAPS_ENDED_TOTAL,
        Unit::Count,
        "SCIM token overlaps until first use ended, by reason"
    );
}

/// Counts a store call's failure under [`STORE_ERRORS_TOTAL`], by operation.
pub(crate) struct StoreErrorCounter(Counter);

impl StoreErrorCounter {
    pub(crate) fn register(operation: &'static str) -> Self {
        Self(::metrics::counter!(STORE_ERRORS_TOTAL, "operation" => operation))
    }

    /// Counts `result` if it is an error, and passes it on.
    pub(crate) fn count<T, E>(&self, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() {
            self.0.increment(1);
        }
        result
    }
}
