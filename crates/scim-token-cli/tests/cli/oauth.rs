//! The `oauth` commands of the real binary on a SQLite file, in text and in JSON, checked against what
//! the library's token endpoint and `verify` then accept.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use scim_token_core::ScimTokenService;
use scim_token_core::oauth::OAuthErrorCode;
use scim_token_sqlite::SqliteStore;
use serde_json::{Value, json};

use crate::common::{Db, Run, block_on};

/// An Entra-like trust: `oauth federation set` with these values.
const TRUST: &[&str] = &[
    "--issuer",
    "https://login.microsoftonline.com/tid-1/v2.0",
    "--jwks-url",
    "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys",
    "--subject",
    "00000000-0000-0000-0000-000000000001",
    "--audience",
    "api://app-id/.default",
    "--tenant-id",
    "tid-1",
];

/// What the token endpoint answered, and whether the access token it issued (if any) verifies.
#[derive(Debug, PartialEq)]
enum Answer {
    /// An access token, which `verify` accepts.
    Issued,
    /// Refused with this code.
    Refused(OAuthErrorCode),
}

/// Asks the library's token endpoint, on `db`'s file, for an access token with `client_secret_basic`.
fn token_request(db: &Db, client_id: &str, secret: &str) -> Answer {
    let path = db.path.clone();
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
    block_on(async move {
        let service = ScimTokenService::builder(SqliteStore::open(&path).await.unwrap()).build().unwrap();
        let answer = service
            .token_endpoint(
                Some(&basic),
                Some("application/x-www-form-urlencoded"),
                b"grant_type=client_credentials",
            )
            .await;
        match answer {
            Ok(issued) => {
                assert_eq!((issued.token_type(), issued.scope()), ("Bearer", "scim"));
                service.verify(issued.expose_secret()).await.unwrap();
                Answer::Issued
            }
            Err(error) => Answer::Refused(error.code()),
        }
    })
}

/// A minted access token for `client_id` and `secret` (the token endpoint must accept them).
fn access_token(db: &Db, client_id: &str, secret: &str) -> String {
    let path = db.path.clone();
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
    block_on(async move {
        let service = ScimTokenService::builder(SqliteStore::open(&path).await.unwrap()).build().unwrap();
        let issued = service
            .token_endpoint(
                Some(&basic),
                Some("application/x-www-form-urlencoded"),
                b"grant_type=client_credentials",
            )
            .await
            .unwrap();
        issued.expose_secret().to_owned()
    })
}

/// `oauth secret create`'s secret: stdout is exactly one line holding a `scimcs_` secret.
#[track_caller]
fn secret_of(run: &Run) -> String {
    let secret = run.stdout.strip_suffix('\n').unwrap_or_else(|| panic!("no newline: {run:#?}"));
    assert!(!secret.contains('\n') && secret.starts_with("scimcs_"), "{run:#?}");
    secret.to_owned()
}

/// The secret's id: the 16 characters after `scimcs_`.
fn id_of(secret: &str) -> &str {
    &secret["scimcs_".len().."scimcs_".len() + 16]
}

/// The part of a secret that must never be printed (the id before it is public).
fn secret_part(secret: &str) -> &str {
    &secret["scimcs_".len() + 16..]
}

/// A usage error clap reports (exit 2, `error:` first, nothing on stdout) that contains `says`.
#[track_caller]
fn usage_error(run: &Run, says: &str) {
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stdout.is_empty() && run.stderr.starts_with("error: ") && run.stderr.contains(says),
        "{run:#?}"
    );
}

/// `oauth status --json`.
fn status(db: &Db) -> Value {
    db.run(&["oauth", "status", "--json"]).ok().json()
}

