//! Asking before `generate` and `revoke`, which break the identity provider's connection.

use std::io::{self, BufRead, IsTerminal, Read, Write};

use crate::error::CliError;

/// The longest answer read: a confirmation is a word, and a pasted novel must not fill memory.
const MAX_ANSWER: u64 = 1024;

/// How a command that breaks the identity provider's connection gets its go-ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Confirmation {
    /// `--yes` was given.
    Given,
    /// Ask on the terminal, once the question can say what will break.
    Ask,
}

impl Confirmation {
    /// Decided before anything is opened: without `--yes`, stdin must be a terminal, since nobody is
    /// there to answer a pipe; scripts must say `--yes`.
    pub(crate) fn required(command: &'static str, yes: bool) -> Result<Self, CliError> {
        match (yes, io::stdin().is_terminal()) {
            (true, _) => Ok(Self::Given),
            (false, true) => Ok(Self::Ask),
            (false, false) => Err(CliError::NotConfirmed { command }),
        }
    }

    /// Goes on if `--yes` was given or the operator answers yes to `question`.
    pub(crate) fn obtain(self, question: &str) -> Result<(), CliError> {
        match self {
            Self::Given => Ok(()),
            Self::Ask => ask(question, &mut io::stdin().lock(), &mut io::stderr()),
        }
    }
}

/// Writes `question` and a `[y/N]` prompt to `output`, then reads one line: `y` or `yes` (any case)
/// goes on, anything else (an empty line, end of input) aborts.
fn ask(question: &str, input: &mut impl BufRead, output: &mut impl Write) -> Result<(), CliError> {
    write!(output, "{question}\nContinue? [y/N] ").and_then(|()| output.flush()).map_err(CliError::Prompt)?;
    let mut answer = String::new();
    input.take(MAX_ANSWER).read_line(&mut answer).map_err(CliError::Prompt)?;
    if !answer.ends_with('\n') {
        // End of input (Ctrl-D): end the prompt's line so the next message starts on its own.
        let _ = writeln!(output);
    }
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError::Aborted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> (Result<(), CliError>, String) {
        let mut shown = Vec::new();
        let result = ask("Replace the token?", &mut text.as_bytes(), &mut shown);
        (result, String::from_utf8(shown).unwrap())
    }

    #[test]
    fn yes_goes_on() {
        for text in ["y\n", "yes\n", "  YES  \n", "Y", "y\r\n"] {
            let (result, shown) = answer(text);
            assert!(result.is_ok(), "{text:?}");
            let end = if text.ends_with('\n') { "" } else { "\n" };
            assert_eq!(shown, format!("Replace the token?\nContinue? [y/N] {end}"));
        }
    }

    #[test]
    fn end_of_input_aborts_on_a_new_line() {
        let (result, shown) = answer("");
        assert!(matches!(result, Err(CliError::Aborted)));
        assert_eq!(shown, "Replace the token?\nContinue? [y/N] \n");
        assert!(answer("n\n").1.ends_with("[y/N] "), "the operator's Enter already ended the line");
    }

    #[test]
    fn anything_else_aborts() {
        for text in ["", "\n", "n\n", "no\n", "yess\n", "y es\n", "ja\n"] {
            assert!(matches!(answer(text).0, Err(CliError::Aborted)), "{text:?}");
        }
    }

    #[test]
    fn a_long_answer_is_read_only_so_far() {
        let text = format!("{}\ny\n", "y".repeat(10_000));
        assert!(matches!(answer(&text).0, Err(CliError::Aborted)));
    }

    #[test]
    fn yes_flag_needs_no_terminal() {
        assert_eq!(Confirmation::required("generate", true).unwrap(), Confirmation::Given);
        assert!(Confirmation::Given.obtain("unused").is_ok());
    }
}
