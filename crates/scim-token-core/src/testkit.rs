//! The backend conformance suite (feature `testkit`): plain `async fn`s over a [`TokenStore`], after
//! object_store's `integration` module, plus [`token_store_conformance!`](crate::token_store_conformance)
//! which expands them into `#[tokio::test]`s.
//!
//! Every function panics with a message on the first broken guarantee. Give each one a fresh, empty store.
//!
//! The OAuth checks (secrets, federation trust, auth mode, access tokens) want a store that implements
//! [`TokenStore`]'s OAuth methods: on one that keeps the defaults they fail at the first write, with
//! [`UnsupportedByStore`](crate::store::UnsupportedByStore) in the message.
//!
//! ```text
//! // In your backend's tests (needs `tokio` with `macros` and `rt-multi-thread` as a dev-dependency):
//! scim_token_core::token_store_conformance!(async { MyStore::connect_fresh().await });
//! // Twice in one file: name each module.
//! scim_token_core::token_store_conformance!(on_disk, async { MyStore::fresh_file().await });
//! ```
//!
//! The facade offers the same kit with its `testkit` feature (`scim_token::testkit`,
//! `scim_token::token_store_conformance!`), so a backend author depends on one crate.
//!
//! # Stability
//!
//! The kit follows the crate's semantic versioning, with one deliberate exception:
//!
//! - **Kept within a release line** (every 0.1.x): both macro forms (with and without a module name,
//!   with and without `optional`), the names and signatures of the existing `async fn` checks, and the
//!   rule that each check wants a fresh, empty store.
//! - **May be added in a patch or minor release**: new checks, and stricter assertions in existing ones,
//!   but only for a guarantee the [`TokenStore`] documentation already states. A store that passed
//!   before may then fail: it was already broken, and the new check says where. Every such change is
//!   listed in CHANGELOG.md.
//! - **Breaking** (a new minor before 1.0, a new major after): removing or renaming a check, changing the
//!   macro's syntax, or a new requirement on stores that the `TokenStore` documentation did not state.

// The kit is test code that ships in the library: a failed `expect` is a failed check, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::ids::{Actor, Scope, TokenId};
use crate::record::TokenRole;
use crate::store::{PreviousToken, ScopeState, TokenLookup, TokenRecord, TokenStore};
use crate::time::Timestamp;

mod oauth;

pub use oauth::*;

/// How many replaces race in the concurrency checks.
pub const CONCURRENT_REPLACES: usize = 64;

/// How many rotations readers race in [`readers_never_see_a_rotation_half_done`].
pub const RACED_ROTATIONS: usize = 100;

/// How many reader tasks race those rotations.
const RACING_READERS: usize = 3;

/// A scope for tests.
pub fn scope(name: &str) -> Scope {
    Scope::new(name).expect("test scope names are valid")
}

/// A record with a process-wide unique id, a plausible PHC string and every field set.
pub fn record(scope: &Scope) -> TokenRecord {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    TokenRecord {
        id: TokenId::new(format!("tk{n:014}")).expect("generated ids are valid"),
        scope: scope.clone(),
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${n:0>43}").into(),
        created_at: Timestamp::from_unix_millis(1_700_000_000_000 + n as i64),
        created_by: Actor::new("admin@example.com").expect("valid"),
        expires_at: Some(Timestamp::from_unix_millis(1_800_000_000_123)),
        last_used_at: None,
        first_used_at: None,
    }
}

async fn state(store: &dyn TokenStore, scope: &Scope) -> ScopeState {
    store.load_scope(scope).await.expect("load_scope failed")
}

async fn find(store: &dyn TokenStore, id: &TokenId) -> Option<TokenLookup> {
    store.find_token(id).await.expect("find_token failed")
}

async fn replace(store: &dyn TokenStore, record: &TokenRecord, keep_until: Option<Timestamp>) {
    store.replace_current(record.clone(), keep_until).await.expect("replace_current failed");
}

/// A scope never written to is disabled and empty; unknown ids are not found; no-ops succeed.
pub async fn empty_scope(store: &dyn TokenStore) {
    let s = scope("never-written");
    assert_eq!(state(store, &s).await, ScopeState::default(), "an unwritten scope must read as the default");
    assert_eq!(find(store, &TokenId::new("0000000000000000").unwrap()).await, None);
    assert!(store.remove_tokens(&s).await.expect("remove_tokens failed").is_empty());
    store
        .record_use(&TokenId::new("0000000000000001").unwrap(), Timestamp::from_unix_millis(1))
        .await
        .expect("record_use of an unknown id must succeed");
}

