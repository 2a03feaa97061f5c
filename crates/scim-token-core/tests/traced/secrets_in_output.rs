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
