//! Options for [`ScimTokenService`], checked once when the service is built, and
//! [`ScimTokenService::builder`], where building starts.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use crate::argon2_params::Argon2Params;
use crate::audit::{AuditSink, TracingAuditSink};
use crate::error::{Error, Result};
use crate::format::TokenFormat;
use crate::hashing::Argon2Runner;
use crate::oauth::AssertionVerifier;
use crate::oauth::settings::OAuthSettings;
use crate::observe::{ObserveOptions, Observer, observed_store};
use crate::service::{Inner, ScimTokenService};
use crate::store::TokenStore;
use crate::time::{Clock, SystemClock};

/// Builds a [`ScimTokenService`]. Every option has a safe default.
///
/// ```
/// # use scim_token_core::ScimTokenService;
/// # use std::time::Duration;
/// # fn demo(store: impl scim_token_core::TokenStore) -> scim_token_core::Result<()> {
/// let service = ScimTokenService::builder(store)
///     .overlap(Duration::from_secs(300)) // keep the replaced token for 5 minutes
///     .expiry(Duration::from_secs(90 * 24 * 3600))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use = "call build() to get the service"]
pub struct ScimTokenServiceBuilder {
    // Boxed, not `Arc`ed: calls then dispatch once, not through the `Arc<S>` impl as well.
    store: Box<dyn TokenStore>,
    argon2: Argon2Params,
    accept_weak_argon2: bool,
    overlap: Duration,
    end_overlap_on_first_use: bool,
    expiry: Option<Duration>,
    max_concurrent_hashes: Option<usize>,
    busy_wait: Duration,
    prefix: String,
    cache_capacity: usize,
    clock: Arc<dyn Clock>,
    audit: Arc<dyn AuditSink>,
    /// Expiry warnings and metrics.
    observe: ObserveOptions,
    oauth: OAuthSettings,
}

/// The options, without the store, clock and audit sink (trait objects with no `Debug` of their own).
impl std::fmt::Debug for ScimTokenServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimTokenServiceBuilder")
            .field("argon2", &self.argon2)
            .field("accept_weak_argon2", &self.accept_weak_argon2)
            .field("overlap", &self.overlap)
            .field("end_overlap_on_first_use", &self.end_overlap_on_first_use)
            .field("expiry", &self.expiry)
            .field("max_concurrent_hashes", &self.max_concurrent_hashes)
            .field("busy_wait", &self.busy_wait)
            .field("prefix", &self.prefix)
            .field("cache_capacity", &self.cache_capacity)
            .field("oauth", &self.oauth)
            .finish_non_exhaustive()
    }
}

impl ScimTokenService {
    /// Starts building a service over `store` (any [`TokenStore`], including `Arc<dyn TokenStore>`).
    pub fn builder(store: impl TokenStore) -> ScimTokenServiceBuilder {
        ScimTokenServiceBuilder::new(store)
    }
}

impl ScimTokenServiceBuilder {
    fn new(store: impl TokenStore) -> Self {
        Self {
            store: Box::new(store),
            argon2: Argon2Params::default(),
            accept_weak_argon2: false,
            overlap: Duration::ZERO,
            end_overlap_on_first_use: false,
            expiry: None,
            max_concurrent_hashes: None,
            busy_wait: Duration::from_secs(1),
            prefix: TokenFormat::DEFAULT_PREFIX.to_owned(),
            cache_capacity: 10_000,
            clock: Arc::new(SystemClock),
            audit: Arc::new(TracingAuditSink),
            observe: ObserveOptions::default(),
            oauth: OAuthSettings::default(),
        }
    }

    /// Argon2id parameters for new tokens (default OWASP: m = 19456 KiB, t = 2, p = 1). Parameters under
    /// OWASP's minimum make [`build`](Self::build) fail unless
    /// [`danger_accept_weak_argon2_for_tests`](Self::danger_accept_weak_argon2_for_tests) is set.
    /// Tokens already issued keep the parameters they were hashed with.
    pub fn argon2_params(mut self, params: Argon2Params) -> Self {
        self.argon2 = params;
        self
    }

    /// Accepts Argon2 parameters under OWASP's minimum. **For tests only**: fast hashing of a leaked
    /// database is cheap to brute-force. The 256-bit token entropy makes it survivable, not advisable.
    pub fn danger_accept_weak_argon2_for_tests(mut self, accept: bool) -> Self {
        self.accept_weak_argon2 = accept;
        self
    }

    /// How long the replaced token keeps working after a rotation (default 0: it stops at once, as in
    /// Unleash). Gives identity providers time to pick up the new token.
    /// Replaces [`overlap_until_first_use`](Self::overlap_until_first_use), if it was set.
    pub fn overlap(mut self, window: Duration) -> Self {
        self.overlap = window;
        self.end_overlap_on_first_use = false;
        self
    }

