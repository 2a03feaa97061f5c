//! Reading a JWKS (RFC 7517) into verifying keys. Each key's algorithm is fixed here, from the key
//! itself (RFC 8725 §3.1): an RSA key verifies RS256 only, a P-256 key ES256 only, whatever `alg` an
//! assertion's header claims. Keys this verifier would never use are skipped, not errors, so that an
//! issuer adding a new key type does not break the keys we do use.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use serde::Deserialize;

use crate::error::FetchError;

/// The smallest RSA modulus accepted (NIST SP 800-131A: 1024-bit RSA is disallowed).
pub(crate) const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted: bigger keys only make verification slow.
pub(crate) const MAX_RSA_BITS: usize = 8192;

/// One usable key: the algorithm it verifies and the key itself.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

/// A key set by `kid`.
pub(crate) type KeySet = HashMap<String, VerifyingKey>;

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK we read; every other member (`x5c`, `x5t`, `issuer`...) is ignored.
#[derive(Deserialize)]
struct JwkFields {
    kty: Option<String>,
    kid: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// Reads a JWKS document: at most `max_keys` entries, the usable ones by `kid`.
pub(crate) fn parse_jwks(body: &[u8], max_keys: usize) -> Result<KeySet, FetchError> {
    let document: JwksDocument = serde_json::from_slice(body).map_err(FetchError::Malformed)?;
    if document.keys.len() > max_keys {
        return Err(FetchError::TooManyKeys { limit: max_keys });
    }
    let mut set = KeySet::new();
    for value in document.keys {
        let Ok(fields) = serde_json::from_value::<JwkFields>(value) else { continue };
        if let Some((kid, key)) = usable_key(fields) {
            // A kid seen twice is ambiguous: the first wins, as the document lists it.
            set.entry(kid).or_insert(key);
        }
    }
    Ok(set)
}

fn usable_key(jwk: JwkFields) -> Option<(String, VerifyingKey)> {
    let kid = jwk.kid.filter(|kid| !kid.is_empty())?;
    if jwk.key_use.as_deref().is_some_and(|u| u != "sig") {
        return None;
    }
    let key = match jwk.kty.as_deref()? {
        "RSA" => rsa_key(jwk.alg.as_deref(), jwk.n.as_deref()?, jwk.e.as_deref()?)?,
        "EC" => p256_key(jwk.alg.as_deref(), jwk.crv.as_deref()?, jwk.x.as_deref()?, jwk.y.as_deref()?)?,
        // "oct" (HMAC secrets have no place in a public key set), "OKP" and the rest.
        _ => return None,
    };
    Some((kid, key))
}

fn rsa_key(alg: Option<&str>, n: &str, e: &str) -> Option<VerifyingKey> {
    if alg.is_some_and(|alg| alg != "RS256") {
        return None;
    }
    let key = DecodingKey::from_rsa_components(n, e).ok()?;
    let DecodingKeyKind::RsaModulusExponent { n, .. } = key.kind() else { return None };
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bit_length(n)) {
        return None;
    }
    Some(VerifyingKey { algorithm: Algorithm::RS256, key })
}

fn p256_key(alg: Option<&str>, crv: &str, x: &str, y: &str) -> Option<VerifyingKey> {
    if crv != "P-256" || alg.is_some_and(|alg| alg != "ES256") {
        return None;
    }
    let key = DecodingKey::from_ec_components(x, y).ok()?;
    // An uncompressed SEC1 point on P-256: 0x04 and two 32-byte coordinates.
    let DecodingKeyKind::SecretOrDer(point) = key.kind() else { return None };
    if point.len() != 65 {
        return None;
    }
    Some(VerifyingKey { algorithm: Algorithm::ES256, key })
}

/// The bit length of a big-endian unsigned integer.
fn bit_length(be: &[u8]) -> usize {
    let Some(first) = be.iter().position(|&b| b != 0) else { return 0 };
    let leading = usize::try_from(be[first].leading_zeros()).unwrap_or(0);
    (be.len() - first) * 8 - leading
}

#[cfg(test)]
mod tests {
    use super::{bit_length, parse_jwks};
    use crate::error::FetchError;

    #[test]
    fn bit_length_ignores_leading_zeros() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[0, 1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0, 0x7f, 0xff]), 15);
    }

    #[test]
    fn unusable_keys_are_skipped() {
        let body = br#"{"keys":[
            {"kty":"oct","kid":"h","k":"c2VjcmV0"},
            {"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"},
            {"kty":"RSA","n":"AQAB","e":"AQAB"},
            {"kty":"EC","kid":"p384","crv":"P-384","x":"AA","y":"AA"},
            {"kty":"OKP","kid":"ed","crv":"Ed25519","x":"AA"},
            "not an object"
        ]}"#;
        assert!(parse_jwks(body, 64).expect("a valid document").is_empty());
    }

    #[test]
    fn too_many_keys_and_garbage_are_errors() {
        let many = format!(r#"{{"keys":[{}]}}"#, ["{}"; 3].join(","));
        assert!(matches!(parse_jwks(many.as_bytes(), 2), Err(FetchError::TooManyKeys { limit: 2 })));
        assert!(matches!(parse_jwks(b"<html>", 2), Err(FetchError::Malformed(_))));
        assert!(matches!(parse_jwks(br#"{"keys":{}}"#, 2), Err(FetchError::Malformed(_))));
    }
}
