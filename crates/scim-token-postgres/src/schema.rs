//! The schema scim-token's tables live in: its name, and its forward-only migrations, recorded in a
//! version table and run under an advisory lock.

use tokio_postgres::GenericClient;

use crate::error::PostgresStoreError;

/// A validated schema name, with its quoted form for SQL text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SchemaName {
    name: String,
    quoted: String,
}

impl SchemaName {
    /// PostgreSQL keeps 63 bytes of an identifier (NAMEDATALEN - 1) and would silently cut a longer one.
    const MAX_LEN: usize = 63;

    /// Accepts `[a-z_][a-z0-9_]*`, at most 63 bytes, not starting with `pg_` (reserved by PostgreSQL).
    /// Lowercase only, so the name means the same quoted or not, in SQL and in `psql`.
    pub(crate) fn new(name: &str) -> Result<Self, PostgresStoreError> {
        let invalid = |reason| PostgresStoreError::InvalidSchemaName { name: name.to_owned(), reason };
        if name.is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.len() > Self::MAX_LEN {
            return Err(invalid("it is longer than 63 bytes"));
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(invalid("it contains a character other than a-z, 0-9 and _"));
        }
        if name.as_bytes()[0].is_ascii_digit() {
            return Err(invalid("it starts with a digit"));
        }
        if name.starts_with("pg_") {
            return Err(invalid("names starting with pg_ are reserved by PostgreSQL"));
        }
        // The rules above leave nothing to escape; quote anyway, so that keywords (`user`, `select`) work.
        Ok(Self { name: name.to_owned(), quoted: format!("\"{name}\"") })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.name
    }

    /// The quoted identifier, for SQL text.
    pub(crate) fn quoted(&self) -> &str {
        &self.quoted
    }
}

/// The version table, in the store's schema.
const VERSION_TABLE: &str = "scim_token_schema_version";

/// Migration `i` takes the schema from version `i` to `i + 1`; `{s}` stands for the quoted schema.
/// Append only: never edit a released entry.
const MIGRATIONS: &[&str] = &[
    // v1. `role` is 'current' or 'previous'; the unique (scope, role) index lets the database itself refuse
    // a second current (or previous) token. `valid_until` is set exactly for the previous token.
    // Timestamps are BIGINT Unix milliseconds, the core's `Timestamp`: exact, and its whole i64 range fits
    // (timestamptz stops at 294276 AD and keeps microseconds).
    "CREATE TABLE {s}.scopes (
        scope   TEXT    NOT NULL PRIMARY KEY,
        enabled BOOLEAN NOT NULL
    );

    CREATE TABLE {s}.tokens (
        id           TEXT    NOT NULL PRIMARY KEY,
        scope        TEXT    NOT NULL REFERENCES {s}.scopes (scope),
        role         TEXT    NOT NULL CHECK (role IN ('current', 'previous')),
        valid_until  BIGINT  CHECK ((role = 'previous') = (valid_until IS NOT NULL)),
        hash         TEXT    NOT NULL,
        created_at   BIGINT  NOT NULL,
        created_by   TEXT    NOT NULL,
        expires_at   BIGINT,
        last_used_at BIGINT
    );

    CREATE UNIQUE INDEX tokens_scope_role ON {s}.tokens (scope, role);",
    // v2. When the token was first accepted, set once by the use write that finds no `last_used_at`.
    // Existing rows keep NULL: a token already used has an unknown first use. A nullable column without
    // a default: no table rewrite.
    "ALTER TABLE {s}.tokens ADD COLUMN first_used_at BIGINT;",
    // v3. OAuth 2.0: which credentials a scope accepts, its client, the client's secrets, its federation
    // trust, and the access tokens they minted. A constant default: no table rewrite (PostgreSQL 11+),
    // one scan for the CHECK.
    //
    // Secrets and access tokens are Argon2id PHC strings, like static tokens. An access token names its
    // credential through exactly one of `secret_id` and `trust_id`, each a foreign key that deletes the
    // token with its credential; a mint's insert takes `FOR KEY SHARE` on the credential's row, so it
    // either commits before a deletion (which then deletes it) or fails with 23503 after one.
    // Its `scope` and `client_id` are copied from the credential's client at insert and carry no foreign
    // key of their own: a key on `scopes` would take `FOR KEY SHARE` on the scope's row, which conflicts
    // with the `FOR UPDATE` every admin write holds, so each mint would wait behind rotations. Clients
    // are never deleted; their `ON DELETE CASCADE` only states what a manual deletion would do.
    "ALTER TABLE {s}.scopes ADD COLUMN auth_mode TEXT NOT NULL DEFAULT 'any'
        CHECK (auth_mode IN ('any', 'static', 'oauth'));

    CREATE TABLE {s}.oauth_clients (
        client_id  TEXT   NOT NULL PRIMARY KEY,
        scope      TEXT   NOT NULL UNIQUE REFERENCES {s}.scopes (scope),
        created_at BIGINT NOT NULL,
        created_by TEXT   NOT NULL
    );

    CREATE TABLE {s}.oauth_secrets (
        id           TEXT   NOT NULL PRIMARY KEY,
        client_id    TEXT   NOT NULL REFERENCES {s}.oauth_clients (client_id) ON DELETE CASCADE,
        hash         TEXT   NOT NULL,
        created_at   BIGINT NOT NULL,
        created_by   TEXT   NOT NULL,
        expires_at   BIGINT NOT NULL,
        last_used_at BIGINT
    );

    CREATE INDEX oauth_secrets_client ON {s}.oauth_secrets (client_id);

    CREATE TABLE {s}.oauth_trusts (
        id         TEXT   NOT NULL PRIMARY KEY,
        client_id  TEXT   NOT NULL UNIQUE REFERENCES {s}.oauth_clients (client_id) ON DELETE CASCADE,
        issuer     TEXT   NOT NULL,
        jwks_url   TEXT   NOT NULL,
        subject    TEXT   NOT NULL,
        audience   TEXT   NOT NULL,
        tenant_id  TEXT,
        created_at BIGINT NOT NULL,
        created_by TEXT   NOT NULL
    );

    CREATE TABLE {s}.oauth_access_tokens (
        id         TEXT   NOT NULL PRIMARY KEY,
        scope      TEXT   NOT NULL,
        client_id  TEXT   NOT NULL,
        secret_id  TEXT   REFERENCES {s}.oauth_secrets (id) ON DELETE CASCADE,
        trust_id   TEXT   REFERENCES {s}.oauth_trusts (id) ON DELETE CASCADE,
        hash       TEXT   NOT NULL,
        issued_at  BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        CHECK ((secret_id IS NULL) <> (trust_id IS NULL))
    );

    CREATE INDEX oauth_access_tokens_secret ON {s}.oauth_access_tokens (secret_id, expires_at)
        WHERE secret_id IS NOT NULL;
    CREATE INDEX oauth_access_tokens_trust ON {s}.oauth_access_tokens (trust_id, expires_at)
        WHERE trust_id IS NOT NULL;",
];

