//! The whole conformance suite, each test on its own fresh schema.

use crate::common::fresh_store;

scim_token_core::token_store_conformance!(optional async { fresh_store().await });
