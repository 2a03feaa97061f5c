//! Validated names: the scope a token belongs to, the actor who acted, and a token's public id.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Checks `value` against a length bound and an allowed character set.
fn validate(what: &'static str, value: &str, max_len: usize, allowed: fn(char) -> bool) -> Result<()> {
    if value.is_empty() {
        return Err(Error::InvalidInput { what, reason: "it is empty" });
    }
    if value.len() > max_len {
        return Err(Error::InvalidInput { what, reason: "it is too long" });
    }
    if !value.chars().all(allowed) {
        return Err(Error::InvalidInput { what, reason: "it contains a character that is not allowed" });
    }
    Ok(())
}

/// Whose SCIM token this is: a tenant id, or [`Scope::default_scope`] in a single-tenant host.
///
/// 1 to 128 characters from `A-Z a-z 0-9 - _ . : @`. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(Arc<str>);

impl Scope {
    /// The longest scope accepted, in bytes.
    pub const MAX_LEN: usize = 128;
    /// The scope a single-tenant host uses.
    pub const DEFAULT: &'static str = "default";

    /// Validates and wraps a scope name.
    ///
    /// ```
    /// # use scim_token_core::Scope;
    /// assert!(Scope::new("tenant-42").is_ok());
    /// assert!(Scope::new("no spaces").is_err());
    /// ```
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        validate("scope", &value, Self::MAX_LEN, |c| c.is_ascii_alphanumeric() || "-_.:@".contains(c))?;
        Ok(Self(value.into()))
    }

    /// The scope named [`Scope::DEFAULT`].
    pub fn default_scope() -> Self {
        Self(Self::DEFAULT.into())
    }

    /// The scope's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The actor of the events the service raises itself
/// ([`AuditAction::TokenExpiringSoon`](crate::AuditAction::TokenExpiringSoon)), rather than an
/// administrator. Hosts that show audit events can recognise it by this name.
pub const SYSTEM_ACTOR: &str = "system:scim-token";

/// Who performed an administrative action (generate, revoke, settings), for the record and the audit trail.
///
/// 1 to 256 characters, none of them control characters. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Actor(Arc<str>);

impl Actor {
    /// The longest actor accepted, in bytes.
    pub const MAX_LEN: usize = 256;

    /// Validates and wraps an actor name.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        validate("actor", &value, Self::MAX_LEN, |c| !c.is_control())?;
        Ok(Self(value.into()))
    }

    /// [`SYSTEM_ACTOR`](crate::SYSTEM_ACTOR): the service itself, for the audit events it emits on its
    /// own. Built without [`new`](Self::new)'s check, which a unit test runs on the constant instead.
    pub(crate) fn system() -> Self {
        Self(Arc::from(SYSTEM_ACTOR))
    }

    /// The actor's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A token's public id: the selector embedded in the token, used to look the token up. Not a secret.
///
/// Always 16 ASCII letters and digits, held inline: `Copy`, no allocation on the verify path.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenId([u8; Self::LEN]);

impl Hash for TokenId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

/// A fast hasher for maps keyed by [`TokenId`] (see [`TokenIdMap`]).
///
/// Token ids are drawn from the OS CSPRNG by the service, never chosen by a caller, so no one can fill a
/// map with colliding keys; the usual defence against that (SipHash's random key) is not needed here.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokenIdHasher(u64);

impl Hasher for TokenIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // FxHash-style mixing, 8 bytes at a time.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// A `HashMap` keyed by [`TokenId`] with the cheap [`TokenIdHasher`]: for stores and caches.
pub type TokenIdMap<V> = HashMap<TokenId, V, BuildHasherDefault<TokenIdHasher>>;

impl TokenId {
    /// The length of every token id.
    pub const LEN: usize = 16;

    /// Validates and wraps a token id read back from storage: 16 ASCII letters and digits.
    pub fn new(value: impl AsRef<str>) -> Result<Self> {
        let value = value.as_ref();
        validate("token id", value, Self::LEN, |c| c.is_ascii_alphanumeric())?;
        let bytes = <[u8; Self::LEN]>::try_from(value.as_bytes())
            .map_err(|_| Error::InvalidInput { what: "token id", reason: "it must be 16 characters long" })?;
        Ok(Self(bytes))
    }

    /// Wraps a selector already known to be 16 base62 characters.
    pub(crate) fn from_valid(value: &[u8]) -> Self {
        let mut bytes = [0u8; Self::LEN];
        bytes.copy_from_slice(value);
        Self(bytes)
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenId({:?})", self.as_str())
    }
}

impl AsRef<str> for TokenId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

macro_rules! impl_text {
    ($($ty:ident),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.0)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

/// The public name of a scope's OAuth client, which an identity provider sends as `client_id` to the token
/// endpoint (RFC 6749 §2.2). Not a secret; unique across scopes, so it also tells the token endpoint which
/// scope is asking.
///
/// 1 to 128 characters from `A-Z a-z 0-9 - _ .`. The service generates them (`<prefix>cl_` and 16
/// random base62 characters); stores read them back with [`ClientId::new`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(Arc<str>);

impl ClientId {
    /// The longest client id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Validates and wraps a client id.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        validate("client id", &value, Self::MAX_LEN, |c| c.is_ascii_alphanumeric() || "-_.".contains(c))?;
        Ok(Self(value.into()))
    }

    /// The client id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl_text!(Scope, Actor, ClientId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_actor_meets_the_rules_it_skips() {
        assert_eq!(Actor::system(), Actor::new(SYSTEM_ACTOR).unwrap());
    }

    #[test]
    fn scope_rules() {
        assert!(Scope::new("a").is_ok());
        assert!(Scope::new("tenant:eu-1@acme.example").is_ok());
        assert!(Scope::new("").is_err());
        assert!(Scope::new("x".repeat(129)).is_err());
        assert!(Scope::new("ünï").is_err());
        assert!(Scope::new("a/b").is_err());
    }

    #[test]
    fn actor_rules() {
        assert!(Actor::new("Ada Lövelace <ada@example.com>").is_ok());
        assert!(Actor::new("").is_err());
        assert!(Actor::new("evil\nlog line").is_err());
        assert!(Actor::new("x".repeat(257)).is_err());
    }

    #[test]
    fn token_id_map_finds_what_it_holds() {
        let ids: Vec<TokenId> = (0..1000).map(|n| TokenId::new(format!("{n:0>16}")).unwrap()).collect();
        let map: TokenIdMap<usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
        assert!(ids.iter().enumerate().all(|(n, id)| map.get(id) == Some(&n)));
        assert_eq!(map.get(&TokenId::new("zzzzzzzzzzzzzzzz").unwrap()), None);
    }

    #[test]
    fn token_id_rules() {
        assert!(TokenId::new("abcdefghij012345").is_ok());
        assert!(TokenId::new("abcdefghij01234").is_err());
        assert!(TokenId::new("abcdefghij01234_").is_err());
    }
}
