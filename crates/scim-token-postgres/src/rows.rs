//! Row ↔ record conversion: PostgreSQL values in, validated core types out.

use scim_token_core::store::TokenRecord;
use scim_token_core::{Actor, Scope, Timestamp, TokenId, TokenRole};
use tokio_postgres::Row;

/// The columns every token query selects, in this order, so [`read_token`] can take them by index.
macro_rules! token_columns {
    () => {
        "t.id, t.scope, t.role, t.valid_until, t.hash, t.created_at, t.created_by, t.expires_at, t.last_used_at, \
         t.first_used_at"
    };
}
pub(crate) use token_columns;

/// How many columns [`token_columns!`] names.
pub(crate) const TOKEN_COLUMN_COUNT: usize = 10;

/// The `role` values; the write statements spell them out in SQL.
const CURRENT: &str = "current";
const PREVIOUS: &str = "previous";

/// Why a row could not become a record.
pub(crate) enum RowError {
    /// A column had an unexpected type (a schema changed outside scim-token).
    Pg(tokio_postgres::Error),
    /// A value breaks the core's rules.
    Invalid { what: &'static str, reason: String },
}

impl From<tokio_postgres::Error> for RowError {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Pg(error)
    }
}

/// Whether the token columns starting at `at` hold a token (a left join may find none).
pub(crate) fn has_token(row: &Row, at: usize) -> Result<bool, RowError> {
    Ok(row.try_get::<_, Option<&str>>(at)?.is_some())
}

/// Reads and validates [`token_columns!`] starting at column `at`.
pub(crate) fn read_token(row: &Row, at: usize) -> Result<(TokenRecord, TokenRole), RowError> {
    // The core's messages name the rule, never the value, so they are safe to pass on.
    let invalid =
        |what| move |error: scim_token_core::Error| RowError::Invalid { what, reason: error.to_string() };
    let millis = |n: usize| -> Result<Option<Timestamp>, RowError> {
        Ok(row.try_get::<_, Option<i64>>(at + n)?.map(Timestamp::from_unix_millis))
    };
    let role = match (row.try_get::<_, &str>(at + 2)?, millis(3)?) {
        (CURRENT, None) => TokenRole::Current,
        (PREVIOUS, Some(valid_until)) => TokenRole::Previous { valid_until },
        _ => {
            return Err(RowError::Invalid {
                what: "token role",
                reason: "role and valid_until disagree".to_owned(),
            });
        }
    };
    let record = TokenRecord {
        id: TokenId::new(row.try_get::<_, &str>(at)?).map_err(invalid("token id"))?,
        scope: Scope::new(row.try_get::<_, &str>(at + 1)?).map_err(invalid("scope"))?,
        hash: row.try_get::<_, &str>(at + 4)?.into(),
        created_at: Timestamp::from_unix_millis(row.try_get(at + 5)?),
        created_by: Actor::new(row.try_get::<_, &str>(at + 6)?).map_err(invalid("created_by"))?,
        expires_at: millis(7)?,
        last_used_at: millis(8)?,
        first_used_at: millis(9)?,
    };
    Ok((record, role))
}
