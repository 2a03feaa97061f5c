//! OAuth on two stores (two pools, as two instances of a host) over one schema: a deletion through one
//! ends the access tokens at once through the other, and concurrent writes from both keep the limits.

use std::collections::HashSet;
use std::sync::Arc;

use scim_token_core::oauth::{MintedBy, SecretAdded};
use scim_token_core::testkit::{NOW, access_token, client_id, client_secret, scope};
use scim_token_core::{Timestamp, TokenStore};
use scim_token_postgres::PostgresStore;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::common::TestSchema;

fn in_a_day() -> Timestamp {
    Timestamp::from_unix_millis(NOW.unix_millis() + 86_400_000)
}

fn in_an_hour() -> Timestamp {
    Timestamp::from_unix_millis(NOW.unix_millis() + 3_600_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_deleted_through_one_store_ends_its_tokens_through_the_other_at_once() {
    let Some(schema) = TestSchema::new() else { return };
    let (a, b): (PostgresStore, PostgresStore) = (schema.open().await, schema.open().await);
    let s = scope("two-stores-delete");
    let (doomed, kept) = (client_secret(in_a_day()), client_secret(in_a_day()));
    for secret in [&doomed, &kept] {
        let added = a.add_client_secret(&s, &client_id(), secret.clone(), 5, NOW).await.unwrap();
        assert!(matches!(added, SecretAdded::Added { .. }), "{added:?}");
    }
    let doomed_tokens: Vec<_> =
        (0..3).map(|_| access_token(&s, MintedBy::Secret(doomed.id), in_an_hour())).collect();
    let kept_token = access_token(&s, MintedBy::Secret(kept.id), in_an_hour());
    for token in doomed_tokens.iter().chain([&kept_token]) {
        assert!(b.insert_access_token(token.clone(), NOW).await.unwrap(), "minted through the other store");
        assert!(a.find_access_token(&token.id).await.unwrap().is_some());
    }
    // Both stores have read every token (their connections hold prepared statements: nothing cached).
    for token in &doomed_tokens {
        assert_eq!(
            b.find_access_token(&token.id).await.unwrap().map(|found| found.record),
            Some(token.clone())
        );
    }

    let removed = a.remove_client_secret(&s, &doomed.id).await.unwrap().expect("the secret exists");
    let removed: HashSet<_> = removed.into_iter().collect();
    assert_eq!(removed, doomed_tokens.iter().map(|t| t.id).collect::<HashSet<_>>());
    for token in &doomed_tokens {
        assert_eq!(b.find_access_token(&token.id).await.unwrap(), None, "ended at once on the other store");
    }
    assert!(b.find_access_token(&kept_token.id).await.unwrap().is_some(), "the other secret's token lives");
    let late = access_token(&s, MintedBy::Secret(doomed.id), in_an_hour());
    assert!(!b.insert_access_token(late.clone(), NOW).await.unwrap(), "no mint for a deleted secret");
    assert_eq!(a.find_access_token(&late.id).await.unwrap(), None);
    assert_eq!(b.load_oauth(&s).await.unwrap().secrets, vec![kept]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_secret_adds_from_two_stores_never_pass_the_limit() {
    let Some(schema) = TestSchema::new() else { return };
    let stores: [Arc<dyn TokenStore>; 2] = [Arc::new(schema.open().await), Arc::new(schema.open().await)];
    let s = scope("two-stores-limit");
    const MAX: usize = 3;
    const ADDS: usize = 16;
    // One expired secret, which does not count towards the limit.
    let expired = client_secret(Timestamp::from_unix_millis(NOW.unix_millis() - 1));
    stores[0].add_client_secret(&s, &client_id(), expired, MAX, NOW).await.unwrap();
    let barrier = Arc::new(Barrier::new(ADDS));
    let mut tasks = JoinSet::new();
    for n in 0..ADDS {
        let (store, barrier, s) = (stores[n % 2].clone(), barrier.clone(), s.clone());
        tasks.spawn(async move {
            let secret = client_secret(in_a_day());
            barrier.wait().await;
            (secret.id, store.add_client_secret(&s, &client_id(), secret, MAX, NOW).await)
        });
    }
    let (mut added, mut clients) = (HashSet::new(), HashSet::new());
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            (id, Ok(SecretAdded::Added { client_id })) => {
                added.insert(id);
                clients.insert(client_id);
            }
            (_, Ok(SecretAdded::LimitReached)) => {}
            (_, Err(error)) => panic!("every concurrent add answers: {error:?}"),
        }
    }
    assert_eq!(added.len(), MAX, "exactly the limit's worth of adds succeed");
    assert_eq!(clients.len(), 1, "one client for the scope: {clients:?}");
    for store in &stores {
        let state = store.load_oauth(&s).await.unwrap();
        let unexpired: HashSet<_> =
            state.secrets.iter().filter(|x| x.expires_at > NOW).map(|x| x.id).collect();
        assert_eq!(unexpired, added, "both stores see the same secrets");
        assert_eq!(state.secrets.len(), MAX + 1, "and the expired one");
        assert_eq!(state.client_id.as_ref(), clients.iter().next());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mints_through_one_store_racing_a_deletion_through_the_other_leave_no_token() {
    let Some(schema) = TestSchema::new() else { return };
    let (a, b) = (Arc::new(schema.open().await), Arc::new(schema.open().await));
    let s = scope("two-stores-race");
    let secret = client_secret(in_a_day());
    a.add_client_secret(&s, &client_id(), secret.clone(), 5, NOW).await.unwrap();
    const MINTS: usize = 24;
    let tokens: Vec<_> =
        (0..MINTS).map(|_| access_token(&s, MintedBy::Secret(secret.id), in_an_hour())).collect();
    let barrier = Arc::new(Barrier::new(MINTS + 1));
    let mut tasks = JoinSet::new();
    for token in tokens.clone() {
        let (b, barrier) = (b.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            (token.id, b.insert_access_token(token, NOW).await.expect("a racing mint answers"))
        });
    }
    barrier.wait().await;
    let removed: HashSet<_> =
        a.remove_client_secret(&s, &secret.id).await.unwrap().unwrap().into_iter().collect();
    let mut stored = HashSet::new();
    while let Some(done) = tasks.join_next().await {
        let (id, inserted) = done.unwrap();
        if inserted {
            stored.insert(id);
        }
    }
    assert_eq!(removed, stored, "the deletion reports exactly the tokens minted before it");
    for token in &tokens {
        assert_eq!(b.find_access_token(&token.id).await.unwrap(), None);
        assert_eq!(a.find_access_token(&token.id).await.unwrap(), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_secret_use_do_not_wait_for_a_held_scope_and_secret_lock() {
    let Some(schema) = TestSchema::new() else { return };
    let store = schema.open().await;
    let s = scope("held-lock");
    let secret = client_secret(in_a_day());
    let SecretAdded::Added { client_id } =
        store.add_client_secret(&s, &client_id(), secret.clone(), 5, NOW).await.unwrap()
    else {
        panic!("added")
    };
    let token = access_token(&s, MintedBy::Secret(secret.id), in_an_hour());
    assert!(store.insert_access_token(token.clone(), NOW).await.unwrap());

    // What a deletion holds: the scope's row, then the secret's.
    let mut holder = crate::common::connect().await;
    let tx = holder.transaction().await.unwrap();
    tx.query(
        &format!("SELECT 1 FROM {} WHERE scope = $1 FOR UPDATE", schema.table("scopes")),
        &[&s.as_str()],
    )
    .await
    .unwrap();
    tx.query(
        &format!("SELECT 1 FROM {} WHERE id = $1 FOR UPDATE", schema.table("oauth_secrets")),
        &[&secret.id.as_str()],
    )
    .await
    .unwrap();
    let bound = std::time::Duration::from_secs(10);
    let used = Timestamp::from_unix_millis(NOW.unix_millis() + 5);
    let reads = async {
        assert!(store.find_access_token(&token.id).await.unwrap().is_some());
        assert!(store.find_client(&client_id).await.unwrap().is_some());
        assert_eq!(store.load_oauth(&s).await.unwrap().secrets.len(), 1);
        store.record_secret_use(&secret.id, used).await.unwrap();
    };
    tokio::time::timeout(bound, reads).await.expect("no read and no use write waits for the held locks");
    tx.rollback().await.unwrap();
    // The skipped use write is lost (harmless); the next one lands.
    assert_eq!(store.load_oauth(&s).await.unwrap().secrets[0].last_used_at, None);
    store.record_secret_use(&secret.id, used).await.unwrap();
    assert_eq!(store.load_oauth(&s).await.unwrap().secrets[0].last_used_at, Some(used));
}
