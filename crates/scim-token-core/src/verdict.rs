//! [`Verdict`]: how a verification ended. The one vocabulary the `tracing` span and the metrics both
//! speak, kept apart from either so that neither imports the other.

use crate::error::{Error, Result};

/// How a verification ended: the `outcome` of its span and of `scim_token_verifications_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Valid,
    Invalid,
    Busy,
    StoreError,
    /// Argon2 or the blocking pool failed.
    Error,
}

impl Verdict {
    /// Every verdict, in discriminant order.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) const ALL: [Self; 5] = [Self::Valid, Self::Invalid, Self::Busy, Self::StoreError, Self::Error];

    pub(crate) fn of<T>(result: &Result<T>) -> Self {
        match result {
            Ok(_) => Self::Valid,
            Err(Error::InvalidToken) => Self::Invalid,
            Err(Error::Busy) => Self::Busy,
            Err(Error::Store(_)) => Self::StoreError,
            Err(_) => Self::Error,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Busy => "busy",
            Self::StoreError => "store_error",
            Self::Error => "error",
        }
    }
}
