//! The schema and its forward-only migrations, versioned with `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::DbError;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only: never edit a released entry.
const MIGRATIONS: &[&str] = &[
    // v1. `role` is 'current' or 'previous'; the unique (scope, role) index lets the database itself refuse
    // a second current (or previous) token. `valid_until` is set exactly for the previous token.
    // WITHOUT ROWID clusters rows by their key, so a look-up by id is a single B-tree search.
    "CREATE TABLE scopes (
        scope   TEXT    NOT NULL PRIMARY KEY,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE tokens (
        id           TEXT    NOT NULL PRIMARY KEY,
        scope        TEXT    NOT NULL REFERENCES scopes (scope),
        role         TEXT    NOT NULL CHECK (role IN ('current', 'previous')),
        valid_until  INTEGER CHECK ((role = 'previous') = (valid_until IS NOT NULL)),
        hash         TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   INTEGER,
        last_used_at INTEGER
    ) STRICT, WITHOUT ROWID;

    CREATE UNIQUE INDEX tokens_scope_role ON tokens (scope, role);",
    // v2. When the token was first accepted, set once by the use write that finds no `last_used_at`.
    // Existing rows keep NULL: a token already used has an unknown first use.
    "ALTER TABLE tokens ADD COLUMN first_used_at INTEGER;",
    // v3. OAuth 2.0 clients. Which credentials a scope accepts ('any' keeps the behaviour of v2). A scope
    // has at most one client (unique `scope`), whose id never changes and is unique across scopes; the
    // client has secrets and at most one federation trust (unique `client_id`). An access token names
    // exactly one credential that minted it; deleting the credential deletes the token (the store also
    // deletes them explicitly, to return their ids). Secrets and access tokens are Argon2id PHC strings,
    // like static tokens. `client_id` is repeated in each access token so its hot look-up needs no join
    // to the client; a client is never deleted, so it cannot go stale. The token indexes serve the
    // deletes by credential (and the cascades) and the trimming of a credential's expired tokens.
    "ALTER TABLE scopes ADD COLUMN auth_mode TEXT NOT NULL DEFAULT 'any'
        CHECK (auth_mode IN ('any', 'static', 'oauth'));

    CREATE TABLE oauth_clients (
        client_id  TEXT    NOT NULL PRIMARY KEY,
        scope      TEXT    NOT NULL UNIQUE REFERENCES scopes (scope),
        created_at INTEGER NOT NULL,
        created_by TEXT    NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE oauth_secrets (
        id           TEXT    NOT NULL PRIMARY KEY,
        client_id    TEXT    NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        hash         TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   INTEGER NOT NULL,
        last_used_at INTEGER
    ) STRICT, WITHOUT ROWID;

    CREATE INDEX oauth_secrets_client ON oauth_secrets (client_id);

    CREATE TABLE oauth_trusts (
        id         TEXT    NOT NULL PRIMARY KEY,
        client_id  TEXT    NOT NULL UNIQUE REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        issuer     TEXT    NOT NULL,
        jwks_url   TEXT    NOT NULL,
        subject    TEXT    NOT NULL,
        audience   TEXT    NOT NULL,
        tenant_id  TEXT,
        created_at INTEGER NOT NULL,
        created_by TEXT    NOT NULL
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE oauth_access_tokens (
        id         TEXT    NOT NULL PRIMARY KEY,
        scope      TEXT    NOT NULL REFERENCES scopes (scope),
        client_id  TEXT    NOT NULL REFERENCES oauth_clients (client_id),
        secret_id  TEXT    REFERENCES oauth_secrets (id) ON DELETE CASCADE,
        trust_id   TEXT    REFERENCES oauth_trusts (id) ON DELETE CASCADE,
        hash       TEXT    NOT NULL,
        issued_at  INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        CHECK ((secret_id IS NULL) <> (trust_id IS NULL))
    ) STRICT, WITHOUT ROWID;

    CREATE INDEX oauth_access_tokens_secret ON oauth_access_tokens (secret_id, expires_at);
    CREATE INDEX oauth_access_tokens_trust ON oauth_access_tokens (trust_id, expires_at);",
];

/// The schema version this build writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The file's schema version. A read only: safe on a database we may have to refuse.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// The file's schema version, and whether it holds any table (someone else's, if the version is 0), read
/// in one statement so both come from one snapshot. A read only: safe on a database we may refuse.
pub(crate) fn inspect(conn: &Connection) -> rusqlite::Result<(i64, bool)> {
    conn.query_row(
        "SELECT (SELECT user_version FROM pragma_user_version), \
                EXISTS (SELECT 1 FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%')",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// What [`migrate`] found.
pub(crate) enum Migration {
    /// The schema is at [`SCHEMA_VERSION`].
    Current,
    /// Another process upgraded the file past this build between our first check and the migration.
    Newer(i64),
}

/// Brings the schema up to [`SCHEMA_VERSION`] in one `BEGIN IMMEDIATE` transaction, so two processes
/// opening a fresh file at once cannot both migrate it: the second sees the version the first wrote.
pub(crate) fn migrate(conn: &mut Connection) -> Result<Migration, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > SCHEMA_VERSION {
        return Ok(Migration::Newer(found));
    }
    if found < SCHEMA_VERSION {
        let from = usize::try_from(found).map_err(|_| DbError::InvalidRow {
            what: "schema version",
            reason: format!("user_version {found} is negative"),
        })?;
        for migration in &MIGRATIONS[from..] {
            tx.execute_batch(migration)?;
        }
        // PRAGMA takes no bound parameters; the value is our own constant.
        tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
    }
    tx.commit()?;
    Ok(Migration::Current)
}
