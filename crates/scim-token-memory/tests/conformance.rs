//! The memory store passes the whole conformance suite through the public macro.

use scim_token_memory::MemoryStore;

scim_token_core::token_store_conformance!(async { MemoryStore::new() });
