//! The federation verifier against a loopback JWKS server, with real RSA and P-256 keys: what it
//! accepts, what it refuses and why, and how it fetches keys (rotation, forged `kid` storms, an
//! endpoint that is down).

mod support;

mod claims_and_algorithms;
mod key_fetching;
