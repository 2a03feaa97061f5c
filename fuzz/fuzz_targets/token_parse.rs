//! `TokenFormat::parse` never panics, and whatever it accepts is exactly a prefix, 59 base62 characters
//! and their checksum: rebuilt from its parts, an accepted token is the same string, and its id is its
//! selector. Inputs are also turned into checksummed candidates, so the fuzzer reaches the checks past
//! the CRC32 gate that random strings almost never pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_token_core::TokenFormat;

const PREFIXES: [&str; 4] = ["scim", "a", "acme2", "abcdefghijklmnop"];
const BODY_LEN: usize = 16 + 43;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let format = TokenFormat::new(PREFIXES[usize::from(selector) % PREFIXES.len()]).unwrap();
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let head = format.prefix().len() + 1;

    // As presented.
    if let Ok(id) = format.parse(text) {
        assert_eq!(text.len(), format.token_len());
        let body = &text[head..text.len() - 6];
        assert_eq!(format.with_checksum(body), text, "an accepted token re-formats to itself");
        assert_eq!(id.as_str(), &body[..16]);
    }

    // As a body with a correct checksum: accepted exactly when the body is well formed.
    let candidate = format.with_checksum(text);
    let well_formed = text.len() == BODY_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric());
    match format.parse(&candidate) {
        Ok(id) => {
            assert!(well_formed, "accepted a malformed body: {text:?}");
            assert_eq!(id.as_str(), &text[..16]);
        }
        Err(_) => assert!(!well_formed, "refused a well-formed token: {candidate:?}"),
    }
});
