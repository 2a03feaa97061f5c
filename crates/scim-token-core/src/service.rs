//! [`ScimTokenService`]: generate (atomic replace), verify, revoke, status and settings.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tracing::Instrument;
use zeroize::Zeroizing;

use crate::audit::{AuditAction, AuditEvent, AuditSink};
use crate::bookkeeping::UseWrites;
use crate::cache::{Fingerprint, LastUseCheck, VerifiedCache, fingerprint};
use crate::error::{Error, Result};
use crate::flight::{self, Argon2Answer, Flights, Joined};
use crate::format::TokenFormat;
use crate::hashing::Argon2Runner;
use crate::ids::{Actor, Scope, TokenId};
use crate::oauth::settings::OAuthSettings;
use crate::oauth::{AccessTokenLookup, MintedBy, VerifiedCredential};
use crate::observe::{Observer, VerifyProbe};
use crate::overlap::{self, OverlapEnding};
use crate::record::{TokenLookup, TokenRecord, TokenRole};
use crate::secret::{NewToken, VerifiedToken};
use crate::status::{FirstUseSwitch, PreviousTokenInfo, ScopeStatus};
use crate::store::TokenStore;
use crate::time::{Clock, Timestamp};

/// `last_used_at` is written at most this often per token, never on every request.
pub(crate) const USE_RECORD_INTERVAL_MS: i64 = 60_000;

/// Which `last_used_at` a verified secret updates, off the request path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UseRecord {
    /// A static token's ([`TokenStore::record_use`]).
    StaticToken,
    /// A client secret's ([`TokenStore::record_secret_use`]).
    ClientSecret,
    /// None: an access token lives an hour or so and keeps no use record.
    Nothing,
}

/// Issues, rotates, revokes and verifies SCIM bearer tokens over a [`TokenStore`]. Cheap to clone.
///
/// ```
/// # async fn demo(store: impl scim_token_core::TokenStore) -> scim_token_core::Result<()> {
/// use scim_token_core::{Actor, Scope, ScimTokenService};
///
/// let service = ScimTokenService::builder(store).build()?;
/// let scope = Scope::default_scope();
/// let admin = Actor::new("admin@example.com")?;
/// service.set_enabled(&scope, true, &admin).await?;
///
/// let token = service.generate(&scope, &admin).await?; // show token.expose_secret() once
/// let verified = service.verify(token.expose_secret()).await?;
/// assert_eq!(verified.scope, scope);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ScimTokenService {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Box<dyn TokenStore>,
    pub(crate) hasher: Argon2Runner,
    pub(crate) format: TokenFormat,
    /// Client secrets: the static prefix followed by `cs`.
    pub(crate) secret_format: TokenFormat,
    /// Access tokens: the static prefix followed by `at`.
    pub(crate) access_format: TokenFormat,
    pub(crate) oauth: OAuthSettings,
    pub(crate) cache: VerifiedCache,
    pub(crate) flights: Arc<Flights>,
    pub(crate) use_writes: UseWrites,
    pub(crate) overlap: Duration,
    /// Whether the first verification of a new token ends the overlap (`overlap_until_first_use`).
    pub(crate) end_overlap_on_first_use: bool,
    pub(crate) expiry: Option<Duration>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) audit: Arc<dyn AuditSink>,
    pub(crate) observe: Observer,
}

impl ScimTokenService {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// The token format in use, e.g. to pre-check tokens elsewhere.
    pub fn format(&self) -> &TokenFormat {
        &self.inner.format
    }

