//! The builder's OAuth options, checked once at build time.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::oauth::assertion::AssertionVerifier;

/// The allowed access-token lifetimes (Microsoft Entra: 60 minutes to 6 hours).
pub(crate) const ACCESS_TOKEN_LIFETIMES: RangeInclusive<Duration> =
    Duration::from_secs(3600)..=Duration::from_secs(6 * 3600);
/// The longest secret lifetime a builder may allow, in days.
const MAX_SECRET_DAYS: u32 = 3650;

/// The OAuth side's settings.
#[derive(Clone)]
pub(crate) struct OAuthSettings {
    pub(crate) access_token_lifetime: Duration,
    pub(crate) max_secrets: usize,
    pub(crate) default_secret_days: u32,
    pub(crate) secret_days: RangeInclusive<u32>,
    pub(crate) verifier: Option<Arc<dyn AssertionVerifier>>,
    pub(crate) allow_loopback_http_jwks: bool,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            access_token_lifetime: Duration::from_secs(3600),
            max_secrets: 5,
            default_secret_days: 365,
            secret_days: 365..=1095,
            verifier: None,
            allow_loopback_http_jwks: false,
        }
    }
}

impl OAuthSettings {
    /// Checks the options a builder set.
    pub(crate) fn check(&self) -> Result<()> {
        if !ACCESS_TOKEN_LIFETIMES.contains(&self.access_token_lifetime) {
            return Err(Error::config("access_token_lifetime must be between 3600 s and 21600 s"));
        }
        if self.max_secrets < 2 {
            return Err(Error::config("max_client_secrets must be at least 2, so secrets can be rotated"));
        }
        let (min, max) = (*self.secret_days.start(), *self.secret_days.end());
        if min == 0 || min > max || max > MAX_SECRET_DAYS {
            return Err(Error::config(
                "client_secret_expiry_days: the allowed range must lie within 1..=3650",
            ));
        }
        if !self.secret_days.contains(&self.default_secret_days) {
            return Err(Error::config(
                "client_secret_expiry_days: the default must lie in the allowed range",
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("max_secrets", &self.max_secrets)
            .field("default_secret_days", &self.default_secret_days)
            .field("secret_days", &self.secret_days)
            .field("assertion_verifier", &self.verifier.is_some())
            .field("allow_loopback_http_jwks", &self.allow_loopback_http_jwks)
            .finish()
    }
}
