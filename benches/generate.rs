//! Rotation cost: `generate` on each store beside a bare Argon2id hash at the same parameters.
//! Target: generate ≤ 1.15 × the bare hash.

mod common;

use argon2::password_hash::PasswordHasher;
use criterion::{Criterion, criterion_group, criterion_main};
use scim_token::sqlite::SqliteStore;
use scim_token::{MemoryStore, ScimTokenService, Scope};

fn generate(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut group = c.benchmark_group("generate");
    group.sample_size(20);

    let argon2 = common::bare_argon2();
    let token = "scim_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    group.bench_function("baseline: bare Argon2id hash", |b| {
        b.iter(|| argon2.hash_password_with_salt(token.as_bytes(), b"0123456789abcdef").unwrap())
    });

    let (scope, admin) = (Scope::default_scope(), common::admin());
    let memory =
        ScimTokenService::builder(MemoryStore::new()).argon2_params(common::params()).build().unwrap();
    group.bench_function("memory", |b| b.to_async(&rt).iter(|| memory.generate(&scope, &admin)));

    // A real file with synchronous = FULL: every rotation is fsynced.
    let db = common::TempDb::new("generate");
    let store = rt.block_on(SqliteStore::open(&db.path)).unwrap();
    let sqlite = ScimTokenService::builder(store).argon2_params(common::params()).build().unwrap();
    group.bench_function("sqlite", |b| b.to_async(&rt).iter(|| sqlite.generate(&scope, &admin)));
    group.finish();

    let bare = || argon2.hash_password_with_salt(token.as_bytes(), b"0123456789abcdef").unwrap();
    for (name, service) in [("memory", &memory), ("sqlite", &sqlite)] {
        let cost = common::paired_cost_ratio(
            15,
            || common::time_block(&rt, 3, || async { bare() }),
            || common::time_block(&rt, 3, || service.generate(&scope, &admin)),
        );
        println!("paired: generate/{name} / bare Argon2id hash = {cost:.3}");
    }
}

criterion_group!(benches, generate);
criterion_main!(benches);
