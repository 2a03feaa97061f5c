//! How a failed command is shown: its message on the first line, then each cause in its `source()`
//! chain on a line of its own, so the operator sees the cause once and what to do next first.

use std::error::Error;
use std::fmt::Write;

/// `error: <message>` and one `caused by: <cause>` line per cause, newline-terminated. A cause whose
/// text the line above already holds is left out: not every library keeps its cause out of its message.
pub(crate) fn report(error: &dyn Error) -> String {
    let mut text = format!("error: {error}\n");
    let mut shown = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let line = error.to_string();
        if !line.is_empty() && !shown.contains(&line) {
            let _ = writeln!(text, "caused by: {line}");
        }
        shown = line;
        cause = error.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::report;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the database")]
    struct Open(#[source] Locked);

    #[derive(Debug, thiserror::Error)]
    #[error("the file is locked; retry")]
    struct Locked(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("the store failed: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn each_cause_gets_a_line_of_its_own() {
        let error = Open(Locked(std::io::Error::other("database is locked")));
        assert_eq!(
            report(&error),
            "error: cannot open the database\ncaused by: the file is locked; retry\ncaused by: database is locked\n"
        );
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let error = Repeats(std::io::Error::other("disk full"));
        assert_eq!(report(&error), "error: the store failed: disk full\n");
    }

    #[test]
    fn a_store_failure_shows_what_to_do_then_its_cause_once() {
        let locked = scim_token_core::store::StoreError::busy(std::io::Error::other("database is locked"));
        let error = crate::error::CliError::Service(scim_token_core::Error::Store(locked));
        let text = report(&error);
        assert!(text.starts_with("error: the token store failed"), "{text}");
        assert_eq!(text.matches("database is locked").count(), 1, "{text}");
        assert!(text.ends_with("caused by: database is locked\n"), "{text}");
    }
}
