//! # rookery-py — the Python extension module `rookery._rookery`
//!
//! The native half of the `rookery` Python package (its Python half, `python/rookery`, turns
//! clisops-style arguments into the strings below and opens the outputs with xarray). Like the
//! command line, every function here builds the conductor ([`rookery_daops::Daops`], from the
//! roocs.ini that `ROOCS_CONFIG` names at call time), translates its arguments into a request
//! and [`rookery_daops::RunOptions`], and calls it with the GIL released; it returns the output
//! paths. Nothing here computes on data.
//!
//! ```text
//!   rookery.ops.subset(ds, time=..., area=...)          (Python: parameters → text)
//!     └─ _rookery.subset(collection, Output, "a/b", "W,S,E,N", ...)
//!          └─ Daops::subset(collection, SubsetRequest, RunOptions)  (GIL released)
//!               └─ [output paths]  → xarray.open_dataset / paths
//! ```
//!
//! Errors come back as `_rookery.EngineError(kind, message)`; the Python layer raises the
//! clisops exception of that kind (`InvalidParameterValue`, `InvalidCollection`, ...).
//!
//! Cancellation: the operation runs on a thread of its own while the calling thread waits with
//! the GIL released, waking every 100 ms to let Python run its signal handlers; Ctrl-C (a
//! `KeyboardInterrupt`) sets the conductor's [`rookery_io::Cancel`] flag, the engine stops at
//! its next block and removes its partial output, and the `KeyboardInterrupt` is raised.

// PyO3's #[pymodule], #[pyfunction], #[pyclass] and create_exception! expand to the unsafe FFI
// glue of a CPython extension; this crate's own code has no unsafe block.
#![allow(unsafe_code)]

mod ops;

use pyo3::prelude::*;
use rookery_daops::{Config, Daops, DaopsError, OriginalFiles, RunOptions};
use rookery_ops::{NamerKind, OpError, OutputSpec};
use std::path::PathBuf;

pyo3::create_exception!(
    _rookery,
    EngineError,
    pyo3::exceptions::PyException,
    "A failure of the engine: args are (kind, message)."
);

/// Where and how an operation writes its outputs, and whether dataset fixes apply.
#[pyclass(frozen, module = "rookery._rookery")]
#[derive(Clone, Debug)]
pub(crate) struct Output {
    dir: PathBuf,
    format: rookery_io::OutputFormat,
    namer: NamerKind,
    /// None: `[clisops:write] file_size_limit` of the configuration.
    size_limit: Option<u64>,
    apply_fixes: bool,
    history: String,
}

#[pymethods]
impl Output {
    /// `format`: nc, nc3, zarr, zarr2; `namer`: standard or simple; `size_limit`: e.g. 2GB
    /// (default: the configuration's `[clisops:write] file_size_limit`).
    #[new]
    #[pyo3(signature = (dir, format = "nc", namer = "standard", size_limit = None, apply_fixes = true, history = ""))]
    fn new(
        dir: PathBuf,
        format: &str,
        namer: &str,
        size_limit: Option<&str>,
        apply_fixes: bool,
        history: &str,
    ) -> PyResult<Output> {
        let format = match format {
            "nc" | "netcdf" | "nc4" => rookery_io::OutputFormat::Nc4,
            "nc3" => rookery_io::OutputFormat::Nc3,
            "zarr" | "zarr3" => rookery_io::OutputFormat::Zarr3,
            "zarr2" => rookery_io::OutputFormat::Zarr2,
            f => return Err(invalid(format!("Invalid value for output_type: '{f}' (nc, nc3, zarr or zarr2)"))),
        };
        let namer = match namer {
            "standard" => NamerKind::Standard,
            "simple" => NamerKind::Simple,
            n => return Err(invalid(format!("Invalid value for file_namer: '{n}' (standard or simple)"))),
        };
        let size_limit =
            size_limit.map(rookery_ops::params::parse_size).transpose().map_err(|e| to_py(&DaopsError::Op(e)))?;
        Ok(Output { dir, format, namer, size_limit, apply_fixes, history: history.to_string() })
    }
}

