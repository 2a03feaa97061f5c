//! Helpers shared by the integration tests: temporary database files and hand-made records.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use scim_token_core::store::TokenRecord;
use scim_token_core::{Actor, Argon2Params, ScimTokenService, Scope, Timestamp, TokenId};
use scim_token_sqlite::SqliteStore;

/// A unique database path in the system temp directory; the file, its `-wal` and `-shm` are removed on drop.
pub struct TempDb {
    path: PathBuf,
}

impl TempDb {
    pub fn new(label: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("scim-token-sqlite-{label}-{}-{nanos}-{n}.db", std::process::id());
        Self { path: std::env::temp_dir().join(name) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file and the files SQLite keeps beside it.
    pub fn files(&self) -> [PathBuf; 3] {
        let with = |suffix: &str| {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        [self.path.clone(), with("-wal"), with("-shm")]
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for file in self.files() {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// A service with Argon2 weakened so tests run fast.
pub fn service(store: SqliteStore) -> ScimTokenService {
    ScimTokenService::builder(store)
        .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
        .danger_accept_weak_argon2_for_tests(true)
        .build()
        .expect("test service options are valid")
}

pub fn admin() -> Actor {
    Actor::new("admin@example.com").unwrap()
}

/// A record whose id is unique across processes: 7 digits of the pid, then 9 of a per-process counter.
pub fn process_record(scope: &Scope, counter: u64) -> TokenRecord {
    let id = format!("{:07}{counter:09}", std::process::id() % 10_000_000);
    TokenRecord {
        id: TokenId::new(id).expect("16 digits are a valid token id"),
        scope: scope.clone(),
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${counter:0>43}").into(),
        created_at: Timestamp::from_unix_millis(1_700_000_000_000),
        created_by: admin(),
        expires_at: None,
        last_used_at: None,
        first_used_at: None,
    }
}
