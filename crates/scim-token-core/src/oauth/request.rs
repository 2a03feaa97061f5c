//! The token endpoint's request, parsed from what an HTTP adapter hands over (the `Authorization` and
//! `Content-Type` headers and the raw body), without a web framework and without panicking on any
//! input: it is the first code an anonymous caller reaches, and it is fuzzed.
//!
//! RFC 6749: §3.2 (form body, a parameter sent twice is an error, an empty one counts as omitted,
//! unknown ones are ignored), §2.3.1 (Basic: base64 of the form-urlencoded id and secret, or both in
//! the body), §2.3 (one authentication method per request), §4.4.2 (`grant_type`), §3.3 (`scope`);
//! RFC 7523 §2.2 (`client_assertion` with the jwt-bearer `client_assertion_type`).

use std::borrow::Cow;
use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::oauth::error::{OAuthError, OAuthErrorCode};

/// The largest body accepted: a real request is a few hundred bytes, an Entra assertion about 1.5 KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;
/// The largest client assertion handed to the verifier.
pub(crate) const MAX_ASSERTION_BYTES: usize = 8 * 1024;
/// RFC 7523 §2.2's `client_assertion_type`.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const FORM: &str = "application/x-www-form-urlencoded";

/// Standard base64, with or without padding: clients differ, and the padding carries no information.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A well-formed client credentials request.
pub(crate) struct TokenRequest {
    /// How the client authenticates.
    pub(crate) client: ClientAuth,
    /// Whether an `invalid_client` answer must be a 401 with a Basic challenge.
    pub(crate) challenge: bool,
    /// Whether the `scope` parameter, if any, is well-formed (checked after authentication).
    pub(crate) scope_well_formed: bool,
}

/// The one way the client authenticates.
pub(crate) enum ClientAuth {
    /// A client secret, from the `Authorization: Basic` header or the body (`client_secret_post`).
    Secret {
        /// The `client_id` as sent (not yet checked against the id rules).
        client_id: String,
        /// The secret as sent.
        secret: Zeroizing<String>,
    },
    /// A JWT client assertion (RFC 7523 §2.2).
    Assertion {
        /// The `client_id` as sent.
        client_id: String,
        /// The JWT as sent, at most [`MAX_ASSERTION_BYTES`].
        assertion: Zeroizing<String>,
    },
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret { client_id, .. } => {
                f.debug_struct("Secret").field("client_id", client_id).field("secret", &"[redacted]").finish()
            }
            Self::Assertion { client_id, .. } => f
                .debug_struct("Assertion")
                .field("client_id", client_id)
                .field("assertion", &"[redacted]")
                .finish(),
        }
    }
}

/// The parameters the token endpoint reads; any other is ignored (§3.2).
#[derive(Default)]
struct Params<'a> {
    grant_type: Option<Cow<'a, str>>,
    client_id: Option<Cow<'a, str>>,
    client_secret: Option<Zeroizing<String>>,
    client_assertion: Option<Zeroizing<String>>,
    client_assertion_type: Option<Cow<'a, str>>,
    scope: Option<Cow<'a, str>>,
}

