//! Records made by hand for the SQLite tests: ids unique across the processes that share one file.

use scim_token_core::store::TokenRecord;
use scim_token_core::{Scope, Timestamp, TokenId};
use scim_token_test_support::admin;

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
