//! Row ↔ record conversion: SQLite values in, validated core types out.

use rusqlite::Row;
use scim_token_core::store::TokenRecord;
use scim_token_core::{Actor, Scope, Timestamp, TokenId, TokenRole};

use crate::error::DbError;

/// The columns every token query selects, in this order, so [`RawToken::read`] can take them by index.
/// A macro, not a const, so queries can be built with `concat!` and stay `&'static str` for the
/// statement cache.
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

/// A token row as SQLite returned it, not yet validated. Reading and validating are split because a
/// row callback can only fail with a `rusqlite::Error`, and a rule broken by a stored value is not one.
pub(crate) struct RawToken {
    id: String,
    scope: String,
    role: String,
    valid_until: Option<i64>,
    hash: String,
    created_at: i64,
    created_by: String,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    first_used_at: Option<i64>,
}

impl RawToken {
    /// Reads [`token_columns!`] starting at column `at`, or `None` if a left join found no token.
    pub(crate) fn read_optional(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<Self>> {
        match row.get_ref(at)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            _ => Self::read(row, at).map(Some),
        }
    }

    /// Reads [`token_columns!`] starting at column `at`.
    pub(crate) fn read(row: &Row<'_>, at: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(at)?,
            scope: row.get(at + 1)?,
            role: row.get(at + 2)?,
            valid_until: row.get(at + 3)?,
            hash: row.get(at + 4)?,
            created_at: row.get(at + 5)?,
            created_by: row.get(at + 6)?,
            expires_at: row.get(at + 7)?,
            last_used_at: row.get(at + 8)?,
            first_used_at: row.get(at + 9)?,
        })
    }

    /// Validates the row into a record and its role.
    pub(crate) fn into_record(self) -> Result<(TokenRecord, TokenRole), DbError> {
        // The core's messages name the rule, never the value, so they are safe to pass on.
        let invalid = |what| {
            move |error: scim_token_core::Error| DbError::InvalidRow { what, reason: error.to_string() }
        };
        let role = match (self.role.as_str(), self.valid_until) {
            (CURRENT, None) => TokenRole::Current,
            (PREVIOUS, Some(until)) => {
                TokenRole::Previous { valid_until: Timestamp::from_unix_millis(until) }
            }
            _ => {
                return Err(DbError::InvalidRow {
                    what: "token role",
                    reason: "role and valid_until disagree".to_owned(),
                });
            }
        };
        let record = TokenRecord {
            id: TokenId::new(self.id).map_err(invalid("token id"))?,
            scope: Scope::new(self.scope).map_err(invalid("scope"))?,
            hash: self.hash.into(),
            created_at: Timestamp::from_unix_millis(self.created_at),
            created_by: Actor::new(self.created_by).map_err(invalid("created_by"))?,
            expires_at: self.expires_at.map(Timestamp::from_unix_millis),
            last_used_at: self.last_used_at.map(Timestamp::from_unix_millis),
            first_used_at: self.first_used_at.map(Timestamp::from_unix_millis),
        };
        Ok((record, role))
    }
}
