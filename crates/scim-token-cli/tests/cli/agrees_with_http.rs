//! The CLI and the admin API read the same database and must say the same thing about it: every field
//! the two share, first of all `validUntil`, which is derived (the earlier of expiry and overlap end).

use crate::common::{Db, block_on};
use axum::body::{Body, to_bytes};
use axum::http::Request;
use scim_token::axum_adapter::{AdminAccess, AdminRoutes, StaticAdminTokens};
use scim_token::sqlite::SqliteStore;
use scim_token::{Actor, ScimTokenService};
use serde_json::Value;
use tower::ServiceExt;

/// `GET /api/admin/scim-settings/tokens`, served by the axum adapter over the same SQLite file.
fn http_tokens(db: &Db) -> Value {
    block_on(async {
        let store = SqliteStore::open(&db.path).await.unwrap();
        let service = ScimTokenService::builder(store).build().unwrap();
        let admins = StaticAdminTokens::new()
            .with_token("*:*.agree", Actor::new("admin").unwrap(), AdminAccess::ReadWrite)
            .unwrap();
        let request = Request::get("/api/admin/scim-settings/tokens")
            .header("authorization", "*:*.agree")
            .body(Body::empty())
            .unwrap();
        let response = AdminRoutes::new(service, admins).into_router().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        serde_json::from_slice(&to_bytes(response.into_body(), 64 * 1024).await.unwrap()).unwrap()
    })
}

#[test]
fn tokens_and_status_match_the_http_inventory_for_an_expiring_current_and_an_overlapping_previous() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    // The first token expires before the overlap that keeps it would end: its `validUntil` is its
    // expiry. The current one expires in 90 days: its `validUntil` is that expiry, never `null`.
    db.run(&["generate", "--yes", "--expiry", "30m"]).ok();
    db.run(&["generate", "--yes", "--expiry", "90d", "--overlap", "1h"]).ok();

    let http = http_tokens(&db);
    let cli_tokens = db.run(&["tokens", "--json"]).ok().json()["tokens"].clone();
    let cli_status = db.run(&["status", "--json"]).ok().json()["tokens"].clone();

    let listed = http.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{http:#}");
    let (current, previous) = (&listed[0], &listed[1]);
    assert_eq!((current["role"].as_str(), previous["role"].as_str()), (Some("current"), Some("previous")));
    assert!(current["validUntil"].is_string(), "an expiring current token has a validUntil: {http:#}");
    assert_eq!(current["validUntil"], current["expiresAt"]);
    assert_eq!(previous["validUntil"], previous["expiresAt"], "the expiry comes before the overlap end");

    // The CLI lists the very same documents, field for field.
    assert_eq!(cli_tokens, http);
    assert_eq!(cli_status, http);
}
