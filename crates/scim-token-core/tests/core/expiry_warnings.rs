//! Warnings before a token in use expires, as the audit sink sees them: they follow the configured
//! window, can be turned off, and never come for a token without expiry. (The `tracing` side of the
//! warnings is tested in the `traced` binary.)

use std::time::Duration;

use scim_token_core::{AuditAction, AuditEvent, ManualClock, Timestamp};
use scim_token_test_support::{AuditLog, CountingStore, fast, first_token};

/// The expiry warnings `log` holds.
fn expiring(log: &AuditLog) -> Vec<AuditEvent> {
    log.of(&[AuditAction::TokenExpiringSoon])
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const START: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

#[tokio::test]
async fn warnings_follow_the_configured_window_and_can_be_turned_off() {
    for (window, warns) in [(DAY * 20, 1), (Duration::ZERO, 0)] {
        let sink = AuditLog::default();
        let clock = ManualClock::new(START);
        let service = fast(CountingStore::default())
            .clock(clock.clone())
            .expiry(DAY * 30)
            .expiry_warning(window)
            .audit_sink(sink.clone())
            .build()
            .unwrap();
        let token = first_token(&service).await;
        clock.advance(DAY * 11); // 19 days left
        service.verify(token.expose_secret()).await.unwrap();
        assert_eq!(expiring(&sink).len(), warns, "window {window:?}");
    }
}

#[tokio::test]
async fn tokens_without_expiry_never_warn() {
    let sink = AuditLog::default();
    let clock = ManualClock::new(START);
    let service =
        fast(CountingStore::default()).clock(clock.clone()).audit_sink(sink.clone()).build().unwrap();
    let token = first_token(&service).await;
    for _ in 0..3 {
        clock.advance(DAY * 400);
        service.verify(token.expose_secret()).await.unwrap();
    }
    assert_eq!(expiring(&sink).len(), 0);
}
