//! The overlap until first use through the admin API: `overlap` in the settings says `waiting` (with the
//! previous token's deadline) until the identity provider uses the new token, then `switched` (with when),
//! as every instance sharing the store reports it; a server without the option never sends it.

use std::time::Duration;

use crate::common::*;
use axum::http::StatusCode;
use scim_token_axum::paths::SETTINGS_PATH;
use scim_token_core::{ManualClock, ScimTokenService, Timestamp};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast;
use serde_json::json;

/// 2026-01-02T03:04:05.678Z
const START: i64 = 1_767_323_045_678;
const MAX: Duration = Duration::from_secs(3600);

async fn settings(app: &axum::Router) -> serde_json::Value {
    let answer = call(app, request("GET", SETTINGS_PATH, Some(VIEWER))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

fn instance(store: &MemoryStore, clock: &ManualClock) -> ScimTokenService {
    fast(store.clone()).clock(clock.clone()).overlap_until_first_use(MAX).build().unwrap()
}

#[tokio::test]
async fn the_settings_say_waiting_then_switched_on_every_instance() {
    let (store, clock) = (MemoryStore::new(), ManualClock::new(Timestamp::from_unix_millis(START)));
    let (a, b) = (instance(&store, &clock), instance(&store, &clock));
    enable(&a).await;
    let (app_a, app_b) = (app(a.clone(), admins()), app(b.clone(), admins()));

    let first = generate(&app_a).await;
    assert_eq!(settings(&app_a).await, json!({ "enabled": true, "hasToken": true }), "nothing to show yet");
    assert_eq!(scim_status(&app_a, &first).await, StatusCode::OK);
    a.wait_for_use_records().await;

    clock.advance(Duration::from_secs(60));
    let second = generate(&app_a).await;
    let waiting = json!({
        "enabled": true,
        "hasToken": true,
        "overlap": { "state": "waiting", "validUntil": "2026-01-02T04:05:05.678Z" },
    });
    assert_eq!(settings(&app_a).await, waiting);
    assert_eq!(settings(&app_b).await, waiting);
    clock.advance(Duration::from_secs(30));
    assert_eq!(scim_status(&app_b, &first).await, StatusCode::OK, "the old token works meanwhile");
    assert_eq!(settings(&app_a).await, waiting);

    // The identity provider switches, through instance b.
    clock.advance(Duration::from_secs(30));
    assert_eq!(scim_status(&app_b, &second).await, StatusCode::OK);
    assert_eq!(scim_status(&app_a, &first).await, StatusCode::UNAUTHORIZED);
    b.wait_for_use_records().await;
    clock.advance(Duration::from_secs(600));
    assert_eq!(scim_status(&app_a, &second).await, StatusCode::OK);
    a.wait_for_use_records().await;
    let switched = json!({
        "enabled": true,
        "hasToken": true,
        "overlap": { "state": "switched", "switchedAt": "2026-01-02T03:06:05.678Z" },
    });
    assert_eq!(settings(&app_a).await, switched, "the first use, not the latest");
    assert_eq!(settings(&app_b).await, switched);
    let listed = call(&app_a, request("GET", scim_token_axum::paths::TOKENS_PATH, Some(VIEWER))).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "only the new token is left");
    assert_eq!(listed[0]["firstUsedAt"], "2026-01-02T03:06:05.678Z");
    assert_eq!(listed[0]["lastUsedAt"], "2026-01-02T03:16:05.678Z");

    // The next rotation waits again.
    let _third = generate(&app_b).await;
    assert_eq!(settings(&app_a).await["overlap"]["state"], "waiting");
}

#[tokio::test]
async fn a_server_without_the_option_sends_no_overlap() {
    let service = fast(MemoryStore::new()).overlap(MAX).build().unwrap();
    enable(&service).await;
    let app = app(service.clone(), admins());
    let first = generate(&app).await;
    assert_eq!(scim_status(&app, &first).await, StatusCode::OK);
    let second = generate(&app).await;
    assert_eq!(scim_status(&app, &second).await, StatusCode::OK);
    service.wait_for_use_records().await;
    assert_eq!(settings(&app).await, json!({ "enabled": true, "hasToken": true }));
}

#[test]
fn the_openapi_document_describes_the_overlap() {
    let doc = serde_json::to_value(scim_token_axum::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let settings = &schemas["scimSettingsSchema"];
    assert_eq!(settings["required"], json!(["enabled", "hasToken"]), "overlap is optional");
    assert_eq!(settings["properties"]["overlap"]["$ref"], "#/components/schemas/scimOverlapSchema");
    let states = schemas["scimOverlapSchema"]["oneOf"].as_array().unwrap();
    let shapes: Vec<_> = states
        .iter()
        .map(|state| {
            let mut required: Vec<_> =
                state["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            required.sort();
            (state["properties"]["state"]["enum"][0].as_str().unwrap(), required)
        })
        .collect();
    assert_eq!(shapes, [("waiting", vec!["state", "validUntil"]), ("switched", vec!["state", "switchedAt"])]);
    assert_eq!(states[0]["properties"]["validUntil"]["format"], "date-time");
    assert_eq!(states[1]["properties"]["switchedAt"]["format"], "date-time");
}
