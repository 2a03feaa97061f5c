//! The PostgreSQL store's costs beside the baselines they are judged against, measured in the same run.
//!
//! | case | baseline | target |
//! |---|---|---|
//! | verify, cache hit | the store's own prepared SELECT of the same row, on the same pool, + SHA-256 + ct compare | ≤ 1.3 × |
//! | generate | bare Argon2id hash at the same parameters | ≤ 1.15 × |
//! | verify, cache hit, 100 000 scopes | the same with 1 scope | ≤ 1.2 × (flat) |
//!
//! The server is `SCIM_TOKEN_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`); each
//! case works in a schema of its own, dropped afterwards. Without a server the benches print one line
//! and skip.

mod common;

use std::hint::black_box;
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use common::postgres::{BenchSchema, server_url};
use criterion::{Criterion, criterion_group, criterion_main};
use scim_token::postgres::PostgresStore;
use scim_token::{ScimTokenService, Scope};

impl BenchSchema {
    /// The query `PostgresStore::find_token` runs, on this schema.
    fn find_token_sql(&self) -> String {
        format!(
            "SELECT t.id, t.scope, t.role, t.valid_until, t.hash, t.created_at, t.created_by, t.expires_at, \
             t.last_used_at, t.first_used_at, s.enabled, s.auth_mode FROM \"{0}\".tokens t JOIN \"{0}\".scopes s ON s.scope = t.scope \
             WHERE t.id = $1",
            self.name
        )
    }

    /// Adds `count` filler scopes with a token each, in one statement (through the store every one would
    /// be a rotation of its own). Each filler is a copy of the default scope and its token, which the
    /// store itself wrote, under a new scope name and token id: only those two key columns are named,
    /// every other column is copied, so the rows follow whatever schema the store created.
    fn fill(&self, count: usize) {
        let (scopes, tokens) =
            (self.other_columns("scopes", &["scope"]), self.other_columns("tokens", &["id", "scope"]));
        self.execute(&format!(
            "INSERT INTO \"{0}\".scopes (scope, {scopes}) SELECT 'filler-' || n, {scopes}
                 FROM generate_series(1, {count}) n, \"{0}\".scopes WHERE scope = 'default';
             INSERT INTO \"{0}\".tokens (id, scope, {tokens}) SELECT 'f' || lpad(n::text, 15, '0'), 'filler-' || n, {tokens}
                 FROM generate_series(1, {count}) n, \"{0}\".tokens WHERE scope = 'default';
             ANALYZE \"{0}\".scopes; ANALYZE \"{0}\".tokens;",
            self.name
        ));
        let sql = format!("SELECT count(*) FROM \"{}\".tokens", self.name);
        let filled: i64 =
            self.on_own_connection(async |client| client.query_one(&sql, &[]).await.unwrap().get(0));
        assert_eq!(filled, count as i64 + 1, "a filler for each copy, beside the default scope's own token");
    }

    /// The columns of `table` as the store created it, but `keys`, comma-separated.
    fn other_columns(&self, table: &str, keys: &[&str]) -> String {
        self.on_own_connection(async |client| {
            let sql = "SELECT column_name::text FROM information_schema.columns \
                       WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position";
            let rows = client.query(sql, &[&self.name, &table]).await.unwrap();
            let names = rows.iter().map(|row| row.get::<_, String>(0));
            names.filter(|name| !keys.contains(&name.as_str())).collect::<Vec<_>>().join(", ")
        })
    }
}

/// Every column of a token row, read as the store reads them.
type Columns<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<i64>,
    &'a str,
    i64,
    &'a str,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    bool,
);

/// A service over a store on `schema`, with an enabled token, verified once so the cache holds it.
fn verified_service(
    rt: &tokio::runtime::Runtime,
    schema: &BenchSchema,
) -> (ScimTokenService, PostgresStore, String) {
    let store = rt.block_on(schema.store());
    let service = common::service(store.clone());
    let token = rt.block_on(common::enabled_token(&service)).expose_secret().to_owned();
    rt.block_on(service.verify(&token)).unwrap();
    (service, store, token)
}

fn cache_hit(c: &mut Criterion) {
    let Some(url) = server_url() else { return };
    let rt = common::current_thread();
    let schema = BenchSchema::new(&url, "verify");
    let (service, store, token) = verified_service(&rt, &schema);
    let token = token.as_str();

    let mut group = c.benchmark_group("verify_cache_hit_postgres");
    // The baseline: the store's own query, prepared and cached on a connection of the store's own pool,
    // every column read, then the same hashing as a cache hit.
    let (sql, pool) = (schema.find_token_sql(), store.pool());
    let fingerprint = common::fingerprint(token);
    let baseline = || async {
        let presented = black_box(token);
        let client = pool.get().await.unwrap();
        let statement = client.prepare_cached(&sql).await.unwrap();
        let row = client.query_opt(&statement, &[&&presented[5..21]]).await.unwrap().unwrap();
        let columns: Columns<'_> = common::token_columns!(row, get);
        // The scope's accepted credentials, the twelfth column the store reads.
        let auth_mode: &str = row.get(11);
        black_box((columns, auth_mode));
        common::assert_fingerprint(presented, &fingerprint);
    };
    let verify = || async { service.verify(black_box(token)).await.unwrap() };
    let cost = common::bench_pair(
        &mut group,
        &rt,
        (31, 300),
        ("baseline: prepared SELECT on the same pool + SHA-256 + ct compare", baseline),
        ("scim-token verify", verify),
    );
    group.finish();
    println!("paired: verify_cache_hit_postgres / baseline = {cost:.3}");
}

fn generate(c: &mut Criterion) {
    let Some(url) = server_url() else { return };
    let rt = common::current_thread();
    let schema = BenchSchema::new(&url, "generate");
    let service = common::service(rt.block_on(schema.store()));
    let (scope, admin) = (Scope::default_scope(), common::admin());

    let mut group = c.benchmark_group("generate_postgres");
    group.sample_size(20);
    let argon2 = common::bare_argon2();
    let presented = "scim_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    let bare =
        || async { argon2.hash_password_with_salt(presented.as_bytes(), b"0123456789abcdef").unwrap() };
    let cost = common::bench_pair(
        &mut group,
        &rt,
        (15, 3),
        ("baseline: bare Argon2id hash", bare),
        ("scim-token generate", || service.generate(&scope, &admin)),
    );
    group.finish();
    println!("paired: generate_postgres / bare Argon2id hash = {cost:.3}");
}

fn scope_count(c: &mut Criterion) {
    let Some(url) = server_url() else { return };
    let rt = common::current_thread();
    let (one, many) = (BenchSchema::new(&url, "scopes_1"), BenchSchema::new(&url, "scopes_100k"));
    let (small, _, small_token) = verified_service(&rt, &one);
    let (big, _, big_token) = verified_service(&rt, &many);
    many.fill(99_999);
    rt.block_on(big.verify(&big_token)).unwrap();

    let mut group = c.benchmark_group("verify_scopes_postgres");
    let cost = common::bench_pair(
        &mut group,
        &rt,
        (31, 300),
        ("1 scope", || async { small.verify(black_box(&small_token)).await.unwrap() }),
        ("100 000 scopes", || async { big.verify(black_box(&big_token)).await.unwrap() }),
    );
    group.finish();
    println!("paired: verify_scopes_postgres 100 000 / 1 = {cost:.3}");
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4));
    targets = cache_hit, generate, scope_count
}
criterion_main!(benches);
