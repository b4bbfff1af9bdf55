//! Running a process: the only module that calls the data-aware layer (`rookery_daops`).
//!
//! A data process writes its result files into the job directory, then its provenance
//! (`provenance.json`, `provenance.png`); the Metalink `output` is rendered when it is fetched
//! (its URLs depend on the host the client used).

use crate::failure::{Classify, FailureKind};
use crate::jobs::ResultFile;
use crate::process::{first, Inputs};
use crate::text::parse_bool;
use rookery_daops::{Daops, Progress};
use rookery_ops::output::utc_now;
use rookery_ops::{AreaParam, LevelParam, NamerKind, OutputSpec, SubsetRequest, TimeComponents, TimeParam};
use std::path::{Path, PathBuf};

/// A failure of a process: the text clients see after `Process error: `, and whose fault it
/// is (the HTTP status and exception type a client gets).
#[derive(Debug)]
pub struct ProcError(pub String, pub FailureKind);

impl ProcError {
    /// The request's fault (400).
    pub fn invalid(m: impl Into<String>) -> ProcError {
        ProcError(m.into(), FailureKind::InvalidRequest)
    }
    /// The server's fault (500).
    pub fn server(m: impl Into<String>) -> ProcError {
        ProcError(m.into(), FailureKind::Server)
    }
    /// The same failure with `prefix: ` before its text.
    #[must_use]
    pub fn context(self, prefix: &str) -> ProcError {
        ProcError(format!("{prefix}: {}", self.0), self.1)
    }
}

/// Errors of the layers below keep their classification ([`Classify`]).
impl<E: std::fmt::Display + Classify> From<E> for ProcError {
    fn from(e: E) -> Self {
        ProcError(e.to_string(), e.failure_kind())
    }
}

impl ProcError {
    /// A file of the job could not be written: `disk full` when there is no space left (the
    /// OS's error says so), else the error (no path: these never name server directories).
    #[must_use]
    pub fn io(e: std::io::Error) -> ProcError {
        if rookery_io::space::is_no_space(&e) {
            ProcError::server("disk full: no space left on the device for the job's files")
        } else {
            ProcError::server(e.to_string())
        }
    }
}

/// A subset step's switch for rook's aligned-files shortcut (`false`: always process, with the
/// dataset's fixes). Set on the member subsets a federated concat merges: original files would
/// come back unfixed and as the data node's URLs.
pub const ALIGNED: &str = "allow_aligned_original_files";

type R<T> = Result<T, ProcError>;

const TC_ALL_MONTHS: &str = "month:jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec";
const TC_ALL_MONTHS_2: &str = "month:01,02,03,04,05,06,07,08,09,10,11,12";
const TC_ALL_DAYS: &str =
    "day:01,02,03,04,05,06,07,08,09,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31";

fn time_years(time: Option<&str>) -> Option<(i64, i64)> {
    let year = |s: &str| s.get(..4).and_then(|y| y.parse::<i64>().ok());
    match TimeParam::parse(time?).ok()?? {
        TimeParam::Interval(Some(a), Some(b)) => Some((year(&a)?, year(&b)?)),
        _ => None,
    }
}

