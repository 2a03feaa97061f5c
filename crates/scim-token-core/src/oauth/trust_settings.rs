//! [`TrustSettings`]: the four or five values an administrator copies from the identity provider, and
//! their checks before a trust is saved.

use std::net::{IpAddr, Ipv4Addr};

use crate::error::{Error, Result};

/// The longest value accepted for any field, in bytes.
const MAX_LEN: usize = 1024;
/// What Microsoft Entra shows after the application id URI; the assertion's `aud` does not carry it.
const DEFAULT_SUFFIX: &str = "/.default";
const ENTRA_ISSUER_HEAD: &str = "https://login.microsoftonline.com/";
const ENTRA_ISSUER_TAIL: &str = "/v2.0";

/// A federation trust as an administrator enters it (see
/// [`set_federation_trust`](crate::ScimTokenService::set_federation_trust)). Surrounding whitespace is
/// trimmed; an empty `tenant_id` counts as none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// The `iss` claim expected, e.g. `https://login.microsoftonline.com/{tenant id}/v2.0`.
    pub issuer: String,
    /// The issuer's JWKS URL, e.g. `https://login.microsoftonline.com/{tenant id}/discovery/v2.0/keys`.
    pub jwks_url: String,
    /// The `sub` claim expected (for Entra, the provisioning service's object id).
    pub subject: String,
    /// The `aud` claim expected, e.g. `api://{app id}`; a trailing `/.default`, as Entra shows it, is
    /// removed.
    pub audience: String,
    /// The `tid` claim expected, if the issuer carries one.
    pub tenant_id: Option<String>,
}

/// The checked values, ready to be stored.
pub(crate) struct CheckedTrust {
    pub(crate) issuer: String,
    pub(crate) jwks_url: String,
    pub(crate) subject: String,
    pub(crate) audience: String,
    pub(crate) tenant_id: Option<String>,
}

impl TrustSettings {
    /// Trims and checks every field; `allow_loopback_http` admits `http://` to a loopback IP (tests).
    pub(crate) fn check(&self, allow_loopback_http: bool) -> Result<CheckedTrust> {
        let issuer = field("issuer", &self.issuer)?;
        let jwks_url = field("JWKS URL", &self.jwks_url)?;
        let subject = field("subject", &self.subject)?;
        let mut audience = field("audience", &self.audience)?;
        if let Some(stripped) = audience.strip_suffix(DEFAULT_SUFFIX) {
            audience = stripped;
        }
        if audience.is_empty() {
            return Err(Error::InvalidInput { what: "audience", reason: "it is empty" });
        }
        let tenant_id = match self.tenant_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(tenant) => Some(field("tenant id", tenant)?),
        };
        check_jwks_url(jwks_url, allow_loopback_http)?;
        if let Some(tenant_in_issuer) =
            issuer.strip_prefix(ENTRA_ISSUER_HEAD).and_then(|rest| rest.strip_suffix(ENTRA_ISSUER_TAIL))
            && tenant_id.is_some_and(|tenant| tenant != tenant_in_issuer)
        {
            return Err(Error::InvalidInput {
                what: "tenant id",
                reason: "it differs from the tenant id in the Microsoft Entra issuer",
            });
        }
        Ok(CheckedTrust {
            issuer: issuer.to_owned(),
            jwks_url: jwks_url.to_owned(),
            subject: subject.to_owned(),
            audience: audience.to_owned(),
            tenant_id: tenant_id.map(str::to_owned),
        })
    }
}

/// `value` trimmed: non-empty, at most [`MAX_LEN`] bytes, no control character.
fn field<'a>(what: &'static str, value: &'a str) -> Result<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::InvalidInput { what, reason: "it is empty" });
    }
    if value.len() > MAX_LEN {
        return Err(Error::InvalidInput { what, reason: "it is longer than 1024 bytes" });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidInput { what, reason: "it contains a control character" });
    }
    Ok(value)
}

