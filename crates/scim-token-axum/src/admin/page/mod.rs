//! The admin page: one HTML document, its style sheet and its script, compiled into the crate and served
//! with headers that keep it from being framed, sniffed, cached with a token, or running other script.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::paths::{ADMIN_PAGE_PATH, ADMIN_PAGE_SCRIPT_PATH, ADMIN_PAGE_STYLE_PATH};

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");

/// Script only from this origin's files (never inline, never `eval`), requests only to this origin, no
/// framing, no forms posting anywhere, no `<base>` rewriting, and DOM sinks such as `innerHTML` locked
/// by Trusted Types (the script only ever sets `textContent`).
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
     require-trusted-types-for 'script'; trusted-types 'none'";

/// The page, its script and its style sheet, each with the security headers.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(ADMIN_PAGE_PATH, get(|| async { asset("text/html; charset=utf-8", PAGE_HTML) }))
        .route(ADMIN_PAGE_SCRIPT_PATH, get(|| async { asset("text/javascript; charset=utf-8", PAGE_JS) }))
        .route(ADMIN_PAGE_STYLE_PATH, get(|| async { asset("text/css; charset=utf-8", PAGE_CSS) }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    let headers: [(HeaderName, HeaderValue); 9] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        // A page that displayed a token must not come back from any cache, the back-forward one included.
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
        (HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ];
    (headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_its_assets_relative_to_itself() {
        // The page is /admin/scim; relative URLs keep working when a host nests the routes.
        assert!(PAGE_HTML.contains(r#"<script src="scim/app.js" defer></script>"#));
        assert!(PAGE_HTML.contains(r#"<link rel="stylesheet" href="scim/app.css">"#));
        assert_eq!(
            ADMIN_PAGE_PATH.rsplit_once('/').unwrap().0.to_owned() + "/scim/app.js",
            ADMIN_PAGE_SCRIPT_PATH
        );
    }

    #[test]
    fn no_inline_script_style_or_remote_resource() {
        assert_eq!(PAGE_HTML.matches("<script").count(), 1, "only the external script");
        for forbidden in [" style=", "<style", "javascript:", "http://", "https://", "//cdn"] {
            assert!(!PAGE_HTML.contains(forbidden), "{forbidden}");
        }
        // No inline event handler attribute (` onclick=`, ` onload=`…).
        let handler = PAGE_HTML.split(" on").skip(1).find(|rest| {
            let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            name_len > 0 && rest.as_bytes().get(name_len) == Some(&b'=')
        });
        assert_eq!(handler, None);
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "localStorage",
            "sessionStorage",
            "document.cookie",
            "new Function",
        ] {
            assert!(!PAGE_JS.contains(forbidden), "{forbidden}");
        }
        assert!(!PAGE_CSS.contains("url(") && !PAGE_CSS.contains("@import"), "no remote fonts or images");
    }

    #[test]
    fn every_test_id_the_issue_names_is_on_the_page() {
        for id in [
            "credential",
            "enabled-toggle",
            "generate",
            "confirm",
            "new-token",
            "copy",
            "revoke-all",
            "status",
        ] {
            assert!(PAGE_HTML.contains(&format!(r#"data-testid="{id}""#)), "{id}");
        }
    }

    #[test]
    fn every_value_an_identity_provider_asks_for_has_a_copy_button() {
        for id in ["scim-url", "oauth-client-id", "oauth-token-endpoint", "oauth-scim-url", "new-secret"] {
            assert!(PAGE_HTML.contains(&format!(r#"data-testid="{id}""#)), "{id}");
            assert!(PAGE_HTML.contains(&format!(r#"data-copy-from="{id}""#)), "{id} has no copy button");
        }
        for id in [
            "oauth",
            "generate-secret",
            "secret-days",
            "dismiss-secret",
            "secrets",
            "no-secrets",
            "trust-issuer",
            "trust-jwks-url",
            "trust-subject",
            "trust-audience",
            "trust-tenant-id",
            "save-trust",
            "delete-trust",
            "auth-mode",
        ] {
            assert!(PAGE_HTML.contains(&format!(r#"data-testid="{id}""#)), "{id}");
        }
        // The script names every route it calls relative to the settings path, as the routes are.
        for path in ["'/oauth'", "'/secrets'", "'/federation'", "'/mode'"] {
            assert!(PAGE_JS.contains(path), "{path}");
        }
    }
}