/// rook's `fix_time_components`: drops parts that select everything (all months, all days, a
/// year list covering every year of `time`); `None` when nothing is left.
#[must_use]
pub fn fix_time_components(tc: Option<&str>, time: Option<&str>) -> Option<String> {
    let tc = tc?.trim();
    if tc.is_empty() {
        return None;
    }
    let parts: Vec<&str> = tc
        .split('|')
        .filter(|p| {
            if *p == TC_ALL_MONTHS || *p == TC_ALL_MONTHS_2 || *p == TC_ALL_DAYS {
                return false;
            }
            let Some((k, v)) = p.split_once([':', '=']) else { return true };
            if !k.trim().eq_ignore_ascii_case("year") {
                return true;
            }
            let Some((a, b)) = time_years(time) else { return true };
            let Ok(sel) = v.split(',').map(|y| y.trim().parse::<i64>()).collect::<Result<Vec<_>, _>>() else {
                return true;
            };
            !(a..=b).all(|y| sel.contains(&y))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("|"))
}

/// Splits a `collection` input (one value per occurrence, each possibly comma-separated).
#[must_use]
pub fn collection_items(values: &[String]) -> Vec<String> {
    rookery_daops::split_collection(values)
}

/// Inputs that are operation parameters (rook `clean_inputs` removes the rest).
pub fn op_params(inputs: &Inputs) -> Vec<(String, String)> {
    inputs
        .iter()
        .filter(|(k, _)| {
            !matches!(k.as_str(), "collection" | "pre_checked" | "original_files" | ALIGNED | "apply_fixes")
        })
        .map(|(k, v)| (k.clone(), v.join(",")))
        .collect()
}

fn output_spec(dir: &Path, what: &str) -> OutputSpec {
    OutputSpec {
        dir: dir.to_path_buf(),
        format: rookery_io::OutputFormat::Nc4,
        size_limit: 2_000_000_000,
        extra: String::new(),
        history: format!("{}: rookery {} {what}", utc_now(), env!("CARGO_PKG_VERSION")),
        cancel: Default::default(),
    }
}

/// Runs `subset` over a collection, writing into `dir`; returns the output URIs.
///
/// # Errors
/// Invalid parameters, unknown datasets, data failures (clisops/daops message texts).
pub fn subset(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    let time = first(inputs, "time").filter(|s| !s.trim().is_empty());
    let tc = fix_time_components(first(inputs, "time_components"), time);
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: first(inputs, "area").map(AreaParam::parse).transpose()?.flatten(),
        level: first(inputs, "level").map(LevelParam::parse).transpose()?.flatten(),
        time_components: tc.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        shape: shape_mask(daops, inputs, dir)?,
    };
    let opts = rookery_daops::RunOptions {
        output: output_spec(dir, "subset"),
        namer: NamerKind::Standard,
        apply_fixes: true,
        original_files: if first(inputs, "original_files").and_then(parse_bool).unwrap_or(false) {
            rookery_daops::OriginalFiles::Always
        } else if first(inputs, ALIGNED).and_then(parse_bool) == Some(false) {
            rookery_daops::OriginalFiles::Never
        } else {
            rookery_daops::OriginalFiles::WhenAligned
        },
        progress: progress.clone(),
        join_paths: false,
    };
    let rs = daops.subset(collection, &req, &opts)?;
    Ok(rs.file_uris())
}

/// Runs `concat` (rook §4.3): the collection's members stacked along `realization` (or
/// averaged over it with `apply_average`), `time`/`time_components` applied while reading.
///
/// # Errors
/// Invalid parameters, unknown datasets, members that differ.
pub fn concat(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    let time = first(inputs, "time").filter(|s| !s.trim().is_empty());
    let tc = fix_time_components(first(inputs, "time_components"), time);
    if let Some(d) = first(inputs, "dims") {
        if d.trim() != "realization" {
            return Err(ProcError::invalid(format!("concat dims must be 'realization', not '{d}'")));
        }
    }
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: first(inputs, "area").map(AreaParam::parse).transpose()?.flatten(),
        level: None,
        time_components: tc.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        shape: None,
    };
    let opts = rookery_daops::RunOptions {
        output: output_spec(dir, "concat"),
        namer: NamerKind::Standard,
        apply_fixes: true,
        original_files: rookery_daops::OriginalFiles::default(),
        progress: progress.clone(),
        join_paths: false,
    };
    let average = first(inputs, "apply_average").and_then(parse_bool).unwrap_or(false);
    let rs = daops.concat(collection, &req, average, &opts)?;
    Ok(rs.file_uris())
}

