//! The service works over SqliteStore, and separate handles on one file see each other's writes.

use scim_token_core::{Error, Scope, TokenStore};
use scim_token_sqlite::SqliteStore;
use scim_token_test_support::{TempDb, admin, fast_service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_then_verify_survives_a_reopen() {
    let db = TempDb::new("service");
    let scope = Scope::default_scope();
    let token = {
        let svc = fast_service(SqliteStore::open(db.path()).await.unwrap());
        svc.set_enabled(&scope, true, &admin()).await.unwrap();
        let token = svc.generate(&scope, &admin()).await.unwrap();
        let verified = svc.verify(token.expose_secret()).await.unwrap();
        assert_eq!((verified.scope, &verified.token_id), (scope.clone(), token.id()));
        token
    };
    // A new process would open the file again: the token and the flag are still there.
    let svc = fast_service(SqliteStore::open(db.path()).await.unwrap());
    assert_eq!(svc.verify(token.expose_secret()).await.unwrap().token_id, *token.id());
    assert!(svc.status(&scope).await.unwrap().enabled);
    svc.revoke(&scope, &admin()).await.unwrap();
    assert!(matches!(svc.verify(token.expose_secret()).await, Err(Error::InvalidToken)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_file_see_each_others_rotations() {
    let db = TempDb::new("handles");
    let (a, b) = (SqliteStore::open(db.path()).await.unwrap(), SqliteStore::open(db.path()).await.unwrap());
    let (svc_a, svc_b) = (fast_service(a.clone()), fast_service(b.clone()));
    let scope = Scope::new("tenant-1").unwrap();
    svc_a.set_enabled(&scope, true, &admin()).await.unwrap();

    let old = svc_a.generate(&scope, &admin()).await.unwrap();
    assert_eq!(svc_b.verify(old.expose_secret()).await.unwrap().token_id, *old.id(), "b sees a's token");

    // b has now cached `old` as verified; a's rotation must still turn it away through b.
    let new = svc_a.generate(&scope, &admin()).await.unwrap();
    assert!(matches!(svc_b.verify(old.expose_secret()).await, Err(Error::InvalidToken)));
    assert_eq!(svc_b.verify(new.expose_secret()).await.unwrap().token_id, *new.id());
    assert_eq!(b.load_scope(&scope).await.unwrap().current.map(|r| r.id), Some(*new.id()));

    // And the other way round.
    let newest = svc_b.generate(&scope, &admin()).await.unwrap();
    assert!(matches!(svc_a.verify(new.expose_secret()).await, Err(Error::InvalidToken)));
    assert_eq!(svc_a.verify(newest.expose_secret()).await.unwrap().token_id, *newest.id());
    svc_b.set_enabled(&scope, false, &admin()).await.unwrap();
    assert!(matches!(svc_a.verify(newest.expose_secret()).await, Err(Error::InvalidToken)), "flag is shared");
}
