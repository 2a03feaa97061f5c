//! `credential_from_headers` never panics, and what it returns is what the rules say: one header, at
//! most 4 KiB, the value without surrounding whitespace and without a case-insensitive `Bearer ` scheme,
//! non-empty visible ASCII.
//!
//! Input: header values separated by a 0 byte (so the fuzzer also tries repeated headers).
#![no_main]

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use scim_token_axum::limits::MAX_AUTHORIZATION_LEN;
use scim_token_axum::{CredentialError, credential_from_headers};

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for value in data.split(|&b| b == 0) {
        // The HTTP layer refuses what `HeaderValue` refuses (control characters): never handed to us.
        let Ok(value) = HeaderValue::from_bytes(value) else { return };
        headers.append(AUTHORIZATION, value);
    }
    let values: Vec<&[u8]> = headers.get_all(AUTHORIZATION).iter().map(HeaderValue::as_bytes).collect();
    match credential_from_headers(&headers) {
        Ok(credential) => {
            assert_eq!(values.len(), 1);
            let value = values[0];
            assert!(value.len() <= MAX_AUTHORIZATION_LEN);
            assert!(!credential.is_empty() && credential.bytes().all(|b| b.is_ascii_graphic()));
            let trimmed = value.trim_ascii();
            let expected = match trimmed.get(..6) {
                Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer") && trimmed.get(6) == Some(&b' ') => {
                    trimmed[6..].trim_ascii_start()
                }
                _ => trimmed,
            };
            assert_eq!(credential.as_bytes(), expected);
        }
        Err(CredentialError::Missing) => assert!(values.is_empty()),
        Err(CredentialError::Repeated) => assert!(values.len() > 1),
        Err(CredentialError::TooLong) => assert!(values[0].len() > MAX_AUTHORIZATION_LEN),
        Err(_) => assert_eq!(values.len(), 1),
    }
});
