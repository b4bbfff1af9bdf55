//! The job model: what an averaging or regridding request computes, variable by variable,
//! as planned by `average::plan_*` and `regrid::plan_regrid` and run by [`super::execute`].

use ndarray::ArrayD;
use rookery_cf::time::DateTime;
use rookery_cf::{Array, Dataset};

/// How missing values enter a mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanMode {
    /// Skip missing values and renormalise the weights (xarray `skipna=True`).
    Skip,
    /// Any missing value with a non-zero weight makes the result missing (xESMF averager).
    Propagate,
}

/// What happens to one source axis.
#[derive(Clone, Debug, PartialEq)]
pub enum AxisMap {
    /// Kept as it is.
    Keep,
    /// Averaged away (the axis disappears).
    Collapse,
    /// Source index → output index (e.g. time step → period); `None` = not used.
    Group {
        /// Output index of each source index, one entry per source position.
        map: Vec<Option<usize>>,
        /// Length of the output axis (number of groups).
        n_out: usize,
    },
}

/// Weights over some horizontal source axes (dense, in the order of those axes).
#[derive(Clone, Debug)]
pub struct CellWeights {
    /// Source axes the weights are laid on (ascending).
    pub axes: Vec<usize>,
    /// Weights with the shape of those axes.
    pub w: ArrayD<f64>,
}

/// Polygon weights replacing contiguous horizontal axes by one `geom` axis.
#[derive(Clone, Debug)]
pub struct SparseCells {
    /// Source axes replaced (contiguous, ascending).
    pub axes: Vec<usize>,
    /// Number of polygons (length of the new axis).
    pub n_geom: usize,
    /// For each cell (flattened over `axes`): (polygon, weight).
    pub cells: Vec<Vec<(u32, f64)>>,
}

/// The reduction of one variable.
#[derive(Clone, Debug)]
pub struct Reduce {
    /// Source variable (output variable of the same name).
    pub var: String,
    /// One entry per source axis.
    pub axes: Vec<AxisMap>,
    /// Dense weights.
    pub weights: Option<CellWeights>,
    /// Polygon weights (exclusive with `weights`).
    pub sparse: Option<SparseCells>,
    /// Missing-value handling.
    pub nan: NanMode,
}

/// How one output variable is produced.
#[derive(Clone, Debug)]
pub enum VarJob {
    /// Copied from the source variable of the same name.
    Copy(String),
    /// Averaged.
    Reduce(Reduce),
    /// Given values.
    Values(String, Array),
    /// Regridded horizontally.
    Regrid(RegridVar),
    /// A time statistic other than a mean, or anomalies (see [`StatVar`]).
    Stat(StatVar),
}

/// What [`StatVar`] computes over the steps of each group.
#[derive(Clone, Debug, PartialEq)]
pub enum StatKind {
    /// Smallest valid value.
    Min,
    /// Largest valid value.
    Max,
    /// Sum of the valid values (missing when there are none, as CDO `timsum`).
    Sum,
    /// Mean of the valid values.
    Mean,
    /// Variance of the valid values with `ddof` delta degrees of freedom.
    Var {
        /// Delta degrees of freedom (0: population variance, CDO `timvar` and numpy's default).
        ddof: u32,
    },
    /// Standard deviation of the valid values with `ddof` delta degrees of freedom.
    Std {
        /// Delta degrees of freedom (0: CDO `timstd` and numpy's default).
        ddof: u32,
    },
    /// Median of the valid values (numpy `nanmedian`: the mean of the two middle values).
    Median,
    /// Percentile `q` in [0, 100] of the valid values, numpy's `linear` method.
    Percentile(f64),
    /// Each step minus (or divided by, `relative`) the mean over the steps of `reference`
    /// that fall in the step's group: the output keeps every step.
    Anomaly {
        /// Group of each source step within the reference period (`None`: outside it).
        reference: Vec<Option<usize>>,
        /// Ratio to the reference mean instead of the difference.
        relative: bool,
    },
}

/// A time statistic of one variable whose first axis is the time dimension: each source
/// step goes to a group (`group_of`), each group becomes one output step (for
/// [`StatKind::Anomaly`], each source step stays an output step and `group_of` names the
/// reference group it is compared with).
#[derive(Clone, Debug)]
pub struct StatVar {
    /// Source variable (output variable of the same name).
    pub var: String,
    /// What is computed.
    pub kind: StatKind,
    /// Group of each source step (`None`: not used).
    pub group_of: Vec<Option<usize>>,
    /// Number of groups.
    pub n_groups: usize,
}

/// Horizontal regridding of one variable: its trailing horizontal axes (the source grid's
/// cells) become the target grid's cells through a sparse weight matrix.
#[derive(Clone)]
pub struct RegridVar {
    /// Source variable (output variable of the same name).
    pub var: String,
    /// Number of trailing source axes that form the horizontal grid (1 or 2).
    pub h_axes: usize,
    /// The weights (source cells → target cells).
    pub weights: std::sync::Arc<rookery_regrid::Weights>,
    /// Missing source values are skipped and the weights renormalised (conservative).
    pub skipna: bool,
    /// Adaptive masking threshold (see [`rookery_regrid::Weights::apply`]).
    pub na_thres: f64,
    /// Target cells set missing whatever the data (land/sea mask), flattened.
    pub dst_masked: Option<std::sync::Arc<Vec<bool>>>,
}

impl std::fmt::Debug for RegridVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegridVar")
            .field("var", &self.var)
            .field("h_axes", &self.h_axes)
            .field("n_src", &self.weights.n_src)
            .field("n_dst", &self.weights.n_dst)
            .field("skipna", &self.skipna)
            .field("na_thres", &self.na_thres)
            .finish_non_exhaustive()
    }
}

/// A whole averaging or regridding request, ready to run.
#[derive(Clone, Debug)]
pub struct Job {
    /// Output metadata (cleaned).
    pub out: Dataset,
    /// The main variable (naming, splitting).
    pub main: String,
    /// The output time dimension, when the output has one.
    pub time_dim: Option<String>,
    /// Decoded time of each output step.
    pub times: Vec<DateTime>,
    /// One job per output variable.
    pub vars: Vec<VarJob>,
    /// The source's time dimension (variables whose first dimension it is are streamed).
    pub src_time_dim: Option<String>,
}
