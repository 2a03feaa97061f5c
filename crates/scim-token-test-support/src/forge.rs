//! Tokens that pass the format check but hold a secret the store never saw: only Argon2 can refuse them.
//!
//! The checksum comes from the library's own `TokenFormat::with_checksum` (hidden from its docs), whose
//! unit test pins it to the checksums of generated tokens, so a forger here cannot drift from the format.

use scim_token_core::TokenFormat;

/// The checksum's length at the end of a token.
const CHECKSUM_LEN: usize = 6;

/// `token` (of the default format) with its last six characters replaced by the checksum of the rest.
pub fn with_checksum_fixed(token: &str) -> String {
    let format = TokenFormat::default();
    let head = format.prefix().len() + 1;
    format.with_checksum(&token[head..token.len() - CHECKSUM_LEN])
}

/// `real`'s prefix and selector, `other`'s secret, and a correct checksum.
pub fn forge(real: &str, other: &str) -> String {
    let selector_end = TokenFormat::default().prefix().len() + 1 + 16;
    let forged = format!("{}{}", &real[..selector_end], &other[selector_end..]);
    with_checksum_fixed(&forged)
}
