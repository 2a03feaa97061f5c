//! The admin page's routes and headers, and the cross-site guard that serving it turns on.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use scim_token_axum::AdminRoutes;
use scim_token_axum::paths::{ADMIN_PAGE_PATH, GENERATE_TOKEN_PATH, SETTINGS_PATH, TOKENS_PATH};
use scim_token_core::ScimTokenService;

const HOST: &str = "scim.example.com";

fn host_app(routes: AdminRoutes) -> Router {
    Router::new()
        .merge(routes.into_router())
        .fallback(|| async { (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY) })
}

async fn with_page() -> (Router, ScimTokenService) {
    let service = enabled_service().await;
    (host_app(AdminRoutes::new(service.clone(), admins()).with_admin_page()), service)
}

/// A write as a browser sends it: `Host`, plus the given browser headers.
fn browser_write(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder =
        Request::builder().method(method).uri(path).header("host", HOST).header("authorization", ADMIN);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if path == SETTINGS_PATH {
        builder = builder.header("content-type", "application/json");
        return builder.body(Body::from(r#"{"enabled":false}"#)).unwrap();
    }
    builder.body(Body::empty()).unwrap()
}

const WRITES: [(&str, &str); 4] = [
    ("POST", GENERATE_TOKEN_PATH),
    ("POST", SETTINGS_PATH),
    ("DELETE", TOKENS_PATH),
    ("DELETE", "/api/admin/scim-settings/tokens/AAAAAAAAAAAAAAAA"),
];

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_strict_headers() {
    let (app, _) = with_page().await;
    for (path, content_type) in [
        (ADMIN_PAGE_PATH, "text/html; charset=utf-8"),
        ("/admin/scim/app.js", "text/javascript; charset=utf-8"),
        ("/admin/scim/app.css", "text/css; charset=utf-8"),
    ] {
        // No credential needed: the page holds no data.
        let answer = call(&app, request("GET", path, None)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header("content-type"), Some(content_type));
        let csp = answer.header("content-security-policy").unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "require-trusted-types-for 'script'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert!(!answer.body.is_empty());
    }
    let page = call(&app, request("GET", ADMIN_PAGE_PATH, None)).await.text();
    assert!(page.contains(r#"data-testid="generate""#));
    let head = call(&app, request("HEAD", ADMIN_PAGE_PATH, None)).await;
    assert_eq!(head.status, StatusCode::OK);
    let post = call(&app, request("POST", ADMIN_PAGE_PATH, Some(ADMIN))).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_page_is_opt_in() {
    let app = host_app(AdminRoutes::new(enabled_service().await, admins()));
    for path in [ADMIN_PAGE_PATH, "/admin/scim/app.js"] {
        let answer = call(&app, request("GET", path, None)).await;
        assert_eq!((answer.status, answer.text().as_str()), (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY));
    }
}

#[tokio::test]
async fn writes_labelled_cross_site_are_refused_and_change_nothing() {
    let (app, service) = with_page().await;
    let token = generate(&app).await;
    for (method, path) in WRITES {
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("origin", "https://evil.example")],
            &[("origin", "null")],
            &[("origin", "https://scim.example.com"), ("sec-fetch-site", "cross-site")],
            &[("origin", "https://blog.example.com"), ("sec-fetch-site", "same-site")],
        ] {
            let answer = call(&app, browser_write(method, path, headers)).await;
            assert_eq!(
                assert_unleash_error(&answer, 403),
                "CrossSiteRequestError",
                "{method} {path} {headers:?}"
            );
        }
    }
    let settings = call(&app, request("GET", SETTINGS_PATH, Some(ADMIN))).await.json();
    assert_eq!(settings, serde_json::json!({ "enabled": true, "hasToken": true }), "nothing changed");
    assert!(service.verify(&token).await.is_ok(), "the token still works");
}

#[tokio::test]
async fn cross_site_is_checked_before_authentication() {
    let (app, _) = with_page().await;
    let request = Request::post(GENERATE_TOKEN_PATH)
        .header("host", HOST)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(assert_unleash_error(&call(&app, request).await, 403), "CrossSiteRequestError");
}

#[tokio::test]
async fn same_origin_writes_and_requests_without_browser_headers_work() {
    let (app, _) = with_page().await;
    for headers in [
        &[][..],
        &[("origin", "https://scim.example.com"), ("sec-fetch-site", "same-origin")],
        &[("origin", "http://scim.example.com")],
        &[("sec-fetch-site", "none")],
    ] {
        let answer = call(&app, browser_write("POST", GENERATE_TOKEN_PATH, headers)).await;
        assert_eq!(answer.status, StatusCode::OK, "{headers:?}: {}", answer.text());
    }
    // Reads are never refused: a cross-site page cannot read the answer anyway.
    let read = Request::get(TOKENS_PATH)
        .header("authorization", ADMIN)
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, read).await.status, StatusCode::OK);
}

#[tokio::test]
async fn protection_follows_the_page_unless_set_explicitly() {
    let cross_site = || browser_write("POST", GENERATE_TOKEN_PATH, &[("sec-fetch-site", "cross-site")]);
    let service = enabled_service().await;
    let plain = host_app(AdminRoutes::new(service.clone(), admins()));
    assert_eq!(call(&plain, cross_site()).await.status, StatusCode::OK, "off without the page");
    let on = host_app(AdminRoutes::new(service.clone(), admins()).with_cross_site_protection(true));
    assert_unleash_error(&call(&on, cross_site()).await, 403);
    let off =
        host_app(AdminRoutes::new(service, admins()).with_admin_page().with_cross_site_protection(false));
    assert_eq!(call(&off, cross_site()).await.status, StatusCode::OK, "explicitly off");
}

#[tokio::test]
async fn a_trusted_origin_passes_behind_a_proxy() {
    let routes = AdminRoutes::new(enabled_service().await, admins())
        .with_admin_page()
        .with_trusted_origin("https://admin.example.com")
        .unwrap();
    let app = host_app(routes);
    // The proxy forwards to an internal address, so the Host is not the public name.
    let proxied = Request::post(GENERATE_TOKEN_PATH)
        .header("host", "10.0.0.7:8080")
        .header("origin", "https://admin.example.com")
        .header("sec-fetch-site", "same-origin")
        .header("authorization", ADMIN)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, proxied).await.status, StatusCode::OK);
    assert!(
        AdminRoutes::new(enabled_service().await, admins()).with_trusted_origin("admin.example.com").is_err()
    );
}
