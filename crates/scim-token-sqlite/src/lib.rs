//! A durable, multi-process-safe, crash-safe SQLite [`TokenStore`](scim_token_core::TokenStore) for
//! scim-token, on `rusqlite` (SQLite is bundled: no system library needed).
//!
//! - [`SqliteStore::open`] opens or creates a database file; [`SqliteStore::open_in_memory`] is for tests.
//! - The file uses write-ahead logging and `synchronous = FULL`: a rotation is one `BEGIN IMMEDIATE`
//!   transaction, atomic across threads, store handles and processes, and durable once it returns.
//! - The schema is versioned with `PRAGMA user_version` and migrated forward on open; a file written by a
//!   newer scim-token is refused and left untouched.
//! - Connections are opened once and reused: one writer and a few read-only readers, which in WAL mode
//!   never wait for the writer. Every call that may wait (writes, opens, reads that find SQLite busy)
//!   runs on tokio's blocking pool, so a tokio runtime is needed. `find_token`, run on every SCIM request,
//!   first tries an idle reader on the calling task: readers have no busy handler, so that read never
//!   sleeps or waits for a lock; it costs microseconds, like a lock-protected map, where a hop to the
//!   blocking pool would cost several times more.
//!
//! Errors at open are [`SqliteStoreError`]s; store operations wrap them in
//! [`StoreError`](scim_token_core::store::StoreError). Tokens, OAuth client secrets and access tokens
//! are stored only as Argon2id hashes, and no error message contains one.
//!
//! OAuth clients (schema version 3) live beside the static tokens: a scope's client id, its secrets, its
//! federation trust and the access tokens they minted, which foreign keys tie to their credential.
//! `find_access_token` reads and caches like `find_token`.
//!
//! See [`SqliteStore`] for an example.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod connections;
mod error;
mod oauth;
mod oauth_rows;
mod open;
mod reader;
mod rows;
mod schema;
mod store;

pub use error::SqliteStoreError;
pub use open::SqliteStoreBuilder;
pub use store::SqliteStore;