/// The schema version this build writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first key of the advisory lock migrations take (`pg_advisory_xact_lock(int, int)`); the second is
/// the hash of the schema name, so stores in different schemas do not wait for each other.
const LOCK_NAMESPACE: i32 = 0x5C1D_7043;

/// What an inspection of the schema found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// No schema, or an empty one.
    Empty { schema_exists: bool },
    /// scim-token's tables, at this version.
    Version(i64),
    /// Tables, but no version table.
    Foreign,
}

/// Reads what the schema holds. Only reads: safe on a schema we may have to refuse.
pub(crate) async fn inspect(
    client: &impl GenericClient,
    schema: &SchemaName,
) -> Result<Found, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT
                 EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
                 EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')),
                 EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))",
            &[&schema.as_str(), &VERSION_TABLE],
        )
        .await?;
    let (schema_exists, versioned, has_relations): (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
    if versioned {
        let sql =
            format!("SELECT coalesce(max(version), 0)::BIGINT FROM {}.{VERSION_TABLE}", schema.quoted());
        return Ok(Found::Version(client.query_one(&sql, &[]).await?.get(0)));
    }
    Ok(if has_relations { Found::Foreign } else { Found::Empty { schema_exists } })
}

/// What [`migrate`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Migration {
    /// The schema is at [`SCHEMA_VERSION`]; `from` is the version found (equal if nothing was done).
    Current { from: i64 },
    /// Another instance upgraded the schema past this build meanwhile.
    Newer(i64),
    /// Another application's tables appeared meanwhile.
    Foreign,
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction holding the schema's advisory lock, so that
/// instances starting at once migrate it exactly once: the others wait, then find it current. DDL is
/// transactional in PostgreSQL, so a failed migration leaves nothing behind.
pub(crate) async fn migrate(
    client: &mut deadpool_postgres::Client,
    schema: &SchemaName,
) -> Result<Migration, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&LOCK_NAMESPACE, &schema.as_str()])
        .await?;
    // Read committed: this read, after the lock, sees whatever an earlier holder committed.
    let from = match inspect(&*tx, schema).await? {
        Found::Version(found) if found > SCHEMA_VERSION => return Ok(Migration::Newer(found)),
        Found::Version(found) => found,
        Found::Foreign => return Ok(Migration::Foreign),
        Found::Empty { schema_exists } => {
            if !schema_exists {
                tx.batch_execute(&format!("CREATE SCHEMA {}", schema.quoted())).await?;
            }
            tx.batch_execute(&format!(
                "CREATE TABLE {}.{VERSION_TABLE} (
                     version    INTEGER     NOT NULL PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
                schema.quoted()
            ))
            .await?;
            0
        }
    };
    if from < SCHEMA_VERSION {
        let first = usize::try_from(from).unwrap_or(0);
        for (n, migration) in MIGRATIONS.iter().enumerate().skip(first) {
            tx.batch_execute(&migration.replace("{s}", schema.quoted())).await?;
            let version = i32::try_from(n + 1).unwrap_or(i32::MAX);
            tx.execute(
                &format!("INSERT INTO {}.{VERSION_TABLE} (version) VALUES ($1)", schema.quoted()),
                &[&version],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Migration::Current { from })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        for good in ["scim_token", "_x", "a", "tenant_42", "user", &"a".repeat(63)] {
            let name = SchemaName::new(good).unwrap();
            assert_eq!(name.quoted(), format!("\"{good}\""));
        }
        for bad in ["", "Scim", "scim-token", "9lives", "pg_catalog", "a\"b", "a b", "é", &"a".repeat(64)] {
            let error = SchemaName::new(bad).unwrap_err();
            assert!(matches!(error, PostgresStoreError::InvalidSchemaName { .. }), "{bad}: {error:?}");
        }
        let message = SchemaName::new("x\"; DROP TABLE y; --").unwrap_err().to_string();
        assert!(message.contains("a character other than a-z, 0-9 and _"), "{message}");
        assert!(message.contains("use 1 to 63 lowercase ASCII letters"), "{message}");
    }
}