/// Without an overlap, a replace deletes every earlier token of the scope.
pub async fn replace_drops_previous(store: &dyn TokenStore) {
    let s = scope("drops");
    let (first, second) = (record(&s), record(&s));
    replace(store, &first, None).await;
    replace(store, &second, None).await;
    let st = state(store, &s).await;
    assert_eq!(st.current.as_ref(), Some(&second));
    assert_eq!(st.previous, None, "without overlap no previous token may be kept");
    assert_eq!(find(store, &first.id).await, None, "the replaced token must be gone");
    let found = find(store, &second.id).await.expect("the current token must be found");
    assert_eq!(found.role, TokenRole::Current);
    assert_eq!(found.record, second);
}

/// With an overlap, the replaced token is kept as the previous one, and only one previous is kept.
pub async fn replace_keeps_previous_with_overlap(store: &dyn TokenStore) {
    let s = scope("overlap");
    let (r1, r2, r3, r4) = (record(&s), record(&s), record(&s), record(&s));
    let (t1, t2) = (Timestamp::from_unix_millis(5_000), Timestamp::from_unix_millis(6_000));
    replace(store, &r1, Some(t1)).await;
    assert_eq!(state(store, &s).await.previous, None, "the first token has no predecessor");
    replace(store, &r2, Some(t1)).await;
    let st = state(store, &s).await;
    assert_eq!(st.current.as_ref(), Some(&r2));
    assert_eq!(st.previous, Some(PreviousToken { record: r1.clone(), valid_until: t1 }));
    let found = find(store, &r1.id).await.expect("the previous token must be found during overlap");
    assert_eq!(found.role, TokenRole::Previous { valid_until: t1 });

    replace(store, &r3, Some(t2)).await;
    let st = state(store, &s).await;
    assert_eq!(st.previous, Some(PreviousToken { record: r2.clone(), valid_until: t2 }));
    assert_eq!(find(store, &r1.id).await, None, "only one previous token may be kept");

    replace(store, &r4, None).await;
    let st = state(store, &s).await;
    assert_eq!(st.current.as_ref(), Some(&r4));
    assert_eq!(st.previous, None);
    assert_eq!(find(store, &r2.id).await, None);
    assert_eq!(find(store, &r3.id).await, None);
}

/// Writes to one scope never show in another.
pub async fn scopes_are_isolated(store: &dyn TokenStore) {
    let (a, b) = (scope("tenant-a"), scope("tenant-b"));
    let (ra, rb) = (record(&a), record(&b));
    replace(store, &ra, None).await;
    store.set_enabled(&a, true).await.expect("set_enabled failed");
    assert_eq!(state(store, &b).await, ScopeState::default(), "scope b must be untouched");
    replace(store, &rb, None).await;
    assert_eq!(state(store, &a).await.current.as_ref(), Some(&ra), "a replace in b must not touch a");
    assert!(!find(store, &rb.id).await.unwrap().scope_enabled, "b's flag is b's own");
    store.remove_tokens(&b).await.expect("remove_tokens failed");
    assert_eq!(state(store, &a).await.current.as_ref(), Some(&ra), "revoking b must not touch a");
    assert_eq!(find(store, &ra.id).await.map(|f| f.record.scope), Some(a));
}

/// The enabled flag persists, survives replaces and revokes, and is reported by `find_token`.
pub async fn settings_persist(store: &dyn TokenStore) {
    let s = scope("settings");
    store.set_enabled(&s, true).await.expect("set_enabled failed");
    assert!(state(store, &s).await.enabled);
    let r = record(&s);
    replace(store, &r, None).await;
    assert!(state(store, &s).await.enabled, "a replace must keep the flag");
    assert!(find(store, &r.id).await.unwrap().scope_enabled);
    store.set_enabled(&s, false).await.expect("set_enabled failed");
    let st = state(store, &s).await;
    assert!(!st.enabled);
    assert_eq!(st.current.as_ref(), Some(&r), "disabling must keep the token");
    assert!(!find(store, &r.id).await.unwrap().scope_enabled);
    store.set_enabled(&s, true).await.expect("set_enabled failed");
    store.remove_tokens(&s).await.expect("remove_tokens failed");
    assert!(state(store, &s).await.enabled, "a revoke must keep the flag");
    let fresh = scope("settings-new");
    replace(store, &record(&fresh), None).await;
    assert!(!state(store, &fresh).await.enabled, "a scope created by a replace starts disabled");
}

