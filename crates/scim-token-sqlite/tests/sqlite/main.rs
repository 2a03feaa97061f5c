//! The SQLite store's integration tests, in one test binary (each binary links the whole dependency
//! graph). `processes` re-runs this binary as its child processes.

mod common;
mod conformance;
mod errors;
mod exclusive;
mod migrations;
mod processes;
mod secrets;
mod service;