#[test]
fn a_fresh_scope_has_no_oauth_client() {
    let db = Db::new();
    let run = db.run(&["oauth", "status", "--json"]).ok();
    assert_eq!(
        run.json(),
        json!({ "scope": "default", "clientId": null, "authMode": "any", "secrets": [], "federation": null,
                "accessTokenLifetimeSeconds": 3600 })
    );
    assert!(run.stderr.is_empty(), "{run:#?}");
    let lifetime = db.run(&["oauth", "status", "--json", "--access-token-lifetime", "2h"]).ok().json();
    assert_eq!(lifetime["accessTokenLifetimeSeconds"], 7200);

    let text = db.run(&["oauth", "status"]).ok().stdout;
    assert!(text.starts_with("scope                  default\nclient id              none\n"), "{text}");
    assert!(text.contains("auth mode              any (static tokens and OAuth access tokens)\n"), "{text}");
    assert!(
        text.contains("access token lifetime  3600 s\n") && text.contains("federation trust: none"),
        "{text}"
    );
    assert!(
        text.contains(
            "There is no client secret and no federation trust: run `scim-token oauth secret create`"
        )
    );
}

#[test]
fn a_created_secret_gets_access_tokens_until_it_is_deleted() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let run = db.run(&["oauth", "secret", "create", "--actor", "alice"]).ok();
    let secret = secret_of(&run);
    let id = id_of(&secret);
    let document = status(&db);
    let client_id = document["clientId"].as_str().unwrap();
    assert!(client_id.starts_with("scimcl_") && client_id.len() == "scimcl_".len() + 16, "{document}");
    assert!(
        run.stderr.contains(&format!(
            "Created client secret {id} for scope \"default\": client id {client_id}, expires "
        )),
        "{run:#?}"
    );
    assert!(run.stderr.contains("the secret is not shown again"), "{run:#?}");
    assert!(
        run.stderr
            .contains(&format!("audit: client_secret_created scope=\"default\" actor=\"alice\" tokens={id}"))
    );
    assert!(!run.stderr.contains(secret_part(&secret)), "{run:#?}");

    let secrets = document["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1, "{document}");
    assert_eq!((secrets[0]["id"].as_str(), secrets[0]["createdBy"].as_str()), (Some(id), Some("alice")));
    assert_eq!(secrets[0]["expired"], false);
    let keys: Vec<&str> = secrets[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    for key in ["id", "createdAt", "createdBy", "expiresAt", "lastUsedAt", "expired"] {
        assert!(keys.contains(&key), "{key}: {keys:?}");
    }

    assert_eq!(token_request(&db, client_id, &secret), Answer::Issued);
    let access = access_token(&db, client_id, &secret);
    assert!(db.accepts(&access), "the access token works on the SCIM routes");
    let text = db.run(&["oauth", "status"]).ok().stdout;
    assert!(text.contains(&format!("client id              {client_id}\n")), "{text}");
    assert!(text.contains(&format!("client secret {id}\n  created      ")), "{text}");
    assert!(!text.contains("There is no client secret"), "{text}");

    let deleted = db.run(&["oauth", "secret", "delete", id, "--yes"]).ok();
    assert_eq!(
        deleted.stdout,
        format!(
            "Deleted client secret {id} of scope \"default\"; the access tokens it obtained no longer work. \
             The client has no usable secret or trust left: run `scim-token oauth secret create` for a new one.\n"
        )
    );
    assert!(
        deleted
            .stderr
            .contains(&format!("audit: client_secret_deleted scope=\"default\" actor=\"cli\" tokens={id}"))
    );
    assert_eq!(token_request(&db, client_id, &secret), Answer::Refused(OAuthErrorCode::InvalidClient));
    assert!(!db.accepts(&access), "the access tokens it minted end with it");
    assert_eq!(status(&db)["secrets"], json!([]));
    assert_eq!(status(&db)["clientId"], client_id, "the client id never changes");
}

#[test]
fn secret_create_json_is_one_document_with_the_secret() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let run = db.run(&["oauth", "secret", "create", "--expires-in-days", "400", "--json"]).ok();
    let document = run.json();
    let secret = document["clientSecret"].as_str().unwrap();
    let client_id = document["clientId"].as_str().unwrap();
    assert_eq!(document["scope"], "default");
    assert_eq!(document["secretId"], id_of(secret));
    assert_eq!(document.as_object().unwrap().len(), 5, "{document}");
    assert!(!run.stderr.contains(secret_part(secret)), "{run:#?}");

    let listed = &status(&db)["secrets"][0];
    assert_eq!(listed["expiresAt"], document["expiresAt"]);
    // 400 days after creation, as stored.
    let stored = block_on(async {
        let store = SqliteStore::open(&db.path).await.unwrap();
        scim_token_core::TokenStore::load_oauth(&store, &scim_token_core::Scope::default_scope())
            .await
            .unwrap()
    });
    let record = &stored.secrets[0];
    assert_eq!(record.expires_at.unix_millis() - record.created_at.unix_millis(), 400 * 86_400_000);
    assert_eq!(listed["expiresAt"], record.expires_at.to_rfc3339());
    assert_eq!(token_request(&db, client_id, secret), Answer::Issued);
}