/// Every field of a record comes back exactly, through both reads, with and without optional values.
pub async fn fields_round_trip(store: &dyn TokenStore) {
    let s = scope(&format!("{}:@.-_", "z".repeat(Scope::MAX_LEN - 5)));
    let mut full = record(&s);
    full.created_by = Actor::new("Zoë \"root\" O'Brien ✓ <zoe@example.com>").unwrap();
    full.created_at = Timestamp::from_unix_millis(-1);
    full.expires_at = Some(Timestamp::from_unix_millis(i64::MAX));
    full.last_used_at = Some(Timestamp::from_unix_millis(i64::MIN));
    full.first_used_at = Some(Timestamp::from_unix_millis(i64::MIN + 1));
    full.hash = format!("$argon2id$v=19$m=262144,t=16,p=16${}", "A".repeat(200)).into();
    replace(store, &full, None).await;
    assert_eq!(state(store, &s).await.current.as_ref(), Some(&full));
    assert_eq!(find(store, &full.id).await.map(|f| f.record), Some(full.clone()));

    let mut bare = record(&s);
    bare.expires_at = None;
    bare.last_used_at = None;
    let until = Timestamp::from_unix_millis(1_234_567_890_123);
    replace(store, &bare, Some(until)).await;
    let st = state(store, &s).await;
    assert_eq!(st.current.as_ref(), Some(&bare));
    assert_eq!(st.previous, Some(PreviousToken { record: full, valid_until: until }));
}

/// `remove_tokens` deletes current and previous and returns their ids; the flag stays.
pub async fn remove_tokens_deletes_all(store: &dyn TokenStore) {
    let s = scope("revoke");
    store.set_enabled(&s, true).await.expect("set_enabled failed");
    let (r1, r2) = (record(&s), record(&s));
    replace(store, &r1, None).await;
    replace(store, &r2, Some(Timestamp::from_unix_millis(i64::MAX))).await;
    let removed: HashSet<TokenId> =
        store.remove_tokens(&s).await.expect("remove_tokens failed").into_iter().collect();
    assert_eq!(removed, HashSet::from([r1.id, r2.id]));
    assert_eq!(state(store, &s).await, ScopeState { enabled: true, current: None, previous: None });
    assert_eq!(find(store, &r1.id).await, None);
    assert_eq!(find(store, &r2.id).await, None);
}

/// `remove_token` deletes exactly the named token of the named scope, current or previous.
pub async fn remove_token_deletes_one(store: &dyn TokenStore) {
    let (s, other) = (scope("revoke-one"), scope("revoke-one-other"));
    let (r1, r2, elsewhere) = (record(&s), record(&s), record(&other));
    let until = Timestamp::from_unix_millis(i64::MAX);
    replace(store, &r1, None).await;
    replace(store, &r2, Some(until)).await;
    replace(store, &elsewhere, None).await;
    let remove = |scope: Scope, id: TokenId| async move {
        store.remove_token(&scope, &id).await.expect("remove_token failed")
    };
    assert!(!remove(s.clone(), elsewhere.id).await, "a token of another scope must not be removed");
    assert!(find(store, &elsewhere.id).await.is_some(), "a token of another scope must be kept");
    assert!(!remove(s.clone(), TokenId::new("0000000000000002").unwrap()).await, "unknown ids: false");

    assert!(remove(s.clone(), r1.id).await, "the previous token must be removable");
    assert_eq!(find(store, &r1.id).await, None);
    let st = state(store, &s).await;
    assert_eq!((st.current.as_ref(), st.previous.as_ref()), (Some(&r2), None));

    replace(store, &record(&s), Some(until)).await;
    assert!(remove(s.clone(), r2.id).await, "... and so must it be once it is the previous one");
    let current = state(store, &s).await.current.expect("the current token must stay");
    assert!(remove(s.clone(), current.id).await, "the current token must be removable");
    assert_eq!(find(store, &current.id).await, None);
    assert_eq!(state(store, &s).await, ScopeState::default());
    assert!(!remove(s.clone(), current.id).await, "a second remove finds nothing");
}

