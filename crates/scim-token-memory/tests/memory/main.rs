//! The memory store's integration tests, in one test binary (each binary links the whole dependency
//! graph).

mod conformance;
