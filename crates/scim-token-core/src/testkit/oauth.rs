//! The conformance checks for [`TokenStore`]'s OAuth methods: client secrets, the federation trust,
//! the auth mode and the access tokens minted by either credential.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Barrier;
use tokio::task::JoinSet;

use super::{find, record, replace, scope, state};
use crate::ids::{Actor, ClientId, Scope, TokenId};
use crate::oauth::{AccessTokenRecord, AuthMode, ClientSecretRecord, FederationTrust, MintedBy};
use crate::oauth::{OAuthState, SecretAdded};
use crate::store::TokenStore;
use crate::time::Timestamp;

/// How many secret adds race in [`concurrent_secret_adds_respect_the_limit`].
pub const CONCURRENT_SECRET_ADDS: usize = 16;

/// How many access tokens race the removal of their secret in
/// [`inserts_racing_a_removal_leave_no_token`].
pub const RACED_INSERTS: usize = 32;

/// The `now` most checks pass to the store: every record the kit makes is unexpired then.
pub const NOW: Timestamp = Timestamp::from_unix_millis(1_750_000_000_000);

fn next() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn at(millis: i64) -> Timestamp {
    Timestamp::from_unix_millis(millis)
}

/// A client id unique in the process.
pub fn client_id() -> ClientId {
    ClientId::new(format!("scimcl_{:016}", next())).expect("generated client ids are valid")
}

/// A client secret with a process-wide unique id that expires at `expires_at`, every field set but
/// `last_used_at`.
pub fn client_secret(expires_at: Timestamp) -> ClientSecretRecord {
    let n = next();
    ClientSecretRecord {
        id: TokenId::new(format!("cs{n:014}")).expect("generated ids are valid"),
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${n:0>43}").into(),
        created_at: at(1_700_000_000_000 + n as i64),
        created_by: Actor::new("admin@example.com").expect("valid"),
        expires_at,
        last_used_at: None,
    }
}

/// A federation trust with a process-wide unique id, shaped like Microsoft Entra's.
pub fn federation_trust() -> FederationTrust {
    let n = next();
    FederationTrust {
        id: TokenId::new(format!("tr{n:014}")).expect("generated ids are valid"),
        issuer: "https://login.microsoftonline.com/8d1c2f0e-0000-4000-8000-00000000000a/v2.0".into(),
        jwks_url:
            "https://login.microsoftonline.com/8d1c2f0e-0000-4000-8000-00000000000a/discovery/v2.0/keys"
                .into(),
        subject: format!("5b7f0000-0000-4000-8000-{n:012}"),
        audience: "api://00000000-0000-4000-8000-0000000000b1".into(),
        tenant_id: Some("8d1c2f0e-0000-4000-8000-00000000000a".into()),
        created_at: at(1_700_000_000_000 + n as i64),
        created_by: Actor::new("admin@example.com").expect("valid"),
    }
}

/// An access token of `scope` minted by `minted_by`, with a process-wide unique id, that expires at
/// `expires_at`.
pub fn access_token(scope: &Scope, minted_by: MintedBy, expires_at: Timestamp) -> AccessTokenRecord {
    let n = next();
    AccessTokenRecord {
        id: TokenId::new(format!("at{n:014}")).expect("generated ids are valid"),
        scope: scope.clone(),
        minted_by,
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${n:0>43}").into(),
        issued_at: at(expires_at.unix_millis().saturating_sub(3_600_000)),
        expires_at,
    }
}

fn live() -> ClientSecretRecord {
    client_secret(at(NOW.unix_millis() + 86_400_000))
}

fn live_token(scope: &Scope, minted_by: MintedBy) -> AccessTokenRecord {
    access_token(scope, minted_by, at(NOW.unix_millis() + 3_600_000))
}

async fn oauth(store: &dyn TokenStore, scope: &Scope) -> OAuthState {
    store.load_oauth(scope).await.expect("load_oauth failed")
}

/// Adds `secret` with no practical limit, returning the scope's client id.
async fn add(store: &dyn TokenStore, scope: &Scope, secret: &ClientSecretRecord) -> ClientId {
    match store.add_client_secret(scope, &client_id(), secret.clone(), usize::MAX, NOW).await {
        Ok(SecretAdded::Added { client_id }) => client_id,
        Ok(SecretAdded::LimitReached) => panic!("add_client_secret refused a secret under no limit"),
        Err(error) => panic!("add_client_secret failed: {error}"),
    }
}

