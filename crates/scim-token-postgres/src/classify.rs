//! Which [`PostgresStoreError`](crate::PostgresStoreError) a `tokio_postgres` error becomes, decided by
//! what the error is — its SQLSTATE, `is_closed()`, the type of its cause — never by its message text,
//! which changes between tokio-postgres versions.
//!
//! | Error | Class | [`StoreErrorKind`](scim_token_core::store::StoreErrorKind) |
//! |---|---|---|
//! | 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available, 57014 query_canceled (statement timeout), 53300 too_many_connections, 53200 out_of_memory | `Busy` | Busy |
//! | 57P01 admin_shutdown (`pg_terminate_backend`), 57P02 crash_shutdown, 57P05 idle_session_timeout, 25P03 idle_in_transaction_session_timeout | `Lost` | Unavailable |
//! | class 08 (connection exception), 57P03 cannot_connect_now (starting up, recovering) | `Unreachable` | Unavailable |
//! | a closed connection (`is_closed()`) | `Lost` | Unavailable |
//! | an I/O error in the cause chain (refused, reset, timed out, broken pipe) | `Lost` (`Unreachable` while opening a connection) | Unavailable |
//! | a `rustls::Error` inside that I/O error (feature `tls`) | `Tls` | Other |
//! | class 28 (invalid authorization), 28P01 invalid_password | `Authentication` | Other |
//! | 3D000 invalid_catalog_name | `MissingDatabase` | Other |
//! | 42501 insufficient_privilege | `PermissionDenied` | Other |
//! | anything else (53100 disk_full, 23505 unique_violation, …) | `Other` | Other |
//!
//! Deadpool's own errors (pool exhausted, closed, create and recycle timeouts) are typed and handled by
//! the store where it takes a connection; the store's own deadlines are `tokio::time::timeout`s, so
//! tokio-postgres' cause-less `timeout waiting for server` (used by its blocking sibling crate) never
//! reaches here and would count as `Other`, as would the few client errors whose cause is a bare string
//! (e.g. a server that offers no TLS to a client requiring it).

use std::error::Error as _;

use tokio_postgres::error::SqlState;

/// How a `tokio_postgres` error is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// No connection could be made.
    Unreachable,
    /// An established connection broke.
    Lost,
    /// The server is contended: retrying in a moment can help.
    Busy,
    /// The login was refused.
    Authentication,
    /// The TLS handshake failed.
    Tls,
    /// The database does not exist.
    MissingDatabase,
    /// The user lacks a privilege.
    PermissionDenied,
    /// Anything else.
    Other,
}

impl Class {
    pub(crate) fn of(error: &tokio_postgres::Error) -> Self {
        if let Some(code) = error.code() {
            return Self::of_code(code);
        }
        if error.is_closed() {
            return Self::Lost;
        }
        // tokio-postgres keeps its error kind private; a transport failure (connecting, reading, writing,
        // or a TLS handshake over the socket) carries the `io::Error` as its cause.
        if let Some(io) = io_cause(error) {
            if is_tls(io) {
                return Self::Tls;
            }
            return Self::Lost;
        }
        Self::Other
    }

    pub(crate) fn of_code(code: &SqlState) -> Self {
        let class = &code.code()[..2];
        if *code == SqlState::INVALID_PASSWORD || class == "28" {
            return Self::Authentication;
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Self::MissingDatabase;
        }
        if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            return Self::PermissionDenied;
        }
        if [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
            SqlState::QUERY_CANCELED,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::OUT_OF_MEMORY,
        ]
        .contains(code)
        {
            return Self::Busy;
        }
        if [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::IDLE_SESSION_TIMEOUT,
            SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
        ]
        .contains(code)
        {
            return Self::Lost;
        }
        if class == "08" || *code == SqlState::CANNOT_CONNECT_NOW {
            return Self::Unreachable;
        }
        Self::Other
    }
}

/// The first `io::Error` in the error's cause chain.
fn io_cause(error: &tokio_postgres::Error) -> Option<&std::io::Error> {
    let mut cause = error.source();
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref() {
            return Some(io);
        }
        cause = error.source();
    }
    None
}

/// Whether the I/O error is rustls refusing the handshake (a certificate not trusted or not for this
/// host): `io::Error::source` skips the wrapped error itself, so it is read with `get_ref`.
#[cfg(feature = "tls")]
fn is_tls(io: &std::io::Error) -> bool {
    io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(not(feature = "tls"))]
fn is_tls(_io: &std::io::Error) -> bool {
    false
}

#[cfg(test)]
mod tests;
