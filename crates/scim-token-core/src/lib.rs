//! The core of **scim-token**: issue, rotate, revoke and verify the bearer token an identity provider
//! (Okta, Entra ID, …) uses to call your server's SCIM API.
//!
//! - [`ScimTokenService`] holds the rules: generate (an atomic replace), verify, revoke, settings.
//! - [`TokenStore`] is the small, object-safe storage contract a backend implements; the [`store`]
//!   module holds it with everything else a backend author needs, and the `testkit` feature ships the
//!   conformance suite every backend runs ([`token_store_conformance!`]).
//!
//! Tokens look like `scim_<16-char selector><43-char secret><6-char CRC32>` (see [`TokenFormat`]), come
//! from the OS CSPRNG, are stored only as Argon2id PHC strings and are compared in constant time.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod argon2_memory;
mod argon2_params;
mod audit;
mod bookkeeping;
mod builder;
mod cache;
mod error;
mod expiry_warning;
mod flight;
mod format;
mod hashing;
mod ids;
#[cfg(feature = "metrics")]
mod metered_store;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
pub mod oauth;
mod oauth_admin;
mod observe;
mod overlap;
mod record;
mod rfc3339;
mod secret;
mod service;
mod slow_build;
mod status;
pub mod store;
mod time;
mod token_endpoint;
mod verdict;

#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;

pub use async_trait::async_trait;

pub use argon2_params::Argon2Params;
pub use audit::{AuditAction, AuditEvent, AuditSink, TracingAuditSink};
pub use builder::ScimTokenServiceBuilder;
pub use error::{Error, Result, SharedCause};
pub use format::TokenFormat;
pub use ids::{Actor, ClientId, SYSTEM_ACTOR, Scope, TokenId};
pub use record::{TokenInfo, TokenRole};
pub use secret::{NewToken, VerifiedToken};
pub use service::ScimTokenService;
pub use status::{FirstUseSwitch, ListedToken, PreviousTokenInfo, ScopeStatus};
pub use store::TokenStore;
pub use time::{Clock, ManualClock, SystemClock, SystemTimeOutOfRange, Timestamp};