async fn set_trust(
    store: &dyn TokenStore,
    scope: &Scope,
    trust: &FederationTrust,
) -> (ClientId, Vec<TokenId>) {
    store.set_federation_trust(scope, &client_id(), trust.clone()).await.expect("set_federation_trust failed")
}

async fn insert(store: &dyn TokenStore, token: &AccessTokenRecord, now: Timestamp) -> bool {
    store.insert_access_token(token.clone(), now).await.expect("insert_access_token failed")
}

/// Inserts `token`, which must be accepted.
async fn mint(store: &dyn TokenStore, token: &AccessTokenRecord) {
    assert!(insert(store, token, NOW).await, "an access token of an existing credential must be stored");
}

async fn found(store: &dyn TokenStore, id: &TokenId) -> bool {
    store.find_access_token(id).await.expect("find_access_token failed").is_some()
}

fn ids(tokens: &[&AccessTokenRecord]) -> HashSet<TokenId> {
    tokens.iter().map(|t| t.id).collect()
}

fn set(ids: Vec<TokenId>) -> HashSet<TokenId> {
    let count = ids.len();
    let set: HashSet<TokenId> = ids.into_iter().collect();
    assert_eq!(set.len(), count, "the removed ids must not repeat");
    set
}

/// A store never given an OAuth write finds no client and no access token, reads every scope as the
/// default OAuth state (no client, [`AuthMode::Any`], disabled), and removes nothing.
pub async fn oauth_empty_scope(store: &dyn TokenStore) {
    let s = scope("oauth-never-written");
    assert_eq!(oauth(store, &s).await, OAuthState::default(), "an unwritten scope has no OAuth state");
    assert_eq!(store.find_client(&client_id()).await.expect("find_client failed"), None);
    let unknown = TokenId::new("0000000000000010").unwrap();
    assert_eq!(store.find_access_token(&unknown).await.expect("find_access_token failed"), None);
    assert_eq!(store.remove_client_secret(&s, &unknown).await.expect("remove_client_secret failed"), None);
    assert_eq!(store.remove_federation_trust(&s).await.expect("remove_federation_trust failed"), None);
    assert_eq!(oauth(store, &s).await, OAuthState::default(), "no-op removals must not create anything");
}

/// The first secret creates the scope's client as `new_client_id`, and the scope itself, disabled;
/// later secrets keep that client id and ignore theirs. A client id another scope holds is refused,
/// and nothing is stored for that scope.
pub async fn client_secret_creates_the_client_once(store: &dyn TokenStore) {
    let (s, other) = (scope("oauth-client"), scope("oauth-client-other"));
    let (first_id, second_id) = (client_id(), client_id());
    let (first, second) = (live(), live());
    let added = store.add_client_secret(&s, &first_id, first.clone(), 5, NOW).await;
    let added = added.expect("add_client_secret failed");
    assert_eq!(
        added,
        SecretAdded::Added { client_id: first_id.clone() },
        "the first secret creates the client"
    );
    assert!(!state(store, &s).await.enabled, "a scope created by a secret starts disabled");
    let added = store.add_client_secret(&s, &second_id, second.clone(), 5, NOW).await;
    let added = added.expect("add_client_secret failed");
    assert_eq!(added, SecretAdded::Added { client_id: first_id.clone() }, "a client keeps its id");
    assert_eq!(store.find_client(&second_id).await.expect("find_client failed"), None);

    let st = oauth(store, &s).await;
    assert_eq!(st.client_id.as_ref(), Some(&first_id));
    assert_eq!(st.secrets, vec![first, second], "both secrets, oldest first");
    let hit = store.find_client(&first_id).await.expect("find_client failed").expect("the client is found");
    assert_eq!((hit.scope, hit.state), (s.clone(), st.clone()));

    let taken = store.add_client_secret(&other, &first_id, live(), 5, NOW).await;
    assert!(taken.is_err(), "a client id another scope holds must be refused, not shared: {taken:?}");
    assert_eq!(oauth(store, &other).await, OAuthState::default(), "a refused secret stores nothing");
    assert_eq!(oauth(store, &s).await, st, "the scope holding the id is untouched");
    let hit = store.find_client(&first_id).await.expect("find_client failed").expect("the client is found");
    assert_eq!(hit.scope, s, "the client id still names its own scope");
}

