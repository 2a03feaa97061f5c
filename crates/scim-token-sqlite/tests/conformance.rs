//! The SQLite store passes the whole conformance suite, in memory and on a file.

mod common;

use scim_token_sqlite::SqliteStore;

scim_token_core::token_store_conformance!(async { SqliteStore::open_in_memory().await.unwrap() });

/// The same suite on a fresh temporary file per test, removed when the test's store is dropped.
mod file {
    use scim_token_core::store::{ScopeState, StoreError, TokenLookup, TokenRecord};
    use scim_token_core::{Scope, Timestamp, TokenId, TokenStore, async_trait};
    use scim_token_sqlite::SqliteStore;

    use crate::common::TempDb;

    /// A file-backed store that deletes its file once its connections are closed.
    pub struct FileStore {
        store: Option<SqliteStore>,
        _db: TempDb,
    }

    impl FileStore {
        pub async fn fresh() -> Self {
            let db = TempDb::new("conformance");
            let store = SqliteStore::open(db.path()).await.unwrap();
            Self { store: Some(store), _db: db }
        }

        fn store(&self) -> &SqliteStore {
            self.store.as_ref().expect("present until drop")
        }
    }

    impl Drop for FileStore {
        fn drop(&mut self) {
            // Close the connections first; `_db` then removes the files.
            self.store.take();
        }
    }

    #[async_trait]
    impl TokenStore for FileStore {
        async fn load_scope(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
            self.store().load_scope(scope).await
        }
        async fn find_token(&self, id: &TokenId) -> Result<Option<TokenLookup>, StoreError> {
            self.store().find_token(id).await
        }
        async fn replace_current(
            &self,
            record: TokenRecord,
            until: Option<Timestamp>,
        ) -> Result<(), StoreError> {
            self.store().replace_current(record, until).await
        }
        async fn remove_tokens(&self, scope: &Scope) -> Result<Vec<TokenId>, StoreError> {
            self.store().remove_tokens(scope).await
        }
        async fn remove_token(&self, scope: &Scope, id: &TokenId) -> Result<bool, StoreError> {
            self.store().remove_token(scope, id).await
        }
        async fn set_enabled(&self, scope: &Scope, enabled: bool) -> Result<(), StoreError> {
            self.store().set_enabled(scope, enabled).await
        }
        async fn record_use(&self, id: &TokenId, at: Timestamp) -> Result<(), StoreError> {
            self.store().record_use(id, at).await
        }
    }

    scim_token_core::token_store_conformance!(async { FileStore::fresh().await });
}
