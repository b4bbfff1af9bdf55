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

/// Why one checked request failed: recorded as the row's message (its `Display`), never
/// stopping a run. The variants tell the checker's own findings about an output
/// ([`Mismatch`](RequestFailure::Mismatch), [`AllNan`](RequestFailure::AllNan)) from failures
/// to run the request (rookery's errors, a panic) and to read its output back.
#[derive(Debug, thiserror::Error)]
pub enum RequestFailure {
    /// The output differs from what the request should give (the text says how).
    #[error("{0}")]
    Mismatch(String),
    /// A variable of the output is all NaN where the full field has data.
    #[error("Variable {0} contains all NaNs.")]
    AllNan(String),
    /// An operation wrote no output file (the operation is named).
    #[error("{0} wrote no output file")]
    NoOutput(String),
    /// An operation split its output into several files.
    #[error("{what} wrote {count} output files, expected one")]
    SplitOutput {
        /// The operation.
        what: String,
        /// How many files it wrote.
        count: usize,
    },
    /// The request does not apply to the dataset (no time axis, no dataset to open, ...).
    #[error("{0}")]
    NotApplicable(String),
    /// libnetcdf cannot open an output.
    #[error("libnetcdf cannot open {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// libnetcdf's error.
        source: netcdf::Error,
    },
    /// An output lacks a variable the check reads.
    #[error("no variable {name} in {path}")]
    NoOutputVariable {
        /// The variable.
        name: String,
        /// The file.
        path: String,
    },
    /// libnetcdf cannot read a variable of an output.
    #[error("cannot read {name}: {source}")]
    Read {
        /// The variable.
        name: String,
        /// libnetcdf's error.
        source: netcdf::Error,
    },
    /// A time variable of an output has no units.
    #[error("output time {0} has no units")]
    NoTimeUnits(String),
    /// A time variable of an output cannot be decoded.
    #[error("output time {name}: {source}")]
    OutputTime {
        /// The variable.
        name: String,
        /// Why.
        source: rookery_cf::time::TimeError,
    },
    /// The dataset lacks a coordinate variable its CF roles name.
    #[error("no variable {0}")]
    NoCoordinate(String),
    /// A coordinate of the dataset is not numeric.
    #[error("coordinate {0} is not numeric")]
    NotNumeric(String),
    /// The dataset's CF roles cannot be detected.
    #[error(transparent)]
    Cf(#[from] rookery_cf::CfError),
    /// Reading the dataset failed.
    #[error(transparent)]
    Io(#[from] rookery_io::IoError),
    /// rookery refused or failed the request's parameters or operation.
    #[error(transparent)]
    Op(#[from] rookery_ops::OpError),
    /// rookery's data-aware layer failed (resolving, opening, fixing, running).
    #[error(transparent)]
    Daops(#[from] rookery_daops::DaopsError),
    /// A temporary directory cannot be created.
    #[error("temporary directory: {0}")]
    TempDir(std::io::Error),
    /// An output directory cannot be created.
    #[error("cannot create {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file-system operation failed.
    #[error(transparent)]
    Fs(#[from] std::io::Error),
    /// The request panicked (the panic's message).
    #[error("panic: {0}")]
    Panic(String),
}

impl RequestFailure {
    /// True when the checker found the output wrong (rather than failing to produce or read
    /// it).
    #[must_use]
    pub fn is_wrong_output(&self) -> bool {
        matches!(self, RequestFailure::Mismatch(_) | RequestFailure::AllNan(_))
    }
}