/// Runs `ensemble_stats`: statistics (`stat`, default `mean,std,min,max`) across the
/// collection's members at each time step and cell, `time`/`time_components`/`area` applied
/// while reading; one output with a variable per statistic.
///
/// # Errors
/// Unknown statistics, fewer than two members, members that differ, unknown datasets.
pub fn ensemble_stats(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    let stats = rookery_ops::ensemble::parse_stats(first(inputs, "stat").unwrap_or("mean,std,min,max"))?;
    let time = first(inputs, "time").filter(|s| !s.trim().is_empty());
    let tc = fix_time_components(first(inputs, "time_components"), time);
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: first(inputs, "area").map(AreaParam::parse).transpose()?.flatten(),
        level: None,
        time_components: tc.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        shape: None,
    };
    let regrid = match first(inputs, "grid").filter(|g| !g.trim().is_empty()) {
        Some(g) => Some(regrid_request(daops, g, first(inputs, "method"))?),
        None => None,
    };
    let rs =
        daops.ensemble(collection, &stats, &req, regrid.as_ref(), &average_opts(dir, "ensemble_stats", progress))?;
    Ok(rs.file_uris())
}

/// Runs an averaging-engine operation (`plan` per dataset) over `collection` into `dir`; the
/// output URIs.
fn averaged(
    daops: &Daops,
    collection: &[String],
    plan: impl Fn(&dyn rookery_io::Source) -> Result<rookery_ops::average::Job, rookery_ops::OpError>,
    suffix: &str,
    what: &str,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    Ok(daops.average(collection, plan, suffix, &average_opts(dir, what, progress))?.file_uris())
}

fn average_opts(dir: &Path, what: &str, progress: &Progress) -> rookery_daops::RunOptions {
    rookery_daops::RunOptions {
        output: output_spec(dir, what),
        namer: NamerKind::Standard,
        apply_fixes: true,
        original_files: rookery_daops::OriginalFiles::default(),
        progress: progress.clone(),
        join_paths: false,
    }
}

/// Runs `average` (clisops `average_over_dims`): `dims` one per input occurrence.
///
/// # Errors
/// Unknown dimensions (clisops's texts), unknown datasets, data failures.
pub fn average_dims(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::average::{dims, WeightKind};
    let text = inputs.get("dims").map(|v| v.join(",")).unwrap_or_default();
    let d = dims::parse_dims(&text)?;
    let req = dims::DimsRequest {
        dims: d.clone(),
        ignore_undetected_dims: false,
        weights: WeightKind::None,
        area_file: None,
        io: daops.io().clone(),
    };
    averaged(daops, collection, |src| dims::plan_dims(src, &req), &dims::suffix(&d), "average", dir, progress)
}

/// Runs `average_time` (`freq` year/month/day).
///
/// # Errors
/// Bad frequency (clisops's texts), unknown datasets, data failures.
pub fn average_time(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::average::{time, Freq};
    let freq = Freq::parse(first(inputs, "freq"))?;
    averaged(daops, collection, |src| time::plan_time(src, freq), &freq.suffix(), "average_time", dir, progress)
}

/// Runs `weighted_average` (cell-area weights from bounds, else cos(latitude)).
///
/// # Errors
/// Unknown datasets, data failures.
pub fn weighted_average(
    daops: &Daops,
    collection: &[String],
    _inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::average::{weights, WeightKind};
    let req = weights::WeightedRequest { weights: WeightKind::Area, area_file: None, io: daops.io().clone() };
    averaged(
        daops,
        collection,
        |src| weights::plan_weighted(src, &req),
        weights::SUFFIX,
        "weighted_average",
        dir,
        progress,
    )
}