/// Every field of a secret, a trust and an access token comes back exactly, through `load_oauth`,
/// `find_client` and `find_access_token`, with and without optional values.
pub async fn oauth_fields_round_trip(store: &dyn TokenStore) {
    let s = scope(&format!("{}:@.-_", "o".repeat(Scope::MAX_LEN - 5)));
    let actor = Actor::new("Zoë \"root\" O'Brien ✓ <zoe@example.com>").unwrap();
    let mut full = client_secret(at(i64::MAX));
    full.created_by = actor.clone();
    full.created_at = at(-1);
    full.last_used_at = Some(at(i64::MIN));
    full.hash = format!("$argon2id$v=19$m=262144,t=16,p=16${}", "A".repeat(200)).into();
    let bare = live();
    let long_id = ClientId::new(format!("scimcl_{}", "x".repeat(ClientId::MAX_LEN - 7))).unwrap();
    let added = store.add_client_secret(&s, &long_id, full.clone(), 5, NOW).await;
    assert_eq!(added.expect("add_client_secret failed"), SecretAdded::Added { client_id: long_id.clone() });
    add(store, &s, &bare).await;

    let mut trust = federation_trust();
    trust.created_by = actor;
    trust.created_at = at(i64::MIN);
    trust.issuer = format!("https://issuer.example/{}/v2.0", "é".repeat(300));
    trust.subject = "sub with spaces, \"quotes\" and \\ backslashes".into();
    trust.tenant_id = None;
    let (client, removed) = set_trust(store, &s, &trust).await;
    assert_eq!((client, removed), (long_id.clone(), Vec::new()));

    let mut by_secret = access_token(&s, MintedBy::Secret(full.id), at(i64::MAX));
    by_secret.issued_at = at(i64::MIN);
    by_secret.hash = format!("$argon2id$v=19$m=262144,t=16,p=16${}", "B".repeat(200)).into();
    let by_trust = live_token(&s, MintedBy::Trust(trust.id));
    mint(store, &by_secret).await;
    mint(store, &by_trust).await;

    let expected = OAuthState {
        client_id: Some(long_id.clone()),
        secrets: vec![full, bare],
        trust: Some(trust),
        auth_mode: AuthMode::Any,
        scope_enabled: false,
    };
    assert_eq!(oauth(store, &s).await, expected);
    let hit = store.find_client(&long_id).await.expect("find_client failed").expect("the client is found");
    assert_eq!((hit.scope, hit.state), (s.clone(), expected));
    for token in [by_secret, by_trust] {
        let hit = store.find_access_token(&token.id).await.expect("find_access_token failed");
        let hit = hit.expect("a stored access token is found");
        assert_eq!(hit.record, token);
        assert_eq!(hit.client_id, long_id);
        assert_eq!((hit.scope_enabled, hit.auth_mode), (false, AuthMode::Any));
    }

    let mut with_tenant = federation_trust();
    with_tenant.tenant_id = Some("t".repeat(1024));
    set_trust(store, &s, &with_tenant).await;
    assert_eq!(oauth(store, &s).await.trust, Some(with_tenant));
}

/// `add_client_secret` refuses a secret, storing nothing, once the scope holds `max_unexpired` secrets
/// unexpired at `now`; a secret whose `expires_at` is `now` or earlier does not count.
pub async fn secret_limit_counts_unexpired_secrets_only(store: &dyn TokenStore) {
    let s = scope("oauth-limit");
    let cid = client_id();
    let add_at = |secret: ClientSecretRecord, now: i64| {
        let cid = cid.clone();
        let s = s.clone();
        async move {
            store.add_client_secret(&s, &cid, secret, 2, at(now)).await.expect("add_client_secret failed")
        }
    };
    let now = NOW.unix_millis();
    let added = SecretAdded::Added { client_id: cid.clone() };
    let (soon, past, boundary, later) = (
        client_secret(at(now + 1_000)),
        client_secret(at(now - 1)),
        client_secret(at(now)),
        client_secret(at(now + 2_000)),
    );
    for secret in [&soon, &past, &boundary] {
        assert_eq!(add_at(secret.clone(), now).await, added, "one unexpired secret is under the limit of 2");
    }
    assert_eq!(add_at(later.clone(), now).await, added, "expired secrets must not count toward the limit");
    let refused = client_secret(at(now + 3_000));
    assert_eq!(add_at(refused.clone(), now).await, SecretAdded::LimitReached);
    let st = oauth(store, &s).await;
    assert_eq!(st.secrets, vec![soon, past, boundary, later], "a refused secret is not stored");
    assert_eq!(st.client_id, Some(cid.clone()));

    assert_eq!(
        add_at(refused.clone(), now + 1_000).await,
        added,
        "a secret expired since then frees a place"
    );
    assert_eq!(oauth(store, &s).await.secrets.last(), Some(&refused));
}

