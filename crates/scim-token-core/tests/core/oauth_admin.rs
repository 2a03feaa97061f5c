//! The administrator's OAuth calls: secrets (limit, expiry range, status), the federation trust's
//! checks, the auth mode against static and access tokens, and secrets kept out of every output.

use std::time::Duration;

use scim_token_core::oauth::{AuthMode, TrustSettings};
use scim_token_core::{AuditAction, Error};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{admin, scope};

use crate::oauth_support::*;

#[tokio::test]
async fn the_limit_counts_unexpired_secrets() {
    let (builder, clock, _) = builder(MemoryStore::new());
    let service = builder.max_client_secrets(2).client_secret_expiry_days(365, 1..=1095).build().unwrap();
    let short = service.create_client_secret(&scope("default"), Some(1), &admin()).await.unwrap();
    new_secret(&service).await;
    let refused = service.create_client_secret(&scope("default"), None, &admin()).await;
    assert!(matches!(refused, Err(Error::LimitReached { limit: 2 })), "{refused:?}");
    clock.advance(DAY);
    new_secret(&service).await; // the short one expired: it no longer counts
    let status = service.oauth_status(&scope("default")).await.unwrap();
    assert_eq!(status.secrets.len(), 3);
    assert!(status.secrets.iter().find(|s| s.id == *short.id()).unwrap().expired);
    assert_eq!(status.max_secrets, 2);
}

#[tokio::test]
async fn days_outside_the_allowed_range_are_refused() {
    let Setup { service, .. } = setup().await;
    for days in [0, 364, 1096, u32::MAX] {
        let refused = service.create_client_secret(&scope("default"), Some(days), &admin()).await;
        assert!(matches!(refused, Err(Error::InvalidInput { .. })), "{days}: {refused:?}");
    }
    let secret = service.create_client_secret(&scope("default"), Some(1095), &admin()).await.unwrap();
    assert_eq!(secret.expires_at(), START.saturating_add(DAY * 1095));
    let status = service.oauth_status(&scope("default")).await.unwrap();
    assert_eq!(status.secret_expiry_days, (365, 365, 1095));
    assert_eq!(status.access_token_lifetime, Duration::from_secs(3600));
    assert_eq!(status.client_id.as_ref(), Some(secret.client_id()));
}

#[test]
fn builder_settings_out_of_range_fail_the_build() {
    let bad = [
        builder(MemoryStore::new()).0.access_token_lifetime(Duration::from_secs(3599)),
        builder(MemoryStore::new()).0.access_token_lifetime(Duration::from_secs(21601)),
        builder(MemoryStore::new()).0.max_client_secrets(1),
        builder(MemoryStore::new()).0.client_secret_expiry_days(30, 365..=1095),
        builder(MemoryStore::new()).0.client_secret_expiry_days(0, 0..=10),
    ];
    for builder in bad {
        assert!(matches!(builder.build(), Err(Error::Config { .. })));
    }
}

#[tokio::test]
async fn a_trust_is_checked_before_it_is_saved() {
    let Setup { service, .. } = setup().await;
    let http = TrustSettings {
        issuer: "https://issuer.example".into(),
        jwks_url: "http://127.0.0.1:9/keys".into(),
        subject: "s".into(),
        audience: "a".into(),
        tenant_id: None,
    };
    let refused = service.set_federation_trust(&scope("default"), http.clone(), &admin()).await;
    assert!(matches!(refused, Err(Error::InvalidInput { what: "JWKS URL", .. })), "{refused:?}");
    assert_eq!(service.oauth_status(&scope("default")).await.unwrap().trust, None);
    let (builder, _, _) = builder(MemoryStore::new());
    let loopback = builder.allow_loopback_http_jwks(true).build().unwrap();
    let info = loopback.set_federation_trust(&scope("default"), http, &admin()).await.unwrap();
    assert_eq!(info.jwks_url, "http://127.0.0.1:9/keys");
}