/// Runs `average_shape` with the polygons given inline (GeoJSON or GML text).
///
/// # Errors
/// Missing or unreadable shape, no overlap, unknown datasets, data failures.
pub fn average_shape(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::average::shape;
    let text =
        first(inputs, "shape").filter(|t| !t.trim().is_empty()).ok_or_else(|| ProcError::invalid(shape::NO_SHAPE))?;
    let path = write_shape(daops, text, dir)?;
    let req = shape::ShapeRequest { shape: path, variables: None };
    averaged(
        daops,
        collection,
        |src| shape::plan_shape(src, &req, &daops.shape_weights),
        shape::SUFFIX,
        "average_shape",
        dir,
        progress,
    )
}

/// The polygon mask of `subset` from its `shape` (inline GeoJSON/GML, or a reference URL) and
/// `min_fraction` inputs; `None` without `shape`.
///
/// # Errors
/// `min_fraction` without `shape` or out of range; an unreadable shape.
fn shape_mask(
    daops: &Daops,
    inputs: &Inputs,
    dir: &Path,
) -> R<Option<std::sync::Arc<dyn rookery_ops::plan::CellSelector>>> {
    let fraction = first(inputs, "min_fraction")
        .filter(|t| !t.trim().is_empty())
        .map(rookery_ops::shape_mask::parse_min_fraction)
        .transpose()?;
    let Some(text) = first(inputs, "shape").filter(|t| !t.trim().is_empty()) else {
        if fraction.is_some() {
            return Err(ProcError::invalid("min_fraction requires a shape"));
        }
        return Ok(None);
    };
    let path = write_shape(daops, text, dir)?;
    let m = rookery_ops::ShapeMask::read(&path, fraction)?.with_cache(daops.shape_weights.clone());
    Ok(Some(std::sync::Arc::new(m)))
}

/// Writes a `shape` input (inline GeoJSON or GML text, or a reference URL to any shape file,
/// zipped Shapefile included) into the job directory; returns its path.
///
/// # Errors
/// An unreachable reference; the file cannot be written.
fn write_shape(daops: &Daops, text: &str, dir: &Path) -> R<std::path::PathBuf> {
    let t = text.trim();
    let bytes: Vec<u8> = if t.starts_with("http://") || t.starts_with("https://") {
        fetch_reference(daops.io(), "shape", t)?
    } else {
        text.as_bytes().to_vec()
    };
    let ext = if bytes.starts_with(b"PK\x03\x04") {
        "zip"
    } else if String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).trim_start().starts_with('<') {
        "gml"
    } else {
        "geojson"
    };
    let path = dir.join(format!("shape.{ext}"));
    std::fs::write(&path, &bytes).map_err(ProcError::io)?;
    Ok(path)
}

/// Runs `regrid` (rook: `method`, `grid`, `custom_grid` when `grid=custom`; adaptive masking
/// threshold 0.5).
///
/// # Errors
/// rook's texts for `custom_grid`, clisops's for methods and grids; unknown datasets, data failures.
pub fn regrid(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::regrid::{parse_method, GridSpec, RegridRequest};
    let method = parse_method(first(inputs, "method").unwrap_or("nearest_s2d"))?;
    let grid = match first(inputs, "grid").unwrap_or("auto") {
        "custom" => {
            let text = first(inputs, "custom_grid")
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| ProcError::invalid("Parameter 'custom_grid' is required when grid='custom'"))?;
            let n = text.split_whitespace().count();
            if ![1, 2, 3, 6].contains(&n) {
                return Err(ProcError::invalid(format!(
                    "Invalid custom_grid format: expected 1, 2, 3, or 6 values, got {n}"
                )));
            }
            match GridSpec::parse(text)? {
                g @ GridSpec::Instructor(_) => g,
                _ => {
                    return Err(ProcError::invalid(format!(
                        "Invalid custom_grid format: '{text}' is not a list of numbers"
                    )))
                }
            }
        }
        // Only ids: the service never reads a grid file named by the client.
        g @ ("auto" | "adaptive") => GridSpec::parse(g)?,
        g => GridSpec::Id(g.to_string()),
    };
    let req = RegridRequest {
        method,
        grid: grid.clone(),
        mask: None,
        adaptive_masking_threshold: 0.5,
        grids_dir: daops.grids_dir(),
        weights_dir: daops.weights_dir(),
        io: daops.io().clone(),
    };
    let rs = daops.regrid(collection, &req, &average_opts(dir, "regrid", progress))?;
    Ok(rs.file_uris())
}

