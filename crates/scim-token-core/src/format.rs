//! The token format, modelled on GitHub's: `<prefix>_<selector><secret><checksum>`.
//!
//! - `prefix`: 1–16 lowercase letters or digits (default `scim`), so scanners can recognise the token.
//! - `selector`: 16 base62 characters (≈95 bits), the token's public id, used for the store look-up.
//! - `secret`: 43 base62 characters drawn uniformly from the OS CSPRNG: 43 · log2(62) ≈ 256.03 bits.
//! - `checksum`: CRC32 of everything before it, as 6 base62 digits, so that a mistyped or truncated token
//!   is rejected before any look-up.
//!
//! Base62 (`0-9A-Za-z`) survives copy-paste, URLs and double-click selection (the `_` keeps the token one
//! word). Parsing checks the length first, works on bytes and never panics.

use rand::TryRng;
use rand::rngs::SysRng;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::ids::TokenId;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SELECTOR_LEN: usize = TokenId::LEN;
const SECRET_LEN: usize = 43;
const CHECKSUM_LEN: usize = 6;
const BODY_LEN: usize = SELECTOR_LEN + SECRET_LEN + CHECKSUM_LEN;
const MAX_PREFIX_LEN: usize = 16;

/// Generates and parses tokens with one prefix.
///
/// ```
/// # use scim_token_core::TokenFormat;
/// let format = TokenFormat::new("scim")?;
/// // Garbage, truncation and typos are rejected without touching any store.
/// assert!(format.parse("scim_not-a-token").is_err());
/// # Ok::<(), scim_token_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenFormat {
    /// The prefix followed by `_`.
    head: Box<str>,
}

impl TokenFormat {
    /// The prefix used unless the builder sets another: tokens look like `scim_…`.
    pub const DEFAULT_PREFIX: &str = "scim";

    /// A format with `prefix`: 1–16 characters, lowercase ASCII letters and digits, starting with a letter.
    pub fn new(prefix: &str) -> Result<Self> {
        let what = "token prefix";
        let starts_with_letter = prefix.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if !starts_with_letter {
            return Err(Error::InvalidInput { what, reason: "it must start with a lowercase letter" });
        }
        if prefix.len() > MAX_PREFIX_LEN {
            return Err(Error::InvalidInput { what, reason: "it must be at most 16 characters" });
        }
        if !prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(Error::InvalidInput { what, reason: "use only lowercase letters and digits" });
        }
        Ok(Self { head: format!("{prefix}_").into_boxed_str() })
    }

    /// The format of another kind of secret of this service: the prefix followed by `suffix` (`cs` for
    /// client secrets, `at` for access tokens), so each kind is told apart by its prefix alone. Not
    /// held to the 16-character rule: a valid static prefix must give valid derived ones.
    pub(crate) fn derived(&self, suffix: &str) -> Self {
        Self { head: format!("{}{suffix}_", self.prefix()).into_boxed_str() }
    }

    /// The prefix, without the `_`.
    pub fn prefix(&self) -> &str {
        &self.head[..self.head.len() - 1]
    }

    /// The length of every token of this format.
    pub fn token_len(&self) -> usize {
        self.head.len() + BODY_LEN
    }

    /// Draws a new token from the OS CSPRNG. The token is zeroized when dropped.
    pub(crate) fn generate(&self) -> Result<(TokenId, Zeroizing<String>)> {
        // Allocated once at its final size so no partial copy of the secret is left behind by a realloc.
        let mut token = Zeroizing::new(String::with_capacity(self.token_len()));
        token.push_str(&self.head);
        push_random_base62(&mut token, SELECTOR_LEN + SECRET_LEN)?;
        let checksum = crc32fast::hash(token.as_bytes());
        push_checksum(&mut token, checksum);
        let selector =
            TokenId::from_valid(&token.as_bytes()[self.head.len()..self.head.len() + SELECTOR_LEN]);
        Ok((selector, token))
    }

    /// Checks the shape and checksum of `presented` and returns its public id. Never panics.
    pub fn parse(&self, presented: &str) -> Result<TokenId> {
        let bytes = presented.as_bytes();
        if bytes.len() != self.token_len() || !bytes.starts_with(self.head.as_bytes()) {
            return Err(Error::InvalidToken);
        }
        // The checksum first: it is the cheapest test that almost every wrong token fails.
        let (checked, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if decode_checksum(checksum) != Some(crc32fast::hash(checked)) {
            return Err(Error::InvalidToken);
        }
        // A fold without early exit: the compiler vectorises it.
        if !bytes[self.head.len()..].iter().fold(true, |ok, b| ok & b.is_ascii_alphanumeric()) {
            return Err(Error::InvalidToken);
        }
        let start = self.head.len();
        Ok(TokenId::from_valid(&bytes[start..start + SELECTOR_LEN]))
    }
}

impl TokenFormat {
    /// `<prefix>_<body><checksum of both>`, without checking `body`: what [`parse`](Self::parse) must
    /// accept exactly when `body` is 59 base62 characters. For fuzzing and tests (feature `testkit`),
    /// not a way to make tokens.
    #[cfg(any(test, feature = "testkit"))]
    #[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
    pub fn with_checksum(&self, body: &str) -> String {
        let mut token = format!("{}{body}", self.head);
        let checksum = crc32fast::hash(token.as_bytes());
        push_checksum(&mut token, checksum);
        token
    }
}

impl Default for TokenFormat {
    fn default() -> Self {
        Self { head: format!("{}_", Self::DEFAULT_PREFIX).into_boxed_str() }
    }
}

