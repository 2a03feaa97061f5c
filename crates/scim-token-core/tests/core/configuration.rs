//! The builder refuses unsafe or impossible options with a helpful message.

use scim_token_core::{Argon2Params, Error, ScimTokenService};
use scim_token_memory::MemoryStore;
use scim_token_test_support::{admin, fast, first_token, scope};

#[test]
fn weak_argon2_is_refused_unless_explicitly_allowed_for_tests() {
    let weak = Argon2Params { m_cost_kib: 4096, t_cost: 1, p_cost: 1 };
    let err = ScimTokenService::builder(MemoryStore::new()).argon2_params(weak).build().unwrap_err();
    assert!(
        matches!(&err, Error::Config { reason, .. } if reason.contains("OWASP") && reason.contains("19456")),
        "{err}"
    );
    ScimTokenService::builder(MemoryStore::new())
        .argon2_params(weak)
        .danger_accept_weak_argon2_for_tests(true)
        .build()
        .unwrap();
}

#[test]
fn bad_prefix_and_zero_hash_slots_are_refused() {
    let err = ScimTokenService::builder(MemoryStore::new()).token_prefix("Bad Prefix").build().unwrap_err();
    assert!(matches!(err, Error::InvalidInput { what: "token prefix", .. }));
    let err = ScimTokenService::builder(MemoryStore::new()).max_concurrent_hashes(0).build().unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
}

#[tokio::test]
async fn a_custom_prefix_is_used_and_enforced() {
    let service = fast(MemoryStore::new()).token_prefix("acme").build().unwrap();
    let token = first_token(&service).await;
    assert!(token.expose_secret().starts_with("acme_"));
    service.verify(token.expose_secret()).await.unwrap();
    let other = fast(MemoryStore::new()).build().unwrap();
    assert!(other.format().parse(token.expose_secret()).is_err());
}

#[tokio::test]
async fn saturated_hashing_reports_busy_not_a_hang() {
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::Barrier;
    // One hashing slot, no waiting: of many simultaneous cache misses, some must be told Busy,
    // none may hang, and every one that ran must have verified.
    let store = MemoryStore::new();
    let issuer = ScimTokenService::builder(store.clone()).build().unwrap();
    // Another instance, whose cache is cold: the issuer's knows the tokens it generated.
    let service =
        ScimTokenService::builder(store).max_concurrent_hashes(1).busy_wait(Duration::ZERO).build().unwrap();
    // Many tokens, so neither the cache nor a shared check can answer them all after the first success.
    let mut tokens = Vec::new();
    for n in 0..8 {
        let s = scope(&format!("t{n}"));
        issuer.set_enabled(&s, true, &admin()).await.unwrap();
        tokens.push(Arc::new(issuer.generate(&s, &admin()).await.unwrap()));
    }
    let barrier = Arc::new(Barrier::new(tokens.len()));
    let tasks: Vec<_> = tokens
        .iter()
        .map(|t| {
            let (service, barrier, t) = (service.clone(), barrier.clone(), t.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                service.verify(t.expose_secret()).await
            })
        })
        .collect();
    let mut busy = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => {}
            Err(Error::Busy) => busy += 1,
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert!(busy >= 1, "with one slot and no wait, simultaneous misses must see Busy");
}

#[test]
fn parameters_argon2_rejects_keep_argon2s_error_as_the_source() {
    // Within our bounds, but Argon2 needs at least 8 KiB per lane.
    let tiny = Argon2Params { m_cost_kib: 1, t_cost: 1, p_cost: 1 };
    let err = ScimTokenService::builder(MemoryStore::new())
        .argon2_params(tiny)
        .danger_accept_weak_argon2_for_tests(true)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err}");
    let source = std::error::Error::source(&err).expect("Argon2's error is the source");
    assert!(!source.to_string().is_empty());
    assert!(!err.to_string().contains(&source.to_string()), "the cause is printed once: {err}");
}
