//! The operations: each parses its text arguments as the command line does (a malformed request
//! fails before any file is opened) and calls the conductor through [`run`].

use crate::{run, to_py, Output};
use pyo3::prelude::*;
use rookery_daops::{Daops, DaopsError};
use rookery_ops::average::{self, dims, shape, time, weights, Freq, WeightKind};
use rookery_ops::regrid::{parse_method, GridSpec, MaskKind, RegridRequest};
use rookery_ops::stats::{self, ClimFreq, StatFreq, Years};
use rookery_ops::{AreaParam, LevelParam, OpError, SubsetRequest, TimeComponents, TimeParam};
use std::path::PathBuf;

/// Registers the operations on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(subset, m)?)?;
    m.add_function(wrap_pyfunction!(average_over_dims, m)?)?;
    m.add_function(wrap_pyfunction!(average_time, m)?)?;
    m.add_function(wrap_pyfunction!(average_shape, m)?)?;
    m.add_function(wrap_pyfunction!(weighted_average, m)?)?;
    m.add_function(wrap_pyfunction!(regrid, m)?)?;
    m.add_function(wrap_pyfunction!(concat, m)?)?;
    m.add_function(wrap_pyfunction!(climatology, m)?)?;
    m.add_function(wrap_pyfunction!(anomaly, m)?)?;
    m.add_function(wrap_pyfunction!(stat_time, m)?)?;
    m.add_function(wrap_pyfunction!(ensemble, m)?)?;
    Ok(())
}

/// An operation error as `EngineError`.
fn op(e: OpError) -> PyErr {
    to_py(&DaopsError::Op(e))
}

/// The time, area, level and time-components request of a subset-like operation.
fn request(
    time: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
    time_components: Option<&str>,
) -> Result<SubsetRequest, OpError> {
    Ok(SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: area.map(AreaParam::parse).transpose()?.flatten(),
        level: level.map(LevelParam::parse).transpose()?.flatten(),
        time_components: time_components.map(TimeComponents::parse).transpose()?.flatten(),
        shape: None,
    })
}

/// Subset (clisops `subset`): `time` "a/b" or "a,b,c", `area` "W,S,E,N", `level` "a/b" or
/// "a,b", `time_components` "year:2000,2001|month:jan"; `shape` a polygon file keeping the
/// cells whose centre is inside (or at least `min_fraction` covered).
#[pyfunction]
#[pyo3(signature = (collection, output, time=None, area=None, level=None, time_components=None, shape=None, min_fraction=None))]
#[allow(clippy::too_many_arguments)]
fn subset(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    time: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
    time_components: Option<&str>,
    shape: Option<PathBuf>,
    min_fraction: Option<&str>,
) -> PyResult<Vec<String>> {
    let mut req = request(time, area, level, time_components).map_err(op)?;
    if let Some(path) = shape {
        let f = min_fraction.map(rookery_ops::shape_mask::parse_min_fraction).transpose().map_err(op)?;
        let m = rookery_ops::ShapeMask::read(&path, f).map_err(op)?;
        req.shape = Some(std::sync::Arc::new(m) as std::sync::Arc<dyn rookery_ops::plan::CellSelector>);
    }
    run(py, output, true, move |d, opts| d.subset(&collection, &req, opts))
}

