//! # rookery-service — the service
//!
//! A drop-in replacement for rook (the roocs WPS) that rooki, birdy and OWSLib call unmodified,
//! and an OGC API – Processes server over the same processes, with durable jobs:
//!
//! The modules stand in floors; a module imports only its own floor and those below
//! (`scripts/floors.py` checks it in CI):
//!
//! ```text
//!  http        server.rs: router, output files, usage-log middleware, start (bind + serve)
//!              conn.rs: accept loop (connection cap, header/idle timeouts)
//!              wps.rs + xml.rs: WPS 1.0.0 (KVP/XML, documents); ogc.rs: OGC API – Processes
//!              data/: data API (datasets, Zarr 2/3, Kerchunk, files) over rookery-daops' serve
//!              gate.rs: who is asking (token middleware, principal/require, quotas at submit)
//!              ui/: the browser UI (embedded page, its JSON; pages for browsers on OGC paths)
//!  execution   runner.rs: workers (claim, lease, progress, end), maintenance; slurm.rs
//!              execute.rs: a queued process in its job directory → files, provenance, result
//!              workflow.rs: orchestrate documents (DAG); federation.rs: parts at peers
//!              ops.rs: operations → rookery-daops (the conductor); prov/: PROV-JSON + PNG
//!              dashboard.rs: the usage dashboard page; quicklook.rs: fields for the UI
//!              site_usage.rs: usage rows of every site; check_report.rs: check results
//!              estimate.rs: pre-flight estimates (limits at submission, dry_run)
//!  state       state.rs: AppState (config, store, credentials, quotas, the restricted Daops)
//!              auth/: API keys, signed URLs, rate limit, OIDC tokens; quota.rs
//!  jobs        jobs/: JobStore (SQLite or PostgreSQL), pending ends, result cache; usage_log.rs
//!  words       config/: configuration as plain data (peers, Slurm, limits, identity)
//!              process.rs: process definitions and input checks; error.rs: OWS exceptions
//!              failure.rs: whose fault (400/404/500); limits.rs: HTTP limits and bodies
//!              text.rs, ids.rs, time.rs, scopes.rs, nested.rs, dirlock.rs, freespace.rs
//! ```
//!
//! Start it with [`server::start`] (what `rookery serve` does).

pub mod auth;
pub mod check_report;
pub mod config;
pub mod conn;
pub mod dashboard;
pub mod data;
pub mod dirlock;
pub mod error;
pub mod estimate;
pub mod execute;
pub mod failure;
pub mod federation;
pub mod freespace;
pub mod gate;
pub mod ids;
pub mod jobs;
pub mod limits;
pub mod nested;
pub mod ogc;
pub mod ops;
pub mod placements;
pub mod process;
pub mod prov;
pub mod quicklook;
pub mod quota;
pub mod runner;
pub mod scopes;
pub mod server;
pub mod site_usage;
pub mod slurm;
pub mod state;
pub mod text;
pub mod time;
pub mod ui;
pub mod usage_log;
pub mod wis2;
pub mod workflow;
pub mod wps;
pub mod xml;

pub use config::Config;
pub use server::{start, Running};
pub use state::ServiceError;
