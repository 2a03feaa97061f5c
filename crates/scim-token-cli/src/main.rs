//! `scim-token`: the operator's command for the SCIM token, straight on the servers' database.
//!
//! Exit codes: 0 done, 1 the operation failed, 2 a usage error. Every failure is one `error:` line on
//! stderr, then one `caused by:` line per cause; no token or client secret is ever printed except the
//! one `generate` or `oauth secret create` writes to stdout.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod audit;
mod cli;
mod commands;
mod confirm;
mod database_arg;
mod duration;
mod error;
mod render;
mod report;
mod store;

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

use clap::Parser;

use crate::error::CliError;

fn main() -> ExitCode {
    // A bug must still end in one line and exit code 1, not a panic message or a backtrace.
    panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let _ = writeln!(std::io::stderr(), "error: scim-token hit a bug{at}; please report it");
    }));
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version print to stdout and exit 0; usage errors print to stderr and exit 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match panic::catch_unwind(AssertUnwindSafe(|| run(cli))) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            let _ = std::io::stderr().write_all(report::report(&error).as_bytes());
            ExitCode::from(error.exit_code())
        }
        Err(_) => ExitCode::FAILURE,
    }
}

fn run(cli: cli::Cli) -> Result<(), CliError> {
    // One thread: a command makes a handful of calls. The timer serves the hashing budget's wait; the
    // blocking pool runs SQLite and Argon2.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(commands::run(cli))
}
