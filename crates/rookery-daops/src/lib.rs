//! # rookery-daops — the data-aware layer
//!
//! Users name datasets, not files. This crate turns a *collection* (dataset ids, paths, globs,
//! URLs) into files, opens them (applying dataset fixes) and runs an operation per dataset,
//! naming outputs by project:
//!
//! ```text
//!   Config (roocs.ini: built-in defaults < /etc/roocs.ini < $ROOCS_CONFIG)
//!     └─ projects: base_dir, templates, facets, catalogs, data_node_root
//!   collection item ──resolve──► Resolved { ds_id, project, files }
//!                    └─consolidate(time)──► only the files overlapping the request
//!   subset(cfg, collection, request, output) ──► ResultSet { per dataset: output paths }
//! ```

use rookery_ops::{NamerKind, OpError, OutputSpec, SubsetRequest};
use std::path::PathBuf;

/// Errors of the data-aware layer.
#[derive(Debug, thiserror::Error)]
pub enum DaopsError {
    /// clisops `InvalidProject`.
    #[error("{0}")]
    InvalidProject(String),
    /// clisops `InvalidCollection`.
    #[error("{0}")]
    InvalidCollection(String),
    /// A configuration file that cannot be read or parsed.
    #[error("{0}")]
    Config(String),
    /// An operation failed.
    #[error(transparent)]
    Op(#[from] OpError),
}

impl DaopsError {
    /// True when the request itself is at fault (exit code 2 / an OGC parameter exception).
    #[must_use]
    pub fn is_request_error(&self) -> bool {
        match self {
            DaopsError::InvalidProject(_) | DaopsError::InvalidCollection(_) => true,
            DaopsError::Config(_) => false,
            DaopsError::Op(e) => e.is_request_error(),
        }
    }
}

/// Outputs of an operation, per dataset (in request order).
#[derive(Clone, Debug, Default)]
pub struct ResultSet {
    /// (dataset id or input text, output files or original-file URLs).
    pub results: Vec<(String, Vec<String>)>,
}

impl ResultSet {
    /// Every output (file path or URL), in order.
    #[must_use]
    pub fn file_uris(&self) -> Vec<String> {
        self.results.iter().flat_map(|(_, f)| f.clone()).collect()
    }
}

/// Options shared by the operations of this layer.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where and how outputs are written.
    pub output: OutputSpec,
    /// File namer.
    pub namer: NamerKind,
    /// Apply dataset fixes on open.
    pub apply_fixes: bool,
    /// Return the original files' URLs instead of processing when the request aligns with
    /// whole files (`true` forces it).
    pub original_files: bool,
}

/// Subsets each dataset of `collection` (clisops/daops `subset`).
///
/// Each item is a dataset id, a file, a glob or a directory. Until dataset-id resolution lands,
/// items are opened as files.
///
/// # Errors
/// Unknown datasets, invalid requests, read/write failures.
pub fn subset(collection: &[String], req: &SubsetRequest, opts: &RunOptions) -> Result<ResultSet, DaopsError> {
    let mut rs = ResultSet::default();
    for item in collection {
        let src = rookery_io::open(std::slice::from_ref(item)).map_err(OpError::from)?;
        let outs = rookery_ops::subset(src.as_ref(), req, &opts.output, opts.namer, &|_, _| {})?;
        rs.results.push((
            item.clone(),
            outs.into_iter().map(|p: PathBuf| p.to_string_lossy().into_owned()).collect(),
        ));
    }
    Ok(rs)
}