/// `remove_client_secret` deletes exactly that secret and exactly the access tokens it minted, returning
/// their ids; another secret's and the trust's tokens survive, and so does the client id. A secret of
/// another scope, or one already removed, gives `None` and changes nothing.
pub async fn remove_client_secret_ends_its_tokens(store: &dyn TokenStore) {
    let (s, other) = (scope("oauth-remove-secret"), scope("oauth-remove-secret-other"));
    let (a, b, elsewhere) = (live(), live(), live());
    let cid = add(store, &s, &a).await;
    add(store, &s, &b).await;
    add(store, &other, &elsewhere).await;
    let trust = federation_trust();
    set_trust(store, &s, &trust).await;
    let (a1, a2) = (live_token(&s, MintedBy::Secret(a.id)), live_token(&s, MintedBy::Secret(a.id)));
    let b1 = live_token(&s, MintedBy::Secret(b.id));
    let t1 = live_token(&s, MintedBy::Trust(trust.id));
    let o1 = live_token(&other, MintedBy::Secret(elsewhere.id));
    for token in [&a1, &a2, &b1, &t1, &o1] {
        mint(store, token).await;
    }

    let before = oauth(store, &s).await;
    let refused = store.remove_client_secret(&s, &elsewhere.id).await.expect("remove_client_secret failed");
    assert_eq!(refused, None, "a secret of another scope must not be removed");
    assert!(found(store, &o1.id).await, "... nor its access tokens");
    assert_eq!(oauth(store, &other).await.secrets, vec![elsewhere]);
    assert_eq!(oauth(store, &s).await, before, "a refused removal changes nothing");

    let removed = store.remove_client_secret(&s, &a.id).await.expect("remove_client_secret failed");
    let removed = set(removed.expect("the scope's secret must be removed"));
    assert_eq!(removed, ids(&[&a1, &a2]), "exactly the secret's access tokens are removed and reported");
    assert!(!found(store, &a1.id).await && !found(store, &a2.id).await, "its access tokens must be gone");
    for survivor in [&b1, &t1, &o1] {
        assert!(found(store, &survivor.id).await, "another credential's access token must survive");
    }
    let st = oauth(store, &s).await;
    assert_eq!(st.secrets, vec![b.clone()]);
    assert_eq!(st.trust, Some(trust));
    let again = store.remove_client_secret(&s, &a.id).await.expect("remove_client_secret failed");
    assert_eq!(again, None, "a second removal finds nothing");

    let removed = store.remove_client_secret(&s, &b.id).await.expect("remove_client_secret failed");
    assert_eq!(removed.map(set), Some(ids(&[&b1])));
    let st = oauth(store, &s).await;
    assert!(st.secrets.is_empty());
    assert_eq!(st.client_id, Some(cid.clone()), "the client id outlives its secrets");
    assert!(store.find_client(&cid).await.expect("find_client failed").is_some());
}

