//! Refuses state-changing admin requests that a browser sent on behalf of another site (CSRF).
//!
//! A page on another site can make the browser send a `POST` or `DELETE` with the user's cookies (or,
//! via a confused host, other ambient credentials). Browsers label such requests: `Sec-Fetch-Site:
//! cross-site`, and an `Origin` header naming the other site. Requests with neither header come from
//! scripts, `curl` or server-side clients, which cannot be driven by a web page, so they pass.

use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::uri::{Authority, Scheme};
use axum::http::{HeaderValue, Uri};
use scim_token_core::Error;

/// The header browsers add to say where a request comes from (Fetch Metadata).
const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// The origins a state-changing request may come from: the host's own (from the request's `Host`), and
/// any the host configured (e.g. its public URL when a proxy rewrites `Host`).
#[derive(Clone, Debug, Default)]
pub(crate) struct CrossSitePolicy {
    trusted: Vec<Origin>,
}

/// A parsed web origin: scheme, lower-case host and port (the scheme's default when absent).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl CrossSitePolicy {
    /// Also accepts requests from `origin`, e.g. `https://admin.example.com`.
    pub(crate) fn trust(&mut self, origin: &str) -> Result<(), Error> {
        let parsed = Origin::parse(origin.as_bytes()).ok_or(Error::InvalidInput {
            what: "trusted origin",
            reason: "it must be an http or https origin without a path, e.g. https://admin.example.com",
        })?;
        self.trusted.push(parsed);
        Ok(())
    }

    /// Whether the request may change state: not labelled `cross-site`, and its `Origin`, if any, is the
    /// host's own or a trusted one.
    pub(crate) fn allows(&self, parts: &Parts) -> bool {
        let cross_site = parts
            .headers
            .get_all(SEC_FETCH_SITE)
            .iter()
            .any(|value| value.as_bytes().trim_ascii().eq_ignore_ascii_case(b"cross-site"));
        if cross_site {
            tracing::info!("admin write refused: the browser labelled it cross-site");
            return false;
        }
        let mut origins = parts.headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else {
            return true;
        };
        if origins.next().is_some() {
            tracing::info!("admin write refused: more than one Origin header");
            return false;
        }
        let allowed = self.origin_allowed(origin, parts);
        if !allowed {
            tracing::info!("admin write refused: its Origin is not this host's");
        }
        allowed
    }

    fn origin_allowed(&self, origin: &HeaderValue, parts: &Parts) -> bool {
        // `null` (sandboxed frames, some redirects) and anything unparsable fail here.
        let Some(origin) = Origin::parse(origin.as_bytes()) else {
            return false;
        };
        if self.trusted.contains(&origin) {
            return true;
        }
        // HTTP/1.1 sends `Host`; HTTP/2 sends `:authority`, which becomes the URI's authority.
        let host = match parts.headers.get(HOST) {
            Some(value) => value.to_str().ok().and_then(|text| text.parse::<Authority>().ok()),
            None => parts.uri.authority().cloned(),
        };
        host.is_some_and(|host| {
            let port = host.port_u16().unwrap_or(origin.default_port());
            host.host().eq_ignore_ascii_case(&origin.host) && port == origin.port
        })
    }
}

impl Origin {
    fn parse(text: &[u8]) -> Option<Self> {
        let uri = Uri::try_from(text).ok()?;
        let https = match uri.scheme()? {
            scheme if *scheme == Scheme::HTTPS => true,
            scheme if *scheme == Scheme::HTTP => false,
            _ => return None,
        };
        let authority = uri.authority()?;
        // An origin is scheme and authority only: no user info, path or query.
        if authority.as_str().contains('@') || !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return None;
        }
        let mut origin = Self { https, host: authority.host().to_ascii_lowercase(), port: 0 };
        origin.port = authority.port_u16().unwrap_or(origin.default_port());
        Some(origin)
    }

    fn default_port(&self) -> u16 {
        if self.https { 443 } else { 80 }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::builder().method("POST").uri("/api/admin/scim-settings");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn allows(policy: &CrossSitePolicy, headers: &[(&str, &str)]) -> bool {
        policy.allows(&parts(headers))
    }

    #[test]
    fn requests_without_browser_headers_pass() {
        let policy = CrossSitePolicy::default();
        assert!(allows(&policy, &[]));
        assert!(allows(&policy, &[("host", "scim.example.com")]));
    }

    #[test]
    fn fetch_metadata_cross_site_is_refused_whatever_the_origin() {
        let policy = CrossSitePolicy::default();
        assert!(!allows(&policy, &[("sec-fetch-site", "cross-site")]));
        assert!(!allows(&policy, &[("sec-fetch-site", " Cross-Site ")]));
        let host = ("host", "scim.example.com");
        assert!(!allows(
            &policy,
            &[host, ("origin", "https://scim.example.com"), ("sec-fetch-site", "cross-site")]
        ));
        for site in ["same-origin", "none"] {
            assert!(allows(&policy, &[host, ("sec-fetch-site", site)]), "{site}");
        }
    }

    #[test]
    fn the_origin_must_be_the_hosts_own() {
        let policy = CrossSitePolicy::default();
        let cases = [
            ("scim.example.com", "https://scim.example.com", true),
            ("scim.example.com", "http://scim.example.com", true),
            ("SCIM.example.com", "https://scim.EXAMPLE.com", true),
            ("scim.example.com:443", "https://scim.example.com", true),
            ("127.0.0.1:4242", "http://127.0.0.1:4242", true),
            ("[::1]:4242", "http://[::1]:4242", true),
            ("scim.example.com", "https://evil.example", false),
            ("scim.example.com", "https://scim.example.com.evil.example", false),
            ("127.0.0.1:4242", "http://127.0.0.1:4243", false),
            ("127.0.0.1:4242", "http://127.0.0.1", false),
            ("scim.example.com", "null", false),
            ("scim.example.com", "", false),
            ("scim.example.com", "file://scim.example.com", false),
            ("scim.example.com", "https://user@scim.example.com", false),
            ("scim.example.com", "https://scim.example.com/path", false),
            ("scim.example.com", "scim.example.com", false),
        ];
        for (host, origin, expected) in cases {
            assert_eq!(allows(&policy, &[("host", host), ("origin", origin)]), expected, "{host} {origin}");
        }
        // No Host to compare with: an Origin cannot be confirmed.
        assert!(!allows(&policy, &[("origin", "https://scim.example.com")]));
        // Same-site but another origin (a sibling subdomain) is refused by the Origin rule.
        let sibling = [
            ("host", "scim.example.com"),
            ("origin", "https://blog.example.com"),
            ("sec-fetch-site", "same-site"),
        ];
        assert!(!allows(&policy, &sibling));
        let twice = [("host", "a.example"), ("origin", "https://a.example"), ("origin", "https://a.example")];
        assert!(!allows(&policy, &twice));
    }

    #[test]
    fn trusted_origins_pass_whatever_the_host() {
        let mut policy = CrossSitePolicy::default();
        policy.trust("https://admin.example.com").unwrap();
        assert!(allows(&policy, &[("host", "10.0.0.5:8080"), ("origin", "https://admin.example.com")]));
        assert!(allows(&policy, &[("origin", "https://admin.example.com:443")]));
        assert!(!allows(&policy, &[("origin", "http://admin.example.com")]), "another scheme");
        for bad in ["admin.example.com", "https://admin.example.com/x", "null", "ftp://a.example", ""] {
            assert!(CrossSitePolicy::default().trust(bad).is_err(), "{bad}");
        }
    }
}
