//! # rookery-service — the service
//!
//! A drop-in replacement for rook (the roocs WPS) that rooki, birdy and OWSLib call unmodified,
//! and an OGC API – Processes server over the same processes, with durable jobs:
//!
//! ```text
//!  conn.rs: accept loop (connection cap, header/idle timeouts) ─► axum router (server.rs)
//!    limits.rs: body limits (413), content types (415)
//!    ├── /wps ──────────── wps.rs: KVP/XML ─► process.rs: validate ─┐
//!    ├── /, /processes, /jobs ── ogc.rs, nested.rs (OGC API, JSON)  ┤ submit
//!    └── /outputs/... ──── server.rs: status docs, Metalink, files  │
//!                                                                   ▼
//!   auth/: API keys, OIDC (oidc.rs), scopes,      jobs/: JobStore (SQLite or PostgreSQL):
//!          signed URLs, rate limit; quota.rs       accepted → running (lease) → successful/failed;
//!                                                 pending.rs: ends a full disk kept from the store
//!   server.rs: worker pool, lease renewal,  ◄──── claim
//!              recovery, retention; AppState.data: the restricted rookery-daops (one per process)
//!      └─► ops.rs: processes → Daops (the conductor), with the job's directory readable
//!          workflow.rs: orchestrate documents (DAG); federation.rs: parts at peers; slurm.rs
//!          prov.rs + png.rs: PROV-JSON and its PNG; failure.rs: whose fault (400/404/500)
//!   dirlock.rs: one `serve` per SQLite data directory; freespace.rs: no new jobs on a full disk
//! ```
//!
//! Start it with [`server::start`] (what `rookery serve` does).

pub mod auth;
pub mod config;
pub mod conn;
pub mod dashboard;
pub mod dirlock;
pub mod error;
pub mod failure;
pub mod federation;
pub mod freespace;
pub mod ids;
pub mod jobs;
pub mod limits;
pub mod nested;
pub mod ogc;
pub mod ops;
pub mod png;
pub mod process;
pub mod prov;
pub mod quota;
pub mod scopes;
pub mod server;
pub mod slurm;
pub mod text;
pub mod time;
pub mod usage_log;
pub mod workflow;
pub mod wps;
pub mod xml;

pub use config::Config;
pub use server::{start, Running, ServiceError};
