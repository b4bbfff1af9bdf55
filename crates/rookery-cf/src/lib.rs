//! # rookery-cf — the data model
//!
//! Everything above I/O speaks these types:
//!
//! ```text
//!  Dataset ── dims: [Dim]            name, len, unlimited
//!          ├─ vars: [Variable]       name, dims, shape, dtype, attrs   (metadata only)
//!          └─ attrs: Attrs           ordered (name, AttrValue)
//!  Array                             typed n-d values of a variable or a hyperslab of it
//!  roles::CfInfo                     main variable + time/lat/lon/level/realization + grid type
//!  time::{Calendar, TimeCoder}       CF time in every calendar, as cftime decodes it
//! ```
//!
//! This crate knows no I/O: sources in `rookery-io` fill a [`Dataset`] and return [`Array`]s.

pub mod model;
pub mod roles;
pub mod time;

pub use model::{Array, AttrValue, Attrs, DType, Dataset, Dim, Variable};
pub use roles::{CfInfo, GridType, Role};

/// Errors of the CF layer.
#[derive(Debug, thiserror::Error)]
pub enum CfError {
    /// No variable qualifies as the main (data) variable.
    #[error("could not find a data variable in the dataset (only coordinates and bounds)")]
    NoMainVariable,
    /// A time-related problem.
    #[error(transparent)]
    Time(#[from] time::TimeError),
}