/// An `https://` URL with a host and no user info or whitespace; `http://` only to a loopback IP
/// literal, and only if allowed.
fn check_jwks_url(url: &str, allow_loopback_http: bool) -> Result<()> {
    let what = "JWKS URL";
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let (rest, https) = if lower.starts_with("https://") {
        (&url[8..], true)
    } else if lower.starts_with("http://") {
        (&url[7..], false)
    } else {
        return Err(Error::InvalidInput { what, reason: "it must be an https:// URL" });
    };
    if url.contains(char::is_whitespace) {
        return Err(Error::InvalidInput { what, reason: "it contains whitespace" });
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(Error::InvalidInput { what, reason: "it must not contain user information" });
    }
    let host = host_of(authority);
    if host.is_empty() {
        return Err(Error::InvalidInput { what, reason: "it has no host" });
    }
    if !(https || (allow_loopback_http && is_loopback_ip(host))) {
        return Err(Error::InvalidInput { what, reason: "it must be an https:// URL" });
    }
    Ok(())
}

/// The host of `host[:port]` or `[ipv6][:port]`.
fn host_of(authority: &str) -> &str {
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback_ip(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entra(tenant: &str) -> TrustSettings {
        TrustSettings {
            issuer: format!("  https://login.microsoftonline.com/{tenant}/v2.0 "),
            jwks_url: format!("https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"),
            subject: "00000000-0000-0000-0000-000000000001".into(),
            audience: "api://app-id/.default".into(),
            tenant_id: Some(tenant.into()),
        }
    }

    #[test]
    fn an_entra_trust_is_trimmed_and_its_audience_loses_default() {
        let checked = entra("tid").check(false).unwrap();
        assert_eq!(checked.issuer, "https://login.microsoftonline.com/tid/v2.0");
        assert_eq!(checked.audience, "api://app-id");
        assert_eq!(checked.tenant_id.as_deref(), Some("tid"));
        let no_tenant = TrustSettings { tenant_id: Some(" ".into()), ..entra("tid") };
        assert_eq!(no_tenant.check(false).unwrap().tenant_id, None);
    }

    #[test]
    fn bad_values_are_refused() {
        let cases = [
            TrustSettings { tenant_id: Some("other".into()), ..entra("tid") },
            TrustSettings { issuer: " ".into(), ..entra("tid") },
            TrustSettings { subject: "x".repeat(1025), ..entra("tid") },
            TrustSettings { audience: "/.default".into(), ..entra("tid") },
            TrustSettings { subject: "a\nb".into(), ..entra("tid") },
            TrustSettings { jwks_url: "http://login.microsoftonline.com/keys".into(), ..entra("tid") },
            TrustSettings { jwks_url: "ftp://x/keys".into(), ..entra("tid") },
            TrustSettings { jwks_url: "https://user@host/keys".into(), ..entra("tid") },
            TrustSettings { jwks_url: "https:///keys".into(), ..entra("tid") },
            TrustSettings { jwks_url: "https://a b/keys".into(), ..entra("tid") },
        ];
        for settings in cases {
            assert!(matches!(settings.check(true), Err(Error::InvalidInput { .. })), "{settings:?}");
        }
    }

    #[test]
    fn http_only_to_a_loopback_ip_and_only_when_allowed() {
        for url in ["http://127.0.0.1:8080/keys", "http://[::1]:1/keys", "HTTP://127.1.2.3/keys"] {
            let settings = TrustSettings { jwks_url: url.into(), ..entra("tid") };
            assert!(settings.check(true).is_ok(), "{url}");
            assert!(settings.check(false).is_err(), "{url}");
        }
        for url in ["http://localhost/keys", "http://10.0.0.1/keys", "http://127.0.0.1.evil.example/k"] {
            let settings = TrustSettings { jwks_url: url.into(), ..entra("tid") };
            assert!(settings.check(true).is_err(), "{url}");
        }
    }
}
