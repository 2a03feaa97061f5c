//! A PostgreSQL [`TokenStore`](scim_token_core::TokenStore) for scim-token: several instances of a host,
//! on several machines behind a load balancer, share one token, rotated at once everywhere.
//!
//! Built on `tokio-postgres` with a `deadpool-postgres` pool. TLS (rustls, no OpenSSL) is the opt-in
//! feature `tls`; without it, connections are plain TCP or Unix sockets.
//!
//! - [`PostgresStore::open`] connects from a URL, [`PostgresStore::from_pool`] uses a pool the host has,
//!   and [`PostgresStore::builder`] sets the schema, pool size and timeouts.
//! - The tables live in their own schema (default `scim_token`), created and migrated forward on open
//!   under an advisory lock, so instances starting at once migrate it exactly once. A schema written by
//!   a newer scim-token, or holding another application's tables, is refused and left untouched.
//! - `find_token`, run on every SCIM request, is one round trip: a prepared, cached primary-key read.
//! - `replace_current` is one transaction that first locks its scope's row (`SELECT … FOR UPDATE`, the
//!   row created if missing with `INSERT … ON CONFLICT DO NOTHING`), so rotations of one scope from any
//!   number of pools or machines run one after the other, each seeing the last one's commit: every one
//!   succeeds and exactly one current token remains. Its statements are prepared once per connection
//!   and sent together: one round trip. Revocations take the same lock.
//! - `record_use` is one `UPDATE` outside that lock that skips a row a rotation holds: it never waits
//!   for a rotation.
//! - OAuth (schema version 3): a scope's client, its secrets, its federation trust and the access tokens
//!   they minted. Admin writes take the scope's row lock as rotations do, then the credential they
//!   delete, and delete its access tokens in the same transaction. A mint takes no scope lock: its insert's
//!   foreign-key check shares the credential's row, so it lands before a deletion (which then deletes it)
//!   or is refused. `find_access_token` is one primary-key read, like `find_token`.
//! - Timestamps are `BIGINT` Unix milliseconds: the core's `Timestamp` exactly, over its whole `i64`
//!   range (`timestamptz` stops at 294276 AD and would round-trip only part of it).
//!
//! Errors are [`PostgresStoreError`]s, with a [`kind`](PostgresStoreError::kind) that says whether
//! retrying helps (a 503 over HTTP); they never contain a password or a stored value. Tokens are stored
//! only as Argon2id hashes.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod classify;
mod error;
mod oauth_ops;
mod oauth_rows;
mod oauth_sql;
mod open;
mod rows;
mod schema;
mod sql;
mod store;
mod target;
#[cfg(feature = "tls")]
mod tls;

pub use deadpool_postgres;
pub use error::{PgError, PostgresStoreError};
pub use open::PostgresStoreBuilder;
pub use store::PostgresStore;
pub use target::{Target, redact_url};
pub use tokio_postgres;
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub use {rustls, tokio_postgres_rustls};