/// Parses a token request, checking everything that needs no store: content type, size, form syntax,
/// repeated parameters, `grant_type`, and the shape of the client authentication.
pub(crate) fn parse(
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<TokenRequest, OAuthError> {
    if !content_type.is_some_and(is_form) {
        return Err(OAuthError::request("the content type must be application/x-www-form-urlencoded"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(OAuthError::request("the request body is too large"));
    }
    let params = decode_form(body)?;
    match params.grant_type.as_deref() {
        None => return Err(OAuthError::request("the grant_type parameter is missing")),
        Some("client_credentials") => {}
        Some(_) => {
            return Err(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                "only the client_credentials grant type is supported",
                "unsupported grant type",
            ));
        }
    }
    let scope_well_formed = params.scope.as_deref().is_none_or(scope_is_well_formed);
    let assertion_used = params.client_assertion.is_some() || params.client_assertion_type.is_some();
    let methods = [authorization.is_some(), params.client_secret.is_some(), assertion_used];
    if methods.iter().filter(|&&used| used).count() > 1 {
        return Err(OAuthError::request("use exactly one client authentication method"));
    }
    let client = match (authorization, params.client_secret, assertion_used) {
        (Some(header), _, _) => {
            let Some((client_id, secret)) = decode_basic(header) else {
                return Err(
                    OAuthError::client("malformed or non-Basic Authorization header").challenged(true)
                );
            };
            if params.client_id.is_some_and(|body_id| *body_id != *client_id) {
                return Err(OAuthError::request("the client_id differs from the authenticated client"));
            }
            ClientAuth::Secret { client_id, secret }
        }
        (None, _, true) => {
            let (Some(assertion), Some(kind)) = (params.client_assertion, params.client_assertion_type)
            else {
                return Err(OAuthError::request(
                    "client_assertion and client_assertion_type must be sent together",
                ));
            };
            if kind != JWT_BEARER {
                return Err(OAuthError::client("client_assertion_type is not the jwt-bearer type"));
            }
            let Some(client_id) = params.client_id else {
                return Err(OAuthError::client("client assertion without client_id"));
            };
            if assertion.len() > MAX_ASSERTION_BYTES {
                return Err(OAuthError::client("client assertion too large"));
            }
            ClientAuth::Assertion { client_id: client_id.into_owned(), assertion }
        }
        (None, Some(secret), false) => {
            let Some(client_id) = params.client_id else {
                return Err(OAuthError::client("client_secret without client_id"));
            };
            ClientAuth::Secret { client_id: client_id.into_owned(), secret }
        }
        (None, None, false) => {
            return Err(OAuthError::client("no client authentication").challenged(true));
        }
    };
    Ok(TokenRequest { client, challenge: authorization.is_some(), scope_well_formed })
}

/// `application/x-www-form-urlencoded`, with any parameters (`; charset=UTF-8`), in any case.
fn is_form(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence.trim().eq_ignore_ascii_case(FORM)
}

/// Decodes the body, refusing what is not UTF-8 (before or after percent-decoding), a `%` not followed
/// by two hex digits, and any parameter sent twice. Empty values count as omitted.
fn decode_form(body: &[u8]) -> Result<Params<'_>, OAuthError> {
    let malformed = || OAuthError::request("the request body is not valid form data");
    let text = std::str::from_utf8(body).map_err(|_| malformed())?;
    if !percent_escapes_are_valid(text) {
        return Err(malformed());
    }
    let mut params = Params::default();
    let mut seen = HashSet::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        // The decoder replaces bytes that are not UTF-8 after percent-decoding with U+FFFD.
        if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
            return Err(malformed());
        }
        if value.is_empty() {
            continue;
        }
        if !seen.insert(name.clone()) {
            return Err(OAuthError::request("a parameter was sent more than once"));
        }
        match &*name {
            "grant_type" => params.grant_type = Some(value),
            "client_id" => params.client_id = Some(value),
            "client_secret" => params.client_secret = Some(Zeroizing::new(value.into_owned())),
            "client_assertion" => params.client_assertion = Some(Zeroizing::new(value.into_owned())),
            "client_assertion_type" => params.client_assertion_type = Some(value),
            "scope" => params.scope = Some(value),
            _ => {}
        }
    }
    Ok(params)
}

/// Every `%` starts an escape of two hex digits.
fn percent_escapes_are_valid(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `Basic <base64(urlencode(id) ":" urlencode(secret))>` (§2.3.1): the scheme in any case, then the
/// id and secret split at the first `:` and each form-urldecoded. `None` if anything is off.
fn decode_basic(header: &str) -> Option<(String, Zeroizing<String>)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let encoded = encoded.trim();
    if encoded.len() > MAX_BODY_BYTES {
        return None;
    }
    let decoded = Zeroizing::new(BASE64.decode(encoded).ok()?);
    let text = std::str::from_utf8(&decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_urldecode(id)?;
    let secret = Zeroizing::new(form_urldecode(secret)?);
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// One form-urlencoded value (Appendix B): `+` is a space, `%XX` a byte; the result must be UTF-8.
/// A raw `&` cannot be part of an encoded value.
fn form_urldecode(value: &str) -> Option<String> {
    if value.contains('&') || !percent_escapes_are_valid(value) {
        return None;
    }
    let mut pair = Zeroizing::new(Vec::with_capacity(value.len() + 2));
    pair.extend_from_slice(b"v=");
    pair.extend_from_slice(value.as_bytes());
    let decoded = form_urlencoded::parse(&pair).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
    (!decoded.contains('\u{FFFD}')).then_some(decoded)
}

/// RFC 6749 §3.3: one or more NQCHAR tokens (`%x21 / %x23-5B / %x5D-7E`) separated by single spaces.
fn scope_is_well_formed(scope: &str) -> bool {
    scope.split(' ').all(|token| {
        !token.is_empty() && token.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    })
}

#[cfg(test)]
mod tests;
