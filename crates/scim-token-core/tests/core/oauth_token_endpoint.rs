//! The token endpoint's answers that need a store (rows 10-26 of the table in docs/design/oauth.md; the
//! parser's own rows are unit tests beside it), with a memory store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use scim_token_core::oauth::{
    AssertionError, AssertionVerifier, AuthMode, FederationTrust, OAuthErrorCode, TrustSettings,
    VerifiedCredential,
};
use scim_token_core::{AuditAction, Timestamp, async_trait};
use scim_token_test_support::{
    HeldBlockingThread, admin, pending_after_one_poll, runtime_with_one_blocking_thread, scope,
};

use crate::oauth_support::*;

#[tokio::test]
async fn basic_and_post_both_issue_a_bearer_token_for_scim() {
    let Setup { service, audit, .. } = setup().await;
    let secret = new_secret(&service).await;
    assert!(secret.client_id().as_str().starts_with("scimcl_"));
    assert!(secret.expose_secret().starts_with("scimcs_"));
    for issued in [
        by_basic(&service, &secret).await.unwrap(),
        by_post(&service, secret.client_id().as_str(), secret.expose_secret()).await.unwrap(),
    ] {
        assert!(issued.expose_secret().starts_with("scimat_"));
        assert_eq!((issued.token_type(), issued.expires_in(), issued.scope()), ("Bearer", 3600, "scim"));
        let verified = service.verify(issued.expose_secret()).await.unwrap();
        assert_eq!(verified.scope, scope("default"));
        assert_eq!(&verified.token_id, issued.id());
        let expected = VerifiedCredential::ClientSecret {
            client_id: secret.client_id().clone(),
            secret_id: *secret.id(),
        };
        assert_eq!(verified.credential, expected);
    }
    let issued = audit.of(&[AuditAction::AccessTokenIssued]);
    assert_eq!(issued.len(), 2);
    assert_eq!(issued[0].token_ids[0], *secret.id(), "the secret, then the access token");
}

#[tokio::test]
async fn unknown_wrong_other_and_malformed_secrets_are_invalid_client() {
    let Setup { service, .. } = setup().await;
    let ours = new_secret(&service).await;
    let theirs = service.create_client_secret(&scope("other"), None, &admin()).await.unwrap();
    let id = ours.client_id().as_str();
    let mut wrong = ours.expose_secret().to_owned();
    wrong.replace_range(20..21, if &wrong[20..21] == "a" { "b" } else { "a" });
    let forged = scim_token_test_support::with_checksum_fixed(&wrong);
    let cases = [
        ("scimcl_unknown0000000", ours.expose_secret()),
        (id, theirs.expose_secret()),
        (id, &wrong),
        (id, &forged),
        (id, "not-a-secret"),
        ("bad id!", ours.expose_secret()),
    ];
    for (client_id, secret) in cases {
        let header = basic(client_id, secret);
        let basic_answer =
            service.token_endpoint(Some(&header), FORM, b"grant_type=client_credentials").await;
        let error = basic_answer.expect_err("refused");
        assert_eq!((error.code(), error.http_status()), (OAuthErrorCode::InvalidClient, 401));
        assert!(error.www_authenticate().is_some());
        assert_eq!(refusal(by_post(&service, client_id, secret).await), ("invalid_client", 400));
    }
}

#[tokio::test]
async fn a_wrong_secret_costs_one_argon2_run_and_a_malformed_one_none() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    let id = secret.client_id().as_str();
    let before = service.argon2_runs();
    assert_eq!(refusal(by_post(&service, id, "scimcs_garbage").await).0, "invalid_client");
    assert_eq!(service.argon2_runs(), before, "refused by format, before the store");
    let forged = scim_token_test_support::forge(secret.expose_secret(), secret.expose_secret());
    let _ = by_post(&service, id, &forged).await;
    assert!(service.argon2_runs() <= before + 1);
}

#[tokio::test]
async fn two_secrets_are_valid_at_once_and_deleting_one_ends_its_tokens_only() {
    let Setup { service, audit, .. } = setup().await;
    let (old, new) = (new_secret(&service).await, new_secret(&service).await);
    assert_eq!(old.client_id(), new.client_id(), "one client id per scope");
    let (by_old, by_new) = (by_basic(&service, &old).await.unwrap(), by_basic(&service, &new).await.unwrap());
    service.verify(by_old.expose_secret()).await.unwrap();
    assert!(service.delete_client_secret(&scope("default"), old.id(), &admin()).await.unwrap());
    assert!(service.verify(by_old.expose_secret()).await.is_err(), "its access token ends with it");
    service.verify(by_new.expose_secret()).await.unwrap();
    assert_eq!(refusal(by_basic(&service, &old).await), ("invalid_client", 401));
    by_basic(&service, &new).await.unwrap();
    assert!(!service.delete_client_secret(&scope("default"), old.id(), &admin()).await.unwrap());
    let deleted = audit.of(&[AuditAction::ClientSecretDeleted]);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].token_ids, vec![*old.id(), *by_old.id()]);
}