/// `count` base62 characters drawn uniformly from the OS CSPRNG: for public ids (client ids, trust ids).
pub(crate) fn random_base62(count: usize) -> Result<String> {
    let mut out = String::with_capacity(count);
    push_random_base62(&mut out, count)?;
    Ok(out)
}

/// Appends `count` base62 characters drawn uniformly from the OS CSPRNG.
fn push_random_base62(out: &mut String, count: usize) -> Result<()> {
    let mut buf = Zeroizing::new([0u8; 64]);
    let mut pushed = 0;
    while pushed < count {
        SysRng.try_fill_bytes(&mut buf[..]).map_err(Error::random)?;
        // 248 = 4 · 62: rejecting bytes above it keeps every character equally likely.
        for &byte in buf.iter().filter(|&&b| b < 248).take(count - pushed) {
            out.push(char::from(ALPHABET[usize::from(byte % 62)]));
            pushed += 1;
        }
    }
    Ok(())
}

/// Appends `value` as six base62 digits, most significant first (62^6 > 2^32).
fn push_checksum(out: &mut String, mut value: u32) {
    let mut digits = [0u8; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    out.extend(digits.iter().map(|&d| char::from(d)));
}

/// Reads six base62 digits; `None` if they overflow a `u32` or are not base62.
fn decode_checksum(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let value = match d {
            b'0'..=b'9' => d - b'0',
            b'A'..=b'Z' => d - b'A' + 10,
            b'a'..=b'z' => d - b'a' + 36,
            _ => return None,
        };
        acc.checked_mul(62)?.checked_add(u32::from(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_documented_shape_and_parse() {
        let format = TokenFormat::default();
        let (id, token) = format.generate().unwrap();
        assert_eq!(token.len(), 4 + 1 + 16 + 43 + 6);
        assert!(token.starts_with("scim_"));
        assert!(token[5..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(&token[5..21], id.as_str());
        assert_eq!(format.parse(&token).unwrap(), id);
    }

    #[test]
    fn tokens_are_distinct() {
        let format = TokenFormat::default();
        let tokens: std::collections::HashSet<String> =
            (0..200).map(|_| format.generate().unwrap().1.to_string()).collect();
        assert_eq!(tokens.len(), 200);
    }

    #[test]
    fn every_single_character_typo_is_rejected() {
        let format = TokenFormat::default();
        let (_, token) = format.generate().unwrap();
        for i in 5..token.len() {
            let mut bytes = token.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let typo = String::from_utf8(bytes).unwrap();
            assert!(format.parse(&typo).is_err(), "typo at {i} accepted");
        }
    }

    #[test]
    fn wrong_prefix_length_and_characters_are_rejected() {
        let format = TokenFormat::default();
        let (_, token) = format.generate().unwrap();
        assert!(TokenFormat::new("other").unwrap().parse(&token).is_err());
        assert!(format.parse(&token[..token.len() - 1]).is_err());
        assert!(format.parse(&format!("{}x", &*token)).is_err());
        assert!(format.parse("").is_err());
        // Right byte length, but multibyte characters where a slice would split one.
        let multibyte = format!("scim_a{}", "é".repeat(32));
        assert_eq!(multibyte.len(), format.token_len());
        assert!(format.parse(&multibyte).is_err());
    }

    #[test]
    fn checksum_digits_round_trip_and_reject_overflow() {
        for value in [0, 1, 61, 62, 0xDEAD_BEEF, u32::MAX] {
            let mut s = String::new();
            push_checksum(&mut s, value);
            assert_eq!(decode_checksum(s.as_bytes()), Some(value));
        }
        assert_eq!(decode_checksum(b"zzzzzz"), None);
    }

    #[test]
    fn with_checksum_rebuilds_what_parses() {
        let format = TokenFormat::new("acme").unwrap();
        let (id, token) = format.generate().unwrap();
        let body = &token[5..token.len() - CHECKSUM_LEN];
        assert_eq!(format.with_checksum(body), *token);
        assert_eq!(format.parse(&format.with_checksum(body)).unwrap(), id);
        assert!(format.parse(&format.with_checksum(&body[1..])).is_err(), "too short");
        assert!(format.parse(&format.with_checksum(&body.replacen(|_| true, "-", 1))).is_err());
    }

    #[test]
    fn prefix_rules() {
        assert_eq!(TokenFormat::new("acme2").unwrap().prefix(), "acme2");
        for bad in ["", "2x", "Scim", "scim_", "a".repeat(17).as_str()] {
            assert!(TokenFormat::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics_on_any_string(input in any::<String>()) {
                let _ = TokenFormat::default().parse(&input);
            }

            #[test]
            fn parse_never_panics_on_near_tokens(input in "scim_[0-9A-Za-z\\u{80}-\\u{10FFFF}_]{0,80}") {
                let _ = TokenFormat::default().parse(&input);
            }

            #[test]
            fn every_generated_token_round_trips(prefix in "[a-z][a-z0-9]{0,15}") {
                let format = TokenFormat::new(&prefix).unwrap();
                let (id, token) = format.generate().unwrap();
                prop_assert_eq!(token.len(), format.token_len());
                prop_assert_eq!(format.parse(&token).unwrap(), id);
            }

            #[test]
            fn any_changed_byte_is_caught(flip in 0usize..65, replacement in "[0-9A-Za-z]") {
                let format = TokenFormat::default();
                let (_, token) = format.generate().unwrap();
                let at = 5 + flip;
                prop_assume!(token.as_bytes()[at] != replacement.as_bytes()[0]);
                let mut changed = token.to_string();
                changed.replace_range(at..=at, &replacement);
                prop_assert!(format.parse(&changed).is_err());
            }
        }
    }
}
