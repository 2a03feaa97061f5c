//! Rotation cost: `generate` on each store beside a bare Argon2id hash at the same parameters.
//! Target: generate ≤ 1.15 × the bare hash.

mod common;

use argon2::password_hash::PasswordHasher;
use criterion::{Criterion, criterion_group, criterion_main};
use scim_token::sqlite::SqliteStore;
use scim_token::{MemoryStore, Scope};
use scim_token_test_support::TempDb;

fn generate(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut group = c.benchmark_group("generate");
    group.sample_size(20);

    let argon2 = common::bare_argon2();
    let token = "scim_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    let bare = || async { argon2.hash_password_with_salt(token.as_bytes(), b"0123456789abcdef").unwrap() };

    let (scope, admin) = (Scope::default_scope(), common::admin());
    let memory = common::service(MemoryStore::new());
    // A real file with synchronous = FULL: every rotation is fsynced.
    let db = TempDb::new("bench-generate");
    let sqlite = common::service(rt.block_on(SqliteStore::open(db.path())).unwrap());
    for (name, service) in [("memory", &memory), ("sqlite", &sqlite)] {
        let cost = common::bench_pair(
            &mut group,
            &rt,
            (15, 3),
            (&format!("baseline for {name}: bare Argon2id hash"), bare),
            (name, || service.generate(&scope, &admin)),
        );
        println!("paired: generate/{name} / bare Argon2id hash = {cost:.3}");
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
