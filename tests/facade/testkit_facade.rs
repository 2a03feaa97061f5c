//! A backend author depends on the facade alone: its `testkit` feature brings the conformance kit and
//! macro (here twice in one file, under two names), with no direct dependency on `scim-token-core`.

use scim_token::MemoryStore;

scim_token::token_store_conformance!(async { MemoryStore::new() });
scim_token::token_store_conformance!(through_the_facade, async { MemoryStore::new() });

/// The kit's plain `async fn`s are reachable through the facade too.
#[tokio::test]
async fn kit_functions_are_reexported() {
    scim_token::testkit::empty_scope(&MemoryStore::new()).await;
}