#[tokio::test]
async fn an_expired_secret_never_yields_a_token_and_tokens_never_outlive_their_secret() {
    let (builder, clock, _) = builder(scim_token_memory::MemoryStore::new());
    let service = builder
        .client_secret_expiry_days(1, 1..=1095)
        .access_token_lifetime(Duration::from_secs(6 * 3600))
        .build()
        .unwrap();
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    let secret = new_secret(&service).await;
    clock.advance(DAY - Duration::from_secs(3600));
    let issued = by_basic(&service, &secret).await.unwrap();
    assert_eq!(issued.expires_in(), 3600, "clamped to the secret's expiry");
    clock.advance(Duration::from_secs(3600));
    assert_eq!(refusal(by_basic(&service, &secret).await), ("invalid_client", 401));
    let post = by_post(&service, secret.client_id().as_str(), secret.expose_secret()).await;
    assert_eq!(refusal(post), ("invalid_client", 400));
    assert!(service.verify(issued.expose_secret()).await.is_err(), "the token expired with its secret");
}

#[tokio::test]
async fn a_disabled_scope_or_static_only_mode_is_unauthorized_client() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    service.set_enabled(&scope("default"), false, &admin()).await.unwrap();
    assert_eq!(refusal(by_basic(&service, &secret).await), ("unauthorized_client", 400));
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    service.set_auth_mode(&scope("default"), AuthMode::StaticOnly, &admin()).await.unwrap();
    assert_eq!(refusal(by_basic(&service, &secret).await), ("unauthorized_client", 400));
    service.set_auth_mode(&scope("default"), AuthMode::OAuthOnly, &admin()).await.unwrap();
    by_basic(&service, &secret).await.unwrap();
}

#[tokio::test]
async fn a_malformed_scope_is_invalid_scope_after_authentication() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    let header = basic(secret.client_id().as_str(), secret.expose_secret());
    let body = b"grant_type=client_credentials&scope=a%22b";
    assert_eq!(refusal(service.token_endpoint(Some(&header), FORM, body).await), ("invalid_scope", 400));
    let any_wellformed = b"grant_type=client_credentials&scope=scim.readwrite%20other";
    assert_eq!(service.token_endpoint(Some(&header), FORM, any_wellformed).await.unwrap().scope(), "scim");
}

#[tokio::test]
async fn store_failures_are_503_or_500_and_a_vanished_credential_invalid_client() {
    let store = Faulty::default();
    let Setup { service, .. } = setup_over(store.clone()).await;
    let secret = new_secret(&service).await;
    for (fault, answer) in [
        (Fault::Busy, ("temporarily_unavailable", 503)),
        (Fault::Unavailable, ("temporarily_unavailable", 503)),
        (Fault::Other, ("server_error", 500)),
    ] {
        store.set(fault);
        assert_eq!(refusal(by_basic(&service, &secret).await), answer, "{fault:?}");
    }
    store.set(Fault::None);
    by_basic(&service, &secret).await.unwrap();
    // The secret is deleted while its token is being minted: the insert finds no credential. Each
    // request below loses its own secret that way.
    store.set(Fault::CredentialGone);
    assert_eq!(refusal(by_basic(&service, &secret).await), ("invalid_client", 401));
    let other = new_secret(&service).await;
    let post = by_post(&service, other.client_id().as_str(), other.expose_secret()).await;
    assert_eq!(refusal(post), ("invalid_client", 400));
    assert!(
        service.oauth_status(&scim_token_test_support::scope("default")).await.unwrap().secrets.is_empty(),
        "both vanished at mint"
    );
}

#[test]
fn saturated_hashing_is_temporarily_unavailable() {
    runtime_with_one_blocking_thread().block_on(async {
        let (builder, _, _) = builder(scim_token_memory::MemoryStore::new());
        let service = builder.max_concurrent_hashes(1).busy_wait(Duration::ZERO).build().unwrap();
        service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
        let secret = new_secret(&service).await;
        let blocker = HeldBlockingThread::take().await;
        // The first mint takes the only hashing slot and queues for the held thread.
        let mut holder = std::pin::pin!(by_basic(&service, &secret));
        assert!(pending_after_one_poll(holder.as_mut()).await, "the first mint holds the slot");
        let error = by_basic(&service, &secret).await.expect_err("no slot is free");
        assert_eq!((error.code(), error.http_status()), (OAuthErrorCode::TemporarilyUnavailable, 503));
        blocker.release().await;
        holder.await.unwrap();
    });
}