#[test]
fn the_secret_limit_and_the_days_are_clear_errors() {
    let db = Db::new();
    for _ in 0..2 {
        db.run(&["oauth", "secret", "create", "--max-client-secrets", "2"]).ok();
    }
    let run = db.run(&["oauth", "secret", "create", "--max-client-secrets", "2"]);
    run.fails(
        1,
        "scope \"default\" already has 2 unexpired client secrets, the most allowed; nothing was created",
    )
    .fails(1, "`scim-token oauth secret delete ID`");
    assert_eq!(status(&db)["secrets"].as_array().unwrap().len(), 2);

    for days in ["10", "1096"] {
        db.run(&["oauth", "secret", "create", "--expires-in-days", days]).fails(
            2,
            "--expires-in-days must be from 365 to 1095, the client secret lifetimes your servers allow",
        );
    }
    db.run(&["oauth", "secret", "create", "--expires-in-days", "20", "--client-secret-min-days", "30"])
        .fails(2, "--expires-in-days must be from 30 to 1095");
    db.run(&["oauth", "secret", "create", "--max-client-secrets", "1"])
        .fails(2, "the Argon2, prefix, duration or OAuth flags are not usable")
        .fails(2, "max_client_secrets must be at least 2");
    db.run(&["oauth", "status", "--access-token-lifetime", "10m"])
        .fails(2, "access_token_lifetime must be between");
    db.run(&["oauth", "secret", "create", "--argon2-memory-kib", "8", "--argon2-iterations", "1"])
        .fails(2, "under OWASP's minimum");
    assert_eq!(status(&db)["secrets"].as_array().unwrap().len(), 2, "nothing created");
}

#[test]
fn host_configuration_shapes_the_new_secret() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let run = db
        .run(&[
            "oauth",
            "secret",
            "create",
            "--token-prefix",
            "acme",
            "--argon2-memory-kib",
            "47104",
            "--argon2-iterations",
            "1",
        ])
        .ok();
    let secret = run.stdout.trim_end();
    assert!(secret.starts_with("acmecs_"), "{run:#?}");
    let client_id = status(&db)["clientId"].as_str().unwrap().to_owned();
    assert!(client_id.starts_with("acmecl_"), "{client_id}");
    let stored = block_on(async {
        let store = SqliteStore::open(&db.path).await.unwrap();
        scim_token_core::TokenStore::load_oauth(&store, &scim_token_core::Scope::default_scope())
            .await
            .unwrap()
    });
    assert!(stored.secrets[0].hash.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"));
    // A server with the default prefix does not know the secret's format.
    assert_eq!(token_request(&db, &client_id, secret), Answer::Refused(OAuthErrorCode::InvalidClient));
}

#[test]
fn secret_delete_needs_confirmation_and_a_known_id() {
    let db = Db::new();
    let secret = secret_of(&db.run(&["oauth", "secret", "create"]).ok());
    let id = id_of(&secret);
    for stdin in [None, Some("y\n")] {
        let run = crate::common::run_with(&[], &["-d", &db.url(), "oauth", "secret", "delete", id], stdin);
        run.fails(2, "oauth secret delete breaks the identity provider's connection and needs confirmation");
    }
    db.run(&["oauth", "secret", "delete", "AAAAAAAAAAAAAAAA", "--yes"])
        .fails(1, "scope \"default\" has no client secret AAAAAAAAAAAAAAAA; nothing was deleted");
    db.run(&["--scope", "other", "oauth", "secret", "delete", id, "--yes"])
        .fails(1, &format!("scope \"other\" has no client secret {id}"));
    let run = db.run(&["oauth", "secret", "delete", &secret, "--yes"]).fails(2, "not the secret itself");
    assert!(!run.stderr.contains(secret_part(&secret)), "{run:#?}");
    db.run(&["oauth", "secret", "delete", "short", "--yes"]).fails(2, "16 letters and digits");
    assert_eq!(status(&db)["secrets"].as_array().unwrap().len(), 1, "nothing deleted");

    // A second secret keeps the client usable: no hint then.
    secret_of(&db.run(&["oauth", "secret", "create"]).ok());
    let deleted = db.run(&["oauth", "secret", "delete", id, "--yes", "--json"]).ok();
    assert_eq!(deleted.json(), json!({ "scope": "default", "deleted": id }));
    let other = status(&db)["secrets"][0]["id"].as_str().unwrap().to_owned();
    let text = db.run(&["oauth", "secret", "delete", &other, "--yes"]).ok().stdout;
    assert!(text.contains("run `scim-token oauth secret create`"), "{text}");
}