/// `record_use` sets `last_used_at` (and, the first time, `first_used_at`) of current and previous tokens
/// and nothing else.
pub async fn record_use_sets_last_used(store: &dyn TokenStore) {
    let s = scope("usage");
    let (r1, r2) = (record(&s), record(&s));
    replace(store, &r1, None).await;
    replace(store, &r2, Some(Timestamp::from_unix_millis(i64::MAX))).await;
    let (t1, t2) = (Timestamp::from_unix_millis(42), Timestamp::from_unix_millis(43));
    store.record_use(&r2.id, t2).await.expect("record_use failed");
    store.record_use(&r1.id, t1).await.expect("record_use failed");
    let st = state(store, &s).await;
    let used = |r: TokenRecord, at| TokenRecord { last_used_at: Some(at), first_used_at: Some(at), ..r };
    assert_eq!(st.current, Some(used(r2, t2)));
    assert_eq!(st.previous.map(|p| p.record), Some(used(r1, t1)));
}

/// `first_used_at` is set by the first `record_use` only: later uses, earlier or later in time, move
/// `last_used_at` alone. A record stored with a `last_used_at` but no `first_used_at` (used before the
/// store kept it) keeps no first use.
pub async fn record_use_sets_first_use_once(store: &dyn TokenStore) {
    let s = scope("first-use");
    let r = record(&s);
    replace(store, &r, None).await;
    let at = |ms| Timestamp::from_unix_millis(ms);
    store.record_use(&r.id, at(1_000)).await.expect("record_use failed");
    let first = TokenRecord { last_used_at: Some(at(1_000)), first_used_at: Some(at(1_000)), ..r.clone() };
    assert_eq!(find(store, &r.id).await.map(|f| f.record), Some(first.clone()));
    for later in [at(2_000), at(500)] {
        store.record_use(&r.id, later).await.expect("record_use failed");
        let st = state(store, &s).await;
        assert_eq!(st.current, Some(TokenRecord { last_used_at: Some(later), ..first.clone() }));
    }

    let mut used_before = record(&s);
    used_before.last_used_at = Some(at(7));
    replace(store, &used_before, None).await;
    store.record_use(&used_before.id, at(8)).await.expect("record_use failed");
    let found = find(store, &used_before.id).await.expect("the token is stored").record;
    assert_eq!((found.last_used_at, found.first_used_at), (Some(at(8)), None));
}

/// Spawns [`CONCURRENT_REPLACES`] tasks that replace at once; returns the records written.
async fn race_replaces(
    store: Arc<dyn TokenStore>,
    s: &Scope,
    keep_until: Option<Timestamp>,
) -> Vec<TokenRecord> {
    let records: Vec<TokenRecord> = (0..CONCURRENT_REPLACES).map(|_| record(s)).collect();
    let barrier = Arc::new(Barrier::new(CONCURRENT_REPLACES));
    let mut tasks = JoinSet::new();
    for r in records.clone() {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            store.replace_current(r, keep_until).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a replace task panicked").expect("a concurrent replace failed");
    }
    records
}

/// Concurrent replaces without overlap leave exactly one current record, one of those written, and
/// every other written record is gone. Run it on a multi-thread runtime.
pub async fn concurrent_replaces_leave_one_current(store: Arc<dyn TokenStore>) {
    let s = scope("race");
    let written = race_replaces(store.clone(), &s, None).await;
    let st = state(&*store, &s).await;
    let current = st.current.expect("a current record must exist after the race");
    assert!(written.contains(&current), "the current record must be one of those written");
    assert_eq!(st.previous, None);
    let mut found = 0;
    for r in &written {
        if let Some(hit) = find(&*store, &r.id).await {
            assert_eq!(hit.record, current, "only the current record may still be found");
            found += 1;
        }
    }
    assert_eq!(found, 1, "exactly one written record may survive");
}

/// Concurrent replaces with overlap leave one current and one previous record, both among those written
/// and distinct, and nothing else. Run it on a multi-thread runtime.
pub async fn concurrent_replaces_with_overlap_keep_one_previous(store: Arc<dyn TokenStore>) {
    let s = scope("race-overlap");
    let until = Timestamp::from_unix_millis(i64::MAX);
    let written = race_replaces(store.clone(), &s, Some(until)).await;
    let st = state(&*store, &s).await;
    let current = st.current.expect("a current record must exist");
    let previous = st.previous.expect("a previous record must be kept").record;
    assert!(written.contains(&current) && written.contains(&previous));
    assert_ne!(current.id, previous.id);
    let mut survivors = HashSet::new();
    for r in &written {
        if find(&*store, &r.id).await.is_some() {
            survivors.insert(r.id);
        }
    }
    assert_eq!(survivors, HashSet::from([current.id, previous.id]));
}

