//! `POST /api/admin/scim-settings` with any body: never a panic nor a 500, only 200, 400 or 413; 200
//! exactly for the bodies serde reads as `{"enabled": bool}` (unknown fields ignored), whose value is
//! then the scope's setting; 413 exactly past the size limit.
//!
//! The body goes through the real router (admin routes over a memory store), as a request would.
#![no_main]

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use scim_token_axum::{AdminAccess, AdminRoutes, StaticAdminTokens};
use scim_token_core::{Actor, Argon2Params, ScimTokenService, Scope};
use scim_token_memory::MemoryStore;
use serde::Deserialize;
use tower::ServiceExt;

/// What the route accepts, read independently.
#[derive(Deserialize)]
struct Settings {
    enabled: bool,
}

const ADMIN: &str = "*:*.fuzz-admin";

struct Target {
    runtime: tokio::runtime::Runtime,
    service: ScimTokenService,
    app: Router,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let service = ScimTokenService::builder(MemoryStore::new())
            .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
            .danger_accept_weak_argon2_for_tests(true)
            .build()
            .unwrap();
        let admins = StaticAdminTokens::new()
            .with_token(ADMIN, Actor::new("fuzz").unwrap(), AdminAccess::ReadWrite)
            .unwrap();
        let app = AdminRoutes::new(service.clone(), admins).into_router();
        Target { runtime, service, app }
    })
}

fuzz_target!(|data: &[u8]| {
    let target = target();
    let request = Request::post("/api/admin/scim-settings")
        .header("authorization", ADMIN)
        .header("content-type", "application/json")
        .body(Body::from(data.to_vec()))
        .unwrap();
    let status = target.runtime.block_on(target.app.clone().oneshot(request)).unwrap().status();
    let too_large = data.len() > scim_token_axum::limits::SETTINGS_BODY_LIMIT;
    let expected = serde_json::from_slice::<Settings>(data).ok().filter(|_| !too_large);
    match (status, expected) {
        (StatusCode::OK, Some(settings)) => {
            let state = target.runtime.block_on(target.service.status(&Scope::default_scope())).unwrap();
            assert_eq!(state.enabled, settings.enabled, "the setting saved is the one sent");
        }
        (StatusCode::BAD_REQUEST, None) if !too_large => {}
        (StatusCode::PAYLOAD_TOO_LARGE, None) if too_large => {}
        (status, expected) => panic!(
            "{status} for {:?} (serde reads enabled = {:?})",
            String::from_utf8_lossy(data),
            expected.map(|s| s.enabled)
        ),
    }
});
