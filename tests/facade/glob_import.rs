//! `use scim_token::*;` beside the framework's own imports compiles: no name the facade exports at its
//! root collides with the crate of the framework it adapts (the adapter is `axum_adapter`, so a glob
//! import never brings in a module called `axum`).

use axum::Router;
use axum::routing::get;
#[allow(unused_imports)] // the point is that the glob resolves beside `axum::…`, not what it brings
use scim_token::*;

#[tokio::test]
async fn a_glob_import_of_the_facade_leaves_axum_unambiguous() {
    let service = ScimTokenService::builder(MemoryStore::new()).build().unwrap();
    let app: Router = Router::new()
        .route("/scim/v2/Users", get(|| async { "users" }))
        .route_layer(axum_adapter::ScimGuardLayer::new(service));
    let request = axum::http::Request::get("/scim/v2/Users").body(axum::body::Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status(), 401, "the guard from the glob-imported adapter refused the request");
}