/// Setting a trust over another deletes the replaced trust and exactly the access tokens it minted,
/// returning their ids, and keeps the client id; the secrets' tokens survive. A trust set first creates
/// the client, which later secrets keep.
pub async fn replacing_a_trust_ends_its_tokens(store: &dyn TokenStore) {
    let s = scope("oauth-replace-trust");
    let (first, second) = (federation_trust(), federation_trust());
    let new_id = client_id();
    let set_first = store.set_federation_trust(&s, &new_id, first.clone()).await;
    assert_eq!(set_first.expect("set_federation_trust failed"), (new_id.clone(), Vec::new()));
    assert!(!state(store, &s).await.enabled, "a scope created by a trust starts disabled");
    let secret = live();
    assert_eq!(add(store, &s, &secret).await, new_id, "a secret joins the client the trust created");
    let (t1, t2) = (live_token(&s, MintedBy::Trust(first.id)), live_token(&s, MintedBy::Trust(first.id)));
    let a1 = live_token(&s, MintedBy::Secret(secret.id));
    for token in [&t1, &t2, &a1] {
        mint(store, token).await;
    }

    let other_id = client_id();
    let replaced = store.set_federation_trust(&s, &other_id, second.clone()).await;
    let (kept, removed) = replaced.expect("set_federation_trust failed");
    assert_eq!(kept, new_id, "replacing a trust keeps the client id");
    assert_eq!(set(removed), ids(&[&t1, &t2]), "exactly the old trust's access tokens are removed");
    assert!(!found(store, &t1.id).await && !found(store, &t2.id).await);
    assert!(found(store, &a1.id).await, "a secret's access token survives a trust replacement");
    assert_eq!(store.find_client(&other_id).await.expect("find_client failed"), None);
    let st = oauth(store, &s).await;
    assert_eq!((st.trust, st.secrets), (Some(second.clone()), vec![secret]));
    let late = live_token(&s, MintedBy::Trust(first.id));
    assert!(!insert(store, &late, NOW).await, "the replaced trust can mint no more");
    mint(store, &live_token(&s, MintedBy::Trust(second.id))).await;
}

/// `remove_federation_trust` deletes the trust and exactly the access tokens it minted, returning their
/// ids; the secrets' tokens, the client id and other scopes' trusts survive. `None` without a trust.
pub async fn remove_federation_trust_ends_its_tokens(store: &dyn TokenStore) {
    let (s, other) = (scope("oauth-remove-trust"), scope("oauth-remove-trust-other"));
    let (trust, elsewhere) = (federation_trust(), federation_trust());
    let secret = live();
    let (cid, _) = set_trust(store, &s, &trust).await;
    add(store, &s, &secret).await;
    set_trust(store, &other, &elsewhere).await;
    let (t1, t2) = (live_token(&s, MintedBy::Trust(trust.id)), live_token(&s, MintedBy::Trust(trust.id)));
    let a1 = live_token(&s, MintedBy::Secret(secret.id));
    let o1 = live_token(&other, MintedBy::Trust(elsewhere.id));
    for token in [&t1, &t2, &a1, &o1] {
        mint(store, token).await;
    }

    let removed = store.remove_federation_trust(&s).await.expect("remove_federation_trust failed");
    let removed = set(removed.expect("the scope's trust must be removed"));
    assert_eq!(removed, ids(&[&t1, &t2]), "exactly the trust's access tokens are removed and reported");
    assert!(!found(store, &t1.id).await && !found(store, &t2.id).await);
    assert!(found(store, &a1.id).await, "a secret's access token survives");
    assert!(found(store, &o1.id).await, "another scope's access token survives");
    let st = oauth(store, &s).await;
    assert_eq!((st.trust, st.client_id.as_ref()), (None, Some(&cid)), "the client id outlives the trust");
    assert_eq!(oauth(store, &other).await.trust, Some(elsewhere), "another scope's trust survives");
    let again = store.remove_federation_trust(&s).await.expect("remove_federation_trust failed");
    assert_eq!(again, None, "a second removal finds nothing");
    assert!(!insert(store, &live_token(&s, MintedBy::Trust(trust.id)), NOW).await);
}

