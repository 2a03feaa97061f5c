//! The token inventory in process: list, revoke one, revoke all; access rules, bad ids, failures, audit.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::*;
use axum::http::StatusCode;
use scim_token_axum::paths::{SETTINGS_PATH, TOKENS_PATH};
use scim_token_core::{AuditAction, ManualClock, ScimTokenService, Scope, Timestamp, TokenStore};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{AuditLog, fast};

/// 2026-01-02T03:04:05.678Z
const START: i64 = 1_767_323_045_678;

fn token_id(token: &str) -> &str {
    &token["scim_".len().."scim_".len() + 16]
}

fn token_path(id: &str) -> String {
    format!("{TOKENS_PATH}/{id}")
}

async fn list(app: &axum::Router) -> serde_json::Value {
    let answer = call(app, request("GET", TOKENS_PATH, Some(ADMIN))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/json"));
    answer.json()
}

async fn has_token(app: &axum::Router) -> bool {
    call(app, request("GET", SETTINGS_PATH, Some(ADMIN))).await.json()["hasToken"].as_bool().unwrap()
}

/// A service on a stopped clock, with an opt-in overlap window.
async fn clocked_service(
    store: impl TokenStore,
    overlap: Option<Duration>,
) -> (ScimTokenService, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_unix_millis(START));
    let mut builder = fast(store).clock(clock.clone());
    if let Some(window) = overlap {
        builder = builder.overlap(window);
    }
    let service = builder.build().unwrap();
    enable(&service).await;
    (service, clock)
}

#[tokio::test]
async fn an_empty_scope_lists_no_token() {
    let app = app(enabled_service().await, admins());
    assert_eq!(list(&app).await, serde_json::json!([]));
}

#[tokio::test]
async fn the_current_token_is_listed_with_its_metadata_and_no_secret() {
    let (service, clock) = clocked_service(MemoryStore::new(), None).await;
    let app = app(service.clone(), admins());
    let token = generate(&app).await;
    let expected = serde_json::json!([{
        "id": token_id(&token),
        "role": "current",
        "createdAt": "2026-01-02T03:04:05.678Z",
        "createdBy": "admin",
        "lastUsedAt": null,
        "firstUsedAt": null,
        "expiresAt": null,
        "validUntil": null,
    }]);
    assert_eq!(list(&app).await, expected);

    clock.advance(Duration::from_secs(90));
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);
    // `last_used_at` is written off the request path.
    service.wait_for_use_records().await;
    let listed = list(&app).await;
    assert_eq!(listed[0]["lastUsedAt"], "2026-01-02T03:05:35.678Z");
    assert_eq!(listed[0]["firstUsedAt"], "2026-01-02T03:05:35.678Z");
    let text = listed.to_string();
    assert!(!text.contains(&token) && !text.contains("argon2"), "{text}");
}

