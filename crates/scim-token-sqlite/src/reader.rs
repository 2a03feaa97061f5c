//! A connection and the token look-ups it has answered since the database last changed.
//!
//! SQLite tells a connection cheaply whether any other connection, in this process or another, has
//! committed since it last looked: `PRAGMA data_version` changes then, and only then. A read-only
//! reader commits nothing itself, so while its data version stands still, a look-up it answered is
//! still exactly what the file holds, and answering it again skips both B-tree searches, the row's
//! decoding and its allocations. A rotation committed anywhere changes the version, so the very next
//! look-up reads the file: "revoked at once, everywhere" holds as without the cache.
//!
//! The version is read before the row, in its own read transaction: a commit in between is seen by
//! the next version read, which then drops the entry. So an entry is never older than its version.
//! A connection's own commits do not change its data version, so the writer of a shared file never
//! caches. The one connection of a database nothing else can open (in memory, or a file opened
//! [`exclusive`](crate::SqliteStoreBuilder::exclusive)) needs no version at all: every change is one of
//! its own writes, which empty the cache, so its look-ups cost no read transaction.

use std::ops::Deref;

use rusqlite::Connection;
use scim_token_core::TokenId;
use scim_token_core::oauth::AccessTokenLookup;
use scim_token_core::store::{TokenIdMap, TokenLookup};

use crate::error::DbError;

/// Look-ups kept per reader and kind of token: bounded, and emptied whole when full. Only tokens that
/// exist are kept, so made-up ids cannot fill it; a deployment has at most two static tokens per scope,
/// and the live access tokens of its few credentials.
const CAPACITY: usize = 1024;

const DATA_VERSION: &str = "PRAGMA data_version";

/// A connection (a reader, or the writer) behind one of the store's mutexes.
pub(crate) struct Reader {
    conn: Connection,
    /// `None` on the writer of a shared file, whose own commits would not invalidate it.
    lookups: Option<Lookups>,
    /// Whether other connections may commit, so each look-up must ask SQLite for the data version.
    shared: bool,
}

#[derive(Default)]
struct Lookups {
    /// The data version the entries were read at, once one was read.
    data_version: Option<i64>,
    /// Static tokens.
    entries: TokenIdMap<TokenLookup>,
    /// OAuth access tokens: the same rules, so a hit costs what a static token's does.
    access_tokens: TokenIdMap<AccessTokenLookup>,
    /// Look-ups answered from the maps, for the tests.
    #[cfg(test)]
    hits: usize,
}

impl Lookups {
    fn clear(&mut self) {
        self.entries.clear();
        self.access_tokens.clear();
    }
}

impl Reader {
    /// A read-only connection: its look-ups are cached while the data version stands still.
    pub(crate) fn caching(conn: Connection) -> Self {
        Self { conn, lookups: Some(Lookups::default()), shared: true }
    }

    /// The writer of a file other connections share: it never caches.
    pub(crate) fn uncached(conn: Connection) -> Self {
        Self { conn, lookups: None, shared: true }
    }

    /// The only connection to its database: it caches, and its own writes empty the cache.
    pub(crate) fn sole(conn: Connection) -> Self {
        Self { conn, lookups: Some(Lookups::default()), shared: false }
    }

    /// The connection, to write with. The caller must [`forget_lookups`](Self::forget_lookups) after.
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Empties the cache: after a write on this connection, which its data version would not show.
    pub(crate) fn forget_lookups(&mut self) {
        if let Some(lookups) = self.lookups.as_mut() {
            lookups.clear();
        }
    }

    /// The token `id`, from the cache if nothing was committed since it was read, else by `read`.
    pub(crate) fn find_token(
        &mut self,
        id: &TokenId,
        read: impl FnOnce(&Connection, &str) -> Result<Option<TokenLookup>, DbError>,
    ) -> Result<Option<TokenLookup>, DbError> {
        self.look_up(id, |lookups| &mut lookups.entries, read)
    }

    /// The access token `id`, cached under the same rules as [`find_token`](Self::find_token).
    pub(crate) fn find_access_token(
        &mut self,
        id: &TokenId,
        read: impl FnOnce(&Connection, &str) -> Result<Option<AccessTokenLookup>, DbError>,
    ) -> Result<Option<AccessTokenLookup>, DbError> {
        self.look_up(id, |lookups| &mut lookups.access_tokens, read)
    }