/// Readers racing a sequence of rotations never see one half done: the scope always has a current
/// token, never an older one than the last rotation that returned, and the token that rotation wrote is
/// refused only once the next rotation has taken effect, its successor being found then. A store that
/// serializes its writers but lets readers see a rotation in pieces (e.g. delete, then insert) fails.
/// Run it on a multi-thread runtime.
pub async fn readers_never_see_a_rotation_half_done(store: Arc<dyn TokenStore>) {
    let s = scope("read-race");
    let records: Arc<Vec<TokenRecord>> = Arc::new((0..=RACED_ROTATIONS).map(|_| record(&s)).collect());
    let index: Arc<HashMap<TokenId, usize>> =
        Arc::new(records.iter().enumerate().map(|(n, r)| (r.id, n)).collect());
    replace(&*store, &records[0], None).await;
    // `started`: the newest rotation invoked; `returned`: the newest that returned (rotation n writes
    // records[n]). Readers load `returned` before a read and `started` after it.
    let (started, returned) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (stop, reads) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let mut readers = JoinSet::new();
    for _ in 0..RACING_READERS {
        let (store, s, records, index) = (store.clone(), s.clone(), records.clone(), index.clone());
        let (started, returned, stop, reads) =
            (started.clone(), returned.clone(), stop.clone(), reads.clone());
        readers.spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let done = returned.load(Ordering::SeqCst);
                let current = state(&*store, &s).await.current;
                let invoked = started.load(Ordering::SeqCst);
                let current = current.unwrap_or_else(|| {
                    panic!("a reader saw the scope without a current token during rotation {}", done + 1)
                });
                let at = index.get(&current.id).copied();
                assert!(
                    at.is_some_and(|at| (done..=invoked).contains(&at)),
                    "a reader saw record {at:?} as current after rotation {done} returned"
                );

                if find(&*store, &records[done].id).await.is_none() {
                    let successor = match records.get(done + 1) {
                        Some(next) => find(&*store, &next.id).await,
                        None => None,
                    };
                    let invoked = started.load(Ordering::SeqCst);
                    assert!(
                        invoked > done,
                        "the token of rotation {done} was refused before any replaced it"
                    );
                    assert!(
                        successor.is_some() || invoked >= done + 2,
                        "the token of rotation {done} was refused while rotation {} was running, and its \
                         replacement was not found either: the rotation was visible half done",
                        done + 1
                    );
                }
                reads.fetch_add(1, Ordering::SeqCst);
                // Let the rotator and the other readers run on this worker too.
                tokio::task::yield_now().await;
            }
        });
    }
    for (n, record) in records.iter().enumerate().skip(1) {
        // Rotate only while the readers are reading, or a fast store could finish before they start.
        let target = reads.load(Ordering::SeqCst) + RACING_READERS as u64;
        while reads.load(Ordering::SeqCst) < target {
            if let Some(Err(error)) = readers.try_join_next() {
                std::panic::resume_unwind(error.into_panic()); // a reader's own message
            }
            tokio::task::yield_now().await;
        }
        started.store(n, Ordering::SeqCst);
        replace(&*store, record, None).await;
        returned.store(n, Ordering::SeqCst);
    }
    stop.store(true, Ordering::SeqCst);
    while let Some(reader) = readers.join_next().await {
        if let Err(error) = reader {
            std::panic::resume_unwind(error.into_panic()); // a reader's own message
        }
    }
}

