//! # rookery-io — sources, the access gate, and the writers
//!
//! Every byte a source reads passes one [`IoContext`]: local paths are resolved (symlinks,
//! dot segments) and must lie below its roots; URLs are normalised (RFC 3986) and must match
//! its egress allow-list, at every redirect too. The command line uses an open context, the
//! service a restricted one; a context is a value (no process-wide state), so differently
//! configured contexts live side by side.
//!
//! ```text
//!   IoContext { Remote (HttpClient: egress policy, S3 signing; BlockCache), roots }
//!     ├─ local(path) / url(url): the checks every open below calls first
//!   bytes: one interface, RangeSource (storage.rs): FileSource | HTTP (Remote::open) |
//!     CachedStorage; adapters: hdf5-reader Storage (CachedStorage), zarrs (zarr ZStore)
//!   inputs (file | glob | dir | http(s) URL | list) ──open()──► Box<dyn Source>
//!                                                   ├─ NcSource   one NetCDF file (classic CDF-1/2/5 or NetCDF-4/HDF5),
//!                                                   │             pure Rust (netcdf-reader), positional reads (no mmap);
//!                                                   │             hyperslab reads decode only the chunks that intersect,
//!                                                   │             in parallel (rayon; chunks.rs: chunk index from
//!                                                   │             hdf5-reader, own pread + libdeflate + fused unshuffle)
//!                                                   │             URLs: HTTP Range requests through an on-disk block
//!                                                   │             cache (remote.rs: HTTP client; cache.rs, cached.rs: pieces)
//!                                                   ├─ ZarrSource Zarr v2/v3 stores, Kerchunk JSON/Parquet
//!                                                   │             references (zarr/); targets read through
//!                                                   │             the context (local, http(s), s3://)
//!                                                   └─ AggSource  several files joined along time, in time order
//!   Source::dataset() → rookery_cf::Dataset (metadata only; nothing read on open)
//!   Source::read(var, start, count) → rookery_cf::Array
//!
//!   NcWriter  create(tmp) → write(var, start, Array)* → finish() renames to the final name;
//!             dropped unfinished → the temporary file is removed.
//! ```

mod agg;
pub mod cache;
mod cached;
mod cancel;
mod chunk_write;
mod chunks;
mod client;
mod context;
pub mod dap;
pub mod egress;
mod h5direct;
pub mod kerchunk;
mod nc;
mod nc_release;
mod open;
mod ranges;
pub mod remote;
pub mod s3;
pub mod served_file;
pub mod space;
pub mod storage;
pub mod temp;
pub mod text;
mod time_index;
mod write;
mod writer;
mod zarr;
pub mod zarr_serve;
mod zarr_write;

pub use agg::{AggSource, IndexStats, Opener};
pub use cache::{BlockCache, CacheConfig, CacheStats};
pub use cached::CachedStorage;
pub use cancel::Cancel;
pub use client::Remote;
pub use context::IoContext;
pub use egress::{EgressError, EgressPolicy};
pub use nc::NcSource;
pub use open::{expand_inputs, glob_base, open, open_paths, open_paths_indexed};
pub use remote::{is_url, HttpOptions, RemoteError};
pub use storage::{FileSource, RangeSource};
pub use write::{NcWriter, OutputFormat, Staged, WriteOptions};
pub use writer::Writer;
pub use zarr::{detect as detect_zarr, ZarrKind, ZarrSource};
pub use zarr_write::ZarrWriter;

use rookery_cf::{Array, Dataset};
use std::path::PathBuf;