    fn look_up<T: Clone>(
        &mut self,
        id: &TokenId,
        map: fn(&mut Lookups) -> &mut TokenIdMap<T>,
        read: impl FnOnce(&Connection, &str) -> Result<Option<T>, DbError>,
    ) -> Result<Option<T>, DbError> {
        let Some(lookups) = self.lookups.as_mut() else { return read(&self.conn, id.as_str()) };
        // Nothing else commits to a sole connection's database: a constant version stands in.
        let version = match self.shared {
            true => self.conn.prepare_cached(DATA_VERSION)?.query_row([], |row| row.get::<_, i64>(0))?,
            false => 0,
        };
        if lookups.data_version == Some(version) {
            if let Some(found) = map(lookups).get(id) {
                let found = found.clone();
                #[cfg(test)]
                {
                    lookups.hits += 1;
                }
                return Ok(Some(found));
            }
        } else {
            lookups.clear();
            lookups.data_version = Some(version);
        }
        let found = read(&self.conn, id.as_str())?;
        if let Some(found) = &found {
            let entries = map(lookups);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(*id, found.clone());
        }
        Ok(found)
    }

    /// Runs `f` in one read transaction, so that its statements all read one snapshot. Writes nothing,
    /// so the cache stays valid.
    pub(crate) fn snapshot<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let tx = self.conn.transaction()?;
        let result = f(&tx)?;
        tx.commit()?;
        Ok(result)
    }

    #[cfg(test)]
    pub(crate) fn hits(&self) -> usize {
        self.lookups.as_ref().map_or(0, |lookups| lookups.hits)
    }
}

impl Deref for Reader {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod tests {
    use scim_token_core::store::TokenRecord;
    use scim_token_core::{Actor, Scope, Timestamp, TokenId, TokenStore};

    use crate::SqliteStore;

    fn record(scope: &Scope, id: &str) -> TokenRecord {
        TokenRecord {
            id: TokenId::new(id).unwrap(),
            scope: scope.clone(),
            hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            created_at: Timestamp::from_unix_millis(1_700_000_000_000),
            created_by: Actor::new("test").unwrap(),
            expires_at: None,
            last_used_at: None,
            first_used_at: None,
        }
    }

    fn hits(store: &SqliteStore) -> usize {
        store.connections.readers.iter().map(|reader| reader.lock().unwrap().hits()).sum()
    }

    /// Two handles on one file stand for two processes: each has its own connections.
    #[tokio::test]
    async fn a_cached_look_up_never_outlives_a_commit_by_any_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let (here, there) =
            (SqliteStore::open(&path).await.unwrap(), SqliteStore::open(&path).await.unwrap());
        let scope = Scope::new("tenant").unwrap();
        let old = record(&scope, "0000000000000old");
        there.replace_current(old.clone(), None).await.unwrap();
        there.set_enabled(&scope, true).await.unwrap();

        // Read once per reader, then again: the second round is answered from the cache.
        let readers = here.connections.readers.len();
        for _ in 0..2 * readers {
            assert!(here.find_token(&old.id).await.unwrap().unwrap().scope_enabled);
        }
        assert_eq!(hits(&here), readers, "unchanged data is answered from the cache");

        // A commit by the other handle is seen on the very next look-up, on every reader.
        let used_at = Timestamp::from_unix_millis(1_700_000_060_000);
        there.record_use(&old.id, used_at).await.unwrap();
        for _ in 0..readers {
            assert_eq!(here.find_token(&old.id).await.unwrap().unwrap().record.last_used_at, Some(used_at));
        }
        let new = record(&scope, "0000000000000new");
        there.replace_current(new.clone(), None).await.unwrap();
        for _ in 0..readers {
            assert_eq!(here.find_token(&old.id).await.unwrap(), None, "rotated away: refused at once");
            assert!(here.find_token(&new.id).await.unwrap().is_some());
        }
        there.set_enabled(&scope, false).await.unwrap();
        for _ in 0..readers {
            assert!(!here.find_token(&new.id).await.unwrap().unwrap().scope_enabled);
        }

        // The handle's own writer commits on a connection of its own, which its readers see too.
        here.remove_tokens(&scope).await.unwrap();
        for _ in 0..readers {
            assert_eq!(here.find_token(&new.id).await.unwrap(), None);
        }
    }

