//! `scim-token`: the operator's command for the SCIM token, straight on the servers' database.
//!
//! Exit codes: 0 done, 1 the operation failed, 2 a usage error. Every failure is one line on stderr;
//! no token is ever printed except the one `generate` writes to stdout.
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
            let _ = writeln!(std::io::stderr(), "error: {}", with_causes(&error));
            ExitCode::from(error.exit_code())
        }
        Err(_) => ExitCode::FAILURE,
    }
}

/// `error`'s message, then in parentheses each cause its message does not already show: the library's
/// errors leave their cause out of their message and return it from `source()`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut causes = Vec::new();
    let mut next = error.source();
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) && !causes.contains(&cause_text) {
            causes.push(cause_text);
        }
        next = cause.source();
    }
    if !causes.is_empty() {
        text = format!("{text} ({})", causes.join(": "));
    }
    text
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

#[cfg(test)]
mod tests {
    use scim_token_core::store::StoreError;

    use super::*;

    #[test]
    fn a_failure_shows_its_cause_once() {
        let locked = StoreError::busy(std::io::Error::other("database is locked"));
        let error = CliError::Service(scim_token_core::Error::Store(locked));
        assert_eq!(
            with_causes(&error),
            "the token store failed; check that it is reachable and retry (database is locked)"
        );
        let written = CliError::Output(std::io::Error::other("broken pipe"));
        assert_eq!(with_causes(&written).matches("broken pipe").count(), 1, "{}", with_causes(&written));
    }
}
