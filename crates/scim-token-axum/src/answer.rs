//! What the error answers of every audience share: the error id that ties an answer to its log line,
//! the `Retry-After` of a 503, and how a cause is written to the log.

use std::error::Error;
use std::fmt;

use rand::TryRng;
use rand::rngs::SysRng;

/// Seconds a client is asked to wait when a 503 says to retry.
pub(crate) const RETRY_AFTER_SECS: &str = "1";

/// A random (version 4) UUID that ties an answer to its log line. Not a secret: if the OS generator
/// fails, the nil UUID still makes a valid answer.
pub(crate) fn error_id() -> String {
    let mut bytes = [0u8; 16];
    if SysRng.try_fill_bytes(&mut bytes).is_err() {
        bytes = [0; 16];
    } else {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// An error and its causes, `: `-separated, for one log line. An error's `Display` says what failed and
/// leaves the cause to `source()`, so logging the `Display` alone would drop the cause.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_ids_are_v4_uuids() {
        let id = error_id();
        let groups: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]), "{id}");
        assert_ne!(error_id(), id);
    }

    #[test]
    fn a_chain_names_every_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("the token store failed")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("disk full"));
        assert_eq!(Chain(&error).to_string(), "the token store failed: disk full");
        assert_eq!(Chain(&std::io::Error::other("alone")).to_string(), "alone");
    }
}
