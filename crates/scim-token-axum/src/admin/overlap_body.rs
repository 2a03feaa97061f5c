//! The `overlap` field of the settings body: where an overlap until first use stands.

use scim_token_core::FirstUseSwitch;
use serde::Serialize;
use utoipa::ToSchema;

/// Where an overlap until first use stands: sent only by a server that ends the overlap on the new
/// token's first use, and only while there is a state to show. Times are RFC 3339, in UTC.
#[derive(Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "lowercase")]
#[schema(as = scimOverlapSchema)]
pub(crate) enum OverlapBody {
    /// Waiting for the identity provider to use the new token: the previous token still works, until
    /// `validUntil` at the latest.
    Waiting {
        /// When the previous token stops working if the new one is not used before.
        #[serde(rename = "validUntil")]
        #[schema(format = DateTime)]
        valid_until: String,
    },
    /// The identity provider switched to the new token at `switchedAt` (its first use); only the new
    /// token works since.
    Switched {
        /// The new token's first use.
        #[serde(rename = "switchedAt")]
        #[schema(format = DateTime)]
        switched_at: String,
    },
}

impl OverlapBody {
    /// The body of `switch`; `None` for a state this body has no shape for yet (the core may add some).
    pub(crate) fn of(switch: FirstUseSwitch) -> Option<Self> {
        match switch {
            FirstUseSwitch::Waiting { previous_valid_until } => {
                Some(Self::Waiting { valid_until: previous_valid_until.to_rfc3339() })
            }
            FirstUseSwitch::Switched { at } => Some(Self::Switched { switched_at: at.to_rfc3339() }),
            _ => None,
        }
    }
}
