//! Shared set-up for the benches: services at production Argon2 parameters, filler scopes, runtimes.

#![allow(dead_code)]

pub mod postgres;
pub mod sqlite;

use std::future::Future;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use scim_token::oauth::{IssuedAccessToken, NewClientSecret};
use scim_token::store::TokenRecord;
use scim_token::{Actor, Argon2Params, NewToken, ScimTokenService, Scope, Timestamp, TokenId, TokenStore};

/// The parameters every bench uses: the library's default (OWASP m = 19456 KiB, t = 2, p = 1).
pub fn params() -> Argon2Params {
    Argon2Params::default()
}

/// A bare `argon2` instance at [`params`], for the baselines.
pub fn bare_argon2() -> argon2::Argon2<'static> {
    let p = params();
    let params = argon2::Params::new(p.m_cost_kib, p.t_cost, p.p_cost, None).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// A service over `store` at [`params`].
pub fn service(store: impl TokenStore) -> ScimTokenService {
    ScimTokenService::builder(store).argon2_params(params()).build().unwrap()
}

pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

pub fn admin() -> Actor {
    Actor::new("bench@example.com").unwrap()
}

/// Enables the default scope and generates a token in it.
pub async fn enabled_token(service: &ScimTokenService) -> NewToken {
    let scope = Scope::default_scope();
    service.set_enabled(&scope, true, &admin()).await.unwrap();
    service.generate(&scope, &admin()).await.unwrap()
}

/// Enables the default scope and creates a client secret in it.
pub async fn client_secret(service: &ScimTokenService) -> NewClientSecret {
    let scope = Scope::default_scope();
    service.set_enabled(&scope, true, &admin()).await.unwrap();
    service.create_client_secret(&scope, None, &admin()).await.unwrap()
}

/// Enables the default scope and gets an access token for it from the token endpoint
/// (`client_secret_post`).
pub async fn access_token(service: &ScimTokenService) -> IssuedAccessToken {
    let secret = client_secret(service).await;
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        secret.client_id(),
        secret.expose_secret()
    );
    let form = Some("application/x-www-form-urlencoded");
    service.token_endpoint(None, form, body.as_bytes()).await.unwrap()
}

/// Standard base64 with padding, for `Authorization: Basic` (the benches have no base64 crate).
pub fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            let digit = ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char;
            out.push(if i <= chunk.len() { digit } else { '=' });
        }
    }
    out
}

/// Fills `store` with `count` other scopes, each with an enabled current token (fake hashes: these
/// records are never verified, they only make the store big).
pub async fn fill(store: &dyn TokenStore, count: usize) {
    for n in 0..count {
        let scope = Scope::new(format!("filler-{n}")).unwrap();
        let record = TokenRecord {
            id: TokenId::new(format!("f{n:015}")).unwrap(),
            scope: scope.clone(),
            hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhcw"
                .into(),
            created_at: Timestamp::from_unix_millis(1_700_000_000_000),
            created_by: admin(),
            expires_at: None,
            last_used_at: None,
            first_used_at: None,
        };
        store.replace_current(record, None).await.unwrap();
        store.set_enabled(&scope, true).await.unwrap();
    }
}

/// The PHC string of `token` hashed by a bare `argon2` at [`params`].
pub fn bare_argon2_hash(token: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    bare_argon2().hash_password_with_salt(token.as_bytes(), b"0123456789abcdef").unwrap().to_string()
}

/// SHA-256 of `token`: what a cache hit compares.
pub fn fingerprint(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

/// A cache hit's own check, for the baselines: `presented`'s fingerprint is `expected`, compared in
/// constant time.
pub fn assert_fingerprint(presented: &str, expected: &[u8; 32]) {
    use subtle::ConstantTimeEq;
    assert!(bool::from(expected.ct_eq(&fingerprint(presented))));
}

/// The eleven columns of a token row, read with `$row.$get(i)` into a tuple (rusqlite's `get_unwrap`,
/// tokio-postgres's `get`): what a baseline reads to cost what the store's own row reading costs.
#[allow(unused_macros)] // not every bench reads rows
macro_rules! token_columns {
    ($row:expr, $get:ident) => {
        (
            $row.$get(0),
            $row.$get(1),
            $row.$get(2),
            $row.$get(3),
            $row.$get(4),
            $row.$get(5),
            $row.$get(6),
            $row.$get(7),
            $row.$get(8),
            $row.$get(9),
            $row.$get(10),
        )
    };
}
#[allow(unused_imports)]
pub(crate) use token_columns;

/// Times `baseline` and `candidate` (each timing one block of its own work) in alternating rounds and
/// returns the median of the per-round cost ratios candidate / baseline.
///
/// Criterion measures one case after the other, and a shared machine drifts by more than some of the
/// differences measured here; alternating rounds give a ratio whose two sides saw the same conditions.
pub fn paired_cost_ratio(
    rounds: usize,
    mut baseline: impl FnMut() -> std::time::Duration,
    mut candidate: impl FnMut() -> std::time::Duration,
) -> f64 {
    let mut ratios: Vec<f64> =
        (0..rounds).map(|_| candidate().as_secs_f64() / baseline().as_secs_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    ratios[rounds / 2]
}

/// Times `count` runs of `work` on `rt`.
pub fn time_block<F: std::future::Future>(
    rt: &tokio::runtime::Runtime,
    count: u32,
    mut work: impl FnMut() -> F,
) -> std::time::Duration {
    rt.block_on(async {
        let started = std::time::Instant::now();
        for _ in 0..count {
            std::hint::black_box(work().await);
        }
        started.elapsed()
    })
}

/// Benches `baseline` and `candidate` one after the other in `group`, then returns their paired cost
/// ratio (candidate / baseline) over `rounds` alternating blocks of `block` runs each.
pub fn bench_pair<B: Future, C: Future>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &tokio::runtime::Runtime,
    (rounds, block): (usize, u32),
    (baseline_name, mut baseline): (&str, impl FnMut() -> B),
    (candidate_name, mut candidate): (&str, impl FnMut() -> C),
) -> f64 {
    group.bench_function(baseline_name, |b| b.to_async(rt).iter(&mut baseline));
    group.bench_function(candidate_name, |b| b.to_async(rt).iter(&mut candidate));
    paired_cost_ratio(
        rounds,
        || time_block(rt, block, &mut baseline),
        || time_block(rt, block, &mut candidate),
    )
}
