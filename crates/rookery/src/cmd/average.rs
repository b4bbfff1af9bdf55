//! `rookery average`, `average-time`, `average-shape`, `weighted-average` (clisops
//! `average_over_dims` / `average_time` / `average_shape`, rook `weighted_average`).

use super::{print_outputs, progress_bar, run_options, Failure, OutputArgs};
use clap::Args;
use rookery_ops::average::{self, dims, shape, time, weights, Freq, Job, WeightKind};
use rookery_ops::OpError;
use std::path::PathBuf;

/// Inputs and output options shared by the averaging commands.
#[derive(Args, Clone)]
pub(crate) struct Common {
    /// Files, globs, directories or dataset ids (several files are joined along time).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
    /// Do not apply the dataset's fixes (datasets named by id).
    #[arg(long)]
    pub(crate) no_fixes: bool,
}

/// `rookery average`.
#[derive(Args, Clone)]
pub(crate) struct DimsArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Dimensions to average over: any of time, level, latitude, longitude, realization.
    #[arg(long)]
    pub(crate) dims: Option<String>,
    /// Skip requested dimensions the data do not have instead of failing.
    #[arg(long = "ignore-undetected-dims")]
    pub(crate) ignore_undetected_dims: bool,
    /// Horizontal weights: none (clisops, unweighted), area (cell areas), cos-lat.
    #[arg(long, default_value = "none")]
    pub(crate) weights: String,
    /// An areacella/areacello file with the cell areas (for `--weights area`).
    #[arg(long = "area-file")]
    pub(crate) area_file: Option<String>,
}

/// `rookery average-time`.
#[derive(Args, Clone)]
pub(crate) struct TimeArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Averaging period: day, month or year.
    #[arg(long)]
    pub(crate) freq: Option<String>,
}

/// `rookery average-shape`.
#[derive(Args, Clone)]
pub(crate) struct ShapeArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Polygons: GeoJSON, zipped ESRI Shapefile (.shp/.shx/.dbf, .prj honoured), .shp, or GML.
    #[arg(long)]
    pub(crate) shape: Option<PathBuf>,
    /// Variables to average (comma-separated; default: every data variable on the grid).
    #[arg(long)]
    pub(crate) variable: Option<String>,
}

/// `rookery weighted-average`.
#[derive(Args, Clone)]
pub(crate) struct WeightedArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// area (cell areas from bounds or --area-file, cos(lat) without either) or cos-lat (rook).
    #[arg(long, default_value = "area")]
    pub(crate) weights: String,
    /// An areacella/areacello file with the cell areas.
    #[arg(long = "area-file")]
    pub(crate) area_file: Option<String>,
}

/// `rookery average`.
pub(crate) fn run_dims(daops: &rookery_daops::Daops, a: &DimsArgs) -> Result<(), Failure> {
    let dims = dims::parse_dims(a.dims.as_deref().unwrap_or(""))?;
    let req = dims::DimsRequest {
        dims: dims.clone(),
        ignore_undetected_dims: a.ignore_undetected_dims,
        weights: WeightKind::parse(&a.weights)?,
        area_file: a.area_file.clone().map(|f| vec![f]),
        io: daops.io().clone(),
    };
    run(daops, &a.common, &dims::suffix(&dims), |src| dims::plan_dims(src, &req))
}

/// `rookery average-time`.
pub(crate) fn run_time(daops: &rookery_daops::Daops, a: &TimeArgs) -> Result<(), Failure> {
    let freq = Freq::parse(a.freq.as_deref())?;
    run(daops, &a.common, &freq.suffix(), |src| time::plan_time(src, freq))
}

/// `rookery average-shape`.
pub(crate) fn run_shape(daops: &rookery_daops::Daops, a: &ShapeArgs) -> Result<(), Failure> {
    let path = a.shape.clone().ok_or_else(|| OpError::Invalid(shape::NO_SHAPE.into()))?;
    let variables = a
        .variable
        .as_deref()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>());
    // The polygons are read before any data file is opened: a bad shape file fails first.
    average::read_shapes(&path)?;
    let req = shape::ShapeRequest { shape: path, variables };
    run(daops, &a.common, shape::SUFFIX, |src| shape::plan_shape(src, &req, &daops.shape_weights))
}

/// `rookery weighted-average`.
pub(crate) fn run_weighted(daops: &rookery_daops::Daops, a: &WeightedArgs) -> Result<(), Failure> {
    let req = weights::WeightedRequest {
        weights: WeightKind::parse(&a.weights)?,
        area_file: a.area_file.clone().map(|f| vec![f]),
        io: daops.io().clone(),
    };
    run(daops, &a.common, weights::SUFFIX, |src| weights::plan_weighted(src, &req))
}

/// Runs the averaging planned by `plan` on the inputs through the data-aware layer (every
/// dataset is planned before anything is written, so a request error leaves nothing) and
/// prints the output paths.
pub(crate) fn run(
    daops: &rookery_daops::Daops,
    c: &Common,
    extra: &str,
    plan: impl Fn(&dyn rookery_io::Source) -> Result<Job, OpError>,
) -> Result<(), Failure> {
    let bar = progress_bar();
    let opts = run_options(&c.out, c.no_fixes, rookery_daops::OriginalFiles::Never, bar.as_ref())?;
    let rs = daops.average(&c.inputs, plan, extra, &opts)?;
    print_outputs(&rs, bar);
    Ok(())
}
