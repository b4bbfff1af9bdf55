//! `rookery point`: time series at points (stations), nearest grid cell by great-circle
//! distance, as a CF timeSeries file or CSV.

use super::{print_outputs, progress_bar, run_options, Failure, Format, Namer, OutputArgs};
use clap::{Args, ValueEnum};
use rookery_ops::point::{parse_point, read_points, PointRequest};
use rookery_ops::{LevelParam, OpError, TimeComponents, TimeParam};
use std::path::PathBuf;

/// Output format of `rookery point`.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PointFormat {
    /// NetCDF-4 (CF discrete sampling geometry, featureType timeSeries).
    Nc,
    /// Classic NetCDF (64-bit offset).
    Nc3,
    /// Zarr format 3 store.
    Zarr,
    /// Zarr format 2 store.
    Zarr2,
    /// CSV: one row per time step (and level) and station.
    Csv,
}

/// `rookery point`.
#[derive(Args, Clone)]
pub(crate) struct PointArgs {
    /// Files, globs, directories or dataset ids (several files are joined along time).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// A location `lon,lat` (repeatable; ids P1, P2, ... in order).
    #[arg(long = "point", allow_hyphen_values = true)]
    pub(crate) point: Vec<String>,
    /// Locations from a file: CSV `id,lon,lat[,name]` (optional header) or GeoJSON points.
    #[arg(long = "points")]
    pub(crate) points: Option<PathBuf>,
    /// Fail when a point's nearest cell is farther than this many km.
    #[arg(long = "max-distance")]
    pub(crate) max_distance: Option<f64>,
    /// Take the nearest cell with data (at the first selected step) instead of flagging a
    /// missing one.
    #[arg(long = "nearest-valid")]
    pub(crate) nearest_valid: bool,
    /// `start/end` (partial ISO dates, either side may be empty) or `t1,t2,...`.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) time: Option<String>,
    /// e.g. `year:2000,2001|month:dec,jan,feb`.
    #[arg(long = "time-components")]
    pub(crate) time_components: Option<String>,
    /// `first/last` or `l1,l2,...`.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) level: Option<String>,
    /// Directory for the outputs (created if missing).
    #[arg(long = "output-dir")]
    pub(crate) output_dir: PathBuf,
    #[arg(long = "file-namer", value_enum, default_value = "standard")]
    pub(crate) file_namer: Namer,
    #[arg(long = "output-format", value_enum, default_value = "nc")]
    pub(crate) output_format: PointFormat,
    /// Split outputs so the main variable of each holds at most this much (NetCDF/Zarr).
    #[arg(long = "file-size-limit", default_value = "2GB")]
    pub(crate) file_size_limit: String,
    /// Do not apply the dataset's fixes (datasets named by id).
    #[arg(long = "no-fixes")]
    pub(crate) no_fixes: bool,
}

/// `rookery point`.
pub(crate) fn run(daops: &rookery_daops::Daops, a: &PointArgs) -> Result<(), Failure> {
    // Parameters and the points file first: a malformed request fails before any data file
    // is opened.
    let mut stations = Vec::new();
    for (k, p) in a.point.iter().enumerate() {
        stations.push(parse_point(p, k + 1)?);
    }
    if let Some(f) = &a.points {
        stations.extend(read_points(f)?);
    }
    if stations.is_empty() {
        return Err(
            OpError::Invalid("At least one point must be provided: --point lon,lat or --points FILE".into()).into()
        );
    }
    let mut ids: Vec<&str> = stations.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(OpError::Invalid(format!("station id '{}' is given twice", w[0])).into());
    }
    let req = PointRequest {
        stations,
        time: a.time.as_deref().map(TimeParam::parse).transpose()?.flatten(),
        level: a.level.as_deref().map(LevelParam::parse).transpose()?.flatten(),
        time_components: a.time_components.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        max_distance_km: a.max_distance,
        nearest_valid: a.nearest_valid,
        csv: matches!(a.output_format, PointFormat::Csv),
    };
    let out = OutputArgs {
        output_dir: a.output_dir.clone(),
        file_namer: a.file_namer,
        output_format: match a.output_format {
            PointFormat::Nc | PointFormat::Csv => Format::Nc,
            PointFormat::Nc3 => Format::Nc3,
            PointFormat::Zarr => Format::Zarr,
            PointFormat::Zarr2 => Format::Zarr2,
        },
        file_size_limit: a.file_size_limit.clone(),
    };
    let bar = progress_bar();
    let opts = run_options(&out, a.no_fixes, rookery_daops::OriginalFiles::Never, bar.as_ref())?;
    let rs = daops.points(&a.inputs, &req, &opts)?;
    print_outputs(&rs, bar);
    Ok(())
}
