//! [`ScopeStatus`]: what an administrator may see of a scope, including where an overlap until first use
//! stands.

use crate::record::TokenInfo;
use crate::time::Timestamp;

/// A scope's settings and token metadata, without any secret.
///
/// Its [`Default`] is the status of a scope never written to: disabled, without a token. Fields may be
/// added in a minor release; to build one (in a test), start from the default and set its fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScopeStatus {
    /// Whether SCIM provisioning is enabled.
    pub enabled: bool,
    /// Whether a current, unexpired token exists.
    pub has_token: bool,
    /// The current token's metadata.
    pub current: Option<TokenInfo>,
    /// The replaced token, while it is still accepted.
    pub previous: Option<PreviousTokenInfo>,
    /// Whether the overlap ends as soon as the current token is first used
    /// ([`overlap_until_first_use`](crate::ScimTokenServiceBuilder::overlap_until_first_use)): with a
    /// `previous` token, the service is waiting for the identity provider to switch to the current one.
    pub overlap_ends_on_first_use: bool,
    /// Where the overlap until first use stands, with
    /// [`overlap_until_first_use`](crate::ScimTokenServiceBuilder::overlap_until_first_use) only: `None`
    /// without it, and while there is neither a replaced token still accepted nor a first use of the
    /// current one.
    pub switch: Option<FirstUseSwitch>,
}

/// The token a rotation replaced, still accepted during its overlap window.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreviousTokenInfo {
    /// The replaced token's metadata.
    pub token: TokenInfo,
    /// The end of its overlap window. It stops being accepted then, or at its own expiry if sooner:
    /// [`valid_until`](Self::valid_until) says which.
    pub overlap_ends_at: Timestamp,
}

/// Where an overlap until first use stands: what an administrator watching a rotation wants to know.
/// States may be added in a minor release: a `match` needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirstUseSwitch {
    /// Waiting for the identity provider to use the new token: the replaced token still works, until
    /// `previous_valid_until` at the latest (the end of its overlap window, or its expiry if sooner).
    Waiting {
        /// When the replaced token stops working if the new one is not used before.
        previous_valid_until: Timestamp,
    },
    /// The identity provider first used the current token at `at`, which ended the overlap: from then on
    /// only the current token works. (For a scope's first token, when the provider started using it.)
    Switched {
        /// The current token's first use, as every instance sharing the store sees it.
        at: Timestamp,
    },
}

impl PreviousTokenInfo {
    /// The replaced `token`, whose overlap window ends at `overlap_ends_at`.
    pub fn new(token: TokenInfo, overlap_ends_at: Timestamp) -> Self {
        Self { token, overlap_ends_at }
    }

    /// When the replaced token stops being accepted: the end of its overlap window, or its own expiry
    /// if that comes first.
    pub fn valid_until(&self) -> Timestamp {
        self.token.expires_at.map_or(self.overlap_ends_at, |at| at.min(self.overlap_ends_at))
    }
}

impl ScopeStatus {
    /// The scope's tokens as an inventory lists them: the current one first, then the one a rotation
    /// replaced (while its overlap window keeps it), each with when it stops being accepted. Every view
    /// of a scope (the admin API, the page, the CLI) lists tokens through this, so they agree.
    pub fn tokens(&self) -> impl Iterator<Item = ListedToken<'_>> {
        let current = self.current.iter().map(|info| ListedToken {
            info,
            is_current: true,
            valid_until: info.expires_at,
        });
        let previous = self.previous.iter().map(|previous| ListedToken {
            info: &previous.token,
            is_current: false,
            valid_until: Some(previous.valid_until()),
        });
        current.chain(previous)
    }
}

/// One token of a scope as [`ScopeStatus::tokens`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListedToken<'a> {
    /// The token's metadata.
    pub info: &'a TokenInfo,
    /// Whether it is the scope's current token (otherwise it is the one the last rotation replaced).
    pub is_current: bool,
    /// When it stops being accepted, as things stand: for the current token its expiry (`None` if it
    /// never expires; in the past for an expired token, which is listed until it is replaced or
    /// revoked); for the replaced one the end of its overlap window or its expiry, whichever is first.
    pub valid_until: Option<Timestamp>,
}

impl FirstUseSwitch {
    /// The state of a scope whose current and (still accepted) previous tokens are these.
    pub(crate) fn of(current: Option<&TokenInfo>, previous: Option<&PreviousTokenInfo>) -> Option<Self> {
        // A recorded first use wins: the overlap ended then, even if the replaced token's delete is late.
        if let Some(at) = current.and_then(|info| info.first_used_at) {
            return Some(Self::Switched { at });
        }
        previous.map(|p| Self::Waiting { previous_valid_until: p.valid_until() })
    }
}
