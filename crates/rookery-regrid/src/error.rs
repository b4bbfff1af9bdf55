//! The error type of the crate.

/// Everything that can go wrong while building grids, computing, applying or storing weights.
/// Messages are one line and name the problem.
#[derive(Debug, thiserror::Error)]
pub enum RegridError {
    /// A grid is unusable (empty, NaN coordinates, inconsistent sizes, latitudes beyond ±90, ...).
    #[error("invalid {grid} grid: {reason}")]
    InvalidGrid {
        /// Which grid ("source", "target" or "input").
        grid: String,
        /// What is wrong.
        reason: String,
    },
    /// Conservative remapping needs cell bounds that are missing and cannot be generated.
    #[error("conservative regridding needs cell bounds on the {grid} grid and they could not be generated: {reason}")]
    MissingBounds {
        /// Which grid ("source" or "target").
        grid: String,
        /// Why the bounds could not be generated.
        reason: String,
    },
    /// Bounds generation failed (see [`crate::Grid::ensure_bounds`]).
    #[error("cannot generate cell bounds: {0}")]
    Bounds(String),
    /// A grid contains degenerate cells and `ignore_degenerate` is false.
    #[error("the {grid} grid has {count} degenerate cell(s) (fewer than 3 distinct corners, or smashed); set ignore_degenerate to skip them")]
    DegenerateCells {
        /// Which grid.
        grid: String,
        /// How many cells are degenerate.
        count: usize,
    },
    /// The method is not available for this kind of grid.
    #[error("{0}")]
    Unsupported(String),
    /// An unknown method name was given to [`crate::Method::parse`].
    #[error("unknown regridding method '{0}' (expected nearest_s2d, bilinear or conservative)")]
    UnknownMethod(String),
    /// A weights file could not be written or read, or its content is invalid.
    #[error("weights file {path}: {reason}")]
    WeightsFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Filesystem error (cache directory etc.).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

pub(crate) fn invalid(grid: &str, reason: impl Into<String>) -> RegridError {
    RegridError::InvalidGrid { grid: grid.to_string(), reason: reason.into() }
}