#[test]
fn federation_set_and_delete() {
    let db = Db::new();
    let set = db.run(&[&["oauth", "federation", "set", "--actor", "ops", "--json"][..], TRUST].concat()).ok();
    let document = set.json();
    let client_id = document["clientId"].as_str().unwrap();
    assert!(client_id.starts_with("scimcl_"), "{document}");
    let created_at = document["federation"]["createdAt"].clone();
    assert!(created_at.as_str().unwrap().ends_with('Z'));
    let federation = json!({
        "issuer": "https://login.microsoftonline.com/tid-1/v2.0",
        "jwksUrl": "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys",
        "subject": "00000000-0000-0000-0000-000000000001",
        "audience": "api://app-id",
        "tenantId": "tid-1",
        "createdAt": created_at,
        "createdBy": "ops",
    });
    assert_eq!(document, json!({ "scope": "default", "clientId": client_id, "federation": federation }));
    assert!(set.stderr.contains("audit: federation_trust_set scope=\"default\" actor=\"ops\""), "{set:#?}");
    let listed = status(&db);
    assert_eq!((&listed["federation"], &listed["clientId"]), (&federation, &json!(client_id)));

    let text = db.run(&[&["oauth", "federation", "set"][..], TRUST].concat()).ok().stdout;
    assert!(
        text.starts_with(&format!("Federation trust set for scope \"default\"; client id {client_id}.")),
        "{text}"
    );
    assert!(text.contains("  audience     api://app-id\n  tenant id    tid-1\n"), "{text}");
    let text = db.run(&["oauth", "status"]).ok().stdout;
    assert!(
        text.contains("federation trust\n  issuer       https://login.microsoftonline.com/tid-1/v2.0\n"),
        "{text}"
    );
    assert!(!text.contains("There is no client secret"), "a trust is a way in: {text}");

    let mut bad = TRUST.to_vec();
    bad[3] = "http://login.microsoftonline.com/keys";
    db.run(&[&["oauth", "federation", "set"][..], &bad].concat())
        .fails(2, "the federation trust was not set")
        .fails(2, "caused by: invalid JWKS URL: it must be an https:// URL");
    usage_error(&db.run(&["oauth", "federation", "set", "--issuer", "x"]), "--jwks-url");
    assert_eq!(status(&db)["federation"]["jwksUrl"], federation["jwksUrl"], "nothing changed");

    db.run(&["oauth", "federation", "delete"])
        .fails(2, "needs confirmation; stdin is not a terminal, so add --yes");
    let deleted = db.run(&["oauth", "federation", "delete", "--yes", "--json"]).ok();
    assert_eq!(deleted.json(), json!({ "scope": "default", "deleted": true }));
    assert!(deleted.stderr.contains("audit: federation_trust_deleted scope=\"default\""), "{deleted:#?}");
    assert_eq!(status(&db)["federation"], Value::Null);
    assert_eq!(
        db.run(&["oauth", "federation", "delete", "--yes", "--json"]).ok().json(),
        json!({ "scope": "default", "deleted": false })
    );
    assert_eq!(
        db.run(&["oauth", "federation", "delete", "--yes"]).ok().stdout,
        "Scope \"default\" had no federation trust; nothing was deleted.\n"
    );
}

