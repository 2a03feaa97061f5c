//! The OAuth statements, written once per store with its schema's quoted name (see [`crate::sql`]).

use crate::oauth_rows::{access_token_columns, state_columns, state_joins};
use crate::schema::SchemaName;

/// Every OAuth statement the store runs. Writes run after the scope's lock ([`crate::sql::Sql::lock_scope`])
/// and then lock the credential they delete, in that order: scope, credential, its access tokens.
pub(crate) struct OAuthSql {
    /// A scope's state in one statement (one snapshot): one row per secret, oldest first.
    pub(crate) load_state: String,
    /// The same, found by client id: the token endpoint's one read.
    pub(crate) find_client: String,
    /// The guard's read: by primary key, joined with the scope's flag and mode; no lock.
    pub(crate) find_access_token: String,
    /// The scope's client id and how many of its secrets have not expired at `$2`.
    pub(crate) client_and_unexpired: String,
    pub(crate) insert_client: String,
    pub(crate) insert_secret: String,
    /// Locks the scope's secret `$2`, so a mint's foreign-key check waits, then fails, from here on.
    pub(crate) lock_secret: String,
    pub(crate) delete_secret_tokens: String,
    pub(crate) delete_secret: String,
    /// Locks the scope's trust.
    pub(crate) lock_trust: String,
    pub(crate) delete_trust_tokens: String,
    pub(crate) delete_trust: String,
    pub(crate) insert_trust: String,
    pub(crate) set_auth_mode: String,
    /// Inserts an access token if the scope's secret `$3` exists; scope and client id come from it.
    pub(crate) insert_token_by_secret: String,
    /// Inserts an access token if the scope's trust `$3` exists.
    pub(crate) insert_token_by_trust: String,
    pub(crate) trim_secret_tokens: String,
    pub(crate) trim_trust_tokens: String,
    /// Skips a row a deletion holds, so it never waits for one.
    pub(crate) record_secret_use: String,
}

impl OAuthSql {
    pub(crate) fn new(schema: &SchemaName) -> Self {
        let s = schema.quoted();
        let insert_token = |table: &str| {
            format!(
                "INSERT INTO {s}.oauth_access_tokens \
                 (id, scope, client_id, secret_id, trust_id, hash, issued_at, expires_at) \
                 SELECT $1, c.scope, c.client_id, {secret}, {trust}, $4, $5, $6 \
                 FROM {s}.{table} k JOIN {s}.oauth_clients c ON c.client_id = k.client_id \
                 WHERE k.id = $3 AND c.scope = $2",
                secret = if table == "oauth_secrets" { "k.id" } else { "NULL" },
                trust = if table == "oauth_trusts" { "k.id" } else { "NULL" },
            )
        };
        Self {
            load_state: format!(
                concat!(
                    "SELECT ",
                    state_columns!(),
                    " FROM {s}.scopes s LEFT JOIN {s}.oauth_clients c ON c.scope = s.scope ",
                    state_joins!(),
                    " WHERE s.scope = $1 ORDER BY x.created_at, x.id"
                ),
                s = s
            ),
            find_client: format!(
                concat!(
                    "SELECT ",
                    state_columns!(),
                    " FROM {s}.oauth_clients c JOIN {s}.scopes s ON s.scope = c.scope ",
                    state_joins!(),
                    " WHERE c.client_id = $1 ORDER BY x.created_at, x.id"
                ),
                s = s
            ),
            find_access_token: format!(
                concat!(
                    "SELECT ",
                    access_token_columns!(),
                    " FROM {s}.oauth_access_tokens a JOIN {s}.scopes s ON s.scope = a.scope WHERE a.id = $1"
                ),
                s = s
            ),
            client_and_unexpired: format!(
                "SELECT c.client_id, (SELECT count(*) FROM {s}.oauth_secrets x \
                 WHERE x.client_id = c.client_id AND x.expires_at > $2) \
                 FROM {s}.oauth_clients c WHERE c.scope = $1"
            ),
            insert_client: format!(
                "INSERT INTO {s}.oauth_clients (client_id, scope, created_at, created_by) VALUES ($1, $2, $3, $4)"
            ),
            insert_secret: format!(
                "INSERT INTO {s}.oauth_secrets \
                 (id, client_id, hash, created_at, created_by, expires_at, last_used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            lock_secret: format!(
                "SELECT x.id FROM {s}.oauth_secrets x JOIN {s}.oauth_clients c ON c.client_id = x.client_id \
                 WHERE c.scope = $1 AND x.id = $2 FOR UPDATE OF x"
            ),
            delete_secret_tokens: format!(
                "DELETE FROM {s}.oauth_access_tokens WHERE secret_id = $1 RETURNING id"
            ),
            delete_secret: format!("DELETE FROM {s}.oauth_secrets WHERE id = $1"),
            lock_trust: format!(
                "SELECT tr.id FROM {s}.oauth_trusts tr JOIN {s}.oauth_clients c ON c.client_id = tr.client_id \
                 WHERE c.scope = $1 FOR UPDATE OF tr"
            ),
            delete_trust_tokens: format!(
                "DELETE FROM {s}.oauth_access_tokens WHERE trust_id = $1 RETURNING id"
            ),
            delete_trust: format!("DELETE FROM {s}.oauth_trusts WHERE id = $1"),
            insert_trust: format!(
                "INSERT INTO {s}.oauth_trusts \
                 (id, client_id, issuer, jwks_url, subject, audience, tenant_id, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            set_auth_mode: format!(
                "INSERT INTO {s}.scopes (scope, enabled, auth_mode) VALUES ($1, FALSE, $2) \
                 ON CONFLICT (scope) DO UPDATE SET auth_mode = excluded.auth_mode"
            ),
            insert_token_by_secret: insert_token("oauth_secrets"),
            insert_token_by_trust: insert_token("oauth_trusts"),
            trim_secret_tokens: format!(
                "DELETE FROM {s}.oauth_access_tokens WHERE secret_id = $1 AND scope = $2 AND expires_at <= $3"
            ),
            trim_trust_tokens: format!(
                "DELETE FROM {s}.oauth_access_tokens WHERE trust_id = $1 AND scope = $2 AND expires_at <= $3"
            ),
            record_secret_use: format!(
                "UPDATE {s}.oauth_secrets SET last_used_at = $2 \
                 WHERE id = (SELECT id FROM {s}.oauth_secrets WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED)"
            ),
        }
    }
}