    /// Generates a new token for `scope` and makes it the only valid one (or, with an overlap window, keeps
    /// the replaced one until the window ends). The token is returned once and cannot be recovered.
    ///
    /// The replace is one atomic store operation: if this fails, the previous token still works.
    pub async fn generate(&self, scope: &Scope, actor: &Actor) -> Result<NewToken> {
        let inner = &*self.inner;
        let (id, token) = inner.format.generate()?;
        let hash = inner.hasher.hash(token.clone()).await?;
        let now = inner.clock.now();
        let record = TokenRecord {
            id,
            scope: scope.clone(),
            hash: hash.into(),
            created_at: now,
            created_by: actor.clone(),
            expires_at: inner.expiry.map(|lifetime| now.saturating_add(lifetime)),
            last_used_at: None,
            first_used_at: None,
        };
        let info = record.info();
        let stored_hash = record.hash.clone();
        let keep_previous_until = (!inner.overlap.is_zero()).then(|| now.saturating_add(inner.overlap));
        inner.store.replace_current(record, keep_previous_until).await?;
        // This instance knows the token verifies: its first uses (an identity provider's burst right
        // after the token is pasted) need no Argon2. The entry is checked against the store like any.
        inner.cache.seed(id, fingerprint(&token), stored_hash);
        self.audit(scope, actor, AuditAction::TokenGenerated, vec![id], now);
        // The buffer moves into the secret without a copy (its capacity is exact); both wipe on drop.
        let mut token = token;
        let token = SecretString::from(std::mem::take(&mut *token));
        Ok(NewToken::new(token, scope.clone(), info))
    }

    /// How many Argon2 computations this service has started (hashes of new tokens and checks of
    /// presented ones that missed the cache): for tests that count them (feature `testkit`).
    #[cfg(any(test, feature = "testkit"))]
    #[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
    pub fn argon2_runs(&self) -> u64 {
        self.inner.hasher.runs()
    }

    /// Verifies a presented token (the `Authorization` header's value without `Bearer `), a static token
    /// or an OAuth access token, and returns its scope, id and kind. Every failure is the same [`Error::InvalidToken`]; store and capacity problems are
    /// [`Error::Store`] and [`Error::Busy`].
    ///
    /// Order of checks: format and checksum (no I/O) → one store look-up by the public selector (an unknown
    /// selector is refused without Argon2) → enabled, auth mode, expiry, overlap → cached verification or
    /// Argon2id. An access token takes the same steps, through
    /// [`find_access_token`](TokenStore::find_access_token), and is refused if its scope accepts static
    /// tokens only.
    /// Concurrent checks of one token share a single Argon2 run. Writing `last_used_at` never delays the
    /// answer: it runs in the background (see [`wait_for_use_records`](Self::wait_for_use_records)).
    pub async fn verify(&self, presented: &str) -> Result<VerifiedToken> {
        self.check(presented, None).await
    }

    /// Like [`verify`](Self::verify), but also refuses a valid token of any scope other than `scope`.
    pub async fn verify_for(&self, scope: &Scope, presented: &str) -> Result<VerifiedToken> {
        self.check(presented, Some(scope)).await
    }

    /// Waits until every `last_used_at` write started so far has ended (written, or failed and logged).
    /// Those writes run in the background, at most one per token and 64 in all; a host may await this
    /// at shutdown, under a timeout of its choosing, since a store that hangs makes it wait as long.
    pub async fn wait_for_use_records(&self) {
        self.inner.use_writes.settle().await;
    }

    /// Revokes every token of `scope`: none verifies afterwards until a new one is generated.
    pub async fn revoke(&self, scope: &Scope, actor: &Actor) -> Result<()> {
        let inner = &*self.inner;
        let removed = inner.store.remove_tokens(scope).await?;
        inner.cache.remove(&removed);
        let now = inner.clock.now();
        self.audit(scope, actor, AuditAction::TokensRevoked, removed, now);
        Ok(())
    }

    /// Revokes the one token `id` of `scope`, current or previous (e.g. to end an overlap early).
    /// Returns `false`, and changes nothing, if `scope` has no such token.
    pub async fn revoke_token(&self, scope: &Scope, id: &TokenId, actor: &Actor) -> Result<bool> {
        let inner = &*self.inner;
        if !inner.store.remove_token(scope, id).await? {
            return Ok(false);
        }
        inner.cache.remove(std::slice::from_ref(id));
        self.audit(scope, actor, AuditAction::TokenRevoked, vec![*id], inner.clock.now());
        Ok(true)
    }

