//! Averaging with clisops semantics (roocs.md §1.5–§1.7, rook §4.2): over dimensions, over
//! time periods, area-weighted field means, and over polygons.
//!
//! ```text
//!  dims::plan_dims        average_over_dims  (unweighted NaN-skipping mean; `--weights` option)
//!  time::plan_time        average_time       (day / month / year periods, clisops time_bnds)
//!  weights::plan_weighted weighted_average   (cell areas on the sphere, cos(lat) fallback)
//!  shape::plan_shape      average_shape      (exact spherical polygon ∩ cell fractions, `geom` axis)
//!        │ each builds a Job: output metadata + one VarJob per output variable
//!        ▼
//!  crate::engine::execute streams the source in time blocks, accumulates Σw·x and Σw per
//!                         output cell, finalises periods as they complete, writes (split,
//!                         named, staged: nothing is left behind on failure)
//! ```

pub mod dims;
pub mod geometry;
pub mod shape;
pub mod shapes;
pub mod time;
pub mod weights;

pub use crate::engine::{execute, Job, NanMode};
pub use dims::{parse_dims, plan_dims, DimsRequest};
pub use shape::{plan_shape, PolygonCache, ShapeRequest};
pub use shapes::{read_shapes, ShapeError, Shapes};
pub use time::{plan_time, Freq};
pub use weights::{plan_weighted, WeightKind, WeightedRequest};

use crate::engine::{AxisMap, CellWeights, Reduce, VarJob};
use crate::naming::FileNamer;
use crate::output::{clean_metadata, Progress};
use crate::{OpError, OutputSpec};
use ndarray::{ArrayD, Axis, IxDyn};
use rookery_cf::{AttrValue, DType, Dataset, Role, Variable};
use rookery_io::Source;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The roles clisops can average over, in its order.
pub const KNOWN_DIMS: [&str; 5] = ["time", "level", "latitude", "longitude", "realization"];

/// Runs a planned job: writes the outputs and returns their paths.
///
/// # Errors
/// Read/write failures (nothing is left behind).
pub fn run(
    src: &dyn Source,
    job: &Job,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    execute(src, job, spec, namer, progress)
}

/// Dimension coordinates by role, as clisops finds them (`average_over_dims`): every
/// coordinate variable that is also a dimension, typed by its CF attributes.
#[must_use]
pub fn found_dims(ds: &Dataset) -> Vec<(Role, String)> {
    let mut found: Vec<(Role, String)> = Vec::new();
    for v in &ds.vars {
        if v.dims.len() == 1 && v.dims[0] == v.name {
            if let Some(role) = rookery_cf::roles::coord_role(v) {
                found.retain(|(r, _)| *r != role);
                found.push((role, v.name.clone()));
            }
        }
    }
    found
}

/// Names of the variables referenced by `coordinates` and `bounds` attributes.
pub(crate) fn referenced(ds: &Dataset) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut coords = BTreeSet::new();
    let mut bounds = BTreeSet::new();
    for v in &ds.vars {
        if let Some(c) = v.attrs.get_str("coordinates") {
            coords.extend(c.split_whitespace().map(str::to_string));
        }
        if let Some(b) = v.attrs.get_str("bounds") {
            bounds.insert(b.trim().to_string());
        }
    }
    (coords, bounds)
}

/// Output type of an averaged variable: float types stay, the rest become double; packing
/// attributes go (values are unpacked).
pub(crate) fn averaged_meta(v: &Variable) -> Variable {
    let mut o = v.clone();
    let packed = o.attrs.get("scale_factor").is_some() || o.attrs.get("add_offset").is_some();
    let fill = ["_FillValue", "missing_value"].iter().find_map(|n| o.attrs.get_f64(n));
    if packed {
        let f32_scale = matches!(o.attrs.get("scale_factor"), Some(AttrValue::F32(_)));
        o.attrs.remove("scale_factor");
        o.attrs.remove("add_offset");
        o.attrs.remove("_FillValue");
        o.attrs.remove("missing_value");
        o.attrs.remove("valid_range");
        o.attrs.remove("valid_min");
        o.attrs.remove("valid_max");
        o.dtype = if f32_scale { DType::F32 } else { DType::F64 };
        if fill.is_some() {
            o.attrs.set("_FillValue", AttrValue::scalar_of(o.dtype, 1e20));
        }
    } else if !matches!(o.dtype, DType::F32 | DType::F64) {
        o.dtype = DType::F64;
        for n in ["_FillValue", "missing_value"] {
            if let Some(x) = o.attrs.get_f64(n) {
                o.attrs.set(n, AttrValue::F64(vec![x]));
            }
        }
    }
    o
}

