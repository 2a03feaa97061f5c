//! The hooks the service and the hasher call: one `tracing` span per verification, metrics (feature
//! `metrics`) and expiry warnings. Without the feature the metric parts are zero-sized no-ops, so
//! nothing of them is compiled in and the call sites need no `cfg`.

use std::time::Duration;

use crate::audit::{AuditEvent, AuditSink};
use crate::error::Result;
use crate::expiry_warning::{DEFAULT_WINDOW, ExpiryWarnings};
use crate::ids::{Scope, TokenId};
use crate::time::Timestamp;
use crate::verdict::Verdict;

#[cfg(feature = "metrics")]
pub(crate) use crate::metered_store::observed_store;
#[cfg(feature = "metrics")]
pub(crate) use crate::metrics::HashMetrics;
#[cfg(feature = "metrics")]
use crate::metrics::{ServiceMetrics, VerifyTimer};
#[cfg(not(feature = "metrics"))]
pub(crate) use noop::{HashMetrics, ServiceMetrics, VerifyTimer, observed_store};

/// The builder's observability options (set by its `expiry_warning` and `metrics_scope_label`).
pub(crate) struct ObserveOptions {
    pub(crate) expiry_warning: Duration,
    #[cfg(feature = "metrics")]
    pub(crate) scope_label: bool,
}

impl Default for ObserveOptions {
    fn default() -> Self {
        Self {
            expiry_warning: DEFAULT_WINDOW,
            #[cfg(feature = "metrics")]
            scope_label: false,
        }
    }
}

/// The service's observability state: metric handles and expiry-warning bookkeeping.
pub(crate) struct Observer {
    metrics: ServiceMetrics,
    expiry: ExpiryWarnings,
}

impl Observer {
    /// Registers the metrics with the current recorder; `capacity` bounds the expiry-warning state.
    pub(crate) fn new(options: &ObserveOptions, capacity: usize) -> Self {
        Self {
            #[cfg(feature = "metrics")]
            metrics: ServiceMetrics::register(options.scope_label),
            #[cfg(not(feature = "metrics"))]
            metrics: ServiceMetrics,
            expiry: ExpiryWarnings::new(options.expiry_warning, capacity),
        }
    }

    /// Token `id` of `scope` verified at `now`: warns if it expires soon (see [`ExpiryWarnings`]).
    #[inline]
    pub(crate) fn token_used(
        &self,
        id: &TokenId,
        scope: &Scope,
        expires_at: Option<Timestamp>,
        now: Timestamp,
        audit: &dyn AuditSink,
    ) {
        if self.expiry.token_used(id, scope, expires_at, now, audit) {
            self.metrics.expiring_soon(scope);
        }
    }

    /// One answer of the token endpoint: `issued`, or the OAuth error code.
    pub(crate) fn token_request(&self, outcome: &'static str) {
        self.metrics.token_request(outcome);
    }

    /// Every audit event the service emits: counts rotations and revocations.
    pub(crate) fn audited(&self, event: &AuditEvent) {
        self.metrics.audited(event);
    }
}

/// One verification: its `scim_token.verify` span and its timer.
pub(crate) struct VerifyProbe<'a> {
    span: tracing::Span,
    timer: VerifyTimer,
    metrics: &'a ServiceMetrics,
}

impl<'a> VerifyProbe<'a> {
    /// Opens the span (INFO, target `scim_token::verify`) and starts the timer.
    pub(crate) fn start(observer: &'a Observer) -> Self {
        let span = tracing::info_span!(
            target: "scim_token::verify",
            "scim_token.verify",
            token_id = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        Self { span, timer: VerifyTimer::start(&observer.metrics), metrics: &observer.metrics }
    }

    /// The span, to instrument the verification with.
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// The presented token's public id, once its format is known to be right.
    pub(crate) fn token_id(&self, id: &TokenId) {
        // Checked first: recording on a disabled span still looks the field up by name.
        if !self.span.is_disabled() {
            self.span.record("token_id", tracing::field::display(id));
        }
    }

    /// The scope of the stored record the token names (kept only for an opted-in `scope` label).
    pub(crate) fn scope(&mut self, scope: &Scope) {
        self.timer.scope(scope);
    }

    /// The verification needs Argon2 (the cache could not answer).
    pub(crate) fn argon2(&mut self) {
        self.timer.argon2();
    }

    /// Records the outcome on the span and in the metrics, and passes the result on.
    pub(crate) fn finish<T>(self, result: Result<T>) -> Result<T> {
        let verdict = Verdict::of(&result);
        if !self.span.is_disabled() {
            self.span.record("outcome", verdict.label());
        }
        self.metrics.verified(&self.timer, verdict);
        result
    }
}

/// The feature-off stand-ins: zero-sized, every method empty and inlined away.
// Their signatures mirror the metrics ones, so the callers compile unchanged with the feature off.
#[cfg(not(feature = "metrics"))]
#[allow(
    clippy::unused_self,
    clippy::needless_pass_by_ref_mut,
    reason = "no-ops with the same signatures as the metrics feature's methods"
)]
mod noop {
    use crate::audit::AuditEvent;
    use crate::ids::Scope;
    use crate::store::TokenStore;
    use crate::verdict::Verdict;

    pub(crate) struct ServiceMetrics;

    impl ServiceMetrics {
        #[inline(always)]
        pub(crate) fn verified(&self, _: &VerifyTimer, _: Verdict) {}
        #[inline(always)]
        pub(crate) fn audited(&self, _: &AuditEvent) {}
        #[inline(always)]
        pub(crate) fn expiring_soon(&self, _: &Scope) {}
        #[inline(always)]
        pub(crate) fn token_request(&self, _: &'static str) {}
    }

    pub(crate) struct VerifyTimer;

    impl VerifyTimer {
        #[inline(always)]
        pub(crate) fn start(_: &ServiceMetrics) -> Self {
            Self
        }
        #[inline(always)]
        pub(crate) fn argon2(&mut self) {}
        #[inline(always)]
        pub(crate) fn scope(&mut self, _: &Scope) {}
    }

    pub(crate) struct HashMetrics;

    impl HashMetrics {
        #[inline(always)]
        pub(crate) fn register() -> Self {
            Self
        }
        #[inline(always)]
        pub(crate) async fn time_wait<T>(&self, acquire: impl Future<Output = T>) -> T {
            acquire.await
        }
        #[inline(always)]
        pub(crate) fn in_flight(&self) -> InFlight {
            InFlight
        }
    }

    pub(crate) struct InFlight;

    #[inline(always)]
    pub(crate) fn observed_store(store: Box<dyn TokenStore>) -> Box<dyn TokenStore> {
        store
    }
}