    /// Enables or disables SCIM provisioning for `scope`. A disabled scope rejects every token; its tokens
    /// are kept and work again once it is enabled.
    pub async fn set_enabled(&self, scope: &Scope, enabled: bool, actor: &Actor) -> Result<()> {
        let inner = &*self.inner;
        inner.store.set_enabled(scope, enabled).await?;
        let action = if enabled { AuditAction::ScimEnabled } else { AuditAction::ScimDisabled };
        self.audit(scope, actor, action, Vec::new(), inner.clock.now());
        Ok(())
    }

    /// The scope's settings and token metadata. Never returns a secret or a hash.
    pub async fn status(&self, scope: &Scope) -> Result<ScopeStatus> {
        let inner = &*self.inner;
        let state = inner.store.load_scope(scope).await?;
        let now = inner.clock.now();
        let live = |expires_at: Option<Timestamp>| expires_at.is_none_or(|at| now < at);
        let current = state.current.map(|record| record.info());
        let previous = state
            .previous
            .filter(|p| now < p.valid_until && live(p.record.expires_at))
            .map(|p| PreviousTokenInfo::new(p.record.info(), p.valid_until));
        let switch = inner
            .end_overlap_on_first_use
            .then(|| FirstUseSwitch::of(current.as_ref(), previous.as_ref()))
            .flatten();
        Ok(ScopeStatus {
            enabled: state.enabled,
            has_token: current.as_ref().is_some_and(|info| live(info.expires_at)),
            current,
            previous,
            overlap_ends_on_first_use: inner.end_overlap_on_first_use,
            switch,
        })
    }

    /// [`check_unobserved`](Self::check_unobserved) in its `scim_token.verify` span, timed and counted.
    async fn check(&self, presented: &str, expected: Option<&Scope>) -> Result<VerifiedToken> {
        let mut probe = VerifyProbe::start(&self.inner.observe);
        // Without a subscriber that wants the span, skip the instrumentation's cost altogether.
        let result = if probe.span().is_disabled() {
            self.check_unobserved(presented, expected, &mut probe).await
        } else {
            let span = probe.span().clone();
            self.check_unobserved(presented, expected, &mut probe).instrument(span).await
        };
        probe.finish(result)
    }

    async fn check_unobserved(
        &self,
        presented: &str,
        expected: Option<&Scope>,
        probe: &mut VerifyProbe<'_>,
    ) -> Result<VerifiedToken> {
        let inner = &*self.inner;
        let Ok(id) = inner.format.parse(presented) else {
            return self.check_access_token(presented, expected, probe).await;
        };
        probe.token_id(&id);
        let Some(found) = inner.store.find_token(&id).await? else {
            tracing::debug!(token_id = %id, "SCIM token rejected: unknown");
            return Err(Error::InvalidToken);
        };
        probe.scope(&found.record.scope);
        let now = inner.clock.now();
        if let Some(reason) = refusal(&found, expected, now) {
            tracing::debug!(token_id = %id, reason, "SCIM token rejected");
            return Err(Error::InvalidToken);
        }
        let first_use_of_current = found.role == TokenRole::Current && found.record.last_used_at.is_none();
        let record = found.record;
        let fingerprint = fingerprint(presented);
        let use_record =
            LastUseCheck { stored: record.last_used_at, now, interval_ms: USE_RECORD_INTERVAL_MS };
        match inner.cache.check(&id, &fingerprint, &record.hash, &use_record) {
            Some(true) => record_use_later(&self.inner, id, now, UseRecord::StaticToken),
            Some(false) => {}
            // Boxed: the Argon2 path's future is larger, and inline it would make every verify's future
            // (cache hits included) that large too.
            None => {
                probe.argon2();
                let check = self.argon2_check(
                    id,
                    fingerprint,
                    &record.hash,
                    presented,
                    use_record,
                    UseRecord::StaticToken,
                );
                if !Box::pin(check).await? {
                    tracing::debug!(token_id = %id, "SCIM token rejected: wrong secret");
                    return Err(Error::InvalidToken);
                }
            }
        }
        // Until the first use is in the store, each verification would look at the scope again: once
        // this process saw the overlap end, it skips that.
        if first_use_of_current
            && inner.end_overlap_on_first_use
            && !inner.cache.overlap_settled(&id)
            && self.end_overlap_on_first_use(&record.scope, id, now).await
        {
            inner.cache.settle_overlap(&id);
        }
        inner.observe.token_used(&id, &record.scope, record.expires_at, now, &*inner.audit);
        Ok(VerifiedToken::new(record.scope, id))
    }

