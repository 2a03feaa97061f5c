//! SQLite [`TokenStore`](scim_token_core::TokenStore) for scim-token (work in progress).
#![forbid(unsafe_code)]