/// Expands the whole conformance suite into `#[tokio::test]`s, one per check, in a module named
/// `token_store_conformance`, or the name given first (`token_store_conformance!(name, …)`), so that one
/// file can run the suite against several stores. `$make_store` is an expression evaluating to a future of a fresh, empty store
/// (a concrete type implementing [`TokenStore`]); it is evaluated once per test. The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features among its dev-dependencies.
///
/// ```text
/// scim_token_core::token_store_conformance!(async { scim_token_memory::MemoryStore::new() });
/// ```
///
/// A backend that needs an external service writes `optional` before an expression whose future yields
/// an `Option` of a store: each test returns at once, passing, on `None` (the backend's helper says why,
/// and fails instead where the service is required, e.g. in CI).
///
/// ```text
/// scim_token_core::token_store_conformance!(optional async { fresh_store_if_the_server_runs().await });
/// ```
///
/// Named, to run the suite twice in one file:
///
/// ```text
/// scim_token_core::token_store_conformance!(in_memory, async { MyStore::in_memory().await });
/// scim_token_core::token_store_conformance!(on_server, optional async { MyStore::on_server().await });
/// ```
#[macro_export]
macro_rules! token_store_conformance {
    ($module:ident, optional $make_store:expr) => {
        $crate::token_store_conformance!(@suite $module optional $make_store);
    };
    ($module:ident, $make_store:expr) => {
        $crate::token_store_conformance!(@suite $module plain $make_store);
    };
    (optional $make_store:expr) => {
        $crate::token_store_conformance!(@suite token_store_conformance optional $make_store);
    };
    ($make_store:expr) => {
        $crate::token_store_conformance!(@suite token_store_conformance plain $make_store);
    };
    (@suite $module:ident $mode:ident $make_store:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            $crate::token_store_conformance!(@checks tests $mode $make_store);
        }
    };
    // The one list of checks: every `pub async fn` of the kit, by how it takes its store (a reference,
    // or an `Arc` to share with the tasks it spawns). The tests above and the kit's own check that none
    // is missing (`every_check_is_wired`) are both generated from it.
    (@checks $($then:tt)*) => {
        $crate::token_store_conformance!(@ $($then)*;
            by_ref: empty_scope replace_drops_previous replace_keeps_previous_with_overlap scopes_are_isolated
                settings_persist fields_round_trip remove_tokens_deletes_all remove_token_deletes_one
                record_use_sets_last_used record_use_sets_first_use_once
                oauth_empty_scope client_secret_creates_the_client_once oauth_fields_round_trip
                secret_limit_counts_unexpired_secrets_only remove_client_secret_ends_its_tokens
                replacing_a_trust_ends_its_tokens remove_federation_trust_ends_its_tokens auth_mode_round_trips
                insert_access_token_needs_its_credential insert_access_token_deletes_expired_ones
                access_token_lookup_reports_the_scope record_secret_use_sets_last_used oauth_scopes_are_isolated;
            shared: concurrent_replaces_leave_one_current concurrent_replaces_with_overlap_keep_one_previous
                readers_never_see_a_rotation_half_done concurrent_secret_adds_respect_the_limit
                inserts_racing_a_removal_leave_no_token
        );
    };
    (@tests $mode:ident $make_store:expr; by_ref: $($by_ref:ident)*; shared: $($shared:ident)*) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $by_ref() {
                let store = $crate::token_store_conformance!(@make $mode $make_store);
                $crate::testkit::$by_ref(&store).await;
            }
        )*
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $shared() {
                let store = $crate::token_store_conformance!(@make $mode $make_store);
                $crate::testkit::$shared(::std::sync::Arc::new(store)).await;
            }
        )*
    };
    (@names $const:ident; by_ref: $($by_ref:ident)*; shared: $($shared:ident)*) => {
        const $const: &[&str] = &[$(stringify!($by_ref),)* $(stringify!($shared),)*];
    };
    (@make plain $make_store:expr) => {
        $make_store.await
    };
    (@make optional $make_store:expr) => {
        match $make_store.await {
            ::std::option::Option::Some(store) => store,
            ::std::option::Option::None => return,
        }
    };
}

#[cfg(test)]
mod tests {
    crate::token_store_conformance!(@checks names WIRED);

    /// A check added to the kit but not to the macro's list would never run in any backend's tests.
    #[test]
    fn every_check_is_wired() {
        let sources = [include_str!("testkit.rs"), include_str!("testkit/oauth.rs")];
        let mut defined: Vec<&str> = sources
            .iter()
            .flat_map(|source| source.lines())
            .filter_map(|line| line.strip_prefix("pub async fn "))
            .filter_map(|rest| rest.split('(').next())
            .collect();
        let mut wired = WIRED.to_vec();
        defined.sort_unstable();
        wired.sort_unstable();
        assert!(defined.len() >= 28, "the checks are found: {defined:?}");
        assert_eq!(defined, wired, "every `pub async fn` check is in the macro's list, and only those");
    }
}
