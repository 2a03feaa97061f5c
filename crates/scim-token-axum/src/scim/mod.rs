//! The identity providers' audience: the guard that verifies the SCIM token in front of the host's SCIM
//! routes, the RFC 7644 fallbacks of a guarded SCIM API, and the RFC 7644 error answer.

pub(crate) mod error;
pub(crate) mod fallback;
pub(crate) mod guard;