#[tokio::test]
async fn the_list_is_not_cached() {
    let app = app(enabled_service().await, admins());
    let answer = call(&app, request("GET", TOKENS_PATH, Some(VIEWER))).await;
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn an_overlap_lists_the_previous_token_until_its_window_ends() {
    let (service, clock) = clocked_service(MemoryStore::new(), Some(Duration::from_secs(600))).await;
    let app = app(service, admins());
    let first = generate(&app).await;
    clock.advance(Duration::from_secs(60));
    let second = generate(&app).await;

    let listed = list(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    assert_eq!((&listed[0]["id"], &listed[0]["role"]), (&token_id(&second).into(), &"current".into()));
    assert_eq!((&listed[1]["id"], &listed[1]["role"]), (&token_id(&first).into(), &"previous".into()));
    assert_eq!(listed[1]["createdAt"], "2026-01-02T03:04:05.678Z");
    // The overlap window runs from the rotation: 03:05:05.678 + 10 minutes.
    assert_eq!(listed[1]["validUntil"], "2026-01-02T03:15:05.678Z");
    assert_eq!(listed[0]["validUntil"], serde_json::Value::Null);

    clock.advance(Duration::from_secs(600));
    assert_eq!(list(&app).await.as_array().unwrap().len(), 1, "the window is over");
}

#[tokio::test]
async fn valid_until_is_the_earlier_of_expiry_and_overlap_end() {
    let clock = ManualClock::new(Timestamp::from_unix_millis(START));
    let service = fast(MemoryStore::new())
        .clock(clock.clone())
        .overlap(Duration::from_secs(3600))
        .expiry(Duration::from_secs(120))
        .build()
        .unwrap();
    enable(&service).await;
    let app = app(service, admins());
    generate(&app).await;
    clock.advance(Duration::from_secs(60));
    generate(&app).await;
    let listed = list(&app).await;
    assert_eq!(listed[0]["expiresAt"], "2026-01-02T03:07:05.678Z");
    assert_eq!(listed[0]["validUntil"], "2026-01-02T03:07:05.678Z");
    // Expires at 03:06:05.678, before its hour of overlap would end.
    assert_eq!(listed[1]["validUntil"], "2026-01-02T03:06:05.678Z");

    // An expired current token is still listed (it can be revoked), with a validUntil in the past.
    clock.advance(Duration::from_secs(600));
    let listed = list(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["validUntil"], "2026-01-02T03:07:05.678Z");
    assert!(!has_token(&app).await);
}

#[tokio::test]
async fn revoking_the_previous_token_ends_the_overlap_early() {
    let (service, _clock) = clocked_service(MemoryStore::new(), Some(Duration::from_secs(600))).await;
    let app = app(service, admins());
    let first = generate(&app).await;
    let second = generate(&app).await;
    assert_eq!(scim_status(&app, &first).await, StatusCode::OK, "inside the window");

    let answer = call(&app, request("DELETE", &token_path(token_id(&first)), Some(ADMIN))).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    assert!(answer.body.is_empty());
    assert_eq!(scim_status(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(scim_status(&app, &second).await, StatusCode::OK);
    assert_eq!(list(&app).await.as_array().unwrap().len(), 1);
    assert!(has_token(&app).await);
}

#[tokio::test]
async fn revoking_the_current_token_leaves_the_scope_without_one() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);
    let answer = call(&app, request("DELETE", &token_path(token_id(&token)), Some(ADMIN))).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(scim_status(&app, &token).await, StatusCode::UNAUTHORIZED, "at once, despite the cache");
    assert!(!has_token(&app).await);
    // Revoked already: now an unknown id.
    let again = call(&app, request("DELETE", &token_path(token_id(&token)), Some(ADMIN))).await;
    assert_eq!(assert_unleash_error(&again, 404), "NotFoundError");
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_never_500() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    let other_app = crate::common::app(enabled_service().await, admins());
    let foreign = generate(&other_app).await;
    let ids = [
        token_id(&foreign).to_owned(),
        "AAAAAAAAAAAAAAAA".to_owned(),
        "x".to_owned(),
        "a".repeat(17),
        "a".repeat(5000),
        "abcdefghij01234_".to_owned(),
        "%ff%fe".to_owned(),
        "%00".to_owned(),
        "abc%2Fdefghij0123".to_owned(),
        "%C3%A9".to_owned(),
        token.clone(),
    ];
    for id in &ids {
        let answer = call(&app, request("DELETE", &token_path(id), Some(ADMIN))).await;
        assert_eq!(assert_unleash_error(&answer, 404), "NotFoundError", "{id}");
        assert!(!answer.text().contains(&token), "the path is not echoed");
    }
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK, "nothing was revoked");
}

#[tokio::test]
async fn revoke_all_stops_every_token_and_can_be_repeated() {
    let (service, _clock) = clocked_service(MemoryStore::new(), Some(Duration::from_secs(600))).await;
    let app = app(service, admins());
    let first = generate(&app).await;
    let second = generate(&app).await;
    for _ in 0..2 {
        let answer = call(&app, request("DELETE", TOKENS_PATH, Some(ADMIN))).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
        assert!(answer.body.is_empty());
    }
    assert_eq!(scim_status(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(scim_status(&app, &second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(list(&app).await, serde_json::json!([]));
    assert!(!has_token(&app).await);
    // A new token works again.
    let third = generate(&app).await;
    assert_eq!(scim_status(&app, &third).await, StatusCode::OK);
}

#[tokio::test]
async fn read_only_admins_list_but_get_403_on_revokes() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    assert_eq!(call(&app, request("GET", TOKENS_PATH, Some(VIEWER))).await.status, StatusCode::OK);
    for path in [token_path(token_id(&token)), TOKENS_PATH.to_owned(), token_path("not-an-id")] {
        let answer = call(&app, request("DELETE", &path, Some(VIEWER))).await;
        assert_eq!(assert_unleash_error(&answer, 403), "NoAccessError", "{path}");
    }
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK, "nothing was revoked");
}

#[tokio::test]
async fn strangers_get_401_before_the_id_is_looked_at() {
    let app = app(enabled_service().await, admins());
    let token = generate(&app).await;
    let paths = [
        ("GET", TOKENS_PATH.to_owned()),
        ("DELETE", TOKENS_PATH.to_owned()),
        ("DELETE", token_path(token_id(&token))),
        ("DELETE", token_path("AAAAAAAAAAAAAAAA")),
        ("DELETE", token_path("%ff")),
    ];
    for authorization in [None, Some("*:*.wrong"), Some("Bearer")] {
        for (method, path) in &paths {
            let answer = call(&app, request(method, path, authorization)).await;
            assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired", "{method} {path}");
        }
    }
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);
}

#[tokio::test]
async fn wrong_methods_on_token_paths_get_405() {
    let app = app(enabled_service().await, admins());
    for (method, path) in [
        ("POST", TOKENS_PATH.to_owned()),
        ("PUT", TOKENS_PATH.to_owned()),
        ("GET", token_path("AAAAAAAAAAAAAAAA")),
    ] {
        let answer = call(&app, request(method, &path, Some(ADMIN))).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(answer.header("allow").is_some());
    }
}

#[tokio::test]
async fn a_failing_store_gives_a_generic_500_and_revokes_nothing() {
    let (store, app, token) = flaky_app().await;

    store.fail_remove.store(true, Ordering::SeqCst);
    for path in [token_path(token_id(&token)), TOKENS_PATH.to_owned()] {
        let answer = call(&app, request("DELETE", &path, Some(ADMIN))).await;
        assert_eq!(assert_unleash_error(&answer, 500), "InternalError", "{path}");
        assert!(!answer.text().contains("LEAKED"), "{}", answer.text());
    }
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);

    store.fail_load.store(true, Ordering::SeqCst);
    assert_unleash_error(&call(&app, request("GET", TOKENS_PATH, Some(ADMIN))).await, 500);
}

#[tokio::test]
async fn audit_events_name_every_token_revoked_and_the_admin() {
    let recorder = AuditLog::default();
    let service = fast(MemoryStore::new())
        .overlap(Duration::from_secs(600))
        .audit_sink(recorder.clone())
        .build()
        .unwrap();
    enable(&service).await;
    let app = app(service, admins());
    let first = generate(&app).await;
    let second = generate(&app).await;
    assert_eq!(call(&app, request("DELETE", TOKENS_PATH, Some(ADMIN))).await.status, StatusCode::NO_CONTENT);
    let third = generate(&app).await;
    let one = call(&app, request("DELETE", &token_path(token_id(&third)), Some(ADMIN))).await;
    assert_eq!(one.status, StatusCode::NO_CONTENT);

    let events = recorder.events();
    let revoked_all = events.iter().find(|e| e.action == AuditAction::TokensRevoked).unwrap();
    let mut ids: Vec<_> = revoked_all.token_ids.iter().map(|id| id.as_str().to_owned()).collect();
    ids.sort();
    let mut expected = vec![token_id(&first).to_owned(), token_id(&second).to_owned()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(revoked_all.actor.as_str(), "admin");
    assert_eq!(revoked_all.scope, Scope::default_scope());

    let revoked_one = events.iter().find(|e| e.action == AuditAction::TokenRevoked).unwrap();
    assert_eq!(revoked_one.token_ids.iter().map(|id| id.as_str()).collect::<Vec<_>>(), [token_id(&third)]);
}
