//! The verify path's store work: `find_token` is one round trip, and `record_use` never waits for a
//! rotation.

use std::time::Duration;

use scim_token_core::testkit::{record, scope};
use scim_token_core::{Timestamp, TokenStore};

use crate::common::{TestSchema, connect, proxied_config, server_addr};
use crate::proxy::Proxy;

#[tokio::test]
async fn find_token_is_one_round_trip_on_a_warm_connection() {
    let Some(schema) = TestSchema::new() else { return };
    let proxy = Proxy::start(server_addr().await).await;
    let store = schema.builder().pool_size(1).open_with_config(proxied_config(proxy.addr())).await.unwrap();
    let s = scope("round-trips");
    let r = record(&s);
    store.replace_current(r.clone(), None).await.unwrap();
    // The first look-up on the connection prepares the statement; later ones reuse it.
    store.find_token(&r.id).await.unwrap().unwrap();
    for _ in 0..5 {
        let before = proxy.ready_for_query();
        assert!(store.find_token(&r.id).await.unwrap().is_some());
        assert_eq!(proxy.ready_for_query() - before, 1, "find_token must be exactly one round trip");
    }
    let before = proxy.ready_for_query();
    assert!(
        store
            .find_token(&scim_token_core::TokenId::new("0000000000000000").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(proxy.ready_for_query() - before, 1, "an unknown id costs one round trip too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_use_does_not_wait_for_a_rotation_holding_the_token() {
    let Some(schema) = TestSchema::new() else { return };
    // A statement timeout long enough that a waiting record_use could not be mistaken for a quick one.
    let store = schema
        .builder()
        .statement_timeout(Duration::from_secs(120))
        .open(crate::common::server_url().unwrap())
        .await
        .unwrap();
    let s = scope("record-use");
    let r = record(&s);
    store.replace_current(r.clone(), None).await.unwrap();

    // Hold what a rotation holds: the scope's lock and the token's row.
    let mut client = connect().await;
    let rotation = client.transaction().await.unwrap();
    rotation
        .execute(
            &format!("SELECT 1 FROM {} WHERE scope = $1 FOR UPDATE", schema.table("scopes")),
            &[&s.as_str()],
        )
        .await
        .unwrap();
    rotation
        .execute(
            &format!("SELECT 1 FROM {} WHERE id = $1 FOR UPDATE", schema.table("tokens")),
            &[&r.id.as_str()],
        )
        .await
        .unwrap();

    // It returns while the rotation still holds both (the timeout only keeps a regression from hanging).
    let used = tokio::time::timeout(
        Duration::from_secs(60),
        store.record_use(&r.id, Timestamp::from_unix_millis(7)),
    );
    used.await.expect("record_use waited for the rotation").expect("record_use failed");
    // Verification reads are not blocked either.
    let found = tokio::time::timeout(Duration::from_secs(60), store.find_token(&r.id))
        .await
        .expect("find_token waited");
    assert!(found.unwrap().is_some());
    rotation.rollback().await.unwrap();

    // Once the row is free, the write lands.
    store.record_use(&r.id, Timestamp::from_unix_millis(8)).await.unwrap();
    let last_used = store.load_scope(&s).await.unwrap().current.unwrap().last_used_at;
    assert_eq!(last_used, Some(Timestamp::from_unix_millis(8)));
}