    /// Keeps the replaced token working until the new token is first verified, by any instance sharing
    /// the store, or until `max` passes, whichever comes first: rotation without a failed provisioning
    /// call and without a fixed window. The first successful verification of the new token deletes the
    /// replaced one from the store before it returns, so from the next request on only the new token
    /// works, everywhere. Replaces [`overlap`](Self::overlap), if it was set.
    ///
    /// ```
    /// # use scim_token_core::ScimTokenService;
    /// # use std::time::Duration;
    /// # fn demo(store: impl scim_token_core::TokenStore) -> scim_token_core::Result<()> {
    /// // The old token works until the identity provider uses the new one, for a day at the most.
    /// let service = ScimTokenService::builder(store)
    ///     .overlap_until_first_use(Duration::from_secs(24 * 3600))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn overlap_until_first_use(mut self, max: Duration) -> Self {
        self.overlap = max;
        self.end_overlap_on_first_use = true;
        self
    }

    /// Lifetime of new tokens (default: none, they live until replaced or revoked).
    pub fn expiry(mut self, lifetime: Duration) -> Self {
        self.expiry = Some(lifetime);
        self
    }

    /// How many Argon2 computations may run at once (default: the available parallelism).
    pub fn max_concurrent_hashes(mut self, max: usize) -> Self {
        self.max_concurrent_hashes = Some(max);
        self
    }

    /// How long a call waits for a hashing slot before failing with [`Error::Busy`] (default 1 s).
    pub fn busy_wait(mut self, wait: Duration) -> Self {
        self.busy_wait = wait;
        self
    }

    /// The token prefix (default `scim`): 1–16 lowercase letters and digits, starting with a letter.
    /// Changing it invalidates every token already issued.
    pub fn token_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How many verified tokens the cache remembers (default 10 000; at least 1).
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        self
    }

    /// The clock (default: the system clock). Inject a [`ManualClock`](crate::ManualClock) in tests.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Where audit events go (default: [`TracingAuditSink`]).
    pub fn audit_sink(mut self, sink: impl AuditSink) -> Self {
        self.audit = Arc::new(sink);
        self
    }

    /// How long before a token's `expires_at` its use raises a warning (default 14 days; zero turns
    /// warnings off). A token used within that window causes, at most once a day per token per process,
    /// a WARN `tracing` event (target `scim_token::expiry`), an [`AuditEvent`](crate::AuditEvent) with
    /// [`AuditAction::TokenExpiringSoon`](crate::AuditAction::TokenExpiringSoon) by
    /// [`SYSTEM_ACTOR`](crate::SYSTEM_ACTOR), and (feature `metrics`) one `scim_token_expiring_soon_total`.
    /// Only tokens with an expiry ([`expiry`](Self::expiry)) can warn.
    pub fn expiry_warning(mut self, window: Duration) -> Self {
        self.observe.expiry_warning = window;
        self
    }

    /// Adds a `scope` label to the verification, rotation, revocation and expiry-warning counters
    /// (default off; feature `metrics`). One series per tenant: turn it on only with few scopes. Those
    /// counters are then looked up in the recorder on each call instead of once at build time.
    #[cfg(feature = "metrics")]
    pub fn metrics_scope_label(mut self, on: bool) -> Self {
        self.observe.scope_label = on;
        self
    }

    /// How long an access token from the token endpoint lives: 3600 to 21600 seconds (Microsoft Entra's
    /// range), default 3600. A token never outlives the client secret that minted it.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.oauth.access_token_lifetime = lifetime;
        self
    }

    /// How many unexpired client secrets a scope may hold at once (default 5, at least 2 so that a
    /// secret can be rotated without downtime). Past it, creating one fails with
    /// [`Error::LimitReached`].
    pub fn max_client_secrets(mut self, max: usize) -> Self {
        self.oauth.max_secrets = max;
        self
    }

    /// The lifetime of a new client secret in days: `default` when the administrator names none, and the
    /// `allowed` range (default 365, within 365..=1095: Microsoft Entra's gallery asks for one to three
    /// years). `allowed` must lie within 1..=3650 and hold `default`.
    pub fn client_secret_expiry_days(mut self, default: u32, allowed: RangeInclusive<u32>) -> Self {
        self.oauth.default_secret_days = default;
        self.oauth.secret_days = allowed;
        self
    }

    /// Verifies client assertions (RFC 7523 §2.2, workload identity federation) at the token endpoint.
    /// Without one, every assertion is refused with `invalid_client`.
    pub fn assertion_verifier(mut self, verifier: Arc<dyn AssertionVerifier>) -> Self {
        self.oauth.verifier = Some(verifier);
        self
    }

    /// Accepts `http://` JWKS URLs to a loopback IP address in federation trusts (default off). **For
    /// tests only**, with a local JWKS server: real JWKS URLs must be `https://`.
    pub fn allow_loopback_http_jwks(mut self, allow: bool) -> Self {
        self.oauth.allow_loopback_http_jwks = allow;
        self
    }

    /// Checks the options and builds the service.
    pub fn build(self) -> Result<ScimTokenService> {
        if !self.accept_weak_argon2 && !self.argon2.meets_owasp_minimum() {
            return Err(Error::config(format!(
                "Argon2 parameters {:?} are under OWASP's minimum; use at least m = 19456 KiB, t = 2, p = 1 \
                 (or m = 47104, t = 1), or call danger_accept_weak_argon2_for_tests(true) in tests",
                self.argon2
            )));
        }
        let parallelism = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.oauth.check()?;
        let hasher = Argon2Runner::new(
            self.argon2,
            self.max_concurrent_hashes.unwrap_or(parallelism),
            self.busy_wait,
        )?;
        let format = TokenFormat::new(&self.prefix)?;
        Ok(ScimTokenService::from_inner(Inner {
            store: observed_store(self.store),
            hasher,
            secret_format: format.derived("cs"),
            access_format: format.derived("at"),
            format,
            oauth: self.oauth,
            cache: crate::cache::VerifiedCache::new(self.cache_capacity),
            flights: Arc::default(),
            use_writes: crate::bookkeeping::UseWrites::default(),
            overlap: self.overlap,
            end_overlap_on_first_use: self.end_overlap_on_first_use && !self.overlap.is_zero(),
            expiry: self.expiry,
            clock: self.clock,
            audit: self.audit,
            observe: Observer::new(&self.observe, self.cache_capacity),
        }))
    }
}
