//! Shared test helpers (each test uses some of them).
#![allow(dead_code)]
pub mod corpus;
pub mod server;
pub mod tmpfs;
