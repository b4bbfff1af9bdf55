//! # rookery-ops — operations with clisops semantics
//!
//! ```text
//!  params (TimeParam, AreaParam, LevelParam, TimeComponents)   clisops parsing + error texts
//!     │
//!  subset::plan_subset(source, request) ──► Plan  (indices per dimension, lon shift, mask)
//!     │
//!  output::write_plan(source, plan, spec, namer)  hygiene, time:auto split, naming,
//!                                                 streamed block by block to NcWriter
//!
//!  average::plan_* / regrid::plan_regrid ──► engine::Job (one VarJob per output variable)
//!  engine::execute(source, job, spec, namer)      streams time blocks through reductions
//!                                                 (Σw·x/Σw) or sparse regrid weights
//!  stats::plan_*  climatologies, anomalies, statistics over time (min … pNN) ──► engine::Job
//! ```

pub mod average;
pub mod engine;
pub mod ensemble;
pub mod estimate;
pub mod naming;
pub mod naming_clean;
pub mod output;
pub mod params;
pub mod plan;
pub mod point;
pub mod radius_mask;
pub mod regrid;
pub mod shape_mask;
pub mod stats;
pub mod subset;

pub use naming::{FileNamer, NamerKind};
pub use output::{write_plan, OutputSpec};
pub use params::{AreaParam, LevelParam, TimeComponents, TimeParam};
pub use plan::Plan;
pub use shape_mask::ShapeMask;
pub use subset::{plan_subset, SubsetRequest};

use rookery_io::{IoError, Source};
use std::path::PathBuf;

/// Errors of operations. `Invalid`, `NoData` and `Shape` are the user's request (exit code 2);
/// `Data` and `Io` are failures of the data or the system (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// A malformed or unsatisfiable parameter.
    #[error("{0}")]
    Invalid(String),
    /// The request selects nothing.
    #[error("{0}")]
    NoData(String),
    /// The data cannot be interpreted (no CF coordinates, bad units, ...).
    #[error("{0}")]
    Data(String),
    /// A shape file (of `average_shape`) that cannot be read or used: the user's input, as
    /// `Invalid`.
    #[error("cannot read the shape file {}: {source}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: average::ShapeError,
    },
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] IoError),
}

impl OpError {
    /// True when the request itself is at fault (malformed or selects nothing).
    #[must_use]
    pub fn is_request_error(&self) -> bool {
        matches!(self, OpError::Invalid(_) | OpError::NoData(_) | OpError::Shape { .. })
    }
}

/// Subsets an opened source and writes the result.
///
/// # Errors
/// See [`plan_subset`] and [`write_plan`].
pub fn subset(
    src: &dyn Source,
    req: &SubsetRequest,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: output::Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let plan = plan_subset(src, req)?;
    write_plan(src, &plan, spec, namer, progress)
}
