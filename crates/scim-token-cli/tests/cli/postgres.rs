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

#[test]
fn the_oauth_commands_work_on_postgresql() {
    use base64::Engine as _;

    let Some(schema) = pg::TestSchema::new() else { return };
    let url = pg::server_url().unwrap();
    let env = [("SCIM_TOKEN_DATABASE_URL", url), ("SCIM_TOKEN_POSTGRES_SCHEMA", schema.name())];
    let cli = |args: &[&str]| run_with(&env, args, None);
    // Whether the token endpoint, on a server's store of the same schema, gives an access token.
    let token_endpoint_accepts = |client_id: &str, secret: &str| {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        block_on(async {
            let service = ScimTokenService::builder(schema.open().await).build().unwrap();
            let form = b"grant_type=client_credentials";
            let answer = service
                .token_endpoint(
                    Some(&format!("Basic {basic}")),
                    Some("application/x-www-form-urlencoded"),
                    form,
                )
                .await;
            answer.is_ok()
        })
    };
    block_on(async { drop(schema.open().await) });

    cli(&["enable"]).ok();
    let created = cli(&["oauth", "secret", "create", "--json"]).ok().json();
    let (client_id, secret) =
        (created["clientId"].as_str().unwrap(), created["clientSecret"].as_str().unwrap());
    assert!(token_endpoint_accepts(client_id, secret));
    let status = cli(&["oauth", "status", "--json"]).ok().json();
    assert_eq!(status["clientId"], client_id);
    assert_eq!(status["secrets"][0]["id"], created["secretId"]);

    cli(&["oauth", "mode", "static"]).ok();
    assert!(!token_endpoint_accepts(client_id, secret), "static tokens only");
    cli(&["oauth", "mode", "any"]).ok();
    cli(&["oauth", "secret", "delete", created["secretId"].as_str().unwrap(), "--yes"]).ok();
    assert!(!token_endpoint_accepts(client_id, secret), "a deleted secret is refused at once");

    let trust = [
        "--issuer",
        "https://issuer.example/",
        "--jwks-url",
        "https://issuer.example/keys",
        "--subject",
        "sub",
        "--audience",
        "api://app",
    ];
    let set = cli(&[&["oauth", "federation", "set", "--json"][..], &trust].concat()).ok().json();
    assert_eq!(
        (&set["clientId"], &set["federation"]["tenantId"]),
        (&status["clientId"], &serde_json::Value::Null)
    );
    cli(&["oauth", "federation", "delete", "--yes"]).ok();
    assert_eq!(cli(&["oauth", "status", "--json"]).ok().json()["federation"], serde_json::Value::Null);
}
