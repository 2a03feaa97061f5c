//! With or without the `metrics` feature: one `scim_token.verify` span per verification, with the token
//! id and the outcome; and warnings (tracing and audit) before a token in use expires, once a day. (The
//! expiry warnings' window, read from the audit sink alone, is tested in the `core` binary.)

use std::time::Duration;

use scim_token_core::{AuditAction, AuditEvent, ManualClock, SYSTEM_ACTOR, Timestamp};
use scim_token_test_support::{AuditLog, Captured, CountingStore, admin, fast, first_token, scope};
use tracing_subscriber::fmt::format::FmtSpan;

/// Runs `work` on a fresh current-thread runtime under a subscriber that captures everything at `level`,
/// with a line per closed span.
fn traced<T>(level: tracing::Level, work: impl Future<Output = T>) -> (T, Vec<String>) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _alone = crate::alone();
    let value = tracing::subscriber::with_default(subscriber, || runtime.block_on(work));
    (value, captured.lines())
}

#[test]
fn each_verification_has_one_span_with_the_token_id_and_the_outcome() {
    let (token, lines) = traced(tracing::Level::INFO, async {
        let service = fast(CountingStore::default()).build().unwrap();
        let token = first_token(&service).await;
        service.verify(token.expose_secret()).await.unwrap();
        service.verify_for(&scope("default"), token.expose_secret()).await.unwrap();
        assert!(service.verify_for(&scope("other"), token.expose_secret()).await.is_err());
        assert!(service.verify("scim_not-a-token").await.is_err());
        token
    });
    let closed: Vec<_> =
        lines.iter().filter(|l| l.contains("scim_token.verify{") && l.contains("close")).collect();
    let id = token.id().as_str();
    let expected = [
        format!("scim_token.verify{{token_id={id} outcome=\"valid\"}}"),
        format!("scim_token.verify{{token_id={id} outcome=\"valid\"}}"),
        format!("scim_token.verify{{token_id={id} outcome=\"invalid\"}}"),
        "scim_token.verify{outcome=\"invalid\"}".to_owned(), // malformed: no id to name
    ];
    assert_eq!(closed.len(), expected.len(), "one span per verification: {lines:#?}");
    for (line, span) in closed.iter().zip(&expected) {
        assert!(line.contains(span), "{line} should show {span}");
    }
    assert!(lines.iter().all(|l| !l.contains(&token.expose_secret()[21..60])), "no secret in spans");
}

#[test]
fn rejection_reasons_are_events_inside_the_span() {
    let (_, lines) = traced(tracing::Level::DEBUG, async {
        let service = fast(CountingStore::default()).build().unwrap();
        let token = first_token(&service).await;
        service.revoke(&scope("default"), &admin()).await.unwrap();
        assert!(service.verify(token.expose_secret()).await.is_err());
    });
    let rejected = lines.iter().find(|l| l.contains("SCIM token rejected: unknown")).expect("traced");
    assert!(rejected.contains("scim_token.verify{token_id="), "the event carries the span: {rejected}");
}

/// The expiry warnings `log` holds.
fn expiring(log: &AuditLog) -> Vec<AuditEvent> {
    log.of(&[AuditAction::TokenExpiringSoon])
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const START: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

#[test]
fn an_expiring_token_warns_once_a_day_not_per_request() {
    let sink = AuditLog::default();
    let audit = sink.clone();
    let (id, lines) = traced(tracing::Level::WARN, async move {
        let clock = ManualClock::new(START);
        let service = fast(CountingStore::default()).clock(clock.clone()).expiry(DAY * 30).audit_sink(audit);
        let service = service.build().unwrap();
        let token = first_token(&service).await;
        clock.advance(DAY * 15); // 15 days left: outside the default 14-day window
        service.verify(token.expose_secret()).await.unwrap();
        assert_eq!(expiring(&sink).len(), 0);

        clock.advance(DAY); // 14 days left: the first use warns, the rest of the day's traffic does not
        for _ in 0..100 {
            service.verify(token.expose_secret()).await.unwrap();
            clock.advance(Duration::from_secs(600));
        }
        // 100 × 10 min later: 16 h 40 min into the day, still one warning.
        let events = expiring(&sink);
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!((event.scope.clone(), event.token_ids.clone()), (scope("default"), vec![*token.id()]));
        assert_eq!(event.actor.as_str(), SYSTEM_ACTOR);
        assert_eq!(event.at, Timestamp::from_unix_millis(START.unix_millis() + 16 * DAY.as_millis() as i64));

        clock.advance(DAY); // the next day: one more
        service.verify(token.expose_secret()).await.unwrap();
        service.verify(token.expose_secret()).await.unwrap();
        assert_eq!(expiring(&sink).len(), 2);
        clock.advance(DAY * 14); // expired: refused, and no warning
        assert!(service.verify(token.expose_secret()).await.is_err());
        assert_eq!(expiring(&sink).len(), 2);
        *token.id()
    });
    let warnings: Vec<_> = lines.iter().filter(|l| l.contains("SCIM token expires soon")).collect();
    assert_eq!(warnings.len(), 2, "{lines:#?}");
    assert!(warnings.iter().all(|l| l.contains(" WARN ") && l.contains(&format!("token_id={id}"))));
}