impl Output {
    /// The conductor's options: outputs as asked (the directory created), no progress, the
    /// paths given joined into one dataset along time when `join_paths` (clisops reads a list
    /// of files as one dataset).
    fn run_options(&self, daops: &Daops, join_paths: bool) -> Result<RunOptions, DaopsError> {
        let size_limit = match self.size_limit {
            Some(s) => s,
            None => {
                rookery_ops::params::parse_size(daops.config.text("clisops:write", "file_size_limit").unwrap_or("2GB"))?
            }
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            DaopsError::Op(OpError::Io(rookery_io::IoError::Write { path: self.dir.clone(), msg: e.to_string() }))
        })?;
        Ok(RunOptions {
            output: OutputSpec {
                dir: self.dir.clone(),
                format: self.format,
                size_limit,
                extra: String::new(),
                history: self.history.clone(),
                cancel: Default::default(),
            },
            namer: self.namer,
            apply_fixes: self.apply_fixes,
            original_files: OriginalFiles::Never,
            progress: rookery_daops::Progress::default(),
            join_paths,
        })
    }
}

/// The conductor for one call: the configuration `ROOCS_CONFIG` names now (tests and notebooks
/// change it between calls).
fn conductor() -> Result<Daops, DaopsError> {
    Daops::new(Config::load()?)
}

/// The kind of an engine error, which the Python layer maps to an exception class.
fn kind(e: &DaopsError) -> &'static str {
    match e {
        DaopsError::InvalidProject(_) => "project",
        DaopsError::InvalidCollection(_) | DaopsError::UnknownDataset(_) => "collection",
        DaopsError::Missing(_) | DaopsError::NoSuchPath(_) => "not_found",
        DaopsError::Config(_) => "config",
        DaopsError::FixFile { .. } | DaopsError::Fix(_) => "fix",
        DaopsError::Op(OpError::Invalid(_) | OpError::Shape { .. }) => "invalid",
        DaopsError::Op(OpError::NoData(_)) => "no_data",
        DaopsError::Op(OpError::Data(_)) => "data",
        DaopsError::Op(OpError::Io(_)) => "io",
    }
}

/// An engine error as `EngineError(kind, message)`.
fn to_py(e: &DaopsError) -> PyErr {
    EngineError::new_err((kind(e), e.to_string()))
}

/// A malformed argument (`EngineError("invalid", msg)`).
fn invalid(msg: String) -> PyErr {
    EngineError::new_err(("invalid", msg))
}

/// Runs `f` on a fresh conductor and the run options of `output` on a thread of its own, the
/// GIL released; the output paths, or the error as `EngineError`. A pending Python signal
/// (Ctrl-C) cancels the operation (see the module documentation) and is raised once it stopped.
fn run<F>(py: Python<'_>, output: &Output, join_paths: bool, f: F) -> PyResult<Vec<String>>
where
    F: FnOnce(&Daops, &RunOptions) -> Result<rookery_daops::ResultSet, DaopsError> + Send,
{
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let cancel = rookery_io::Cancel::new();
    let flag = cancel.clone();
    std::thread::scope(|s| {
        let (tx, rx) = channel();
        s.spawn(move || {
            let r = (|| {
                let d = conductor()?.with_cancel(flag);
                let opts = output.run_options(&d, join_paths)?;
                f(&d, &opts).map(|rs| rs.file_uris())
            })();
            let _ = tx.send(r);
        });
        // A Receiver is not Sync; the closure that waits with the GIL released borrows it.
        let rx = std::sync::Mutex::new(rx);
        let wait = || {
            rx.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .recv_timeout(std::time::Duration::from_millis(100))
        };
        let mut interrupted = None;
        loop {
            match py.detach(wait) {
                Ok(r) => return interrupted.map_or_else(|| r.map_err(|e| to_py(&e)), Err),
                Err(RecvTimeoutError::Timeout) => {
                    if interrupted.is_none() {
                        if let Err(e) = py.check_signals() {
                            cancel.cancel();
                            interrupted = Some(e);
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(to_py(&DaopsError::Op(OpError::Data(
                        "the operation's thread ended without an answer".into(),
                    ))));
                }
            }
        }
    })
}

/// The module `rookery._rookery`.
#[pymodule]
fn _rookery(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("EngineError", m.py().get_type::<EngineError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Output>()?;
    ops::register(m)
}
