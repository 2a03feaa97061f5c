//! What the OAuth tests share: a service over a memory store with a manual clock and an audit log, the
//! token endpoint's request bodies, and a store that fails the token endpoint's calls on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use base64::Engine as _;
use scim_token_core::oauth::{IssuedAccessToken, MintedBy, NewClientSecret, OAuthError};
use scim_token_core::store::{StoreError, StoreErrorKind};
use scim_token_core::{
    ManualClock, ScimTokenService, ScimTokenServiceBuilder, Timestamp, TokenStore, async_trait,
};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{AuditLog, Call, Intercept, Intercepted, admin, fast, scope};

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

/// A memory store whose `find_client` fails, or whose credential vanishes just before the minted token is
/// stored, when the test says so.
pub type Faulty = Intercepted<MemoryStore, Faults>;

/// What [`Faulty`] does to the token endpoint's store calls, switched by [`Faults::set`].
#[derive(Clone, Default)]
pub struct Faults {
    mode: Arc<AtomicU8>,
}

/// A fault [`Faults`] injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// Every call goes through.
    None,
    /// `find_client` fails as busy.
    Busy,
    /// `find_client` fails as unavailable.
    Unavailable,
    /// `find_client` fails otherwise.
    Other,
    /// The minting client secret is deleted between authentication and the insert of the new token.
    CredentialGone,
}

impl Faults {
    pub fn set(&self, fault: Fault) {
        self.mode.store(fault as u8, Ordering::SeqCst);
    }
}

#[async_trait]
impl Intercept<MemoryStore> for Faults {
    type Held = ();

    async fn before(&self, inner: &MemoryStore, call: Call<'_>) -> Result<(), StoreError> {
        let error = |kind| Err(StoreError::with_kind(kind, "injected"));
        match (self.mode.load(Ordering::SeqCst), call) {
            (1, Call::FindClient(_)) => error(StoreErrorKind::Busy),
            (2, Call::FindClient(_)) => error(StoreErrorKind::Unavailable),
            (3, Call::FindClient(_)) => error(StoreErrorKind::Other),
            (4, Call::InsertAccessToken(record)) => {
                if let MintedBy::Secret(id) = record.minted_by {
                    inner.remove_client_secret(&record.scope, &id).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
