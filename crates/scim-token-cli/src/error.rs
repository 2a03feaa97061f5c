//! [`CliError`]: every way a command can fail, each message one line that says what to do next. A cause
//! (a store's or the service's error, an I/O error) is the `source()`, not part of the message: `main`
//! prints it on a line of its own.
//!
//! No message holds a token or a database password: values that may hold one are never repeated.

use std::path::PathBuf;

use scim_token_core::{Scope, TokenId};
use scim_token_sqlite::SqliteStoreError;

use crate::store::DatabaseUrlError;

/// A failed command. [`exit_code`](Self::exit_code) tells a usage error (2) from a failed operation (1).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Neither `--database` nor `SCIM_TOKEN_DATABASE_URL` was given.
    #[error(
        "no database given: pass --database URL or set SCIM_TOKEN_DATABASE_URL \
         (sqlite:PATH, a file path, or postgres://…), the database your servers use"
    )]
    NoDatabase,
    /// The `--database` value is malformed.
    #[error("--database (or SCIM_TOKEN_DATABASE_URL) is not usable")]
    DatabaseUrl(#[from] DatabaseUrlError),
    /// `revoke --id` or `oauth secret delete` was given something that is not an id.
    #[error("{0}")]
    IdArg(&'static str),
    /// `oauth secret create --expires-in-days` outside the servers' allowed range.
    #[error(
        "--expires-in-days must be from {min} to {max}, the client secret lifetimes your servers allow \
         (--client-secret-min-days, --client-secret-max-days)"
    )]
    SecretDaysArg {
        /// The shortest lifetime allowed.
        min: u32,
        /// The longest lifetime allowed.
        max: u32,
    },
    /// Argon2 parameters under OWASP's minimum: the stored hash would be cheap to attack.
    #[error(
        "the Argon2 parameters are under OWASP's minimum; use at least --argon2-memory-kib 19456 with \
         --argon2-iterations 2 (or 47104 with 1), as your servers do"
    )]
    WeakArgon2,
    /// The host configuration flags (Argon2 parameters, prefix, durations) are not usable.
    #[error("the Argon2, prefix, duration or OAuth flags are not usable; use your servers' settings")]
    HostConfig(#[source] scim_token_core::Error),
    /// `generate` or `revoke` without `--yes` while stdin is not a terminal.
    #[error(
        "{command} breaks the identity provider's connection and needs confirmation; stdin is not a terminal, so add --yes"
    )]
    NotConfirmed {
        /// The command that asked.
        command: &'static str,
    },
    /// The SQLite file does not exist.
    #[error(
        "there is no database at {}; check --database (scim-token never creates one: your servers do on \
         their first start)",
        path.display()
    )]
    NoDatabaseFile {
        /// The path given.
        path: PathBuf,
    },
    /// The SQLite store refused to open (newer schema, not a database, locked, …).
    #[error("cannot open the database")]
    OpenSqlite(#[from] SqliteStoreError),
    /// The PostgreSQL store refused to open (unreachable, wrong credentials, newer schema, …).
    #[cfg(feature = "postgres")]
    #[error("cannot open the database")]
    OpenPostgres(#[from] scim_token_postgres::PostgresStoreError),
    /// A `postgres://` URL, in a build without the PostgreSQL backend.
    #[cfg_attr(feature = "postgres", allow(dead_code))]
    #[error(
        "this build of scim-token has no PostgreSQL support; use a build with PostgreSQL support, or a \
         SQLite database"
    )]
    NoPostgresSupport,
    /// `revoke --id` named a token the scope does not have.
    #[error(
        "scope \"{scope}\" has no token {id}; nothing was revoked (list the tokens with `scim-token tokens`)"
    )]
    UnknownToken {
        /// The scope acted on.
        scope: Scope,
        /// The id given.
        id: TokenId,
    },
    /// `revoke --id` named a token of another scope.
    #[error(
        "token {id} belongs to scope \"{owner}\", not \"{scope}\"; nothing was revoked (pass --scope {owner})"
    )]
    TokenOfOtherScope {
        /// The id given.
        id: TokenId,
        /// The scope acted on.
        scope: Scope,
        /// The token's own scope.
        owner: Scope,
    },
    /// `oauth secret delete` named a secret the scope does not have.
    #[error(
        "scope \"{scope}\" has no client secret {id}; nothing was deleted (list them with \
         `scim-token oauth status`, and pass --scope for another scope's)"
    )]
    UnknownSecret {
        /// The scope acted on.
        scope: Scope,
        /// The id given.
        id: TokenId,
    },
    /// `oauth secret create` past the most unexpired secrets a scope may hold.
    #[error(
        "scope \"{scope}\" already has {limit} unexpired client secrets, the most allowed; nothing was \
         created: delete one with `scim-token oauth secret delete ID` (`scim-token oauth status` lists \
         them), then create another"
    )]
    SecretLimit {
        /// The scope acted on.
        scope: Scope,
        /// The limit in force (--max-client-secrets).
        limit: usize,
    },
    /// `oauth federation set` with a value the service refuses (e.g. a JWKS URL that is not https://).
    #[error("the federation trust was not set: copy the value named below again from the identity provider")]
    TrustArg(#[source] scim_token_core::Error),
    /// The operator answered no.
    #[error("aborted; nothing was changed")]
    Aborted,
    /// The confirmation could not be read from the terminal.
    #[error("cannot read the answer from the terminal; nothing was changed: retry, or pass --yes")]
    Prompt(#[source] std::io::Error),
    /// The service failed (store error, busy, …).
    #[error(transparent)]
    Service(#[from] scim_token_core::Error),
    /// `generate` succeeded but the token could not be written: it is lost, and the old one is gone.
    #[error(
        "token {id} was generated and the previous token no longer works, but writing the new token to \
         stdout failed; run generate again"
    )]
    TokenNotWritten {
        /// The lost token's id.
        id: TokenId,
        /// Why writing failed.
        #[source]
        source: std::io::Error,
    },
    /// `oauth secret create` succeeded but the secret could not be written: nobody has it.
    #[error(
        "client secret {id} was created, but writing it to stdout failed; delete it with \
         `scim-token oauth secret delete {id} --yes` and create another"
    )]
    SecretNotWritten {
        /// The lost secret's id.
        id: TokenId,
        /// Why writing failed.
        #[source]
        source: std::io::Error,
    },
    /// The command was carried out but its result could not be written.
    #[error("the command was carried out, but writing its result failed; check with `scim-token status`")]
    Output(#[source] std::io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime; check the process's thread limits and retry")]
    Runtime(#[source] std::io::Error),
}

impl CliError {
    /// 2 for a usage error (fix the command line), 1 for an operation that failed.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::NoDatabase
            | Self::DatabaseUrl(_)
            | Self::IdArg(_)
            | Self::SecretDaysArg { .. }
            | Self::TrustArg(_)
            | Self::WeakArgon2
            | Self::HostConfig(_)
            | Self::NotConfirmed { .. } => 2,
            _ => 1,
        }
    }
}
