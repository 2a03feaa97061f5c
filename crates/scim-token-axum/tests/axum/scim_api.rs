//! The embedding guide's recipe for guarding a whole SCIM API (`guarded_scim_api`), run as the guide
//! shows it: every answer under the prefix needs a valid token; with one, unknown paths and methods get
//! RFC 7644 404 and 405 answers.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::common::{ADMIN, Answer, admins, assert_scim_error, call, enabled_service, generate, request};
use axum::body::Body;
use axum::http::Request;
use scim_token_core::Scope;

// The recipe's imports (axum's Router, Path, StatusCode, get; ScimCaller, guarded_scim_api) serve the
// tests below too.

/// The facade's paths, as the guide's recipe writes them.
mod scim_token {
    pub use scim_token_axum as axum_adapter;
    pub use scim_token_core::*;
}

include!("recipe/guarded_scim_api.rs");

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Paths under the prefix that the recipe's routes do not match, or match with another method.
const UNROUTED: [&str; 8] = [
    "/scim/v2",
    "/scim/v2/",
    "/scim/v2//",
    "/scim/v2/Groups",
    "/scim/v2/Users/",
    "/scim/v2/Users/42/members",
    "/scim/v2/.search",
    "/scim/v2/ServiceProviderConfig?attributes=x",
];
/// Paths the recipe's routes match (axum's nesting reads `/scim/v2//Users` as `/Users`).
const ROUTED: [&str; 4] = [
    "/scim/v2/Users",
    "/scim/v2/Users/42",
    "/scim/v2/Users?filter=userName%20eq%20%22a%22",
    "/scim/v2//Users",
];

#[test]
fn the_embedding_guide_shows_this_recipe_as_it_is_tested() {
    let guide = include_str!("../../../../docs/embedding.md");
    let marker = "<!-- crates/scim-token-axum/tests/axum/scim_api.rs runs this block as written -->";
    let at = guide.find(marker).expect("the guide marks the guarded SCIM API recipe") + marker.len();
    let block = guide[at..].trim_start().strip_prefix("```rust\n").expect("a rust block after the marker");
    let block = &block[..=block.find("\n```").expect("the block ends")];
    assert_eq!(block, include_str!("recipe/guarded_scim_api.rs"), "the guide and tests/axum/recipe differ");
}

