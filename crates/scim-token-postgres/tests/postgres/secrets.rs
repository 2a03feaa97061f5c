//! Only Argon2id hashes are stored: every row of every table holds no token.

use scim_token_core::{Actor, Scope};

use crate::common::{TestSchema, connect};
use scim_token_test_support::fast_service;

#[tokio::test]
async fn no_table_holds_a_token() {
    let Some(schema) = TestSchema::new() else { return };
    let service = fast_service(schema.open().await);
    let (scope, admin) = (Scope::default_scope(), Actor::new("admin").unwrap());
    service.set_enabled(&scope, true, &admin).await.unwrap();
    let first = service.generate(&scope, &admin).await.unwrap();
    service.verify(first.expose_secret()).await.unwrap();
    let overlapping = fast_service(schema.open().await);
    let second = overlapping.generate(&scope, &admin).await.unwrap();
    let tokens = [first.expose_secret().to_owned(), second.expose_secret().to_owned()];

    let client = connect().await;
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            &[&schema.name()],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    // The version table, scopes, tokens, and the four OAuth tables (clients, secrets, trusts, access tokens).
    assert_eq!(tables.len(), 7, "{tables:?}");
    let mut rows = Vec::new();
    for table in &tables {
        let sql = format!("SELECT t::text FROM {} t", schema.table(table));
        rows.extend(client.query(&sql, &[]).await.unwrap().iter().map(|row| row.get::<_, String>(0)));
    }
    assert!(rows.iter().any(|row| row.contains("$argon2id$")), "the hash is stored: {rows:?}");
    for token in &tokens {
        // The whole token, and its secret part (after the prefix and the 16-character selector).
        let secret = &token[5 + 16..token.len() - 6];
        for row in &rows {
            assert!(
                !row.contains(token.as_str()) && !row.contains(secret),
                "a token is stored in plain text"
            );
        }
    }
}
