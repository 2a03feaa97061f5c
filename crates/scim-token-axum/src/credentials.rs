//! Reading the one credential a request carries in its `Authorization` header: the SCIM guard reads the
//! identity provider's token with it, and [`StaticAdminTokens`](crate::StaticAdminTokens) an admin's.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::limits::MAX_AUTHORIZATION_LEN;

/// Why a request carries no usable credential. Every case should be answered the same way (401), so a
/// caller learns nothing about why; the variants exist for logs and tests.
///
/// Each variant is a message with no cause behind it, so `source()` is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// No `Authorization` header.
    #[error("no Authorization header")]
    Missing,
    /// More than one `Authorization` header: ambiguous, so refused rather than guessed.
    #[error("more than one Authorization header")]
    Repeated,
    /// The header is longer than [`MAX_AUTHORIZATION_LEN`].
    #[error("the Authorization header is too long")]
    TooLong,
    /// The header is not visible ASCII, is empty, is `Bearer` without a credential, or the credential
    /// contains whitespace.
    #[error("the Authorization header is malformed")]
    Malformed,
}

/// The credential in the request's `Authorization` header, sent either raw (as Unleash admin tokens
/// `*:*.abc…` and Okta's SCIM tokens can be) or after a `Bearer ` scheme (case-insensitive).
///
/// ```
/// use axum::http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
/// use scim_token_axum::{CredentialError, credential_from_headers};
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(credential_from_headers(&headers), Err(CredentialError::Missing));
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("*:*.my-admin-token"));
/// assert_eq!(credential_from_headers(&headers), Ok("*:*.my-admin-token"));
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer scim_abc"));
/// assert_eq!(credential_from_headers(&headers), Ok("scim_abc"));
/// ```
pub fn credential_from_headers(headers: &HeaderMap) -> Result<&str, CredentialError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(CredentialError::Missing)?;
    if values.next().is_some() {
        return Err(CredentialError::Repeated);
    }
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(CredentialError::TooLong);
    }
    // Bytes, in one pass each: this runs on every SCIM request.
    let text = value.as_bytes().trim_ascii();
    let credential = strip_bearer(text).unwrap_or(text);
    if !is_acceptable(credential) {
        return Err(CredentialError::Malformed);
    }
    // Visible ASCII only, so this cannot fail.
    std::str::from_utf8(credential).map_err(|_| CredentialError::Malformed)
}

/// The credential after a case-insensitive `Bearer` scheme and its spaces, if `text` has that scheme.
fn strip_bearer(text: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = text.split_at_checked(6)?;
    if scheme.eq_ignore_ascii_case(b"bearer") && rest.first().is_none_or(|&b| b == b' ') {
        Some(&rest[rest.iter().take_while(|&&b| b == b' ').count()..])
    } else {
        None
    }
}

/// Whether `credential` could be returned by [`credential_from_headers`]: non-empty, bounded, visible
/// ASCII without whitespace. Configured credentials are checked against the same rule, so a credential
/// that can never be presented is refused when it is configured, not silently ignored.
pub(crate) fn is_acceptable_credential(credential: &str) -> bool {
    is_acceptable(credential.as_bytes())
}

fn is_acceptable(credential: &[u8]) -> bool {
    // A fold without early exit, which the compiler vectorises.
    !credential.is_empty()
        && credential.len() <= MAX_AUTHORIZATION_LEN
        && credential.iter().fold(true, |ok, b| ok & b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    #[test]
    fn raw_and_bearer_forms() {
        assert_eq!(credential_from_headers(&headers(&[b"*:*.abc"])), Ok("*:*.abc"));
        assert_eq!(credential_from_headers(&headers(&[b"Bearer scim_x"])), Ok("scim_x"));
        assert_eq!(credential_from_headers(&headers(&[b"BEARER   scim_x"])), Ok("scim_x"));
        // A raw credential that merely starts with the letters of the scheme is kept whole.
        assert_eq!(credential_from_headers(&headers(&[b"Bearerish"])), Ok("Bearerish"));
    }

    #[test]
    fn refusals() {
        assert_eq!(credential_from_headers(&headers(&[])), Err(CredentialError::Missing));
        assert_eq!(credential_from_headers(&headers(&[b"a", b"a"])), Err(CredentialError::Repeated));
        let long = vec![b'a'; MAX_AUTHORIZATION_LEN + 1];
        assert_eq!(credential_from_headers(&headers(&[&long])), Err(CredentialError::TooLong));
        let just_fits = vec![b'a'; MAX_AUTHORIZATION_LEN];
        assert!(credential_from_headers(&headers(&[&just_fits])).is_ok());
        for bad in [&b""[..], b"Bearer", b"Bearer ", b"Basic a b", b"caf\xc3\xa9", b"\xff\xfe", b"a\tb"] {
            assert_eq!(credential_from_headers(&headers(&[bad])), Err(CredentialError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn refusals_are_messages_without_a_cause() {
        use std::error::Error;
        let cases = [
            (CredentialError::Missing, "no Authorization header"),
            (CredentialError::Repeated, "more than one Authorization header"),
            (CredentialError::TooLong, "the Authorization header is too long"),
            (CredentialError::Malformed, "the Authorization header is malformed"),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
            assert!(error.source().is_none(), "{error}");
        }
    }
}