/// `set_auth_mode` creates the scope (disabled) if needed, round-trips every mode, touches neither the
/// enabled flag nor any token, and the mode is reported by `load_oauth`, `find_client`,
/// `find_access_token` and `find_token`.
pub async fn auth_mode_round_trips(store: &dyn TokenStore) {
    let (s, other) = (scope("oauth-mode"), scope("oauth-mode-other"));
    store.set_auth_mode(&s, AuthMode::OAuthOnly).await.expect("set_auth_mode failed");
    assert!(!state(store, &s).await.enabled, "a scope created by set_auth_mode starts disabled");
    assert_eq!(oauth(store, &s).await.auth_mode, AuthMode::OAuthOnly);

    store.set_enabled(&s, true).await.expect("set_enabled failed");
    let static_token = record(&s);
    replace(store, &static_token, None).await;
    let secret = live();
    let cid = add(store, &s, &secret).await;
    let token = live_token(&s, MintedBy::Secret(secret.id));
    mint(store, &token).await;
    let other_token = record(&other);
    replace(store, &other_token, None).await;

    for mode in [AuthMode::StaticOnly, AuthMode::Any, AuthMode::OAuthOnly, AuthMode::OAuthOnly] {
        store.set_auth_mode(&s, mode).await.expect("set_auth_mode failed");
        let st = oauth(store, &s).await;
        assert_eq!((st.auth_mode, st.scope_enabled), (mode, true), "the mode is set, the flag kept");
        let client = store.find_client(&cid).await.expect("find_client failed").expect("the client is found");
        assert_eq!(client.state.auth_mode, mode, "find_client reports the mode");
        let hit = store.find_access_token(&token.id).await.expect("find_access_token failed");
        assert_eq!(hit.map(|h| h.auth_mode), Some(mode), "find_access_token reports the mode");
        let hit = find(store, &static_token.id).await.expect("the static token is kept");
        assert_eq!((hit.auth_mode, hit.scope_enabled), (mode, true), "find_token reports the mode");
        assert_eq!(find(store, &other_token.id).await.map(|h| h.auth_mode), Some(AuthMode::Any));
    }
    store.set_enabled(&s, false).await.expect("set_enabled failed");
    assert_eq!(oauth(store, &s).await.auth_mode, AuthMode::OAuthOnly, "set_enabled keeps the mode");
    assert_eq!(state(store, &s).await.current, Some(static_token), "the mode touches no static token");
    assert_eq!(oauth(store, &other).await.auth_mode, AuthMode::Any, "another scope keeps its own mode");
}

/// `insert_access_token` stores nothing and returns `false` when the credential that minted the token
/// does not exist in the token's scope: never created, of another scope, or removed.
pub async fn insert_access_token_needs_its_credential(store: &dyn TokenStore) {
    let (s, other, bare) = (scope("oauth-insert"), scope("oauth-insert-other"), scope("oauth-insert-bare"));
    let (secret, removed_secret, elsewhere) = (live(), live(), live());
    add(store, &s, &secret).await;
    add(store, &s, &removed_secret).await;
    add(store, &other, &elsewhere).await;
    let foreign_trust = federation_trust();
    set_trust(store, &other, &foreign_trust).await;
    store.remove_client_secret(&s, &removed_secret.id).await.expect("remove_client_secret failed");
    let unknown = TokenId::new("0000000000000011").unwrap();

    let refused = [
        live_token(&s, MintedBy::Secret(unknown)),
        live_token(&s, MintedBy::Trust(unknown)),
        live_token(&s, MintedBy::Secret(removed_secret.id)),
        live_token(&s, MintedBy::Secret(elsewhere.id)),
        live_token(&s, MintedBy::Trust(foreign_trust.id)),
        live_token(&s, MintedBy::Trust(secret.id)),
        live_token(&bare, MintedBy::Secret(secret.id)),
    ];
    let before = (oauth(store, &s).await, oauth(store, &other).await);
    for token in &refused {
        assert!(!insert(store, token, NOW).await, "{:?} has no credential in its scope", token.minted_by);
        assert!(!found(store, &token.id).await, "a refused access token must not be stored");
    }
    assert_eq!((oauth(store, &s).await, oauth(store, &other).await), before, "refusals change nothing");
    assert_eq!(oauth(store, &bare).await, OAuthState::default());
    let accepted = live_token(&s, MintedBy::Secret(secret.id));
    mint(store, &accepted).await;
    assert!(found(store, &accepted.id).await);
}

