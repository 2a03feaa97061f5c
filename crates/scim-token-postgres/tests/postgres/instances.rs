//! Several instances of a host (two services over two pools) on one database.

use std::collections::HashSet;
use std::sync::Arc;

use scim_token_core::{Actor, Error, ScimTokenService, Scope};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::common::TestSchema;
use scim_token_test_support::fast_service;

async fn two_instances(schema: &TestSchema) -> (ScimTokenService, ScimTokenService) {
    (fast_service(schema.open().await), fast_service(schema.open().await))
}

fn admin() -> Actor {
    Actor::new("admin@example.com").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_on_one_instance_holds_on_the_others_next_verify() {
    let Some(schema) = TestSchema::new() else { return };
    let (a, b) = two_instances(&schema).await;
    let scope = Scope::default_scope();
    a.set_enabled(&scope, true, &admin()).await.unwrap();
    let mut old = a.generate(&scope, &admin()).await.unwrap();
    for round in 0..6 {
        let (rotating, other) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        // Both instances accept the current token, and have it cached.
        other.verify(old.expose_secret()).await.unwrap();
        rotating.verify(old.expose_secret()).await.unwrap();
        let new = rotating.generate(&scope, &admin()).await.unwrap();
        assert!(
            matches!(other.verify(old.expose_secret()).await, Err(Error::InvalidToken)),
            "round {round}: the other instance must refuse the replaced token on its very next verify"
        );
        assert_eq!(other.verify(new.expose_secret()).await.unwrap().scope, scope, "round {round}");
        assert!(matches!(rotating.verify(old.expose_secret()).await, Err(Error::InvalidToken)));
        old = new;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_rotations_split_across_two_instances_leave_one_valid_token() {
    let Some(schema) = TestSchema::new() else { return };
    let (a, b) = two_instances(&schema).await;
    let scope = Scope::default_scope();
    a.set_enabled(&scope, true, &admin()).await.unwrap();
    const ROTATIONS: usize = 64;
    let barrier = Arc::new(Barrier::new(ROTATIONS));
    let mut tasks = JoinSet::new();
    for n in 0..ROTATIONS {
        let service = if n % 2 == 0 { a.clone() } else { b.clone() };
        let (barrier, scope) = (barrier.clone(), scope.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            service.generate(&scope, &admin()).await
        });
    }
    let mut tokens = Vec::new();
    while let Some(done) = tasks.join_next().await {
        tokens.push(done.unwrap().expect("every concurrent generate succeeds"));
    }
    let ids: HashSet<_> = tokens.iter().map(|t| *t.id()).collect();
    assert_eq!(ids.len(), ROTATIONS);

    let mut valid = Vec::new();
    for token in &tokens {
        let (on_a, on_b) = (a.verify(token.expose_secret()).await, b.verify(token.expose_secret()).await);
        match (on_a, on_b) {
            (Ok(_), Ok(_)) => valid.push(*token.id()),
            (Err(Error::InvalidToken), Err(Error::InvalidToken)) => {}
            (on_a, on_b) => panic!("the instances disagree on {}: {on_a:?} / {on_b:?}", token.id()),
        }
    }
    assert_eq!(valid.len(), 1, "exactly one token may stay valid: {valid:?}");
    assert_eq!(a.status(&scope).await.unwrap().current.map(|info| info.id), Some(valid[0]));
}
