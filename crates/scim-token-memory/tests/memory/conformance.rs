//! The memory store passes the whole conformance suite through the public macro, in both its forms:
//! unnamed (module `token_store_conformance`) and twice more in this file under names of our own, which
//! is what a backend testing several configurations does.

use scim_token_memory::MemoryStore;

scim_token_core::token_store_conformance!(async { MemoryStore::new() });
scim_token_core::token_store_conformance!(named, async { MemoryStore::new() });
scim_token_core::token_store_conformance!(named_optional, optional async { Some(MemoryStore::new()) });