/// `insert_access_token` deletes, in the same write, the access tokens of the same credential that
/// expired before `now`; unexpired ones and other credentials' expired ones stay.
pub async fn insert_access_token_deletes_expired_ones(store: &dyn TokenStore) {
    let s = scope("oauth-trim");
    let (a, b, trust) = (live(), live(), federation_trust());
    add(store, &s, &a).await;
    add(store, &s, &b).await;
    set_trust(store, &s, &trust).await;
    let now = NOW.unix_millis();
    let (by_a, by_b, by_t) = (MintedBy::Secret(a.id), MintedBy::Secret(b.id), MintedBy::Trust(trust.id));
    let (a_old, a_live) = (access_token(&s, by_a, at(now - 10)), access_token(&s, by_a, at(now + 10)));
    let (b_old, t_old) = (access_token(&s, by_b, at(now - 10)), access_token(&s, by_t, at(now - 10)));
    for token in [&a_old, &a_live, &b_old, &t_old] {
        assert!(insert(store, token, at(now - 100)).await, "tokens unexpired at their insert are stored");
    }
    let a_new = live_token(&s, by_a);
    assert!(insert(store, &a_new, NOW).await);
    assert!(!found(store, &a_old.id).await, "the credential's expired access token must be deleted");
    for kept in [&a_live, &a_new, &b_old, &t_old] {
        assert!(found(store, &kept.id).await, "only the inserting credential's expired tokens go");
    }
    let t_new = live_token(&s, by_t);
    assert!(insert(store, &t_new, NOW).await);
    assert!(!found(store, &t_old.id).await, "a trust's expired access token is deleted the same way");
    assert!(found(store, &b_old.id).await);
}

/// `find_access_token` reports the scope's client id and its enabled flag as it changes; disabling the
/// scope does not delete the token (the service refuses it for the flag, as it does a static token).
pub async fn access_token_lookup_reports_the_scope(store: &dyn TokenStore) {
    let s = scope("oauth-lookup");
    let secret = live();
    let cid = add(store, &s, &secret).await;
    let token = live_token(&s, MintedBy::Secret(secret.id));
    mint(store, &token).await;
    let lookup = || async {
        let hit = store.find_access_token(&token.id).await.expect("find_access_token failed");
        hit.expect("the access token is found")
    };
    let hit = lookup().await;
    assert_eq!((hit.record, hit.client_id, hit.scope_enabled), (token.clone(), cid, false));
    store.set_enabled(&s, true).await.expect("set_enabled failed");
    assert!(lookup().await.scope_enabled, "find_access_token reports the flag");
    assert!(oauth(store, &s).await.scope_enabled, "load_oauth reports the flag");
    store.set_enabled(&s, false).await.expect("set_enabled failed");
    assert!(!lookup().await.scope_enabled, "find_access_token reports a disabled scope");
    assert!(!oauth(store, &s).await.scope_enabled);
}

/// `record_secret_use` sets the secret's `last_used_at` and nothing else; an unknown id is not an error.
pub async fn record_secret_use_sets_last_used(store: &dyn TokenStore) {
    let s = scope("oauth-secret-use");
    let (a, b) = (live(), live());
    add(store, &s, &a).await;
    add(store, &s, &b).await;
    let unknown = TokenId::new("0000000000000012").unwrap();
    store.record_secret_use(&unknown, at(1)).await.expect("record_secret_use of an unknown id must succeed");
    for used_at in [at(2_000), at(1_000)] {
        store.record_secret_use(&a.id, used_at).await.expect("record_secret_use failed");
        let used = ClientSecretRecord { last_used_at: Some(used_at), ..a.clone() };
        assert_eq!(oauth(store, &s).await.secrets, vec![used, b.clone()], "only the used secret changes");
    }
}