/// Runs an averaging planned by `plan` (every dataset planned before anything is written).
fn averaged<P>(py: Python<'_>, collection: &[String], output: &Output, extra: &str, plan: P) -> PyResult<Vec<String>>
where
    P: Fn(&Daops, &dyn rookery_io::Source) -> Result<average::Job, OpError> + Send + Sync,
{
    run(py, output, true, |d, opts| d.average(collection, |src| plan(d, src), extra, opts))
}

/// clisops `average_over_dims`: `dims` comma-separated (time, level, latitude, longitude,
/// realization); `weights` none (clisops), area or cos-lat.
#[pyfunction]
#[pyo3(signature = (collection, output, dims=None, ignore_undetected_dims=false, weights="none", area_file=None))]
fn average_over_dims(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    dims: Option<&str>,
    ignore_undetected_dims: bool,
    weights: &str,
    area_file: Option<String>,
) -> PyResult<Vec<String>> {
    let roles = dims::parse_dims(dims.unwrap_or("")).map_err(op)?;
    let kind = WeightKind::parse(weights).map_err(op)?;
    let suffix = dims::suffix(&roles);
    averaged(py, &collection, output, &suffix, move |d, src| {
        let req = dims::DimsRequest {
            dims: roles.clone(),
            ignore_undetected_dims,
            weights: kind,
            area_file: area_file.clone().map(|f| vec![f]),
            io: d.io().clone(),
        };
        dims::plan_dims(src, &req)
    })
}

/// clisops `average_time`: `freq` day, month or year.
#[pyfunction]
#[pyo3(signature = (collection, output, freq=None))]
fn average_time(py: Python<'_>, collection: Vec<String>, output: &Output, freq: Option<&str>) -> PyResult<Vec<String>> {
    let freq = Freq::parse(freq).map_err(op)?;
    averaged(py, &collection, output, &freq.suffix(), move |_, src| time::plan_time(src, freq))
}

/// clisops `average_shape`: area-weighted means over the polygons of `shape`.
#[pyfunction]
#[pyo3(signature = (collection, output, shape=None, variables=None))]
fn average_shape(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    shape: Option<PathBuf>,
    variables: Option<Vec<String>>,
) -> PyResult<Vec<String>> {
    let shape = shape.ok_or_else(|| op(OpError::Invalid(shape::NO_SHAPE.into())))?;
    // The polygons are read before any data file is opened: a bad shape file fails first.
    average::read_shapes(&shape).map_err(op)?;
    let req = shape::ShapeRequest { shape, variables };
    averaged(py, &collection, output, shape::SUFFIX, move |d, src| shape::plan_shape(src, &req, &d.shape_weights))
}

/// rook `weighted_average`: horizontal mean weighted by cell areas or cos(lat).
#[pyfunction]
#[pyo3(signature = (collection, output, weights="area", area_file=None))]
fn weighted_average(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    weights: &str,
    area_file: Option<String>,
) -> PyResult<Vec<String>> {
    let kind = WeightKind::parse(weights).map_err(op)?;
    averaged(py, &collection, output, weights::SUFFIX, move |d, src| {
        let req = weights::WeightedRequest {
            weights: kind,
            area_file: area_file.clone().map(|f| vec![f]),
            io: d.io().clone(),
        };
        weights::plan_weighted(src, &req)
    })
}

/// clisops `regrid`: `method` nearest_s2d, bilinear or conservative; `grid` auto/adaptive, a
/// roocs-grids id, numbers ("2.5") or a NetCDF file whose grid is the target; `mask` land or
/// ocean; `weights_dir` None for the configured cache, "" for no cache.
#[pyfunction]
#[pyo3(signature = (collection, output, method="nearest_s2d", grid="auto", mask=None, adaptive_masking_threshold=0.5, weights_dir=None))]
#[allow(clippy::too_many_arguments)]
fn regrid(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    method: &str,
    grid: &str,
    mask: Option<&str>,
    adaptive_masking_threshold: f64,
    weights_dir: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    let method = parse_method(method).map_err(op)?;
    let grid = GridSpec::parse(grid).map_err(op)?;
    let mask = MaskKind::parse(mask.unwrap_or("")).map_err(op)?;
    run(py, output, true, move |d, opts| {
        let grids_dir = d.grids_dir();
        let weights_dir = match weights_dir {
            Some(w) if w.as_os_str().is_empty() => None,
            Some(w) => Some(w),
            None => d.weights_dir(),
        };
        let req = RegridRequest {
            method,
            grid,
            mask,
            adaptive_masking_threshold,
            grids_dir,
            weights_dir,
            io: d.io().clone(),
        };
        d.regrid(&collection, &req, opts)
    })
}

/// rook `concat`: the datasets of `collection` stacked along `realization`, optionally
/// averaged over it.
#[pyfunction]
#[pyo3(signature = (collection, output, apply_average=false, time=None, area=None, time_components=None))]
#[allow(clippy::too_many_arguments)]
fn concat(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    apply_average: bool,
    time: Option<&str>,
    area: Option<&str>,
    time_components: Option<&str>,
) -> PyResult<Vec<String>> {
    let req = request(time, area, None, time_components).map_err(op)?;
    run(py, output, false, move |d, opts| d.concat(&collection, &req, apply_average, opts))
}

/// Climatology: mean per calendar month, season or day of year, over `years` "FIRST/LAST".
#[pyfunction]
#[pyo3(signature = (collection, output, freq="month", years=None))]
fn climatology(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    freq: &str,
    years: Option<&str>,
) -> PyResult<Vec<String>> {
    let freq = ClimFreq::parse(Some(freq)).map_err(op)?;
    let years = years.map(Years::parse).transpose().map_err(op)?;
    let suffix = stats::climatology_suffix(freq);
    averaged(py, &collection, output, &suffix, move |_, src| stats::plan_climatology(src, freq, years))
}

/// Anomaly against the climatology of the `reference` years "FIRST/LAST".
#[pyfunction]
#[pyo3(signature = (collection, output, reference, freq="month", relative=false))]
fn anomaly(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    reference: &str,
    freq: &str,
    relative: bool,
) -> PyResult<Vec<String>> {
    let freq = ClimFreq::parse(Some(freq)).map_err(op)?;
    let reference = Years::parse(reference).map_err(op)?;
    let suffix = stats::anomaly_suffix(freq, relative);
    averaged(py, &collection, output, &suffix, move |_, src| stats::plan_anomaly(src, freq, reference, relative))
}

/// A statistic over time (min, max, sum, mean, std, var, median, pNN) per `freq` group.
#[pyfunction]
#[pyo3(signature = (collection, output, stat, freq="all"))]
fn stat_time(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    stat: &str,
    freq: &str,
) -> PyResult<Vec<String>> {
    let stat = stats::parse_stat(Some(stat)).map_err(op)?;
    let freq = StatFreq::parse(Some(freq)).map_err(op)?;
    let suffix = stats::stat_suffix(&stat, freq);
    averaged(py, &collection, output, &suffix, move |_, src| stats::plan_stat_time(src, &stat, freq))
}

/// Ensemble statistics across members (each item of `collection` one member); with `grid`,
/// the members are first regridded to it with `method`.
#[pyfunction]
#[pyo3(signature = (collection, output, stat="mean,std,min,max", time=None, area=None, time_components=None, grid=None, method="nearest_s2d"))]
#[allow(clippy::too_many_arguments)]
fn ensemble(
    py: Python<'_>,
    collection: Vec<String>,
    output: &Output,
    stat: &str,
    time: Option<&str>,
    area: Option<&str>,
    time_components: Option<&str>,
    grid: Option<&str>,
    method: &str,
) -> PyResult<Vec<String>> {
    let stats = rookery_ops::ensemble::parse_stats(stat).map_err(op)?;
    let req = request(time, area, None, time_components).map_err(op)?;
    let target = match grid {
        Some(g) => Some((parse_method(method).map_err(op)?, GridSpec::parse(g).map_err(op)?)),
        None => None,
    };
    run(py, output, false, move |d, opts| {
        let rq = target.map(|(method, grid)| RegridRequest {
            grids_dir: d.grids_dir(),
            method,
            grid,
            mask: None,
            adaptive_masking_threshold: 0.5,
            weights_dir: d.weights_dir(),
            io: d.io().clone(),
        });
        d.ensemble(&collection, &stats, &req, rq.as_ref(), opts)
    })
}