/// A verifier that accepts exactly the assertion `good`, reports `down` as unavailable, and counts calls.
#[derive(Default)]
struct FakeVerifier(AtomicUsize);

#[async_trait]
impl AssertionVerifier for FakeVerifier {
    async fn verify(
        &self,
        trust: &FederationTrust,
        assertion: &str,
        _: Timestamp,
    ) -> Result<(), AssertionError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        assert_eq!(trust.audience, "api://app", "the trust as saved, /.default stripped");
        match assertion {
            "good" => Ok(()),
            "down" => Err(AssertionError::Unavailable("jwks unreachable".into())),
            _ => Err(AssertionError::Rejected { reason: "bad signature" }),
        }
    }
}

fn trust() -> TrustSettings {
    TrustSettings {
        issuer: "https://login.microsoftonline.com/tid/v2.0".into(),
        jwks_url: "https://login.microsoftonline.com/tid/discovery/v2.0/keys".into(),
        subject: "sync-fabric".into(),
        audience: "api://app/.default".into(),
        tenant_id: Some("tid".into()),
    }
}

fn assertion_body(client_id: &str, assertion: &str) -> String {
    format!(
        "grant_type=client_credentials&client_id={client_id}&scope=scim&client_assertion_type=\
         urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
    )
}

#[tokio::test]
async fn assertions_go_to_the_verifier_against_the_clients_trust() {
    let verifier = Arc::new(FakeVerifier::default());
    let (builder, _, audit) = builder(scim_token_memory::MemoryStore::new());
    let service = builder.assertion_verifier(verifier.clone()).build().unwrap();
    service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
    let info = service.set_federation_trust(&scope("default"), trust(), &admin()).await.unwrap();
    assert_eq!(info.audience, "api://app");
    let client_id = service.oauth_status(&scope("default")).await.unwrap().client_id.unwrap();
    let ask = |assertion: &'static str, client: String| {
        let service = service.clone();
        async move { service.token_endpoint(None, FORM, assertion_body(&client, assertion).as_bytes()).await }
    };
    let issued = ask("good", client_id.to_string()).await.unwrap();
    let verified = service.verify(issued.expose_secret()).await.unwrap();
    assert!(matches!(verified.credential, VerifiedCredential::Federation { .. }));
    assert_eq!(refusal(ask("forged", client_id.to_string()).await), ("invalid_client", 400));
    assert_eq!(refusal(ask("down", client_id.to_string()).await), ("temporarily_unavailable", 503));
    let calls = verifier.0.load(Ordering::SeqCst);
    assert_eq!(refusal(ask("good", "scimcl_unknown".into()).await), ("invalid_client", 400));
    assert_eq!(verifier.0.load(Ordering::SeqCst), calls, "an unknown client never reaches the verifier");
    // A replaced trust ends the old trust's tokens; a deleted one refuses every assertion.
    service.set_federation_trust(&scope("default"), trust(), &admin()).await.unwrap();
    assert!(service.verify(issued.expose_secret()).await.is_err());
    assert!(service.delete_federation_trust(&scope("default"), &admin()).await.unwrap());
    assert!(!service.delete_federation_trust(&scope("default"), &admin()).await.unwrap());
    assert_eq!(refusal(ask("good", client_id.to_string()).await), ("invalid_client", 400));
    assert_eq!(audit.of(&[AuditAction::FederationTrustSet, AuditAction::FederationTrustDeleted]).len(), 3);
}

#[tokio::test]
async fn without_a_verifier_or_a_trust_every_assertion_is_invalid_client() {
    let Setup { service, .. } = setup().await;
    let secret = new_secret(&service).await;
    let body = assertion_body(secret.client_id().as_str(), "good");
    assert_eq!(refusal(service.token_endpoint(None, FORM, body.as_bytes()).await), ("invalid_client", 400));
    let verifier = Arc::new(FakeVerifier::default());
    let (builder, _, _) = builder(scim_token_memory::MemoryStore::new());
    let service = builder.assertion_verifier(verifier.clone()).build().unwrap();
    let secret = new_secret(&service).await;
    let body = assertion_body(secret.client_id().as_str(), "good");
    assert_eq!(refusal(service.token_endpoint(None, FORM, body.as_bytes()).await), ("invalid_client", 400));
    assert_eq!(verifier.0.load(Ordering::SeqCst), 0, "a client without a trust never reaches the verifier");
}
