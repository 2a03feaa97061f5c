//! axum adapter for scim-token (work in progress).
#![forbid(unsafe_code)]
