//! Every command of the real binary on a SQLite file, in text and in JSON, checked against what the
//! library then accepts.

use crate::common::{Db, run_with};
use serde_json::json;

#[test]
fn a_fresh_database_is_disabled_and_has_no_token() {
    let db = Db::new();
    let status = db.run(&["status", "--json"]).ok();
    assert_eq!(
        status.json(),
        json!({ "scope": "default", "enabled": false, "hasToken": false, "tokens": [] })
    );
    assert!(status.stderr.is_empty(), "{status:#?}");

    let text = db.run(&["status"]).ok().stdout;
    assert!(text.starts_with("scope      default\nenabled    no\nhas token  no\n"), "{text}");
    assert!(text.contains("run `scim-token enable`") && text.contains("run `scim-token generate`"), "{text}");

    assert_eq!(db.run(&["tokens", "--json"]).ok().json(), json!({ "scope": "default", "tokens": [] }));
    assert_eq!(db.run(&["tokens"]).ok().stdout, "Scope \"default\" has no token.\n");
}

#[test]
fn enable_and_disable() {
    let db = Db::new();
    let enabled = db.run(&["--actor", "ops", "enable", "--json"]).ok();
    assert_eq!(enabled.json(), json!({ "scope": "default", "enabled": true }));
    assert!(
        enabled.stderr.starts_with("audit: scim_enabled scope=\"default\" actor=\"ops\" tokens=-"),
        "{enabled:#?}"
    );
    assert_eq!(db.run(&["status", "--json"]).ok().json()["enabled"], true);

    let text = db.run(&["enable"]).ok().stdout;
    assert_eq!(
        text,
        "SCIM provisioning is enabled for scope \"default\". It has no usable token: run `scim-token generate`.\n"
    );

    assert_eq!(db.run(&["disable", "--json"]).ok().json(), json!({ "scope": "default", "enabled": false }));
    assert_eq!(db.run(&["status", "--json"]).ok().json()["enabled"], false);
    assert!(
        db.run(&["disable"])
            .ok()
            .stdout
            .contains("every token is refused (and kept) until `scim-token enable`")
    );
}