/// Errors of sources and writers; each renders as one line naming the problem.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// A local input path that does not exist (and is not a glob or directory).
    #[error("no such file or directory: {0}")]
    NotFound(PathBuf),
    /// A file or URL outside what this context may read (the same whether or not it exists).
    #[error("{0}")]
    Refused(String),
    /// A glob, directory or input list that yields no readable NetCDF file; holds the input as given.
    #[error("no NetCDF files match {0}")]
    NoFiles(String),
    /// An input that exists but could not be read or decoded.
    #[error("cannot read {path}: {msg}")]
    Read {
        /// The file (or directory, or glob pattern) being read.
        path: PathBuf,
        /// What went wrong, on one line.
        msg: String,
    },
    /// A file whose magic bytes are neither NetCDF classic nor HDF5.
    #[error("{path} is not a NetCDF file (classic or NetCDF-4)")]
    NotNetcdf {
        /// The file that was opened.
        path: PathBuf,
    },
    /// Input files that cannot be aggregated into one dataset (different shapes, chunking or
    /// coordinates); the text says which.
    #[error("cannot combine the input files: {0}")]
    Inconsistent(String),
    /// A variable name asked for that the dataset does not have.
    #[error("no variable '{0}' in the dataset")]
    NoVariable(String),
    /// A failed HTTP(S) range request (connection, status or a changed `ETag`) for a remote input.
    #[error("cannot read {0}")]
    Remote(#[from] RemoteError),
    /// An output that could not be created or written.
    #[error("cannot write {path}: {msg}")]
    Write {
        /// The output file or store (escaped if its name is unprintable).
        path: PathBuf,
        /// What went wrong, on one line.
        msg: String,
    },
    /// No space left on the device (or quota) while writing an output; names the file only
    /// (never a server directory). Detected from typed signals ([`space::is_disk_full`]).
    #[error("disk full: no space left on the device to write {name}")]
    DiskFull {
        /// The output's file name, without its directory.
        name: String,
    },
    /// A time value that cannot be re-encoded from one file's units/calendar to another's when
    /// files are aggregated along time.
    #[error(transparent)]
    Time(#[from] rookery_cf::time::TimeError),
    /// The work was cancelled ([`Cancel`]: a dismissed job, Ctrl-C) before it ended.
    #[error("cancelled")]
    Cancelled,
}

/// A hyperslab that does not fit its variable (see [`check_selection`]).
#[derive(Debug, thiserror::Error)]
#[error("selection {start:?}+{count:?} outside variable {var} of shape {shape:?}")]
pub(crate) struct SelectionError {
    var: String,
    start: Vec<usize>,
    count: Vec<usize>,
    shape: Vec<usize>,
}

/// Checks that the hyperslab `start[i]..start[i]+count[i]` lies within `v` (one entry per
/// dimension, no overflow): the bounds check of every [`Source::read`].
pub(crate) fn check_selection(
    v: &rookery_cf::Variable,
    start: &[usize],
    count: &[usize],
) -> Result<(), SelectionError> {
    if start.len() != v.shape.len()
        || count.len() != v.shape.len()
        || start.iter().zip(count).zip(&v.shape).any(|((&s, &c), &n)| s.checked_add(c).is_none_or(|e| e > n))
    {
        return Err(SelectionError {
            var: v.name.clone(),
            start: start.to_vec(),
            count: count.to_vec(),
            shape: v.shape.clone(),
        });
    }
    Ok(())
}

/// [`Source::read_into`] by a plain read and a copy into `out`.
pub(crate) fn read_and_copy<S: Source + ?Sized>(
    src: &S,
    var: &str,
    start: &[usize],
    count: &[usize],
    out: &mut Array,
    at: usize,
) -> Result<(), IoError> {
    if src.read(var, start, count)?.copy_into(out, at) {
        Ok(())
    } else {
        Err(IoError::Inconsistent(format!("variable {var}: a block of another type or size")))
    }
}

/// A dataset whose values are read on demand.
pub trait Source: Send + Sync {
    /// Metadata (dimensions, variables, attributes).
    fn dataset(&self) -> &Dataset;
    /// Reads the hyperslab `start[i]..start[i]+count[i]` of `var` (one entry per dimension;
    /// empty for a scalar).
    ///
    /// # Errors
    /// Unknown variable, out-of-range selection, or a data/decoding failure.
    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError>;
    /// [`Source::read`], possibly storing the result in `spare` (the array of an earlier read
    /// that is no longer needed): streaming loops hand each block back, so a reader that can
    /// reuse it neither allocates nor zeroes a new buffer per block. Sources that cannot reuse
    /// it ignore it (the default).
    ///
    /// # Errors
    /// As [`Source::read`].
    fn read_reusing(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        spare: Option<Array>,
    ) -> Result<Array, IoError> {
        drop(spare);
        self.read(var, start, count)
    }
    /// Reads the hyperslab into `out` (an array of the variable's type in standard layout),
    /// its elements in row-major order from flat element `at` on: joins of several sources
    /// read each piece straight into the joined block. The default reads and copies.
    ///
    /// # Errors
    /// As [`Source::read`]; `out` of another type, or too short.
    fn read_into(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        out: &mut Array,
        at: usize,
    ) -> Result<(), IoError> {
        read_and_copy(self, var, start, count, out, at)
    }
    /// The files behind this source, in order.
    fn paths(&self) -> Vec<PathBuf>;
    /// Whether the data are stored compressed (`Some(false)`: plainly, as in classic files;
    /// `None`: unknown). Outputs follow it, as xarray keeps a source's encoding.
    fn compressed(&self) -> Option<bool> {
        None
    }

    /// The chunk shape `var` is stored in (`None`: unknown, or not chunked as in classic
    /// files); pre-flight estimates count the chunks a request touches with it.
    fn chunking(&self, _var: &str) -> Option<Vec<usize>> {
        None
    }

    /// Reads a whole variable.
    ///
    /// # Errors
    /// As [`Source::read`].
    fn read_all(&self, var: &str) -> Result<Array, IoError> {
        let v = self.dataset().var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        let start = vec![0; v.shape.len()];
        let count = v.shape.clone();
        self.read(var, &start, &count)
    }
}
