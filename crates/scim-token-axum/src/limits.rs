//! The bounds on what the adapter reads from a request: anything larger is refused before it is
//! buffered or parsed.

/// The longest `Authorization` header value read, in bytes. Admin tokens and SCIM tokens are under 100
/// bytes; the bound leaves room for a host's longer credentials (e.g. JWTs) while refusing abuse early.
pub const MAX_AUTHORIZATION_LEN: usize = 4096;

/// The largest settings body read. `{"enabled": false}` is 18 bytes; anything near this is not a client
/// of this API, and the bound means a huge body is refused (413) after at most this much is read.
pub const SETTINGS_BODY_LIMIT: usize = 1024;

/// The largest body of an OAuth admin write (a federation trust: five values of at most 1 KiB each, the
/// service's own bound, plus their names).
pub const OAUTH_ADMIN_BODY_LIMIT: usize = 8 * 1024;

/// The largest token request body read. A client-credentials request is a few hundred bytes; with a
/// client assertion (at most 8 KiB in the core) it stays well under this. Larger bodies are answered 413
/// before being buffered past it.
pub const TOKEN_REQUEST_BODY_LIMIT: usize = 16 * 1024;
