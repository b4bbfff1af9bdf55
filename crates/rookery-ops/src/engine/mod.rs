//! The streaming engine that runs every averaging and regridding request.
//!
//! Averaging (`average`, `average-time`, `weighted-average`, `average-shape`, the ensemble mean
//! of `concat`) and regridding both plan a [`Job`]: one [`VarJob`] per output variable, copied,
//! given as values, reduced ([`Reduce`]: the weighted mean `Σ w·x / Σ w` over axes kept,
//! collapsed or grouped into time periods, with cell weights or a polygon axis `geom`) or
//! regridded ([`RegridVar`]: a sparse weight matrix from `rookery-regrid` taking the trailing
//! horizontal axes to the target grid). [`execute`] runs it.
//!
//! ```text
//!  source var (time, …inner…) ──read in time blocks (reader thread)──►  block [t0..t1) × inner
//!   Reduce:   inner index i ──map──► (out inner index o, weight w)   dense (one target) or sparse (CSR)
//!             time step t  ──map──► output step: kept / collapsed / period g
//!             accumulators Σw·x, Σw per (output step, o) ──finalised when a period is complete──► writer
//!   Regrid:   each step's source cells ──weights (source → target cells)──► target cells ──► writer
//! ```
//!
//! Memory stays bounded: one block of source values (about 8 MB) plus the accumulators of the
//! periods in progress (one output field each); when many periods are in progress at once (the
//! days of the year of a climatology) they are taken in batches of at most 256 MB.
//!
//! Rooms, bottom up:
//!
//! ```text
//!  job.rs      the job model: what to compute (Job, VarJob, Reduce, RegridVar, AxisMap, weights)
//!  compile.rs  a Reduce compiled for one source shape: flat inner maps, missing values, packing
//!  kernels.rs  the accumulation kernels (Σw·x, Σw per output cell), AVX2 builds chosen at run time
//!  moments.rs  accumulators of min, max, sum, mean, var, std over time (shifted sums for var/std)
//!  stats.rs    time statistics other than means (min, max, sum, var, std, percentiles by
//!              spatial tiles of the whole series) and anomalies from a reference mean
//!  groups.rs   batches of interleaved groups (day-of-year climatologies) with bounded accumulators
//!  driver.rs   execute: output files (named, split), reader and writer threads, time blocks,
//!              row bands of uncompressed sources, regrid application, classic-format values
//! ```

mod compile;
mod driver;
mod groups;
mod job;
mod kernels;
mod moments;
mod stats;

pub use driver::execute;
pub use job::{AxisMap, CellWeights, Job, NanMode, Reduce, RegridVar, SparseCells, StatKind, StatVar, VarJob};