/// The regridding of `ensemble_stats` members to `grid` (roocs-grids ids, `auto`/`adaptive`;
/// as `regrid`, never a grid file named by the client) with `method` (`nearest_s2d` by default).
fn regrid_request(daops: &Daops, grid: &str, method: Option<&str>) -> R<rookery_ops::regrid::RegridRequest> {
    use rookery_ops::regrid::{parse_method, GridSpec, RegridRequest};
    let method = parse_method(method.filter(|m| !m.trim().is_empty()).unwrap_or("nearest_s2d"))?;
    let grid = match grid.trim() {
        "custom" => return Err(ProcError::invalid("ensemble_stats takes a grid id or auto as grid, not custom")),
        g @ ("auto" | "adaptive") => GridSpec::parse(g)?,
        g => GridSpec::Id(g.to_string()),
    };
    let grids_dir = daops.grids_dir();
    Ok(RegridRequest {
        method,
        grid,
        mask: None,
        adaptive_masking_threshold: 0.5,
        grids_dir,
        weights_dir: daops.weights_dir(),
        io: daops.io().clone(),
    })
}

/// Runs `subset_point`: time series at the `point` inputs (`lon,lat`, one per occurrence or
/// `;`-separated) and the `points` input (CSV or GeoJSON, inline or by reference), as a CF
/// timeSeries file or CSV (`output_format`).
///
/// # Errors
/// No or malformed points, a point beyond `max_distance`, unknown datasets, data failures.
pub fn subset_point(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::point::{parse_point, parse_points_text, PointRequest};
    let mut stations = Vec::new();
    for p in inputs.get("point").into_iter().flatten().flat_map(|v| v.split(';')).filter(|p| !p.trim().is_empty()) {
        stations.push(parse_point(p, stations.len() + 1)?);
    }
    if let Some(text) = first(inputs, "points").filter(|t| !t.trim().is_empty()) {
        let t = text.trim();
        let body = if t.starts_with("http://") || t.starts_with("https://") {
            String::from_utf8(fetch_reference(daops.io(), "points", t)?)
                .map_err(|_| ProcError::invalid("Input \"points\": not UTF-8 text"))?
        } else {
            text.to_string()
        };
        stations.extend(parse_points_text(&body)?);
    }
    if stations.is_empty() {
        return Err(ProcError::invalid("At least one point must be provided: input \"point\" (lon,lat) or \"points\""));
    }
    let mut ids: Vec<&str> = stations.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(ProcError::invalid(format!("station id '{}' is given twice", w[0])));
    }
    let max_distance_km = match first(inputs, "max_distance").map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => Some(
            m.parse::<f64>()
                .map_err(|_| ProcError::invalid(format!("Input \"max_distance\": '{m}' is not a distance in km")))?,
        ),
        None => None,
    };
    let time = first(inputs, "time").filter(|s| !s.trim().is_empty());
    let tc = fix_time_components(first(inputs, "time_components"), time);
    let csv = match first(inputs, "output_format").map(str::trim).unwrap_or("netcdf") {
        "netcdf" | "nc" | "" => false,
        "csv" => true,
        other => return Err(ProcError::invalid(format!("Input \"output_format\": '{other}' is not netcdf or csv"))),
    };
    let req = PointRequest {
        stations,
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        level: first(inputs, "level").map(LevelParam::parse).transpose()?.flatten(),
        time_components: tc.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        max_distance_km,
        nearest_valid: first(inputs, "nearest_valid").and_then(parse_bool).unwrap_or(false),
        csv,
    };
    let rs = daops.points(collection, &req, &average_opts(dir, "subset_point", progress))?;
    Ok(rs.file_uris())
}

