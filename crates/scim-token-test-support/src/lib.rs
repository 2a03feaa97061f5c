//! The scaffolding this workspace's tests and benches share, written once: a service with cheap Argon2,
//! wrapper stores that count, fail or stall, an audit log, a `tracing` capture, temporary databases and
//! a token forger.
//!
//! Dev-only (`publish = false`): every crate here takes it as a dev-dependency, so nothing in it is part
//! of scim-token's API or its stability promise. What a backend author needs to test a store is in the
//! public conformance kit (`scim_token_core::testkit`), not here.
//!
//! Only integration tests, benches and examples may use it, never a crate's unit tests: those compile
//! `scim-token-core` a second time, whose types would not match the ones this crate was built against.

mod audit;
mod capture;
mod forge;
mod intercept;
mod rng;
mod service;
mod stores;
mod temp;

pub use audit::AuditLog;
pub use capture::Captured;
pub use forge::{forge, with_checksum_fixed};
pub use intercept::{Call, Intercept, Intercepted, Keep};
pub use rng::XorShift;
pub use service::{admin, fast, fast_service, first_token, scope};
pub use stores::{CountingStore, Counts, FlakyStore, Flaws};
pub use temp::TempDb;
