//! The PostgreSQL store against a real server. One test binary, so the "not run" line prints once.
//!
//! The server is `SCIM_TOKEN_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`);
//! see `common.rs` for when the tests are skipped. Every test works in its own fresh schema, dropped
//! afterwards.

mod classes;
mod common;
mod conformance;
mod errors;
mod faults;
mod hot_path;
mod instances;
mod migrations;
mod oauth_instances;
mod proxy;
mod secrets;
#[cfg(feature = "tls")]
mod tls;
