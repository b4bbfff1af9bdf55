//! Shared test helpers (each test uses some of them).
#![allow(dead_code)]
pub(crate) mod corpus;
pub(crate) mod server;
pub(crate) mod tmpfs;