/// Largest input fetched by reference.
const MAX_REFERENCE_BYTES: u64 = 64 << 20;

/// Fetches an input given by reference: only URLs under `[rookery] allowed_urls` prefixes (the
/// server never fetches arbitrary addresses on a client's behalf; see
/// [`rookery_io::EgressPolicy`]), at most 64 MB.
///
/// # Errors
/// A URL that is not allowed, an HTTP failure, a body too large.
pub fn fetch_reference(io: &rookery_io::IoContext, id: &str, url: &str) -> R<Vec<u8>> {
    // The service's client carries its egress policy: allowed prefixes (in normal form), no
    // internal addresses unless listed, redirects re-checked.
    let http = io.remote().http();
    // A URL the policy refuses is the request's fault; a failed fetch of an allowed one is not.
    http.check(url).map_err(|e| ProcError::invalid(format!("Input \"{id}\": {e}")))?;
    http.fetch_all(url, MAX_REFERENCE_BYTES).map_err(|e| ProcError::server(format!("Input \"{id}\": {e}")))
}

/// Runs `climatology` (`freq` month/season/day, optional `years` FIRST/LAST).
///
/// # Errors
/// Bad frequency or years, no step in the years, unknown datasets, data failures.
pub fn climatology(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::stats::{self, ClimFreq, Years};
    let freq = ClimFreq::parse(first(inputs, "freq"))?;
    let years = first(inputs, "years").filter(|y| !y.trim().is_empty()).map(Years::parse).transpose()?;
    averaged(
        daops,
        collection,
        |src| stats::plan_climatology(src, freq, years),
        &stats::climatology_suffix(freq),
        "climatology",
        dir,
        progress,
    )
}

/// Runs `anomaly` (`reference` FIRST/LAST, `freq` month/season/day, `relative`).
///
/// # Errors
/// Missing or bad reference, bad frequency, unknown datasets, data failures.
pub fn anomaly(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::stats::{self, ClimFreq, Years};
    let freq = ClimFreq::parse(first(inputs, "freq"))?;
    let text = first(inputs, "reference")
        .ok_or_else(|| ProcError::invalid("Required input \"reference\" must be provided (FIRST/LAST years)."))?;
    let reference = Years::parse(text)?;
    let relative = first(inputs, "relative").and_then(parse_bool).unwrap_or(false);
    averaged(
        daops,
        collection,
        |src| stats::plan_anomaly(src, freq, reference, relative),
        &stats::anomaly_suffix(freq, relative),
        "anomaly",
        dir,
        progress,
    )
}

/// Runs `stat_time` (`stat` min/max/sum/mean/std/var/median/pNN, `freq` all/year/month/season).
///
/// # Errors
/// Bad statistic or frequency, unknown datasets, data failures.
pub fn stat_time(
    daops: &Daops,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    use rookery_ops::stats::{self, StatFreq};
    let stat = stats::parse_stat(first(inputs, "stat"))?;
    let freq = StatFreq::parse(first(inputs, "freq"))?;
    averaged(
        daops,
        collection,
        |src| stats::plan_stat_time(src, &stat, freq),
        &stats::stat_suffix(&stat, freq),
        "stat_time",
        dir,
        progress,
    )
}

