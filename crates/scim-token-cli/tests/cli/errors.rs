//! Failures of the real binary: exit codes (1 failed, 2 usage), one clear line on stderr (then its causes), nothing
//! changed, and no token or password in any output.

use crate::common::{BIN, Db, bytes, run_with};

#[test]
fn generate_and_revoke_refuse_without_yes_when_stdin_is_not_a_terminal() {
    let db = Db::new();
    db.run(&["enable"]).ok();
    let token = db.run(&["generate", "--yes"]).ok().token();
    let url = db.url();

    for args in [&["generate"][..], &["revoke"], &["revoke", "--id", &token[5..21]]] {
        // A piped "y" is no answer from a person: still refused.
        for stdin in [None, Some("y\n")] {
            let run = run_with(&[], &[&["-d", url.as_str()], args].concat(), stdin);
            run.fails(2, "needs confirmation; stdin is not a terminal, so add --yes");
        }
    }
    assert!(db.accepts(&token), "nothing changed");
    assert_eq!(db.run(&["tokens", "--json"]).ok().json()["tokens"].as_array().unwrap().len(), 1);
}

#[test]
fn unknown_token_id_fails_with_exit_1() {
    let db = Db::new();
    db.run(&["revoke", "--id", "AAAAAAAAAAAAAAAA", "--yes"])
        .fails(1, "scope \"default\" has no token AAAAAAAAAAAAAAAA; nothing was revoked");
}

#[test]
fn a_token_given_as_id_is_refused_without_being_repeated() {
    let db = Db::new();
    let token = db.run(&["generate", "--yes"]).ok().token();
    let run = db.run(&["revoke", "--id", &token, "--yes"]).fails(2, "not the token itself");
    assert!(!run.stderr.contains(&token[5..]), "{run:#?}");
    db.run(&["revoke", "--id", "short", "--yes"]).fails(2, "16 letters and digits");
}

#[test]
fn bad_database_urls_are_usage_errors_that_never_show_a_password() {
    for (url, says) in [
        ("", "it is empty"),
        ("sqlite:", "sqlite: needs a file path"),
        (":memory:", "an in-memory SQLite database is not the servers' database"),
        ("mysql://root:hunter2@localhost/db", "unsupported scheme \"mysql\""),
        ("postgres://alice:hunter2@db:99999/app", "the port must be a number from 1 to 65535"),
        ("postgres:alice:hunter2@db", "the scheme must be followed by ://"),
    ] {
        let run = run_with(&[], &["--database", url, "status"], None).fails(2, says);
        assert!(!run.stderr.contains("hunter2"), "{run:#?}");
        // The same through the environment variable.
        let run = run_with(&[("SCIM_TOKEN_DATABASE_URL", url)], &["status"], None).fails(2, says);
        assert!(!run.stderr.contains("hunter2"), "{run:#?}");
    }
}

#[cfg(not(feature = "postgres"))]
#[test]
fn a_postgres_url_needs_a_build_with_postgres() {
    let run = run_with(&[], &["-d", "postgres://alice:hunter2@127.0.0.1:1/app", "status"], None);
    run.fails(1, "this build of scim-token has no PostgreSQL support");
}

#[test]
fn no_database_is_a_usage_error() {
    run_with(&[], &["status"], None)
        .fails(2, "no database given: pass --database URL or set SCIM_TOKEN_DATABASE_URL");
}

#[test]
fn a_missing_file_is_not_created() {
    let db = Db::new();
    let missing = db.sibling("typo.db");
    let run = run_with(&[], &["-d", missing.to_str().unwrap(), "enable"], None);
    run.fails(1, "there is no database at");
    assert!(!missing.exists(), "the CLI never creates a database");
}

