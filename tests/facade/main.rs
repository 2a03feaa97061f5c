//! The facade's integration tests, in one test binary (each binary links the whole dependency graph).
//! No module sets process-wide state: the metrics test records into a recorder of its own
//! (`metrics::with_local_recorder`), and the example's `main`, which installs a global subscriber and
//! recorder, is never called.

// The example server itself, not a copy, shared by the modules that serve it: its `main` and defaults
// go unused here.
#[allow(dead_code, missing_docs)]
#[path = "../../examples/server/main.rs"]
mod server;

// The adapter's test HTTP client: more than these tests need.
#[allow(dead_code)]
#[path = "../../crates/scim-token-axum/tests/axum/common/http_client.rs"]
mod http_client;

mod browser;

mod admin_page_browser;
mod admin_page_oauth_browser;
mod errors_compose;
mod glob_import;
mod scanner_rules;
mod server_limits;
mod server_metrics;
mod server_walkthrough;
mod testkit_facade;
