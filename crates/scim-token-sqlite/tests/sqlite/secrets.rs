//! The plaintext token never reaches the database file or its write-ahead log.

use scim_token_core::Scope;
use scim_token_sqlite::SqliteStore;
use scim_token_test_support::{TempDb, admin, fast_service};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// Every byte SQLite wrote for the database: the file, the WAL and the shared-memory index.
fn database_bytes(db: &TempDb) -> Vec<u8> {
    db.files().iter().flat_map(|file| std::fs::read(file).unwrap_or_default()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plaintext_token_in_the_file_or_the_wal() {
    let db = TempDb::new("secrets");
    let store = SqliteStore::open(db.path()).await.unwrap();
    let svc = fast_service(store.clone());
    let mut tokens = Vec::new();
    for name in ["default", "tenant-a", "tenant-b"] {
        let scope = Scope::new(name).unwrap();
        svc.set_enabled(&scope, true, &admin()).await.unwrap();
        for _ in 0..2 {
            let token = svc.generate(&scope, &admin()).await.unwrap();
            svc.verify(token.expose_secret()).await.unwrap(); // also writes last_used_at
            tokens.push(token);
        }
    }
    let wal = &db.files()[1];
    assert!(std::fs::metadata(wal).is_ok_and(|m| m.len() > 0), "the writes must still be in the WAL");

    let check = |bytes: &[u8], when: &str| {
        for token in &tokens {
            let plaintext = token.expose_secret();
            // The secret part: what follows `<prefix>_<16-char selector>`, without the checksum.
            let secret = &plaintext[plaintext.find('_').unwrap() + 1 + 16..plaintext.len() - 6];
            assert!(!contains(bytes, plaintext), "a plaintext token is in the database ({when})");
            assert!(!contains(bytes, secret), "a token's secret part is in the database ({when})");
        }
        // Control: the scan does find what is stored in clear, the public ids of live tokens.
        let live = tokens.iter().rev().step_by(2);
        assert!(
            live.clone().count() == 3 && live.clone().all(|t| contains(bytes, t.id().as_str())),
            "{when}"
        );
    };
    check(&database_bytes(&db), "while open, with the WAL");
    drop((svc, store));
    check(&database_bytes(&db), "after the checkpoint on close");
}

/// The file holds token hashes: a file the store creates is readable by its owner only.
#[cfg(unix)]
#[tokio::test]
async fn a_new_database_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let db = TempDb::new("mode");
    let store = SqliteStore::open(db.path()).await.unwrap();
    for file in db.files() {
        if let Ok(metadata) = std::fs::metadata(&file) {
            assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{}", file.display());
        }
    }
    drop(store);
}