/// Runs a data operation by name (the processes a workflow step may run too).
///
/// # Errors
/// See the operations.
pub fn run_operation(
    daops: &Daops,
    op: &str,
    collection: &[String],
    inputs: &Inputs,
    dir: &Path,
    progress: &Progress,
) -> R<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(ProcError::io)?;
    match op {
        "subset" => subset(daops, collection, inputs, dir, progress),
        "concat" => concat(daops, collection, inputs, dir, progress),
        "average" => average_dims(daops, collection, inputs, dir, progress),
        "average_time" => average_time(daops, collection, inputs, dir, progress),
        "weighted_average" => weighted_average(daops, collection, inputs, dir, progress),
        "average_shape" => average_shape(daops, collection, inputs, dir, progress),
        "regrid" => regrid(daops, collection, inputs, dir, progress),
        "subset_point" => subset_point(daops, collection, inputs, dir, progress),
        "ensemble_stats" => ensemble_stats(daops, collection, inputs, dir, progress),
        "climatology" => climatology(daops, collection, inputs, dir, progress),
        "anomaly" => anomaly(daops, collection, inputs, dir, progress),
        "stat_time" => stat_time(daops, collection, inputs, dir, progress),
        other => Err(ProcError::invalid(format!("Unknown operation '{other}'"))),
    }
}

/// SHA-256 of a file, hex.
///
/// # Errors
/// The file cannot be read.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn unique_name(dir: &Path, name: &str) -> PathBuf {
    let mut p = dir.join(name);
    let mut n = 1;
    while p.exists() {
        p = dir.join(format!("{n}_{name}"));
        n += 1;
    }
    p
}

/// Publishes output URIs from a job directory: files inside it are listed as they are, other
/// local files (original files) are linked in, remote URLs are kept as URLs.
///
/// # Errors
/// A listed file is missing.
pub fn publish(dir: &Path, uris: &[String]) -> R<(Vec<ResultFile>, Vec<String>)> {
    let mut files = Vec::new();
    let mut urls = Vec::new();
    let canon_dir = dir.canonicalize()?;
    for u in uris {
        if u.starts_with("http://") || u.starts_with("https://") {
            urls.push(u.clone());
            continue;
        }
        let p = PathBuf::from(u.strip_prefix("file://").unwrap_or(u));
        let meta =
            std::fs::metadata(&p).map_err(|e| ProcError::server(format!("output {} is missing: {e}", p.display())))?;
        let cp = p.canonicalize()?;
        // Files the job wrote are hashed; original files linked in are not (they may be large).
        let mut sha256 = None;
        let rel = if let Ok(r) = cp.strip_prefix(&canon_dir) {
            sha256 = sha256_file(&cp).ok();
            r.to_string_lossy().into_owned()
        } else {
            let name = p.file_name().map_or_else(|| "file.nc".into(), |n| n.to_string_lossy().into_owned());
            let link = unique_name(dir, &name);
            #[cfg(unix)]
            std::os::unix::fs::symlink(&cp, &link)?;
            #[cfg(not(unix))]
            std::fs::copy(&cp, &link)?;
            link.file_name().map_or(name, |n| n.to_string_lossy().into_owned())
        };
        files.push(ResultFile { name: rel, size: meta.len(), sha256 });
    }
    Ok((files, urls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_components_are_fixed_as_rook_does() {
        let all_months_days = format!("year:2001,2002|{TC_ALL_MONTHS}|{TC_ALL_DAYS}");
        assert_eq!(fix_time_components(Some(&all_months_days), None).as_deref(), Some("year:2001,2002"));
        assert_eq!(
            fix_time_components(Some("year:2000,2001,2002|month:jan,feb"), Some("2000-06-01/2002-05-31")).as_deref(),
            Some("month:jan,feb")
        );
        assert_eq!(
            fix_time_components(Some("year:2000,2002|month:jan,feb"), Some("2000-01-01/2002-12-31")).as_deref(),
            Some("year:2000,2002|month:jan,feb")
        );
        assert_eq!(
            fix_time_components(Some("year:2000|month=01|day=01"), None).as_deref(),
            Some("year:2000|month=01|day=01")
        );
        assert_eq!(fix_time_components(Some(""), None), None);
        assert_eq!(fix_time_components(Some(TC_ALL_MONTHS), None), None);
    }

    #[test]
    fn collections_split_on_commas() {
        assert_eq!(collection_items(&["a, b".into(), "c".into()]), vec!["a", "b", "c"]);
    }
}