#[test]
fn a_database_of_a_newer_schema_is_refused_and_left_untouched() {
    let db = Db::new();
    db.run(&["generate", "--yes"]).ok();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = bytes(&db.path);

    for args in [
        &["status"][..],
        &["tokens"],
        &["enable"],
        &["disable"],
        &["generate", "--yes"],
        &["revoke", "--yes"],
    ] {
        db.run(args).fails(1, "was written by a newer scim-token (schema version 99");
    }
    assert_eq!(bytes(&db.path), before);
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let db = Db::new();
    let text = db.sibling("notes.txt");
    std::fs::write(&text, "not a database, but long enough to have a header page of some sort".repeat(100))
        .unwrap();
    let before = bytes(&text);
    run_with(&[], &["-d", text.to_str().unwrap(), "status"], None).fails(1, "is not a SQLite database");
    assert_eq!(bytes(&text), before);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let db = Db::new();
    for args in [
        &["frobnicate"][..],
        &[],
        &["--scope", "no spaces", "status"],
        &["--actor", "", "status"],
        &["generate", "--token-prefix", "UPPER"],
        &["generate", "--expiry", "0d"],
        &["generate", "--overlap", "soon"],
        &["status", "--yes"],
    ] {
        let run = db.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.starts_with("error: ") && run.stdout.is_empty(), "{args:?}: {run:#?}");
    }
    db.run(&["generate", "--yes", "--argon2-memory-kib", "8", "--argon2-iterations", "1"])
        .fails(2, "under OWASP's minimum");
    db.run(&["generate", "--yes", "--argon2-memory-kib", "19456", "--argon2-iterations", "99"])
        .fails(2, "exceed the supported maximum");
    assert_eq!(
        db.run(&["tokens", "--json"]).ok().json()["tokens"],
        serde_json::json!([]),
        "nothing generated"
    );

    for args in [&["--help"][..], &["generate", "--help"], &["help", "revoke"], &["--version"]] {
        let run = run_with(&[], args, None).ok();
        assert!(!run.stdout.is_empty() && run.stderr.is_empty(), "{args:?}: {run:#?}");
    }
}

#[test]
fn no_output_holds_a_token_except_generate_stdout() {
    let db = Db::new();
    let mut tokens = Vec::new();
    let mut other_output = String::new();
    let mut step = |args: &[&str], is_generate: bool| {
        let run = db.run(args);
        if is_generate {
            let token = if args.contains(&"--json") {
                run.json()["token"].as_str().unwrap().to_owned()
            } else {
                run.token()
            };
            tokens.push(token);
        } else {
            other_output.push_str(&run.stdout);
        }
        other_output.push_str(&run.stderr);
    };
    step(&["enable"], false);
    step(&["generate", "--yes"], true);
    step(&["generate", "--yes", "--json", "--overlap", "5m"], true);
    step(&["status"], false);
    step(&["status", "--json"], false);
    step(&["tokens"], false);
    step(&["tokens", "--json"], false);
    step(&["revoke", "--id", "AAAAAAAAAAAAAAAA", "--yes"], false);
    step(&["revoke", "--yes"], false);
    step(&["generate", "--yes"], true);
    step(&["disable"], false);
    step(&["revoke", "--yes", "--json"], false);
    assert_eq!(tokens.len(), 3);
    for token in &tokens {
        // The id is public and is printed; the secret part after it must never be.
        let secret = &token[21..];
        assert!(!other_output.contains(secret), "a token leaked into:\n{other_output}");
    }
    assert!(other_output.contains("audit: "), "{other_output}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_after_generate_says_the_token_was_lost() {
    // Writing the token fails (/dev/full): the command must say the token is lost, not claim success.
    let db = Db::new();
    db.run(&["enable"]).ok();
    let output = std::process::Command::new(BIN)
        .args(["-d", &db.url(), "generate", "--yes"])
        .env_remove("SCIM_TOKEN_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::options().write(true).open("/dev/full").unwrap())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("was generated and the previous token no longer works, but writing the new token"),
        "{stderr}"
    );
    assert!(stderr.contains("run generate again"), "{stderr}");
}
