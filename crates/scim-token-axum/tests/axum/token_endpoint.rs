//! The token endpoint's answers to good and bad input: RFC 6749 §5.1 and §5.2 bodies with their status,
//! `Cache-Control: no-store` and `Pragma: no-cache` on every one, never a 5xx for bad input; and the
//! RFC 8414 metadata.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64_basic::basic;
use scim_token_axum::OAuthRoutes;
use scim_token_axum::paths::{OAUTH_METADATA_PATH, TOKEN_ENDPOINT_PATH};
use scim_token_core::Scope;

use crate::common::down_store::DownStore;
use crate::common::http_client::send;
use crate::common::oauth::*;
use crate::common::*;

/// `Authorization: Basic base64(id:secret)`, encoded here so the test does not need a base64 crate.
mod base64_basic {
    pub fn basic(id: &str, secret: &str) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let input = format!("{id}:{secret}").into_bytes();
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        format!("Basic {out}")
    }
}

#[tokio::test]
async fn a_good_request_gets_a_token_with_no_store() {
    let app = oauth_app(enabled_service().await);
    let (client_id, secret, _) = create_secret(&app).await;
    let body =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=scim");
    let answer = call(&app, token_request(&[FORM], &body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_no_store(&answer);
    let json = answer.json();
    assert!(json["access_token"].as_str().unwrap().starts_with("scimat_"));
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 3600);
    assert_eq!(json["scope"], "scim");
    assert_eq!(json.as_object().unwrap().len(), 4, "no refresh token: {json}");

    let basic_auth = basic(&client_id, &secret);
    let answer =
        call(&app, token_request(&[FORM, ("authorization", &basic_auth)], "grant_type=client_credentials"))
            .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_no_store(&answer);
}

#[tokio::test]
async fn bad_requests_get_rfc_6749_errors_never_a_5xx() {
    let app = oauth_app(enabled_service().await);
    let (client_id, secret, _) = create_secret(&app).await;
    let good_basic = basic(&client_id, &secret);
    let wrong_basic = basic(&client_id, "scimcs_wrong");
    let post = format!("client_id={client_id}&client_secret={secret}");
    let cases: Vec<(Vec<(&str, &str)>, String, u16, &str)> = vec![
        // Missing fields.
        (vec![FORM], String::new(), 400, "invalid_request"),
        (vec![FORM], post.clone(), 400, "invalid_request"),
        (vec![FORM], "grant_type=client_credentials".into(), 401, "invalid_client"),
        (vec![FORM], format!("grant_type=client_credentials&client_id={client_id}"), 401, "invalid_client"),
        // Duplicated parameters.
        (
            vec![FORM],
            format!("grant_type=client_credentials&grant_type=client_credentials&{post}"),
            400,
            "invalid_request",
        ),
        (
            vec![FORM],
            format!("grant_type=client_credentials&{post}&client_secret={secret}"),
            400,
            "invalid_request",
        ),
        // Wrong content type, or none.
        (
            vec![("content-type", "application/json")],
            format!("grant_type=client_credentials&{post}"),
            400,
            "invalid_request",
        ),
        (vec![], format!("grant_type=client_credentials&{post}"), 400, "invalid_request"),
        (
            vec![("content-type", "text/plain")],
            r#"{"grant_type":"client_credentials"}"#.into(),
            400,
            "invalid_request",
        ),
        // Other grants.
        (vec![FORM], format!("grant_type=password&{post}"), 400, "unsupported_grant_type"),
        (vec![FORM], format!("grant_type=authorization_code&{post}"), 400, "unsupported_grant_type"),
        // Two ways to authenticate.
        (
            vec![FORM, ("authorization", &good_basic)],
            format!("grant_type=client_credentials&{post}"),
            400,
            "invalid_request",
        ),
        // Wrong secrets: 401 with a challenge by Basic, 400 by post.
        (
            vec![FORM, ("authorization", &wrong_basic)],
            "grant_type=client_credentials".into(),
            401,
            "invalid_client",
        ),
        (
            vec![FORM],
            format!("grant_type=client_credentials&client_id={client_id}&client_secret=scimcs_wrong"),
            400,
            "invalid_client",
        ),
        (
            vec![FORM, ("authorization", "Bearer abc")],
            "grant_type=client_credentials".into(),
            401,
            "invalid_client",
        ),
        (
            vec![FORM, ("authorization", "Basic !!!")],
            "grant_type=client_credentials".into(),
            401,
            "invalid_client",
        ),
        // Malformed form and scope.
        (vec![FORM], format!("grant_type=client_credentials&{post}&scope=%ZZ"), 400, "invalid_request"),
        (vec![FORM], format!("grant_type=client_credentials&{post}&scope=a\"b"), 400, "invalid_scope"),
    ];
    for (headers, body, status, code) in cases {
        let answer = call(&app, token_request(&headers, &body)).await;
        let error = assert_oauth_error(&answer, status);
        assert_eq!(error, code, "{headers:?} {body}");
        let challenge = answer.header("www-authenticate");
        assert_eq!(challenge.is_some(), status == 401, "{headers:?} {body}");
        if let Some(challenge) = challenge {
            assert!(challenge.starts_with("Basic "), "{challenge}");
        }
    }
}

#[tokio::test]
async fn headers_the_adapter_refuses_itself() {
    let app = oauth_app(enabled_service().await);
    // Repeated headers, a header that is not UTF-8, an oversized Authorization.
    let repeated_auth = Request::post(TOKEN_ENDPOINT_PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Basic YTpi")
        .header("authorization", "Basic Yzpk")
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    assert_eq!(assert_oauth_error(&call(&app, repeated_auth).await, 400), "invalid_request");
    let repeated_type = Request::post(TOKEN_ENDPOINT_PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    assert_eq!(assert_oauth_error(&call(&app, repeated_type).await, 400), "invalid_request");
    let not_utf8 = Request::post(TOKEN_ENDPOINT_PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", axum::http::HeaderValue::from_bytes(b"Basic \xff\xfe").unwrap())
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    assert_eq!(assert_oauth_error(&call(&app, not_utf8).await, 401), "invalid_client");
    let long = format!("Basic {}", "A".repeat(5000));
    let answer =
        call(&app, token_request(&[FORM, ("authorization", &long)], "grant_type=client_credentials")).await;
    assert_eq!(assert_oauth_error(&answer, 400), "invalid_request");
}

#[tokio::test]
async fn other_methods_are_405_with_allow_post_and_no_store() {
    let app = oauth_app(enabled_service().await);
    for method in ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let answer = call(&app, request(method, TOKEN_ENDPOINT_PATH, None)).await;
        assert_eq!(assert_oauth_error(&answer, 405), "invalid_request", "{method}");
        assert_eq!(answer.header("allow"), Some("POST"), "{method}");
    }
    // The query string never carries credentials: a GET with them is refused the same way.
    let answer = call(&app, request("GET", &format!("{TOKEN_ENDPOINT_PATH}?client_secret=x"), None)).await;
    assert_eq!(assert_oauth_error(&answer, 405), "invalid_request");
}

#[tokio::test]
async fn a_huge_body_is_413_with_no_store() {
    let app = oauth_app(enabled_service().await);
    let huge = format!("grant_type=client_credentials&pad={}", "a".repeat(17 * 1024));
    let answer = call(&app, token_request(&[FORM], &huge)).await;
    assert_eq!(assert_oauth_error(&answer, 413), "invalid_request");
    // Without a Content-Length (chunked, over a real connection), the limit still holds.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app.clone()).into_future());
    let mut chunked = Vec::new();
    for _ in 0..40 {
        chunked.extend_from_slice(format!("400\r\n{}\r\n", "a".repeat(1024)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let headers: [(&str, &[u8]); 2] =
        [("Content-Type", b"application/x-www-form-urlencoded"), ("Transfer-Encoding", b"chunked")];
    let answer = send(addr, "POST", TOKEN_ENDPOINT_PATH, &headers, &chunked).await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("pragma"), Some("no-cache"));
    assert_eq!(answer.json()["error"], "invalid_request");
    // Just under the limit is read (and refused for what it holds, not its size).
    let near = format!("grant_type=client_credentials&pad={}", "a".repeat(16 * 1024 - 64));
    let answer = call(&app, token_request(&[FORM], &near)).await;
    assert_eq!(assert_oauth_error(&answer, 401), "invalid_client");
}

#[tokio::test]
async fn a_store_down_is_503_with_retry_after_and_no_store() {
    let store = DownStore::default();
    let service = scim_token_test_support::fast_service(store.clone());
    enable(&service).await;
    let app = oauth_app(service);
    let (client_id, secret, _) = create_secret(&app).await;
    store.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let body = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let answer = call(&app, token_request(&[FORM], &body)).await;
    assert_eq!(assert_oauth_error(&answer, 503), "temporarily_unavailable");
    assert_eq!(answer.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn a_disabled_scope_gets_unauthorized_client() {
    let service = enabled_service().await;
    let app = oauth_app(service.clone());
    let (client_id, secret, _) = create_secret(&app).await;
    let admin = scim_token_core::Actor::new("admin").unwrap();
    service.set_enabled(&Scope::default_scope(), false, &admin).await.unwrap();
    let body = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let answer = call(&app, token_request(&[FORM], &body)).await;
    assert_eq!(assert_oauth_error(&answer, 400), "unauthorized_client");
}

#[tokio::test]
async fn the_metadata_names_the_issuer_the_endpoint_and_the_methods() {
    let app = oauth_app(enabled_service().await);
    let answer = call(&app, request("GET", OAUTH_METADATA_PATH, None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("cache-control"), Some("public, max-age=3600"));
    assert_eq!(
        answer.json(),
        serde_json::json!({
            "issuer": PUBLIC_BASE,
            "token_endpoint": format!("{PUBLIC_BASE}/oauth2/token"),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["scim"],
        })
    );
}

#[tokio::test]
async fn without_an_issuer_there_is_no_metadata_and_a_bad_issuer_is_refused() {
    let service = enabled_service().await;
    let app: axum::Router = axum::Router::new()
        .merge(OAuthRoutes::new(service.clone()).into_router())
        .fallback(|| async { (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY) });
    let answer = call(&app, request("GET", OAUTH_METADATA_PATH, None)).await;
    assert_eq!((answer.status, answer.text().as_str()), (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY));
    for bad in ["scim.example.com", "https://x.example?y", "ftp://x.example"] {
        assert!(OAuthRoutes::new(service.clone()).with_issuer(bad).is_err(), "{bad}");
    }
    // Unknown paths under the token endpoint reach the host's fallback, not a no-store 404.
    let answer = call(&app, request("POST", "/oauth2/other", None)).await;
    assert_eq!(answer.text(), HOST_FALLBACK_BODY);
}
