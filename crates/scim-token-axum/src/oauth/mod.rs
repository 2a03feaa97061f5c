//! The identity providers' OAuth audience: the token endpoint (RFC 6749 §4.4, client credentials) where
//! an identity provider exchanges a client secret or a client assertion for an access token, and the
//! authorization server metadata (RFC 8414) that tells it where that endpoint is.
//!
//! Arrows run one way: [`routes`] wires [`token_route`] and [`metadata`] to their paths; the token
//! route answers through [`answer`]. The guard that accepts the access tokens is `scim/`'s, unchanged:
//! the core's verification accepts both kinds of token.

pub(crate) mod answer;
pub(crate) mod metadata;
pub(crate) mod routes;
pub(crate) mod token_route;