    /// [`check_unobserved`](Self::check_unobserved) for what is not a static token: an access token, or
    /// nothing valid. The same steps, so a cache hit costs what a static token's does.
    async fn check_access_token(
        &self,
        presented: &str,
        expected: Option<&Scope>,
        probe: &mut VerifyProbe<'_>,
    ) -> Result<VerifiedToken> {
        let inner = &*self.inner;
        let Ok(id) = inner.access_format.parse(presented) else {
            tracing::debug!("SCIM token rejected: malformed");
            return Err(Error::InvalidToken);
        };
        probe.token_id(&id);
        let Some(found) = inner.store.find_access_token(&id).await? else {
            tracing::debug!(token_id = %id, "SCIM access token rejected: unknown");
            return Err(Error::InvalidToken);
        };
        probe.scope(&found.record.scope);
        let now = inner.clock.now();
        if let Some(reason) = access_refusal(&found, expected, now) {
            tracing::debug!(token_id = %id, reason, "SCIM access token rejected");
            return Err(Error::InvalidToken);
        }
        let fingerprint = fingerprint(presented);
        // No use record for access tokens: "written just now" makes the cache's claim a plain compare.
        let use_record = LastUseCheck { stored: Some(now), now, interval_ms: USE_RECORD_INTERVAL_MS };
        if inner.cache.check(&id, &fingerprint, &found.record.hash, &use_record).is_none() {
            probe.argon2();
            let check = self.argon2_check(
                id,
                fingerprint,
                &found.record.hash,
                presented,
                use_record,
                UseRecord::Nothing,
            );
            if !Box::pin(check).await? {
                tracing::debug!(token_id = %id, "SCIM access token rejected: wrong secret");
                return Err(Error::InvalidToken);
            }
        }
        let AccessTokenLookup { record, client_id, .. } = found;
        let credential = match record.minted_by {
            MintedBy::Secret(secret_id) => VerifiedCredential::ClientSecret { client_id, secret_id },
            MintedBy::Trust(trust_id) => VerifiedCredential::Federation { client_id, trust_id },
        };
        Ok(VerifiedToken::new(record.scope, id).with_credential(credential))
    }

    /// Ends the overlap of `scope` on the first use of its `current` token (see [`overlap`]). Returns
    /// whether the overlap is over for `current`; `false` after a store failure, so a later verification
    /// tries again.
    async fn end_overlap_on_first_use(&self, scope: &Scope, current: TokenId, now: Timestamp) -> bool {
        let inner = &*self.inner;
        match overlap::end_on_first_use(&*inner.store, scope, current, now).await {
            OverlapEnding::Ended { replaced, action } => {
                inner.cache.remove(&[replaced]);
                self.audit(scope, &Actor::system(), action, vec![replaced, current], now);
                true
            }
            OverlapEnding::AlreadyOver => true,
            OverlapEnding::Failed => false,
        }
    }

