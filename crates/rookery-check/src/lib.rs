//! # rookery-check — coverage testing over data pools
//!
//! The daops "data pools checks" (roocs.md §5.2) in Rust: walk data pools, run randomized
//! requests against every dataset through rookery's own library, check each output with an
//! independent reader (libnetcdf), record every result, and merge the results of many sites
//! and versions into one report.
//!
//! ```text
//!   pools (dirs, globs, ids, catalogue) ──pools::discover──► DatasetSpec (dir + variable = dataset)
//!   DatasetSpec ──daops.cli_datasets + open──► Source ──sample::axes──► Axes
//!   Axes + Rng(seed, dataset, index) ──sample::sample──► Sample (request + expected coordinates)
//!   Sample ──run::run (in-process subset/average/regrid, catch_unwind)──► output file
//!          ──checks (netcdf crate)──► Row ──db::ResultsDb (SQLite, one transaction per row)
//!   ResultsDb ──csv::write_csv──► SITE.csv.gz ──csv::merge──► ALL.csv.gz ──report::html──► report.html
//! ```

pub mod checks;
pub mod csv;
pub mod db;
pub mod known;
pub mod pools;
pub mod report;
pub mod results;
pub mod rng;
pub mod run;
pub mod sample;

pub use db::ResultsDb;
pub use known::KnownFailures;
pub use pools::{discover, DatasetSpec};
pub use results::{Row, COLUMNS};
pub use run::{run, RunConfig, Summary};

/// Errors of the checker. `Request` is the user's input (exit code 2), `Io` a failure of the
/// system (exit code 1); a failing request is a result, never an error.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A pool that does not exist or names nothing.
    #[error("{0}")]
    Pool(String),
    /// A bad input file or argument.
    #[error("{0}")]
    Request(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

impl CheckError {
    /// True when the user's input is at fault (exit code 2).
    #[must_use]
    pub fn is_request_error(&self) -> bool {
        matches!(self, CheckError::Pool(_) | CheckError::Request(_))
    }
}