#[test]
fn generate_prints_the_token_alone_and_replaces_the_previous_one() {
    let db = Db::new();
    db.run(&["enable"]).ok();

    let first = db.run(&["generate", "--yes", "--actor", "alice"]).ok();
    let first_token = first.token();
    assert!(db.accepts(&first_token));
    let first_id = &first_token["scim_".len().."scim_".len() + 16];
    assert!(
        first.stderr.contains(&format!("Generated token {first_id} for scope \"default\"")),
        "{first:#?}"
    );
    assert!(
        first
            .stderr
            .contains(&format!("audit: token_generated scope=\"default\" actor=\"alice\" tokens={first_id}"))
    );

    let second = db.run(&["generate", "--yes"]).ok();
    let second_token = second.token();
    assert!(second.stderr.contains(&format!("token {first_id} no longer works")), "{second:#?}");
    assert!(!db.accepts(&first_token), "the replaced token stops working at once");
    assert!(db.accepts(&second_token));

    let tokens = db.run(&["tokens", "--json"]).ok().json();
    let listed = tokens["tokens"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{tokens}");
    assert_eq!(listed[0]["id"], second_token["scim_".len().."scim_".len() + 16]);
    assert_eq!(listed[0]["role"], "current");
    assert_eq!(listed[0]["createdBy"], "cli", "no --actor, $USER nor $LOGNAME");
}

#[test]
fn generate_json_is_one_document_with_the_token() {
    let db = Db::new();
    let run = db.run(&["generate", "--yes", "--json", "--actor", "bob"]).ok();
    let document = run.json();
    let token = document["token"].as_str().unwrap();
    assert_eq!(document["scope"], "default");
    assert_eq!(document["id"], token["scim_".len().."scim_".len() + 16]);
    assert_eq!(document["createdBy"], "bob");
    assert_eq!(document["expiresAt"], serde_json::Value::Null);
    assert!(document["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(document.as_object().unwrap().len(), 6, "{document}");
    // The scope is still disabled: the token exists, and the operator is told it is refused for now.
    assert!(run.stderr.contains("SCIM provisioning is disabled for scope \"default\""), "{run:#?}");
    assert!(!db.accepts(token));
    db.run(&["enable"]).ok();
    assert!(db.accepts(token));
}

#[test]
fn the_actor_defaults_to_the_os_user() {
    let db = Db::new();
    let url = db.url();
    for (env, expected) in [
        (&[("USER", "carol"), ("LOGNAME", "ignored")][..], "carol"),
        (&[("LOGNAME", "dave")], "dave"),
        (&[("USER", "")], "cli"),
    ] {
        run_with(env, &["-d", &url, "generate", "--yes"], None).ok();
        let tokens = db.run(&["tokens", "--json"]).ok().json();
        assert_eq!(tokens["tokens"][0]["createdBy"], expected, "{env:?}");
    }
}

#[test]
fn host_configuration_shapes_the_new_token() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let run = db
        .run(&[
            "generate",
            "--yes",
            "--token-prefix",
            "acme",
            "--argon2-memory-kib",
            "47104",
            "--argon2-iterations",
            "1",
            "--expiry",
            "90d",
        ])
        .ok();
    let token = run.token();
    assert!(token.starts_with("acme_"), "{token}");
    assert!(db.accepts_with_prefix(&token, "acme"));
    assert!(!db.accepts(&token), "a server with the default prefix refuses it");

    let listed = &db.run(&["tokens", "--json"]).ok().json()["tokens"][0];
    let (created, expires) = (listed["createdAt"].as_str().unwrap(), listed["expiresAt"].as_str().unwrap());
    assert_ne!(created, expires);
    // Both RFC 3339 in UTC with milliseconds; 90 days apart is checked on the dates' day numbers.
    assert_eq!((created.len(), expires.len()), (24, 24));
    let stored = crate::common::block_on(async {
        let store = scim_token_sqlite::SqliteStore::open(&db.path).await.unwrap();
        let state = scim_token_core::TokenStore::load_scope(&store, &scim_token_core::Scope::default_scope())
            .await
            .unwrap();
        state.current.unwrap()
    });
    assert!(stored.hash.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"), "the hash uses the parameters given");
    let lifetime = stored.expires_at.unwrap().unix_millis() - stored.created_at.unix_millis();
    assert_eq!(lifetime, 90 * 86_400_000);
}

#[test]
fn an_overlap_keeps_the_previous_token_which_revoke_id_ends() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let old = db.run(&["generate", "--yes"]).ok().token();
    let rotated = db.run(&["generate", "--yes", "--overlap", "10m"]).ok();
    let new = rotated.token();
    assert!(rotated.stderr.contains("keeps working until "), "{rotated:#?}");
    assert!(db.accepts(&old) && db.accepts(&new), "both work during the window");

    let status = db.run(&["status", "--json"]).ok().json();
    let tokens = status["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{status}");
    assert_eq!((tokens[0]["role"].as_str(), tokens[1]["role"].as_str()), (Some("current"), Some("previous")));
    assert_eq!(tokens[0]["validUntil"], serde_json::Value::Null);
    assert!(tokens[1]["validUntil"].as_str().unwrap() > tokens[1]["createdAt"].as_str().unwrap());
    let text = db.run(&["tokens"]).ok().stdout;
    assert!(text.contains("current token ") && text.contains("previous token "), "{text}");
    assert!(text.contains("(overlap window)"), "{text}");

    let old_id = tokens[1]["id"].as_str().unwrap();
    let revoked = db.run(&["revoke", "--id", old_id, "--yes", "--json"]).ok();
    assert_eq!(revoked.json(), json!({ "scope": "default", "revoked": [old_id] }));
    assert!(
        revoked
            .stderr
            .contains(&format!("audit: token_revoked scope=\"default\" actor=\"cli\" tokens={old_id}"))
    );
    assert!(!db.accepts(&old) && db.accepts(&new), "only the named token is revoked");

    // In text: revoking a previous token needs no new token; revoking the current one does.
    let newer = db.run(&["generate", "--yes", "--overlap", "10m"]).ok().token();
    let text = db.run(&["revoke", "--id", &new[5..21], "--yes"]).ok().stdout;
    assert!(text.ends_with(&format!("{}. SCIM calls with it now fail.\n", &new[5..21])), "{text}");
    assert!(!db.accepts(&new) && db.accepts(&newer));
    let text = db.run(&["revoke", "--id", &newer[5..21], "--yes"]).ok().stdout;
    assert!(text.ends_with("now fail; run `scim-token generate` for a new token.\n"), "{text}");
    assert!(!db.accepts(&newer));
}

#[test]
fn revoke_without_id_revokes_every_token() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let token = db.run(&["generate", "--yes"]).ok().token();
    let id = &token["scim_".len().."scim_".len() + 16];

    let run = db.run(&["revoke", "--yes"]).ok();
    assert!(run.stdout.starts_with(&format!("Revoked 1 token of scope \"default\": {id}.")), "{run:#?}");
    assert!(!db.accepts(&token));
    let status = db.run(&["status", "--json"]).ok().json();
    assert_eq!(status, json!({ "scope": "default", "enabled": true, "hasToken": false, "tokens": [] }));

    let again = db.run(&["revoke", "--yes", "--json"]).ok();
    assert_eq!(again.json(), json!({ "scope": "default", "revoked": [] }));
    assert_eq!(
        db.run(&["revoke", "--yes"]).ok().stdout,
        "Scope \"default\" had no token; nothing was revoked.\n"
    );
}

#[test]
fn scopes_are_separate() {
    let db = Db::new();
    let tenant = db.run(&["--scope", "tenant-42", "generate", "--yes"]).ok().token();
    db.run(&["-s", "tenant-42", "enable"]).ok();
    assert!(db.accepts(&tenant));
    assert_eq!(
        db.run(&["tokens", "--json"]).ok().json()["tokens"],
        json!([]),
        "the default scope is untouched"
    );

    // Revoking in the default scope does not reach another scope's token, and says where it belongs.
    let id = &tenant["scim_".len().."scim_".len() + 16];
    db.run(&["revoke", "--id", id, "--yes"]).fails(1, "belongs to scope \"tenant-42\", not \"default\"");
    assert!(db.accepts(&tenant));
    db.run(&["revoke", "--yes"]).ok();
    assert!(db.accepts(&tenant));
}

#[test]
fn the_database_can_come_from_the_environment() {
    let db = Db::new();
    let plain_path = db.path.to_str().unwrap();
    for url in [db.url(), plain_path.to_owned(), format!("sqlite://{plain_path}")] {
        let run = run_with(&[("SCIM_TOKEN_DATABASE_URL", &url)], &["status", "--json"], None).ok();
        assert_eq!(run.json()["scope"], "default", "{url}");
    }
}
