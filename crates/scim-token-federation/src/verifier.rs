//! [`FederationVerifier`]: the [`AssertionVerifier`] the token endpoint calls for a client assertion.

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use scim_token_core::Timestamp;
use scim_token_core::async_trait;
use scim_token_core::oauth::{AssertionError, AssertionVerifier, FederationTrust};

use crate::cache::KeySource;
use crate::claims::{self, ClaimRules, Claims};
use crate::url_policy::checked_uri;
use crate::{FederationVerifierBuilder, MAX_ASSERTION_BYTES};

/// Verifies RFC 7523 §2.2 client assertions against a [`FederationTrust`]: the JWS signature by a key
/// from the trust's JWKS URL (RS256 with an RSA key of 2048 to 8192 bits, or ES256 with a P-256 key),
/// then `iss`, `sub`, `aud`, `tid`, `exp`, `nbf` and `iat`.
///
/// Cheap to share: wrap it in an `Arc` and hand it to the service builder's `assertion_verifier`.
/// Build it with [`FederationVerifier::builder`].
pub struct FederationVerifier {
    pub(crate) keys: Arc<KeySource>,
    pub(crate) claim_rules: ClaimRules,
    pub(crate) allow_loopback_http: bool,
}

impl FederationVerifier {
    /// A builder with the defaults: 60 s leeway, 2 h maximum assertion lifetime, 30 s refetch interval,
    /// 24 h key set age, 5 s fetch timeout, HTTPS only, the operating system's root certificates.
    pub fn builder() -> FederationVerifierBuilder {
        FederationVerifierBuilder::default()
    }
}

impl fmt::Debug for FederationVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FederationVerifier")
            .field("claim_rules", &self.claim_rules)
            .field("allow_loopback_http", &self.allow_loopback_http)
            .finish_non_exhaustive()
    }
}

const fn rejected(reason: &'static str) -> AssertionError {
    AssertionError::Rejected { reason }
}

#[async_trait]
impl AssertionVerifier for FederationVerifier {
    async fn verify(
        &self,
        trust: &FederationTrust,
        assertion: &str,
        now: Timestamp,
    ) -> Result<(), AssertionError> {
        if assertion.len() > MAX_ASSERTION_BYTES {
            return Err(rejected("assertion too large"));
        }
        // An `alg` jsonwebtoken does not know (`none` among them) fails to parse here.
        let header = jsonwebtoken::decode_header(assertion).map_err(|_| rejected("malformed JWS header"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(rejected("algorithm not allowed"));
        }
        let kid =
            header.kid.as_deref().filter(|kid| !kid.is_empty()).ok_or(rejected("no kid in the header"))?;

        // The claims are checked before any key is looked up, so an assertion meant for someone else
        // never causes a fetch; they are checked again below, from the verified payload.
        let now_secs = now.unix_millis().div_euclid(1000);
        let unverified: Claims = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
            .map_err(|_| rejected("malformed claims"))?;
        claims::check(&unverified, trust, now_secs, self.claim_rules).map_err(rejected)?;

        if checked_uri(&trust.jwks_url, self.allow_loopback_http).is_none() {
            return Err(rejected("JWKS URL not allowed"));
        }
        let key = match self.keys.key(&trust.jwks_url, kid, now).await {
            Ok(Some(key)) => key,
            Ok(None) => return Err(rejected("unknown kid")),
            Err(error) => return Err(AssertionError::Unavailable(Box::new(error))),
        };
        // RFC 8725 §3.1: the key decides the algorithm; the header must agree with it.
        if key.algorithm != header.alg {
            return Err(rejected("algorithm does not match the key"));
        }

        // Times, audience and the rest are ours (`claims::check` at the caller's `now`); jsonwebtoken
        // checks the signature, the single algorithm allowed and the `crit` header.
        let mut validation = Validation::new(key.algorithm);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let verified = jsonwebtoken::decode::<Claims>(assertion, &key.key, &validation).map_err(|error| {
            rejected(match error.kind() {
                ErrorKind::InvalidSignature => "bad signature",
                _ => "invalid JWS",
            })
        })?;
        claims::check(&verified.claims, trust, now_secs, self.claim_rules).map_err(rejected)
    }
}
