//! **scim-token**: issue, rotate, revoke and verify the bearer token an identity provider (Okta, Entra ID,
//! …) uses to call your server's SCIM API.
//!
//! This facade re-exports [`scim_token_core`] and turns backends and adapters on by feature:
//!
//! | feature        | what it adds                                           | default |
//! |----------------|--------------------------------------------------------|---------|
//! | `memory`       | [`MemoryStore`], in-memory, for tests/demos            | yes     |
//! | `sqlite`       | `sqlite::SqliteStore`: durable, multi-process          | no      |
//! | `postgres`     | `postgres::PostgresStore`: shared by many host instances | no    |
//! | `postgres-tls` | `postgres` with TLS to the server (rustls)             | no      |
//! | `axum`         | `axum_adapter::{AdminRoutes, ScimGuardLayer, …}`       | no      |
//! | `federation`   | `federation::FederationVerifier`: RFC 7523 client assertions (Entra WIF) | no |
//! | `testkit`      | `testkit`, `token_store_conformance!`: a store's tests   | no      |
//! | `metrics`      | counters, histograms, a gauge ([`metrics`])              | no      |
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> scim_token::Result<()> {
//! use scim_token::{Actor, MemoryStore, Scope, ScimTokenService};
//!
//! let service = ScimTokenService::builder(MemoryStore::new()).build()?;
//! let (scope, admin) = (Scope::default_scope(), Actor::new("admin")?);
//! service.set_enabled(&scope, true, &admin).await?;
//!
//! let first = service.generate(&scope, &admin).await?;
//! let second = service.generate(&scope, &admin).await?; // `first` stops working now
//! assert!(service.verify(first.expose_secret()).await.is_err());
//! assert_eq!(service.verify(second.expose_secret()).await?.scope, scope);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The core's names, each by name: a glob would pass on whatever the core adds, unreviewed.
pub use scim_token_core::{
    Actor, Argon2Params, AuditAction, AuditEvent, AuditSink, ClientId, Clock, Error, FirstUseSwitch,
    ListedToken, ManualClock, NewToken, PreviousTokenInfo, Result, SYSTEM_ACTOR, ScimTokenService,
    ScimTokenServiceBuilder, Scope, ScopeStatus, SharedCause, SystemClock, SystemTimeOutOfRange, Timestamp,
    TokenFormat, TokenId, TokenInfo, TokenRole, TokenStore, TracingAuditSink, VerifiedToken, async_trait,
    oauth, store,
};

/// Counters, histograms and a gauge through the `metrics` facade (feature `metrics`).
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use scim_token_core::metrics;

/// The backend conformance kit (feature `testkit`).
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub use scim_token_core::{testkit, token_store_conformance};

#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub use scim_token_memory::MemoryStore;

/// The SQLite backend (feature `sqlite`).
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use scim_token_sqlite as sqlite;

/// The PostgreSQL backend (feature `postgres`; `postgres-tls` adds TLS with rustls).
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use scim_token_postgres as postgres;

/// The axum adapter (feature `axum`).
///
/// Named `axum_adapter`, not `axum`: `use scim_token::*;` beside `use axum::Router;` would otherwise make
/// `axum` ambiguous (the glob's module or the framework's crate).
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use scim_token_axum as axum_adapter;

/// Workload identity federation (feature `federation`): a verifier of RFC 7523 client assertions,
/// signed by the identity provider (Microsoft Entra) and checked against its published keys.
#[cfg(feature = "federation")]
#[cfg_attr(docsrs, doc(cfg(feature = "federation")))]
pub use scim_token_federation as federation;

/// The README's Rust examples, compiled and run as doc tests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// The guides' Rust examples, run as doc tests like the README's. `cfg(doctest)`: nothing in the public API.
#[cfg(doctest)]
#[doc = include_str!("../docs/embedding.md")]
mod embedding_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/backends.md")]
mod backends_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/operators.md")]
mod operators_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/identity-providers.md")]
mod identity_providers_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/security.md")]
mod security_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/benchmarks.md")]
mod benchmarks_guide {}
#[cfg(doctest)]
#[doc = include_str!("../docs/testing.md")]
mod testing_guide {}