/// Removes names that are no longer variables from `coordinates` attributes and dangling
/// `bounds`.
pub(crate) fn tidy_references(out: &mut Dataset) {
    let names: BTreeSet<String> = out.vars.iter().map(|v| v.name.clone()).collect();
    for v in &mut out.vars {
        if let Some(c) = v.attrs.get_str("coordinates") {
            let kept: Vec<&str> = c.split_whitespace().filter(|n| names.contains(*n)).collect();
            if kept.is_empty() {
                v.attrs.remove("coordinates");
            } else {
                let s = kept.join(" ");
                v.attrs.set("coordinates", AttrValue::Text(s));
            }
        }
        if let Some(b) = v.attrs.get_str("bounds") {
            if !names.contains(b.trim()) {
                v.attrs.remove("bounds");
            }
        }
    }
    let used: BTreeSet<&str> = out.vars.iter().flat_map(|v| v.dims.iter().map(String::as_str)).collect();
    let used: BTreeSet<String> = used.into_iter().map(str::to_string).collect();
    out.dims.retain(|d| used.contains(&d.name));
}

/// Marginal of dense cell weights on the axes a variable has (weights on absent dims are
/// summed away).
fn weights_for(v: &Variable, wdims: &[String], w: &ArrayD<f64>) -> Option<CellWeights> {
    let mut arr = w.clone();
    let mut kept: Vec<String> = Vec::new();
    for (k, d) in wdims.iter().enumerate().rev() {
        if v.axis_of(d).is_none() {
            arr = arr.sum_axis(Axis(k));
        } else {
            kept.push(d.clone());
        }
    }
    kept.reverse();
    if kept.is_empty() {
        return None;
    }
    let axes: Vec<usize> = kept.iter().filter_map(|d| v.axis_of(d)).collect();
    if axes.windows(2).any(|p| p[0] >= p[1]) {
        // Weights laid in another order than the variable: transpose to the variable's.
        let mut order: Vec<usize> = (0..kept.len()).collect();
        order.sort_by_key(|&k| v.axis_of(&kept[k]));
        let mut sorted_axes = axes.clone();
        sorted_axes.sort_unstable();
        let t = arr.permuted_axes(IxDyn(&order)).as_standard_layout().into_owned();
        return Some(CellWeights { axes: sorted_axes, w: t });
    }
    Some(CellWeights { axes, w: arr })
}

/// Builds the job that averages every data variable over `collapse` (source dimension
/// names), optionally with cell weights laid on `weights.0` dims; variables without those
/// dimensions pass through; coordinates and bounds of collapsed dimensions are dropped.
fn collapse_job(
    src: &dyn Source,
    main: &str,
    collapse: &[String],
    weights: Option<(Vec<String>, ArrayD<f64>)>,
    nan: NanMode,
    times: &Option<crate::subset::TimeAxis>,
) -> Result<Job, OpError> {
    let ds = src.dataset();
    let (coords, bounds) = referenced(ds);
    let mut out = ds.clone();
    out.vars.clear();
    let mut jobs = Vec::new();
    let mut reduced = Vec::new();
    for v in &ds.vars {
        let uses = v.dims.iter().any(|d| collapse.contains(d));
        if !uses {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        }
        let is_coord =
            (v.dims.len() == 1 && v.dims[0] == v.name) || coords.contains(&v.name) || bounds.contains(&v.name);
        if is_coord || !v.dtype.is_numeric() {
            continue;
        }
        let mut o = averaged_meta(v);
        let keep: Vec<usize> = (0..v.dims.len()).filter(|&k| !collapse.contains(&v.dims[k])).collect();
        o.dims = keep.iter().map(|&k| v.dims[k].clone()).collect();
        o.shape = keep.iter().map(|&k| v.shape[k]).collect();
        let axes: Vec<AxisMap> =
            v.dims.iter().map(|d| if collapse.contains(d) { AxisMap::Collapse } else { AxisMap::Keep }).collect();
        let cw = weights.as_ref().and_then(|(d, w)| weights_for(v, d, w));
        out.vars.push(o);
        reduced.push(v.name.clone());
        jobs.push(VarJob::Reduce(Reduce { var: v.name.clone(), axes, weights: cw, sparse: None, nan }));
    }
    tidy_references(&mut out);
    clean_metadata(&mut out, &reduced);
    let td = times.as_ref().map(|t| t.dim.clone());
    let time_kept = td.as_ref().is_some_and(|d| !collapse.contains(d) && out.dim(d).is_some());
    Ok(Job {
        out,
        main: main.to_string(),
        time_dim: if time_kept { td.clone() } else { None },
        times: if time_kept { times.as_ref().map(|t| t.times.clone()).unwrap_or_default() } else { Vec::new() },
        vars: jobs,
        src_time_dim: td,
    })
}

/// The main variable of a source (clisops `get_main_variable`).
fn main_var(ds: &Dataset) -> Result<rookery_cf::CfInfo, OpError> {
    rookery_cf::CfInfo::detect(ds).map_err(|e| OpError::Data(e.to_string()))
}
