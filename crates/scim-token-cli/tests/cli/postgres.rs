//! The real `scim-token` binary on a PostgreSQL database, in a fresh schema of the test server
//! (`SCIM_TOKEN_TEST_POSTGRES_URL`; skipped with one line when no server runs and neither that
//! variable nor `CI` is set, exactly as the PostgreSQL crate's own tests are).
#![cfg(feature = "postgres")]

// The PostgreSQL crate's test helpers: the same skip rule and fresh, dropped schemas.
#[allow(dead_code)]
#[path = "../../../scim-token-postgres/tests/postgres/common.rs"]
mod pg;

use crate::common::{block_on, run_with};
use scim_token_core::{ScimTokenService, Scope};

#[test]
fn every_command_works_on_postgresql_and_a_rotation_is_in_force_at_once() {
    let Some(schema) = pg::TestSchema::new() else { return };
    let url = pg::server_url().unwrap();
    let env = [("SCIM_TOKEN_DATABASE_URL", url), ("SCIM_TOKEN_POSTGRES_SCHEMA", schema.name())];
    let cli = |args: &[&str]| run_with(&env, args, None);
    // A server's store on the same schema: it creates the tables, as a host's first start does.
    let accepts = |token: &str| {
        block_on(async {
            let service = ScimTokenService::builder(schema.open().await).build().unwrap();
            service.verify(token).await.is_ok()
        })
    };
    block_on(async { drop(schema.open().await) });

    cli(&["enable"]).ok();
    let first = cli(&["generate", "--yes"]).ok().token();
    assert!(accepts(&first));
    let second = cli(&["generate", "--yes"]).ok().token();
    assert!(!accepts(&first), "the old token stops working as generate returns");
    assert!(accepts(&second));

    let status = cli(&["status", "--json"]).ok().json();
    assert_eq!((status["enabled"].as_bool(), status["hasToken"].as_bool()), (Some(true), Some(true)));
    let tokens = cli(&["tokens", "--json"]).ok().json();
    let id =
        tokens["tokens"].as_array().and_then(|t| t.first()).map(|t| t["id"].as_str().unwrap().to_owned());
    assert_eq!(id.as_deref(), Some(&second["scim_".len().."scim_".len() + 16]));

    cli(&["revoke", "--id", "0000000000000000", "--yes"]).fails(1, "has no token");
    cli(&["revoke", "--id", id.as_deref().unwrap(), "--yes"]).ok();
    assert!(!accepts(&second), "a revoked token stops working at once");
    let status = cli(&["--scope", Scope::DEFAULT, "status", "--json"]).ok().json();
    assert_eq!(status["hasToken"].as_bool(), Some(false));
}

#[test]
fn an_unreachable_server_fails_with_a_clear_message_and_no_password() {
    if pg::server_url().is_none() {
        return;
    }
    let run = run_with(&[], &["-d", "postgres://alice:hunter2@127.0.0.1:1/app", "status"], None);
    let run = run.fails(1, "cannot open the database");
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}
