//! No secret reaches `Debug`, `Display`, error messages or `tracing` output.

use scim_token_core::{AuditAction, Error, NewToken};
use scim_token_test_support::{AuditLog, CountingStore, admin, fast, first_token, scope};

fn assert_hides(text: &str, token: &NewToken) {
    let secret = token.expose_secret();
    assert!(!text.contains(secret), "the token leaked into: {text}");
    // The secret part alone (after prefix and selector) must not show either.
    assert!(!text.contains(&secret[21..60]), "the secret part leaked into: {text}");
}

#[tokio::test]
async fn debug_and_display_print_no_secret() {
    let store = CountingStore::default();
    let service = fast(store.clone()).build().unwrap();
    let token = first_token(&service).await;
    let verified = service.verify(token.expose_secret()).await.unwrap();
    let state = scim_token_core::TokenStore::load_scope(&store, &scope("default")).await.unwrap();
    let record = state.current.unwrap();
    let errors =
        [Error::InvalidToken, Error::Busy, Error::Store(scim_token_core::store::StoreError::new("x"))];
    let printed = [
        format!("{token:?}"),
        format!("{token}"),
        format!("{token:#?}"),
        format!("{verified:?}"),
        format!("{service:?}"),
        format!("{record:?}"),
        format!("{errors:?}"),
        errors.iter().map(ToString::to_string).collect(),
    ];
    for text in &printed {
        assert_hides(text, &token);
    }
    assert!(printed[0].contains(token.id().as_str()), "Debug still names the token id");
    assert!(!printed[5].contains(&*record.hash), "Debug of a record hides the hash too");
}

#[tokio::test]
async fn audit_events_name_actor_action_and_token_id() {
    let sink = AuditLog::default();
    let service = fast(CountingStore::default()).audit_sink(sink.clone()).build().unwrap();
    service.set_enabled(&scope("t1"), true, &admin()).await.unwrap();
    let first = service.generate(&scope("t1"), &admin()).await.unwrap();
    let token = service.generate(&scope("t1"), &admin()).await.unwrap();
    assert!(!service.revoke_token(&scope("t1"), first.id(), &admin()).await.unwrap(), "already replaced");
    service.revoke(&scope("t1"), &admin()).await.unwrap();
    let last = service.generate(&scope("t1"), &admin()).await.unwrap();
    assert!(service.revoke_token(&scope("t1"), last.id(), &admin()).await.unwrap());
    assert!(service.verify(last.expose_secret()).await.is_err(), "a revoked token must stop working");
    service.set_enabled(&scope("t1"), false, &admin()).await.unwrap();
    let events = sink.events();
    let summary: Vec<_> = events.iter().map(|e| (e.action, e.token_ids.clone())).collect();
    assert_eq!(
        summary,
        [
            (AuditAction::ScimEnabled, vec![]),
            (AuditAction::TokenGenerated, vec![*first.id()]),
            (AuditAction::TokenGenerated, vec![*token.id()]),
            (AuditAction::TokensRevoked, vec![*token.id()]),
            (AuditAction::TokenGenerated, vec![*last.id()]),
            (AuditAction::TokenRevoked, vec![*last.id()]),
            (AuditAction::ScimDisabled, vec![]),
        ]
    );
    assert!(events.iter().all(|e| e.scope == scope("t1") && e.actor == admin()));
}