    /// Checks `presented` against `stored_hash` with Argon2, once for all concurrent callers presenting the
    /// same token: one leads (waits for a hashing slot, then runs Argon2 in a task of its own that caches
    /// a match and finishes even if this request is dropped), the others wait for its outcome.
    pub(crate) async fn argon2_check(
        &self,
        id: TokenId,
        fingerprint: Fingerprint,
        stored_hash: &Arc<str>,
        presented: &str,
        use_record: LastUseCheck,
        record: UseRecord,
    ) -> Result<bool> {
        let inner = &self.inner;
        let Some(stored) = Argon2Runner::stored(stored_hash) else { return Ok(false) };
        let leader = loop {
            match inner.flights.join(fingerprint, stored_hash) {
                Joined::Lead(leader) => break leader,
                Joined::Wait(flight) => {
                    if let Some(result) = flight::wait(flight).await {
                        return result;
                    }
                    // Its leader's request was dropped before Argon2 started: join again.
                }
            }
        };
        // Waiting for a slot is this request's own: if it is dropped here, the leader guard ends the
        // flight and a waiter takes over.
        let slot = match inner.hasher.slot().await {
            Ok(slot) => slot,
            Err(error) => {
                leader.finish(Argon2Answer::Busy);
                return Err(error);
            }
        };
        let check = inner.hasher.verify_in(slot, Zeroizing::new(presented.to_owned()), stored);
        let (inner, stored_hash) = (self.inner.clone(), stored_hash.clone());
        let (outcome_tx, outcome) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let result = check.await;
            if matches!(result, Ok(true)) && inner.cache.insert(id, fingerprint, stored_hash, &use_record) {
                record_use_later(&inner, id, use_record.now, record);
            }
            // Cached before the flight ends, so no later caller runs Argon2 again.
            leader.finish(Argon2Answer::from_result(&result));
            let _ = outcome_tx.send(result);
        });
        outcome.await.unwrap_or_else(|_| Err(Error::hashing(crate::hashing::TaskLost(None))))
    }

    pub(crate) fn audit(
        &self,
        scope: &Scope,
        actor: &Actor,
        action: AuditAction,
        token_ids: Vec<TokenId>,
        at: Timestamp,
    ) {
        let event = AuditEvent::new(scope.clone(), actor.clone(), action, token_ids, at);
        self.inner.observe.audited(&event);
        self.inner.audit.record(&event);
    }
}

/// Writes `last_used_at = at` for `id` off the request path (see [`UseWrites`]); the write keeps the
/// service's state alive until it ends.
pub(crate) fn record_use_later(inner: &Arc<Inner>, id: TokenId, at: Timestamp, record: UseRecord) {
    if record == UseRecord::Nothing {
        return;
    }
    inner.use_writes.start(id, || {
        let inner = inner.clone();
        async move {
            match record {
                UseRecord::ClientSecret => inner.store.record_secret_use(&id, at).await,
                _ => inner.store.record_use(&id, at).await,
            }
        }
    });
}

/// Why a looked-up token must be refused before any hashing, if it must.
fn refusal(found: &TokenLookup, expected: Option<&Scope>, now: Timestamp) -> Option<&'static str> {
    if expected.is_some_and(|scope| *scope != found.record.scope) {
        return Some("other scope");
    }
    if !found.scope_enabled {
        return Some("scope disabled");
    }
    if !found.auth_mode.accepts_static_tokens() {
        return Some("the scope accepts OAuth access tokens only");
    }
    if found.record.expires_at.is_some_and(|at| now >= at) {
        return Some("expired");
    }
    if let TokenRole::Previous { valid_until } = found.role
        && now >= valid_until
    {
        return Some("overlap window over");
    }
    None
}

/// Why a looked-up access token must be refused before any hashing, if it must.
fn access_refusal(
    found: &AccessTokenLookup,
    expected: Option<&Scope>,
    now: Timestamp,
) -> Option<&'static str> {
    if expected.is_some_and(|scope| *scope != found.record.scope) {
        return Some("other scope");
    }
    if !found.scope_enabled {
        return Some("scope disabled");
    }
    if !found.auth_mode.accepts_oauth() {
        return Some("the scope accepts static tokens only");
    }
    if now >= found.record.expires_at {
        return Some("expired");
    }
    None
}

impl ScimTokenService {
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }
}

impl std::fmt::Debug for ScimTokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimTokenService")
            .field("prefix", &self.inner.format.prefix())
            .field("overlap", &self.inner.overlap)
            .field("expiry", &self.inner.expiry)
            .finish_non_exhaustive()
    }
}
