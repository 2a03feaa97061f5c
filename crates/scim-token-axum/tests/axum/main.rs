//! The adapter's integration tests, in one binary: a binary per file would link the whole dependency
//! graph once per file. None needs a process of its own (no global logger, no environment variables,
//! no other process-wide state), so they share one.

mod common;

mod admin_401_message;
mod admin_api;
mod admin_page;
mod admin_tenants;
mod loopback;
mod oauth_admin;
mod oauth_client;
mod oauth_federation;
mod oauth_guard;
mod overlap_state;
mod per_tenant;
mod scim_api;
mod scim_guard;
mod token_endpoint;
mod token_routes;