    /// The same for access tokens: a secret deleted through one handle ends its tokens through the other
    /// on the very next look-up, although that handle's readers had them cached.
    #[tokio::test]
    async fn a_cached_access_token_never_outlives_its_credential_on_another_handle() {
        use scim_token_core::oauth::{AuthMode, MintedBy};
        use scim_token_core::testkit::{access_token, client_id, client_secret, federation_trust};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let (here, there) =
            (SqliteStore::open(&path).await.unwrap(), SqliteStore::open(&path).await.unwrap());
        let scope = Scope::new("tenant").unwrap();
        let now = Timestamp::from_unix_millis(1_700_000_000_000);
        let later = Timestamp::from_unix_millis(1_800_000_000_000);
        let (secret, kept, trust) = (client_secret(later), client_secret(later), federation_trust());
        for secret in [&secret, &kept] {
            there.add_client_secret(&scope, &client_id(), secret.clone(), 5, now).await.unwrap();
        }
        there.set_federation_trust(&scope, &client_id(), trust.clone()).await.unwrap();
        there.set_enabled(&scope, true).await.unwrap();
        let ended = access_token(&scope, MintedBy::Secret(secret.id), later);
        let survivor = access_token(&scope, MintedBy::Secret(kept.id), later);
        let by_trust = access_token(&scope, MintedBy::Trust(trust.id), later);
        for token in [&ended, &survivor, &by_trust] {
            assert!(there.insert_access_token(token.clone(), now).await.unwrap());
        }

        // Read once per reader, then again: the second round is answered from the cache.
        let readers = here.connections.readers.len();
        for _ in 0..2 * readers {
            assert!(here.find_access_token(&ended.id).await.unwrap().unwrap().scope_enabled);
        }
        assert_eq!(hits(&here), readers, "unchanged data is answered from the cache");

        let removed = there.remove_client_secret(&scope, &secret.id).await.unwrap();
        assert_eq!(removed, Some(vec![ended.id]));
        for _ in 0..readers {
            assert_eq!(here.find_access_token(&ended.id).await.unwrap(), None, "ended at once, everywhere");
            assert!(here.find_access_token(&survivor.id).await.unwrap().is_some());
            assert!(here.find_access_token(&by_trust.id).await.unwrap().is_some());
        }
        there.set_auth_mode(&scope, AuthMode::StaticOnly).await.unwrap();
        there.set_enabled(&scope, false).await.unwrap();
        for _ in 0..readers {
            let found = here.find_access_token(&survivor.id).await.unwrap().unwrap();
            assert_eq!((found.scope_enabled, found.auth_mode), (false, AuthMode::StaticOnly));
        }
        there.remove_federation_trust(&scope).await.unwrap();
        for _ in 0..readers {
            assert_eq!(here.find_access_token(&by_trust.id).await.unwrap(), None);
        }
    }

    #[tokio::test]
    async fn a_sole_connection_answers_from_memory_until_its_own_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::builder().exclusive(true).open(dir.path().join("tokens.db")).await.unwrap();
        let scope = Scope::new("tenant").unwrap();
        let old = record(&scope, "0000000000000old");
        store.replace_current(old.clone(), None).await.unwrap();
        let sole_hits = || store.connections.writer.lock().unwrap().hits();
        for _ in 0..3 {
            assert!(store.find_token(&old.id).await.unwrap().is_some());
        }
        assert_eq!(sole_hits(), 2, "the first look-up reads, the next two come from memory");
        let new = record(&scope, "0000000000000new");
        store.replace_current(new.clone(), None).await.unwrap();
        assert_eq!(store.find_token(&old.id).await.unwrap(), None, "its own write emptied the cache");
        assert_eq!(sole_hits(), 2);
    }

    #[tokio::test]
    async fn unknown_ids_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("tokens.db")).await.unwrap();
        let unknown = TokenId::new("000000000unknown").unwrap();
        for _ in 0..4 * store.connections.readers.len() {
            assert_eq!(store.find_token(&unknown).await.unwrap(), None);
        }
        assert_eq!(hits(&store), 0);
        let cached: usize = store
            .connections
            .readers
            .iter()
            .map(|reader| reader.lock().unwrap().lookups.as_ref().map_or(0, |l| l.entries.len()))
            .sum();
        assert_eq!(cached, 0, "a made-up id must not take a cache entry");
    }
}
