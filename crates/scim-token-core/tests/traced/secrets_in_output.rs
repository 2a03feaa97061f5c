//! No secret reaches `tracing` output, at every level. Runs alone (see the binary's `main.rs`).

use scim_token_core::NewToken;
use scim_token_test_support::{Captured, CountingStore, admin, fast, first_token, scope};

fn assert_hides(text: &str, token: &NewToken) {
    let secret = token.expose_secret();
    assert!(!text.contains(secret), "the token leaked into: {text}");
    // The secret part alone (after prefix and selector) must not show either.
    assert!(!text.contains(&secret[21..60]), "the secret part leaked into: {text}");
}

#[test]
fn tracing_output_of_generate_and_verify_holds_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _alone = crate::alone();
    let token = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let service = fast(CountingStore::default()).build().unwrap();
            let token = first_token(&service).await;
            service.verify(token.expose_secret()).await.unwrap();
            service.verify(token.expose_secret()).await.unwrap();
            let mut wrong = token.expose_secret().to_owned();
            wrong.pop();
            assert!(service.verify(&wrong).await.is_err());
            service.revoke(&scope("default"), &admin()).await.unwrap();
            assert!(service.verify(token.expose_secret()).await.is_err());
            token
        })
    });
    let text = captured.text();
    assert!(text.contains("token_generated") && text.contains(token.id().as_str()), "capture works: {text}");
    assert!(text.contains("SCIM token rejected"), "rejections are traced: {text}");
    assert_hides(&text, &token);
}

/// The same for OAuth: a client secret, the token endpoint's answers and an access token's verification.
#[test]
fn tracing_output_of_the_oauth_side_holds_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _alone = crate::alone();
    let secrets = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let service = fast(scim_token_memory::MemoryStore::new()).build().unwrap();
            service.set_enabled(&scope("default"), true, &admin()).await.unwrap();
            let secret = service.create_client_secret(&scope("default"), None, &admin()).await.unwrap();
            let form = Some("application/x-www-form-urlencoded");
            let ok = format!(
                "grant_type=client_credentials&client_id={}&client_secret={}",
                secret.client_id(),
                secret.expose_secret()
            );
            let access = service.token_endpoint(None, form, ok.as_bytes()).await.unwrap();
            let wrong = ok.replace(&secret.expose_secret()[30..40], "0123456789");
            assert!(service.token_endpoint(None, form, wrong.as_bytes()).await.is_err());
            service.verify(access.expose_secret()).await.unwrap();
            assert!(service.delete_client_secret(&scope("default"), secret.id(), &admin()).await.unwrap());
            assert!(service.verify(access.expose_secret()).await.is_err());
            [secret.expose_secret().to_owned(), access.expose_secret().to_owned()]
        })
    });
    let text = captured.text();
    assert!(
        text.contains("client_secret_created") && text.contains("token request refused"),
        "capture works: {text}"
    );
    for secret in secrets {
        assert!(!text.contains(&secret), "a secret leaked into: {text}");
        assert!(!text.contains(&secret[25..60]), "a secret's random part leaked into: {text}");
    }
}
