//! # rookery-service — the service
//!
//! A drop-in replacement for rook (the roocs WPS) that rooki, birdy and OWSLib call unmodified,
//! with durable jobs and API keys:
//!
//! ```text
//!  HTTP (axum) ── /wps ─────────── wps.rs: KVP/XML ─► process.rs: validate ─┐
//!             ├── /, /processes, /jobs ── ogc.rs: OGC API – Processes (JSON) ┤
//!             └── /outputs/... ─── server.rs: status docs, Metalink, files   │ submit
//!                                                                            ▼
//!   auth.rs: API keys (keyed hashes), scopes,            jobs.rs: JobStore (SQLite): accepted →
//!            signed output URLs, rate limit                running (lease) → successful/failed
//!                                                                            │ claim
//!   server.rs: worker pool (bounded), lease renewal, ◄──────────────────────┘
//!              restart recovery, retention cleanup ──► ops.rs: the call site of rookery-daops
//!                                                      workflow.rs: orchestrate documents (DAG)
//!                                                      prov.rs + png.rs: PROV-JSON and its PNG
//!                                                      dashboard.rs: usage dashboard (HTML)
//!   dirlock.rs: one `serve` per SQLite data directory    freespace.rs: no new jobs on a full disk
//!   jobs/pending.rs: job ends the store could not record yet (a full disk), recorded later
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
pub mod jobs;
pub mod limits;
pub mod nested;
pub mod ogc;
pub mod ops;
pub mod png;
pub mod process;
pub mod prov;
pub mod quota;
pub mod server;
pub mod slurm;
pub mod time;
pub mod usage_log;
pub mod workflow;
pub mod wps;
pub mod xml;

pub use config::Config;
pub use server::{start, Running, ServiceError};