/// OAuth writes to one scope never show in another, nor in the scope's static tokens; each client id
/// finds its own scope.
pub async fn oauth_scopes_are_isolated(store: &dyn TokenStore) {
    let (a, b) = (scope("oauth-tenant-a"), scope("oauth-tenant-b"));
    let static_a = record(&a);
    replace(store, &static_a, None).await;
    let static_before = state(store, &a).await;
    let (secret_a, secret_b) = (live(), live());
    let cid_a = add(store, &a, &secret_a).await;
    let b_before = oauth(store, &b).await;
    assert_eq!(b_before, OAuthState::default(), "a secret of a must not create b's client");
    let cid_b = add(store, &b, &secret_b).await;
    assert_ne!(cid_a, cid_b, "each scope has its own client");
    let b_state = oauth(store, &b).await;

    let trust_a = federation_trust();
    set_trust(store, &a, &trust_a).await;
    store.set_auth_mode(&a, AuthMode::OAuthOnly).await.expect("set_auth_mode failed");
    store.set_enabled(&a, true).await.expect("set_enabled failed");
    mint(store, &live_token(&a, MintedBy::Trust(trust_a.id))).await;
    store.record_secret_use(&secret_a.id, at(5)).await.expect("record_secret_use failed");
    assert_eq!(oauth(store, &b).await, b_state, "writes to a must not touch b");
    store.remove_federation_trust(&a).await.expect("remove_federation_trust failed");
    store.remove_client_secret(&a, &secret_a.id).await.expect("remove_client_secret failed");
    assert_eq!(oauth(store, &b).await, b_state, "removals in a must not touch b");
    assert_eq!(
        state(store, &a).await,
        crate::store::ScopeState { enabled: true, ..static_before },
        "OAuth writes keep the static tokens"
    );

    for (cid, s) in [(cid_a, a), (cid_b, b)] {
        let hit = store.find_client(&cid).await.expect("find_client failed").expect("the client is found");
        assert_eq!(hit.scope, s, "a client id finds its own scope");
        assert_eq!(hit.state, oauth(store, &s).await);
    }
}

/// Concurrent secret adds to one scope, each with its own `new_client_id`, create one client that every
/// add reports, and store exactly `max_unexpired` secrets. Run it on a multi-thread runtime.
pub async fn concurrent_secret_adds_respect_the_limit(store: Arc<dyn TokenStore>) {
    const LIMIT: usize = 3;
    let s = scope("oauth-secret-race");
    let barrier = Arc::new(Barrier::new(CONCURRENT_SECRET_ADDS));
    let mut tasks = JoinSet::new();
    for _ in 0..CONCURRENT_SECRET_ADDS {
        let (store, barrier, s) = (store.clone(), barrier.clone(), s.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            store.add_client_secret(&s, &client_id(), live(), LIMIT, NOW).await
        });
    }
    let mut clients = HashSet::new();
    let mut refused = 0;
    while let Some(done) = tasks.join_next().await {
        match done.expect("an add task panicked").expect("a concurrent add failed") {
            SecretAdded::Added { client_id } => _ = clients.insert(client_id),
            SecretAdded::LimitReached => refused += 1,
        }
    }
    assert_eq!(refused, CONCURRENT_SECRET_ADDS - LIMIT, "exactly the adds past the limit are refused");
    assert_eq!(clients.len(), 1, "every add reports the one client created: {clients:?}");
    let st = oauth(&*store, &s).await;
    assert_eq!(st.secrets.len(), LIMIT, "no more than the limit is stored");
    assert_eq!(st.client_id.as_ref(), clients.iter().next());
}

/// Access tokens inserted while their secret is removed are either stored before the removal, and then
/// removed by it and reported, or refused: none survives, none is lost from the report. Run it on a
/// multi-thread runtime.
pub async fn inserts_racing_a_removal_leave_no_token(store: Arc<dyn TokenStore>) {
    let s = scope("oauth-insert-race");
    let secret = live();
    add(&*store, &s, &secret).await;
    let tokens: Vec<AccessTokenRecord> =
        (0..RACED_INSERTS).map(|_| live_token(&s, MintedBy::Secret(secret.id))).collect();
    let barrier = Arc::new(Barrier::new(RACED_INSERTS + 1));
    let mut tasks = JoinSet::new();
    for token in tokens.clone() {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            let stored = store.insert_access_token(token.clone(), NOW).await;
            (token.id, stored.expect("a concurrent insert failed"))
        });
    }
    barrier.wait().await;
    let removed = store.remove_client_secret(&s, &secret.id).await.expect("remove_client_secret failed");
    let removed = set(removed.expect("the secret must be removed"));
    let mut stored = HashSet::new();
    while let Some(done) = tasks.join_next().await {
        let (id, inserted) = done.expect("an insert task panicked");
        if inserted {
            stored.insert(id);
        }
    }
    assert_eq!(removed, stored, "the removal reports exactly the tokens stored before it");
    for token in &tokens {
        assert!(!found(&*store, &token.id).await, "no access token of a removed secret may survive");
    }
}