#[test]
fn the_mode_decides_which_credentials_work() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let token = db.run(&["generate", "--yes"]).ok().token();
    let secret = secret_of(&db.run(&["oauth", "secret", "create"]).ok());
    let client_id = status(&db)["clientId"].as_str().unwrap().to_owned();

    let run = db.run(&["oauth", "mode", "oauth", "--json"]).ok();
    assert_eq!(run.json(), json!({ "scope": "default", "authMode": "oauth" }));
    assert!(
        run.stderr.contains("audit: auth_mode_changed scope=\"default\" actor=\"cli\" tokens=-"),
        "{run:#?}"
    );
    assert_eq!(status(&db)["authMode"], "oauth");
    assert!(!db.accepts(&token), "static tokens are refused");
    assert_eq!(token_request(&db, &client_id, &secret), Answer::Issued);

    let text = db.run(&["oauth", "mode", "static"]).ok().stdout;
    assert!(text.starts_with("Scope \"default\" now accepts static tokens only."), "{text}");
    assert!(db.accepts(&token));
    assert_eq!(token_request(&db, &client_id, &secret), Answer::Refused(OAuthErrorCode::UnauthorizedClient));
    assert!(db.run(&["oauth", "status"]).ok().stdout.contains("run `scim-token oauth mode any`"));
    let created = db.run(&["oauth", "secret", "create"]).ok();
    assert!(
        created.stderr.contains("accepts static tokens only, so the token endpoint refuses"),
        "{created:#?}"
    );

    assert_eq!(
        db.run(&["oauth", "mode", "any"]).ok().stdout,
        "Scope \"default\" now accepts static tokens and OAuth access tokens.\n"
    );
    assert!(db.accepts(&token));
    assert_eq!(token_request(&db, &client_id, &secret), Answer::Issued);
    usage_error(&db.run(&["oauth", "mode", "both"]), "invalid value 'both'");
}

#[test]
fn a_disabled_scope_is_noted_when_a_secret_is_created() {
    let db = Db::new();
    let run = db.run(&["oauth", "secret", "create"]).ok();
    assert!(run.stderr.contains("SCIM provisioning is disabled for scope \"default\""), "{run:#?}");
    let client_id = status(&db)["clientId"].as_str().unwrap().to_owned();
    assert_eq!(
        token_request(&db, &client_id, &secret_of(&run)),
        Answer::Refused(OAuthErrorCode::UnauthorizedClient)
    );
}

/// Runs `args`; a created secret goes to `secrets`, every other output to `other_output`.
fn step(db: &Db, args: &[&str], secrets: &mut Vec<String>, other_output: &mut String) {
    let run = db.run(args);
    if args.starts_with(&["oauth", "secret", "create"]) && run.code == 0 {
        let secret = if args.contains(&"--json") {
            run.json()["clientSecret"].as_str().unwrap().to_owned()
        } else {
            secret_of(&run)
        };
        secrets.push(secret);
    } else {
        other_output.push_str(&run.stdout);
    }
    other_output.push_str(&run.stderr);
}

#[test]
fn no_output_holds_a_client_secret_except_create_stdout() {
    let db = Db::new();
    let (mut secrets, mut out) = (Vec::new(), String::new());
    let trust = [&["oauth", "federation", "set"][..], TRUST].concat();
    for args in [
        &["enable"][..],
        &["oauth", "secret", "create"],
        &["oauth", "secret", "create", "--json"],
        &["oauth", "secret", "create", "--max-client-secrets", "2"],
        &["oauth", "status"],
        &["oauth", "status", "--json"],
        &trust,
        &["oauth", "mode", "oauth"],
        &["oauth", "secret", "delete", "AAAAAAAAAAAAAAAA", "--yes"],
        &["oauth", "federation", "delete", "--yes"],
        &["status"],
    ] {
        step(&db, args, &mut secrets, &mut out);
    }
    assert_eq!(secrets.len(), 2);
    for secret in secrets.clone() {
        step(&db, &["oauth", "secret", "delete", id_of(&secret), "--yes"], &mut secrets, &mut out);
    }
    for secret in &secrets {
        assert!(!out.contains(secret_part(secret)), "a secret leaked into:\n{out}");
    }
    assert!(out.contains("audit: client_secret_deleted") && out.contains("already has 2"), "{out}");
}
