//! Which JWKS URLs the verifier fetches: HTTPS always; plain HTTP only to a loopback IP literal, and
//! only when the builder opted in (tests). The scheme check is ours, not the connector's, so that a
//! trust pointing at `http://internal-host/` never leaves the process.

use std::net::IpAddr;

use hyper::Uri;

/// Parses `url` and returns it if the verifier may fetch it.
pub(crate) fn checked_uri(url: &str, allow_loopback_http: bool) -> Option<Uri> {
    let uri: Uri = url.parse().ok()?;
    let authority = uri.authority()?;
    // Credentials in the URL are refused: a JWKS is public, and they would end up in logs.
    if authority.as_str().contains('@') {
        return None;
    }
    match uri.scheme_str()? {
        "https" => Some(uri),
        "http" if allow_loopback_http && is_loopback_ip(authority.host()) => Some(uri),
        _ => None,
    }
}

fn is_loopback_ip(host: &str) -> bool {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::checked_uri;

    #[test]
    fn https_is_always_allowed() {
        assert!(checked_uri("https://login.microsoftonline.com/t/discovery/v2.0/keys", false).is_some());
    }

    #[test]
    fn http_only_to_a_loopback_ip_when_allowed() {
        assert!(checked_uri("http://127.0.0.1:8080/keys", true).is_some());
        assert!(checked_uri("http://[::1]:8080/keys", true).is_some());
        assert!(checked_uri("http://127.0.0.1:8080/keys", false).is_none());
        assert!(checked_uri("http://localhost:8080/keys", true).is_none());
        assert!(checked_uri("http://10.0.0.1/keys", true).is_none());
        assert!(checked_uri("http://example.com/keys", true).is_none());
    }

    #[test]
    fn other_schemes_relative_urls_and_credentials_are_refused() {
        assert!(checked_uri("ftp://example.com/keys", true).is_none());
        assert!(checked_uri("/keys", true).is_none());
        assert!(checked_uri("https://user:pw@example.com/keys", true).is_none());
        assert!(checked_uri("not a url", true).is_none());
    }
}
