//! The whole conformance suite, each test on its own fresh schema.

use crate::common::TestStore;

scim_token_core::token_store_conformance!(optional async { TestStore::fresh().await });