#[tokio::test]
async fn without_a_valid_token_every_path_and_method_under_the_prefix_gets_the_same_401() {
    let service = enabled_service().await;
    let app = app(service.clone(), admins());
    let replaced = generate(&app).await;
    generate(&app).await;
    let foreign = generate(&crate::common::app(enabled_service().await, admins())).await;
    let credentials = [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer not-a-token".to_owned()),
        Some(format!("Bearer {replaced}")),
        Some(format!("Bearer {foreign}")),
        Some(ADMIN.to_owned()),
    ];
    let mut first: Option<Answer> = None;
    for path in ROUTED.iter().chain(&UNROUTED) {
        for method in METHODS {
            for credential in &credentials {
                let answer = call(&app, request(method, path, credential.as_deref())).await;
                let case = format!("{method} {path} with {credential:?}");
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{case}: {}", answer.text());
                assert_eq!(answer.header("www-authenticate"), Some(r#"Bearer realm="SCIM""#), "{case}");
                assert_eq!(answer.header("content-type"), Some("application/scim+json"), "{case}");
                assert!(answer.header("allow").is_none(), "a 401 must not reveal the methods: {case}");
                if method == "HEAD" {
                    continue;
                }
                assert_scim_error(&answer, 401);
                match &first {
                    None => first = Some(answer),
                    Some(first) => assert_eq!(answer.body, first.body, "one answer for every case: {case}"),
                }
            }
        }
    }
}

#[tokio::test]
async fn with_a_valid_token_the_routes_answer() {
    let app = app(enabled_service().await, admins());
    let bearer = format!("Bearer {}", generate(&app).await);

    let list = call(&app, request("GET", "/scim/v2/Users", Some(&bearer))).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert_eq!(list.json()["tenant"], Scope::DEFAULT);
    assert_eq!(call(&app, request("HEAD", "/scim/v2/Users", Some(&bearer))).await.status, StatusCode::OK);

    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com"}"#;
    let create = Request::post("/scim/v2/Users")
        .header("authorization", &bearer)
        .header("content-type", "application/scim+json")
        .body(Body::from(user))
        .unwrap();
    let created = call(&app, create).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["userName"], "a@example.com");

    let read = call(&app, request("GET", "/scim/v2/Users/42", Some(&bearer))).await;
    assert_eq!((read.status, &read.json()["id"]), (StatusCode::OK, &serde_json::json!("42")));
    let deleted = call(&app, request("DELETE", "/scim/v2/Users/42", Some(&bearer))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn with_a_valid_token_unknown_paths_get_a_scim_404() {
    let app = app(enabled_service().await, admins());
    let bearer = format!("Bearer {}", generate(&app).await);
    for path in UNROUTED {
        for method in METHODS.into_iter().filter(|m| *m != "HEAD") {
            let answer = call(&app, request(method, path, Some(&bearer))).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}: {}", answer.text());
            assert_scim_error(&answer, 404);
            assert!(answer.header("www-authenticate").is_none());
        }
    }
}

#[tokio::test]
async fn with_a_valid_token_unsupported_methods_get_a_scim_405_with_allow() {
    let app = app(enabled_service().await, admins());
    let bearer = format!("Bearer {}", generate(&app).await);
    let cases = [
        ("/scim/v2/Users", ["PUT", "PATCH", "DELETE", "OPTIONS"], "GET,HEAD,POST"),
        ("/scim/v2/Users/42", ["POST", "PUT", "PATCH", "OPTIONS"], "DELETE,GET,HEAD"),
    ];
    for (path, methods, allowed) in cases {
        for method in methods {
            let answer = call(&app, request(method, path, Some(&bearer))).await;
            assert_scim_error(&answer, 405);
            let allow: BTreeSet<_> =
                answer.header("allow").expect("405 lists the methods").split(',').collect();
            assert_eq!(allow, allowed.split(',').collect(), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn outside_the_prefix_the_guard_does_not_apply() {
    let app = app(enabled_service().await, admins());
    // The admin API keeps its own authentication.
    let token = generate(&app).await;
    let settings = call(&app, request("GET", "/api/admin/scim-settings", Some(ADMIN))).await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.text());
    let with_scim_token =
        call(&app, request("GET", "/api/admin/scim-settings", Some(&format!("Bearer {token}")))).await;
    assert_eq!(with_scim_token.status, StatusCode::UNAUTHORIZED);
    assert!(with_scim_token.header("content-type").unwrap().starts_with("application/json"));
    // Paths that only look like the prefix are the host's: axum's plain 404 here.
    for path in ["/scim", "/scim/", "/scim/v2x", "/scim/v2x/Users", "/scim/v3/Users", "/SCIM/v2/Users"] {
        let answer = call(&app, request("GET", path, None)).await;
        assert_eq!((answer.status, answer.body.len()), (StatusCode::NOT_FOUND, 0), "{path}");
    }
}

#[tokio::test]
async fn a_prefix_with_a_tenant_parameter_is_guarded_the_same_way() {
    async fn users(ScimCaller(caller): ScimCaller, Path(tenant): Path<String>) -> Result<String, StatusCode> {
        // Per-tenant URLs: the token must belong to the tenant in the path.
        if caller.scope.as_str() == tenant {
            Ok(format!("users of {tenant}"))
        } else {
            Err(StatusCode::FORBIDDEN)
        }
    }
    let service = enabled_service().await;
    let scim = Router::new().route("/Users", get(users));
    let app = crate::common::app(service.clone(), admins()).merge(guarded_scim_api(
        "/t/{tenant}/scim/v2",
        scim,
        service,
    ));
    let bearer = format!("Bearer {}", generate(&app).await);

    for path in
        ["/t/default/scim/v2/Users", "/t/default/scim/v2/", "/t/default/scim/v2", "/t/x/scim/v2/Groups"]
    {
        assert_scim_error(&call(&app, request("GET", path, None)).await, 401);
    }
    let answer = call(&app, request("GET", "/t/default/scim/v2/Users", Some(&bearer))).await;
    assert_eq!((answer.status, answer.text()), (StatusCode::OK, "users of default".to_owned()));
    let other = call(&app, request("GET", "/t/other/scim/v2/Users", Some(&bearer))).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_scim_error(&call(&app, request("GET", "/t/default/scim/v2/", Some(&bearer))).await, 404);
    assert_scim_error(&call(&app, request("DELETE", "/t/default/scim/v2/Users", Some(&bearer))).await, 405);
}

#[test]
fn a_malformed_prefix_is_refused_at_start_up() {
    for prefix in ["", "/", "scim/v2", "/scim/v2/"] {
        let service = scim_token_test_support::fast_service(scim_token_memory::MemoryStore::new());
        let result =
            catch_unwind(AssertUnwindSafe(|| guarded_scim_api::<()>(prefix, Router::new(), service)));
        let payload = result.expect_err(prefix);
        let message =
            payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str));
        let message = message.unwrap_or_default();
        assert!(message.contains("must start with '/'"), "{prefix:?}: {message}");
    }
}
