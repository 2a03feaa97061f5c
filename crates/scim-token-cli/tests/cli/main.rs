//! The `scim-token` binary's integration tests, in one test binary (each binary links the whole
//! dependency graph): each module runs the real binary (`CARGO_BIN_EXE_scim-token`).

mod agrees_with_http;
mod commands;
mod common;
mod errors;
mod example_server;
mod oauth;
mod postgres;
