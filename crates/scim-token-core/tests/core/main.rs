//! The core's integration tests, in one test binary (one link of the dependency graph, not one per
//! file). The tests that read `tracing` output need a process of their own: see `tests/traced`.

mod bookkeeping;
mod cold_start;
mod configuration;
mod conformance_kit;
mod expiry_warnings;
mod memory_bound;
mod metrics;
mod oauth_admin;
mod oauth_support;
mod oauth_token_endpoint;
mod overlap_until_first_use;
mod rotation;
mod secrets_stay_secret;
mod time_windows;
mod verification_path;
