//! The store's SQL, written once per store with its schema's quoted name, so every text is stable and
//! each connection prepares it once (deadpool's statement cache is keyed by the text).

use crate::oauth_sql::OAuthSql;
use crate::rows::token_columns;
use crate::schema::SchemaName;

/// Every statement the store runs.
pub(crate) struct Sql {
    /// One read, by primary key, joined with the scope's flag and mode: runs on every SCIM request. An inner join:
    /// the foreign key guarantees the scope row.
    pub(crate) find_token: String,
    /// The scope's flag and its (at most two) tokens in one statement, so both come from one snapshot.
    pub(crate) load_scope: String,
    pub(crate) create_scope: String,
    /// The per-scope lock every write to a scope's tokens takes first.
    pub(crate) lock_scope: String,
    pub(crate) delete_all: String,
    pub(crate) delete_all_returning: String,
    pub(crate) delete_one: String,
    pub(crate) delete_previous: String,
    pub(crate) demote_current: String,
    pub(crate) insert_current: String,
    pub(crate) set_enabled: String,
    /// Skips a row a rotation holds (it is about to be deleted or demoted), so it never waits for one.
    pub(crate) record_use: String,
    /// The OAuth statements.
    pub(crate) oauth: OAuthSql,
}

impl Sql {
    pub(crate) fn new(schema: &SchemaName) -> Self {
        let s = schema.quoted();
        Self {
            find_token: format!(
                concat!(
                    "SELECT ",
                    token_columns!(),
                    ", s.enabled, s.auth_mode FROM {s}.tokens t JOIN {s}.scopes s ON s.scope = t.scope WHERE t.id = $1"
                ),
                s = s
            ),
            load_scope: format!(
                concat!(
                    "SELECT s.enabled, ",
                    token_columns!(),
                    " FROM {s}.scopes s LEFT JOIN {s}.tokens t ON t.scope = s.scope WHERE s.scope = $1"
                ),
                s = s
            ),
            create_scope: format!(
                "INSERT INTO {s}.scopes (scope, enabled) VALUES ($1, FALSE) ON CONFLICT (scope) DO NOTHING"
            ),
            lock_scope: format!("SELECT 1 FROM {s}.scopes WHERE scope = $1 FOR UPDATE"),
            delete_all: format!("DELETE FROM {s}.tokens WHERE scope = $1"),
            delete_all_returning: format!("DELETE FROM {s}.tokens WHERE scope = $1 RETURNING id"),
            delete_one: format!("DELETE FROM {s}.tokens WHERE scope = $1 AND id = $2"),
            delete_previous: format!("DELETE FROM {s}.tokens WHERE scope = $1 AND role = 'previous'"),
            demote_current: format!(
                "UPDATE {s}.tokens SET role = 'previous', valid_until = $2 WHERE scope = $1 AND role = 'current'"
            ),
            insert_current: format!(
                "INSERT INTO {s}.tokens \
                 (id, scope, role, valid_until, hash, created_at, created_by, expires_at, last_used_at, \
                 first_used_at) VALUES ($1, $2, 'current', NULL, $3, $4, $5, $6, $7, $8)"
            ),
            set_enabled: format!(
                "INSERT INTO {s}.scopes (scope, enabled) VALUES ($1, $2) \
                 ON CONFLICT (scope) DO UPDATE SET enabled = excluded.enabled"
            ),
            record_use: format!(
                // The right-hand sides read the row as it was: `first_used_at` is set by the write
                // that finds no use.
                "UPDATE {s}.tokens \
                 SET first_used_at = CASE WHEN last_used_at IS NULL THEN $2 ELSE first_used_at END, \
                 last_used_at = $2 \
                 WHERE id = (SELECT id FROM {s}.tokens WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED)"
            ),
            oauth: OAuthSql::new(schema),
        }
    }
}