#[tokio::test]
async fn oauth_only_refuses_static_tokens_and_static_only_refuses_access_tokens() {
    let Setup { service, audit, .. } = setup().await;
    let static_token = service.generate(&scope("default"), &admin()).await.unwrap();
    let secret = new_secret(&service).await;
    let access = by_basic(&service, &secret).await.unwrap();
    service.verify(static_token.expose_secret()).await.unwrap();
    service.verify(access.expose_secret()).await.unwrap();
    service.set_auth_mode(&scope("default"), AuthMode::OAuthOnly, &admin()).await.unwrap();
    assert!(matches!(service.verify(static_token.expose_secret()).await, Err(Error::InvalidToken)));
    service.verify(access.expose_secret()).await.unwrap();
    service.set_auth_mode(&scope("default"), AuthMode::StaticOnly, &admin()).await.unwrap();
    service.verify(static_token.expose_secret()).await.unwrap();
    assert!(matches!(service.verify(access.expose_secret()).await, Err(Error::InvalidToken)));
    assert_eq!(audit.of(&[AuditAction::AuthModeChanged]).len(), 2);
    assert_eq!(service.oauth_status(&scope("default")).await.unwrap().auth_mode, AuthMode::StaticOnly);
}

#[tokio::test]
async fn access_tokens_follow_the_scope_expiry_and_verify_for() {
    let Setup { service, clock, .. } = setup().await;
    let secret = new_secret(&service).await;
    let access = by_basic(&service, &secret).await.unwrap();
    service.verify_for(&scope("default"), access.expose_secret()).await.unwrap();
    assert!(service.verify_for(&scope("other"), access.expose_secret()).await.is_err());
    service.set_enabled(&scope("default"), false, &admin()).await.unwrap();
    assert!(service.verify(access.expose_secret()).await.is_err(), "disabled scope");
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    let access = by_basic(&service, &secret).await.unwrap();
    clock.advance(Duration::from_secs(3599));
    service.verify(access.expose_secret()).await.unwrap();
    clock.advance(Duration::from_secs(1));
    assert!(service.verify(access.expose_secret()).await.is_err(), "expired after its lifetime");
}

#[tokio::test]
async fn a_cached_access_token_verifies_without_argon2_like_a_static_token() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    let access = by_basic(&service, &secret).await.unwrap();
    let before = service.argon2_runs();
    for _ in 0..3 {
        service.verify(access.expose_secret()).await.unwrap();
    }
    assert_eq!(service.argon2_runs(), before, "the minting instance seeded its cache");
}

#[tokio::test]
async fn a_second_instance_verifies_once_with_argon2_then_from_its_cache() {
    let store = MemoryStore::new();
    let a = setup_over(store.clone()).await;
    let b = setup_over(store).await;
    let secret = new_secret(&a.service).await;
    let access = by_basic(&a.service, &secret).await.unwrap();
    let before = b.service.argon2_runs();
    b.service.verify(access.expose_secret()).await.unwrap();
    b.service.verify(access.expose_secret()).await.unwrap();
    assert_eq!(b.service.argon2_runs(), before + 1);
    assert!(a.service.delete_client_secret(&scope("default"), secret.id(), &admin()).await.unwrap());
    assert!(b.service.verify(access.expose_secret()).await.is_err(), "b's cache must not outlive the delete");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_display_or_errors() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    let access = by_basic(&service, &secret).await.unwrap();
    let status = service.oauth_status(&scope("default")).await.unwrap();
    let wrong =
        by_post(&service, secret.client_id().as_str(), &secret.expose_secret().replace('a', "b")).await;
    let outputs = [
        format!("{secret:?} {secret}"),
        format!("{access:?}"),
        format!("{status:?}"),
        format!(
            "{:?} {}",
            wrong.as_ref().err(),
            wrong.as_ref().err().map(ToString::to_string).unwrap_or_default()
        ),
        format!("{service:?}"),
    ];
    for output in outputs {
        assert!(!output.contains(secret.expose_secret()), "{output}");
        assert!(!output.contains(access.expose_secret()), "{output}");
        assert!(!output.contains("$argon2"), "{output}");
    }
}
