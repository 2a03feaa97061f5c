//! The raw `--database` value, whose `Debug` never shows a password: `Cli` derives `Debug`, and the value
//! may be `postgres://user:PASSWORD@host/db`.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use crate::store::Database;

/// `--database` (or `SCIM_TOKEN_DATABASE_URL`) as given. Parsing never fails here, so clap never repeats
/// the value in an error; [`Database::parse`] checks it later with messages that do not repeat it either.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct DatabaseArg(String);

impl DatabaseArg {
    /// The value as given, password included: for [`Database::parse`] only, never for output.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for DatabaseArg {
    type Err = Infallible;

    fn from_str(value: &str) -> Result<Self, Infallible> {
        Ok(Self(value.to_owned()))
    }
}

/// The parsed database, whose `Debug` redacts passwords; a value that does not parse is not shown at
/// all, since it may still hold one.
impl fmt::Debug for DatabaseArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Database::parse(&self.0) {
            Ok(database) => f.debug_tuple("DatabaseArg").field(&database).finish(),
            Err(_) => f.write_str("DatabaseArg(<not a valid database URL; not shown>)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    #[test]
    fn debug_hides_the_password_of_a_postgres_url() {
        for url in [
            "postgres://app:s3cret-pw@db.internal:5432/app",
            "postgresql://app@db.internal/app?password=s3cret-pw&sslmode=require",
            "postgres://app:s3cret-pw@db.internal:not-a-port/app", // invalid, but still holds the password
        ] {
            let arg: DatabaseArg = url.parse().unwrap();
            assert_eq!(arg.expose(), url, "the value itself is kept for the driver");
            let debug = format!("{arg:?}");
            assert!(!debug.contains("s3cret-pw"), "{debug}");
            let cli = Cli::try_parse_from(["scim-token", "--database", url, "status"]).unwrap();
            let debug = format!("{cli:?}");
            assert!(!debug.contains("s3cret-pw"), "{debug}");
        }
    }

    #[test]
    fn debug_still_shows_what_holds_no_secret() {
        let arg: DatabaseArg = "postgres://app:pw@db.internal/app".parse().unwrap();
        assert!(format!("{arg:?}").contains("db.internal"), "{arg:?}");
        let arg: DatabaseArg = "sqlite:/var/lib/app/scim.db".parse().unwrap();
        assert!(format!("{arg:?}").contains("/var/lib/app/scim.db"), "{arg:?}");
    }
}
