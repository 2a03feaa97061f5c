//! The scaffolding this workspace's tests and benches share, written once: a service with cheap Argon2,
//! wrapper stores that count, fail or stall, an audit log, a `tracing` capture, temporary databases, a
//! token forger, and hashing saturated on demand.
//!
//! Dev-only (`publish = false`): every crate here takes it as a dev-dependency, so nothing in it is part
//! of scim-token's API or its stability promise. What a backend author needs to test a store is in the
//! public conformance kit (`scim_token_core::testkit`), not here.
//!
//! Only integration tests, benches and examples may use it, never a crate's unit tests: those compile
//! `scim-token-core` a second time, whose types would not match the ones this crate was built against.
// Test scaffolding: nothing here is ever printed, so not every type needs `Debug`.
#![allow(missing_debug_implementations)]

mod audit;
mod capture;
mod forge;
mod intercept;
#[cfg(feature = "axum")]
mod loopback;
mod rng;
mod saturate;
mod service;
mod stores;
mod temp;

pub use audit::AuditLog;
pub use capture::Captured;
pub use forge::{forge, with_checksum_fixed};
pub use intercept::{Call, Intercept, Intercepted, Keep};
#[cfg(feature = "axum")]
pub use loopback::{Served, serve_on_loopback};
pub use rng::XorShift;
pub use saturate::{HeldBlockingThread, pending_after_one_poll, runtime_with_one_blocking_thread};
pub use service::{admin, fast, fast_service, first_token, scope};
pub use stores::{CountingStore, Counts, FlakyStore, Flaws};
pub use temp::TempDb;
