//! What the OAuth tests share: a service over a memory store with a manual clock and an audit log, the
//! token endpoint's request bodies, and a store that fails the token endpoint's calls on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use base64::Engine as _;
use scim_token_core::oauth::{
    AccessTokenLookup, AccessTokenRecord, AuthMode, ClientLookup, ClientSecretRecord, FederationTrust,
    IssuedAccessToken, NewClientSecret, OAuthError, OAuthState, SecretAdded,
};
use scim_token_core::store::{ScopeState, StoreError, StoreErrorKind, TokenLookup, TokenRecord};
use scim_token_core::{
    ClientId, ManualClock, ScimTokenService, ScimTokenServiceBuilder, Scope, Timestamp, TokenId, TokenStore,
    async_trait,
};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{AuditLog, admin, fast, scope};

pub const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
pub const START: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);
pub const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A service, its clock and its audit log.
pub struct Setup {
    pub service: ScimTokenService,
    pub clock: ManualClock,
    pub audit: AuditLog,
}

/// A fast builder over `store` with a manual clock at [`START`] and an audit log.
pub fn builder(store: impl TokenStore) -> (ScimTokenServiceBuilder, ManualClock, AuditLog) {
    let (clock, audit) = (ManualClock::new(START), AuditLog::default());
    (fast(store).clock(clock.clone()).audit_sink(audit.clone()), clock, audit)
}

/// A service over a fresh memory store, with scope `default` enabled.
pub async fn setup() -> Setup {
    setup_over(MemoryStore::new()).await
}

/// A service over `store`, with scope `default` enabled.
pub async fn setup_over(store: impl TokenStore) -> Setup {
    let (builder, clock, audit) = builder(store);
    let service = builder.build().unwrap();
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    Setup { service, clock, audit }
}

/// A new secret for scope `default`, with the default expiry.
pub async fn new_secret(service: &ScimTokenService) -> NewClientSecret {
    service.create_client_secret(&scope("default"), None, &admin()).await.unwrap()
}

/// `Authorization: Basic` for `secret`, id and secret form-urlencoded as RFC 6749 §2.3.1 says.
pub fn basic(client_id: &str, secret: &str) -> String {
    let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// A token request by `client_secret_basic`.
pub async fn by_basic(
    service: &ScimTokenService,
    secret: &NewClientSecret,
) -> Result<IssuedAccessToken, OAuthError> {
    let header = basic(secret.client_id().as_str(), secret.expose_secret());
    service.token_endpoint(Some(&header), FORM, b"grant_type=client_credentials").await
}

/// A token request by `client_secret_post`.
pub async fn by_post(
    service: &ScimTokenService,
    client_id: &str,
    secret: &str,
) -> Result<IssuedAccessToken, OAuthError> {
    let body =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=scim");
    service.token_endpoint(None, FORM, body.as_bytes()).await
}

/// The error's code and HTTP status.
pub fn refusal<T: std::fmt::Debug>(result: Result<T, OAuthError>) -> (&'static str, u16) {
    let error = result.expect_err("the request must be refused");
    (error.code().as_str(), error.http_status())
}

/// A memory store whose `find_client` and `insert_access_token` fail, or whose insert reports the
/// credential gone, when the test says so.
#[derive(Clone, Default)]
pub struct Faulty {
    pub inner: MemoryStore,
    mode: Arc<AtomicU8>,
}

/// What [`Faulty`] does to the token endpoint's store calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    None,
    Busy,
    Unavailable,
    Other,
    CredentialGone,
}

impl Faulty {
    pub fn set(&self, fault: Fault) {
        self.mode.store(fault as u8, Ordering::SeqCst);
    }

    fn fault(&self) -> Result<bool, StoreError> {
        let error = |kind| Err(StoreError::with_kind(kind, "injected"));
        match self.mode.load(Ordering::SeqCst) {
            1 => error(StoreErrorKind::Busy),
            2 => error(StoreErrorKind::Unavailable),
            3 => error(StoreErrorKind::Other),
            4 => Ok(true),
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl TokenStore for Faulty {
    async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load_scope(scope).await
    }
    async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
        self.inner.find_token(id).await
    }
    async fn replace_current(&self, record: TokenRecord, keep: Option<Timestamp>) -> Result<(), StoreError> {
        self.inner.replace_current(record, keep).await
    }
    async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
        self.inner.remove_tokens(scope).await
    }
    async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
        self.inner.remove_token(scope, id).await
    }
    async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
        self.inner.set_enabled(scope, enabled).await
    }
    async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.inner.record_use(id, at).await
    }
    async fn load_oauth(&self, scope: &Scope) -> Result<OAuthState, StoreError> {
        self.inner.load_oauth(scope).await
    }
    async fn find_client(&self, client_id: &ClientId) -> Result<Option<ClientLookup>, StoreError> {
        self.fault()?;
        self.inner.find_client(client_id).await
    }
    async fn add_client_secret(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        secret: ClientSecretRecord,
        max_unexpired: usize,
        now: Timestamp,
    ) -> Result<SecretAdded, StoreError> {
        self.inner.add_client_secret(scope, new_client_id, secret, max_unexpired, now).await
    }
    async fn remove_client_secret(
        &self,
        scope: &Scope,
        id: &TokenId,
    ) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.inner.remove_client_secret(scope, id).await
    }
    async fn set_federation_trust(
        &self,
        scope: &Scope,
        new_client_id: &ClientId,
        trust: FederationTrust,
    ) -> Result<(ClientId, Vec<TokenId>), StoreError> {
        self.inner.set_federation_trust(scope, new_client_id, trust).await
    }
    async fn remove_federation_trust(&self, scope: &Scope) -> Result<Option<Vec<TokenId>>, StoreError> {
        self.inner.remove_federation_trust(scope).await
    }
    async fn set_auth_mode(&self, scope: &Scope, mode: AuthMode) -> Result<(), StoreError> {
        self.inner.set_auth_mode(scope, mode).await
    }
    async fn insert_access_token(
        &self,
        record: AccessTokenRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if self.fault()? {
            return Ok(false);
        }
        self.inner.insert_access_token(record, now).await
    }
    async fn find_access_token(&self, id: &TokenId) -> Result<Option<AccessTokenLookup>, StoreError> {
        self.inner.find_access_token(id).await
    }
    async fn record_secret_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
        self.inner.record_secret_use(id, at).await
    }
}
