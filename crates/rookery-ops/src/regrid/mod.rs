//! Horizontal regridding with clisops semantics (roocs.md §1.10): nearest neighbour,
//! bilinear and first-order conservative, to roocs-grids ids, grid instructions, an adaptive
//! grid or the grid of any NetCDF file; land/sea masks of the target; weights cached on disk.
//!
//! ```text
//!  grids::from_dataset(source)  ─┐
//!  grids::from_id / from_file /  ├─► HGrid ─► rookery_regrid::Grid ─► Weights (cache) ─┐
//!  from_instructor / adaptive   ─┘                                                      ▼
//!  plan_regrid: output metadata (target coordinates, clisops attributes) + one engine
//!  VarJob::Regrid per variable on the source grid ──► engine::execute (streamed, split, named)
//! ```

pub mod bounds;
pub mod builtin;
pub mod grids;

pub use grids::{GridSpec, HGrid, Layout};
pub use rookery_regrid::Method;

use crate::average::{averaged_meta, referenced, tidy_references};
use crate::engine::{Job, RegridVar, VarJob};
use crate::naming::FileNamer;
use crate::output::{clean_metadata, Progress};
use crate::{OpError, OutputSpec};
use ndarray::{ArrayD, IxDyn};
use rookery_cf::{Array, AttrValue, Attrs, CfInfo, DType, Dataset, Dim, Variable};
use rookery_io::Source;
use std::path::PathBuf;
use std::sync::Arc;

/// Which target cells a land/sea mask removes (clisops `mask`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskKind {
    /// Land cells are masked (land fraction ≥ 0.5).
    Land,
    /// Ocean cells are masked (land fraction < 0.5).
    Ocean,
}

impl MaskKind {
    /// Parses `land`, `ocean`, or `none`/`false`/empty (no mask).
    ///
    /// # Errors
    /// Anything else (clisops's text).
    pub fn parse(s: &str) -> Result<Option<MaskKind>, OpError> {
        match s.trim() {
            "land" => Ok(Some(MaskKind::Land)),
            "ocean" => Ok(Some(MaskKind::Ocean)),
            "" | "none" | "None" | "false" | "False" => Ok(None),
            o => Err(OpError::Invalid(format!("mask must be one of 'land', 'ocean' or None, not '{o}'."))),
        }
    }
}

/// Parses a clisops method name.
///
/// # Errors
/// Unknown methods (clisops's text); `patch`, which rookery does not implement.
pub fn parse_method(s: &str) -> Result<Method, OpError> {
    match s.trim() {
        "patch" => Err(OpError::Invalid(
            "the regridding method 'patch' is not available in rookery: choose conservative, bilinear or nearest_s2d".into(),
        )),
        t => Method::parse(t).map_err(|_| {
            OpError::Invalid(
                "The selected regridding method is not supported. Please choose one of: conservative, patch, nearest_s2d, bilinear."
                    .into(),
            )
        }),
    }
}

/// A regrid request.
#[derive(Clone, Debug)]
pub struct RegridRequest {
    /// The method (`nearest_s2d` by default, as clisops).
    pub method: Method,
    /// The target grid (`adaptive` by default).
    pub grid: GridSpec,
    /// Target land/sea mask.
    pub mask: Option<MaskKind>,
    /// clisops `adaptive_masking_threshold` (0.5 by default; outside [0, 1] turns it off).
    pub adaptive_masking_threshold: f64,
    /// Directory of the roocs-grids files; `None`: the grids built into the binary.
    pub grids_dir: Option<PathBuf>,
    /// Weights cache directory (none: weights are computed every time).
    pub weights_dir: Option<PathBuf>,
    /// What grid files are read through (and may be read at all).
    pub io: rookery_io::IoContext,
}

/// The version written into `regrid_tool`.
const TOOL: &str = concat!("rookery-regrid_v", env!("CARGO_PKG_VERSION"));

/// A planned regridding: the engine job and the file-name suffix.
#[derive(Debug)]
pub struct Planned {
    /// The job.
    pub job: Job,
    /// `_regrid-<method>-<grid>` (clisops).
    pub suffix: String,
    /// Source and target grids were the same: the data pass through.
    pub same_grid: bool,
    /// The weights came from the cache.
    pub cache_hit: bool,
}

/// The target grid of a request for a source grid.
///
/// # Errors
/// Unknown ids, bad instructions, unreadable grid files.
pub fn target_grid(req: &RegridRequest, source: &HGrid) -> Result<HGrid, OpError> {
    match &req.grid {
        GridSpec::Adaptive => grids::adaptive(source),
        GridSpec::Id(id) => grids::from_id(&req.io, id, req.grids_dir.as_deref()),
        GridSpec::Instructor(g) => grids::from_instructor(g),
        GridSpec::File(p) => grids::from_file(&req.io, p),
    }
}

/// Plans the regridding of every variable on the source's horizontal grid.
///
/// # Errors
/// Request errors (`Invalid`), sources without a usable grid (`Data`).
#[allow(clippy::too_many_lines)]
pub fn plan_regrid(src: &dyn Source, req: &RegridRequest) -> Result<Planned, OpError> {
    let ds = src.dataset();
    let info = CfInfo::detect(ds).map_err(|e| OpError::Data(e.to_string()))?;
    let mut sgrid = grids::from_dataset(src, &info)?;
    let mut notes = bounds::verify(&mut sgrid, "source");
    let mut tgrid = target_grid(req, &sgrid)?;
    notes.extend(bounds::verify(&mut tgrid, "target"));
    let unstructured = matches!(sgrid.layout, Layout::Unstr { .. }) || matches!(tgrid.layout, Layout::Unstr { .. });
    if unstructured && req.method != Method::NearestS2d {
        return Err(OpError::Invalid(format!(
            "regridding from or to an unstructured grid is only possible with nearest_s2d, not {}",
            req.method.as_str()
        )));
    }
    let dst_masked: Option<Vec<bool>> = match (req.mask, tgrid.land.take()) {
        (None, _) => None,
        (Some(_), None) => {
            tracing::warn!("No land sea mask found in the dataset that could be applied.");
            None
        }
        // clisops casts the fraction to int32 before comparing with 0.5, so a fractional
        // sftlf only counts cells that are entirely land; the fraction is compared here.
        (Some(MaskKind::Ocean), Some(f)) => Some(f.iter().map(|x| *x < 0.5).collect()),
        (Some(MaskKind::Land), Some(f)) => Some(f.iter().map(|x| *x >= 0.5).collect()),
    };
    let mut sg = sgrid.to_grid()?;
    let mut dg = tgrid.to_grid()?;
    if req.method == Method::Conservative {
        let mut need = |g: &mut rookery_regrid::Grid, which: &str| {
            let had = g.has_bounds();
            g.ensure_bounds().map_err(|e| {
                OpError::Invalid(format!("conservative regridding needs cell bounds on the {which} grid: {e}"))
            })?;
            if !had && notes.iter().any(|n| n.starts_with(which) && n.contains("dropped")) {
                notes.push(format!("{which} grid: cell bounds computed from the cell centres"));
            }
            Ok::<(), OpError>(())
        };
        need(&mut sg, "source")?;
        need(&mut dg, "target")?;
    }
    let suffix = format!("_regrid-{}-{}", req.method.as_str(), tgrid.label());
    let times = crate::subset::time_axis(src, &info)?;
    let td = times.as_ref().map(|t| t.dim.clone());
    let times_v = times.as_ref().map(|t| t.times.clone()).unwrap_or_default();
    if dst_masked.is_none() && sg.hash() == dg.hash() {
        tracing::warn!("The selected source and target grids are the same. No regridding operation required.");
        let mut out = ds.clone();
        clean_metadata(&mut out, &[]);
        let vars = ds.vars.iter().map(|v| VarJob::Copy(v.name.clone())).collect();
        let job = Job { out, main: info.main.clone(), time_dim: td.clone(), times: times_v, vars, src_time_dim: td };
        return Ok(Planned { job, suffix, same_grid: true, cache_hit: false });
    }
    let e = sgrid.extent();
    let opts = rookery_regrid::WeightOptions {
        periodic: None,
        ignore_degenerate: true,
        post_mask_source_domain_edge: req.method == Method::NearestS2d
            && !matches!(sgrid.layout, Layout::Unstr { .. })
            && !(e.global_lon && e.global_lat),
    };
    let bad = |e: rookery_regrid::RegridError| OpError::Data(e.to_string());
    let (weights, uid, cache_hit) = match &req.weights_dir {
        Some(dir) => {
            let cache = rookery_regrid::WeightsCache::new(dir.clone());
            let (w, outcome) = cache.get_or_compute(&sg, &dg, req.method, &opts).map_err(bad)?;
            (w, outcome.id.clone(), outcome.hit)
        }
        None => {
            let w = rookery_regrid::compute_weights(&sg, &dg, req.method, &opts).map_err(bad)?;
            let id = format!("{}_{}_{}", sg.hash(), dg.hash(), req.method.as_str());
            (Arc::new(w), id, false)
        }
    };
    let periodic = sg.is_global_lon() && req.method != Method::Conservative;
    let (sy, sx) = sgrid.shape2();
    let (ty, tx) = tgrid.shape2();
    let (sy, sx) = if matches!(sgrid.layout, Layout::Unstr { .. }) { (1, sgrid.ncells()) } else { (sy, sx) };
    let (ty, tx) = if matches!(tgrid.layout, Layout::Unstr { .. }) { (1, tgrid.ncells()) } else { (ty, tx) };
    let operation = format!("{}_{sy}x{sx}_{ty}x{tx}{}", req.method.as_str(), if periodic { "_peri" } else { "" });

    // Output metadata.
    let (coords, bounds) = referenced(ds);
    let terms = formula_terms(ds);
    let hdims = &sgrid.dims;
    let on_grid =
        |v: &Variable| -> bool { v.dims.len() >= hdims.len() && v.dims[v.dims.len() - hdims.len()..] == hdims[..] };
    let mut out = ds.clone();
    out.vars.clear();
    out.dims.retain(|d| !hdims.contains(&d.name));
    let (tdims, tvars) = target_coords(&tgrid, &out);
    for d in tdims {
        if out.dim(&d.name).is_none() {
            out.dims.push(d);
        }
    }
    let tdim_names: Vec<String> = match &tgrid.layout {
        Layout::Rect { .. } => vec!["lat".into(), "lon".into()],
        Layout::Curv { .. } => vec!["y".into(), "x".into()],
        Layout::Unstr { .. } => vec!["ncells".into()],
    };
    let tshape: Vec<usize> = match &tgrid.layout {
        Layout::Rect { lat, lon, .. } => vec![lat.len(), lon.len()],
        Layout::Curv { ny, nx, .. } => vec![*ny, *nx],
        Layout::Unstr { lat, .. } => vec![lat.len()],
    };
    let mut jobs: Vec<VarJob> = Vec::new();
    let mut regridded: Vec<String> = Vec::new();
    let skipna = req.method == Method::Conservative;
    let dst_masked = dst_masked.map(Arc::new);
    for v in &ds.vars {
        if sgrid.coord_vars.contains(&v.name) {
            continue;
        }
        let is_coord =
            (v.dims.len() == 1 && v.dims[0] == v.name) || coords.contains(&v.name) || bounds.contains(&v.name);
        let horizontal = v.dims.iter().any(|d| hdims.contains(d));
        if !horizontal {
            // clisops keeps coordinates (scalar ones only when some `coordinates` attribute
            // lists them); bounds of kept coordinates are kept too.
            let scalar_unlisted = v.dims.is_empty() && !coords.contains(&v.name);
            // Formula terms of a parametric vertical coordinate (`ap`, `b`, their bounds) stay
            // with it, as clisops keeps them.
            if (is_coord && !scalar_unlisted) || bounds.contains(&v.name) || terms.contains(&v.name) {
                out.vars.push(v.clone());
                jobs.push(VarJob::Copy(v.name.clone()));
            } else {
                // Grid mappings of the source grid and data variables without the horizontal
                // grid are dropped, as clisops does.
                tracing::debug!("{} is not on the target grid: dropped", v.name);
            }
            continue;
        }
        if is_coord || !on_grid(v) || !v.dtype.is_numeric() {
            continue;
        }
        let mut o = averaged_meta(v);
        o.dims.truncate(v.dims.len() - hdims.len());
        o.shape.truncate(v.dims.len() - hdims.len());
        o.dims.extend(tdim_names.iter().cloned());
        o.shape.extend(tshape.iter().copied());
        for a in ["grid_mapping", "cell_measures"] {
            o.attrs.remove(a);
        }
        out.vars.push(o);
        regridded.push(v.name.clone());
        jobs.push(VarJob::Regrid(RegridVar {
            var: v.name.clone(),
            h_axes: hdims.len(),
            weights: weights.clone(),
            skipna,
            na_thres: req.adaptive_masking_threshold,
            dst_masked: dst_masked.clone(),
        }));
    }
    if regridded.is_empty() {
        return Err(OpError::Data(format!("no variable lies on the horizontal grid ({})", hdims.join(", "))));
    }
    for (v, a) in tvars {
        jobs.push(VarJob::Values(v.name.clone(), a));
        out.vars.push(v);
    }
    // Global attributes (clisops `core.regrid`).
    let src_attrs = &ds.attrs;
    let mut attrs: Attrs = src_attrs.clone();
    let text = |s: &str| AttrValue::Text(s.to_string());
    if let Some(g) = src_attrs.get("grid") {
        attrs.set("grid_original", g.clone());
    }
    if let Some(g) = src_attrs.get("grid_label") {
        attrs.set("grid_label_original", g.clone());
    }
    if let Some(n) = src_attrs.get("nominal_resolution") {
        attrs.set("nominal_resolution_original", n.clone());
        attrs.remove("nominal_resolution");
    }
    if let Some(n) = &tgrid.nominal_resolution {
        attrs.set("nominal_resolution", text(n));
    }
    attrs.set("grid", text(&tgrid.title));
    attrs.set("grid_label", text("gr"));
    attrs.set("regrid_operation", text(&operation));
    attrs.set("regrid_tool", text(TOOL));
    attrs.set("regrid_weights_uid", text(&uid));
    if !notes.is_empty() {
        // What bounds verification changed (clisops only warns); the driver prepends the
        // command line to this history.
        let note = format!("rookery regrid: {}", notes.join("; "));
        let h = match src_attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{note}\n{old}"),
            _ => note,
        };
        attrs.set("history", text(&h));
    }
    out.attrs = attrs;
    tidy_references(&mut out);
    if !matches!(tgrid.layout, Layout::Rect { .. }) {
        for v in out.vars.iter_mut().filter(|v| regridded.contains(&v.name)) {
            let mut c: Vec<String> = v
                .attrs
                .get_str("coordinates")
                .map(|c| c.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            for n in ["lat", "lon"] {
                if !c.iter().any(|x| x == n) {
                    c.push(n.to_string());
                }
            }
            v.attrs.set("coordinates", AttrValue::Text(c.join(" ")));
        }
    }
    clean_metadata(&mut out, &regridded);
    let time_kept = td.as_ref().is_some_and(|d| out.dim(d).is_some());
    let job = Job {
        out,
        main: info.main.clone(),
        time_dim: if time_kept { td.clone() } else { None },
        times: if time_kept { times_v } else { Vec::new() },
        vars: jobs,
        src_time_dim: td,
    };
    Ok(Planned { job, suffix, same_grid: false, cache_hit })
}

/// Dimensions and coordinate variables (with values) of the target grid.
fn target_coords(g: &HGrid, out: &Dataset) -> (Vec<Dim>, Vec<(Variable, Array)>) {
    let dim = |name: &str, len: usize| Dim { name: name.into(), len, unlimited: false };
    let bnds = if out.dim("bnds").is_some_and(|d| d.len != 2) { "bnds_2" } else { "bnds" };
    let mk = |name: &str, dims: Vec<String>, shape: Vec<usize>, attrs: &[(&str, &str)]| -> Variable {
        let mut a = Attrs::default();
        for (k, v) in attrs {
            a.set(k, AttrValue::Text((*v).to_string()));
        }
        Variable { name: name.into(), dtype: DType::F64, dims, shape, attrs: a }
    };
    let arr = |shape: &[usize], v: Vec<f64>| {
        Array::F64(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap_or_else(|_| ArrayD::zeros(IxDyn(shape))))
    };
    let lat_attrs = |b: bool| -> Vec<(&'static str, &'static str)> {
        let mut v =
            vec![("standard_name", "latitude"), ("long_name", "latitude"), ("units", "degrees_north"), ("axis", "Y")];
        if b {
            v.push(("bounds", "lat_bnds"));
        }
        v
    };
    let lon_attrs = |b: bool| -> Vec<(&'static str, &'static str)> {
        let mut v =
            vec![("standard_name", "longitude"), ("long_name", "longitude"), ("units", "degrees_east"), ("axis", "X")];
        if b {
            v.push(("bounds", "lon_bnds"));
        }
        v
    };
    let mut dims = Vec::new();
    let mut vars = Vec::new();
    match &g.layout {
        Layout::Rect { lat, lon, lat_bnds, lon_bnds } => {
            let (ny, nx) = (lat.len(), lon.len());
            dims.push(dim("lat", ny));
            dims.push(dim("lon", nx));
            let b = lat_bnds.is_some() && lon_bnds.is_some();
            vars.push((mk("lat", vec!["lat".into()], vec![ny], &lat_attrs(b)), arr(&[ny], lat.clone())));
            vars.push((mk("lon", vec!["lon".into()], vec![nx], &lon_attrs(b)), arr(&[nx], lon.clone())));
            if let (Some(lb), Some(ob)) = (lat_bnds, lon_bnds) {
                dims.push(dim(bnds, 2));
                vars.push((
                    mk("lat_bnds", vec!["lat".into(), bnds.into()], vec![ny, 2], &[]),
                    arr(&[ny, 2], lb.iter().flatten().copied().collect()),
                ));
                vars.push((
                    mk("lon_bnds", vec!["lon".into(), bnds.into()], vec![nx, 2], &[]),
                    arr(&[nx, 2], ob.iter().flatten().copied().collect()),
                ));
            }
        }
        Layout::Curv { ny, nx, lat, lon, corners } => {
            dims.push(dim("y", *ny));
            dims.push(dim("x", *nx));
            let b = corners.is_some();
            let d2 = vec!["y".to_string(), "x".to_string()];
            vars.push((mk("lat", d2.clone(), vec![*ny, *nx], &lat_attrs(b)[..3]), arr(&[*ny, *nx], lat.clone())));
            vars.push((mk("lon", d2.clone(), vec![*ny, *nx], &lon_attrs(b)[..3]), arr(&[*ny, *nx], lon.clone())));
            if let Some((clat, clon)) = corners {
                dims.push(dim("nv", 4));
                let d3 = vec!["y".to_string(), "x".to_string(), "nv".to_string()];
                vars.push((mk("lat_bnds", d3.clone(), vec![*ny, *nx, 4], &[]), arr(&[*ny, *nx, 4], clat.clone())));
                vars.push((mk("lon_bnds", d3, vec![*ny, *nx, 4], &[]), arr(&[*ny, *nx, 4], clon.clone())));
                for (v, _) in vars.iter_mut().take(2) {
                    let bn = if v.name == "lat" { "lat_bnds" } else { "lon_bnds" };
                    v.attrs.set("bounds", AttrValue::Text(bn.into()));
                }
            }
        }
        Layout::Unstr { lat, lon, corners } => {
            let n = lat.len();
            dims.push(dim("ncells", n));
            vars.push((mk("lat", vec!["ncells".into()], vec![n], &lat_attrs(false)[..3]), arr(&[n], lat.clone())));
            vars.push((mk("lon", vec!["ncells".into()], vec![n], &lon_attrs(false)[..3]), arr(&[n], lon.clone())));
            if let Some((clat, clon, k)) = corners {
                dims.push(dim("nv", *k));
                let d = vec!["ncells".to_string(), "nv".to_string()];
                vars.push((mk("lat_bnds", d.clone(), vec![n, *k], &[]), arr(&[n, *k], clat.clone())));
                vars.push((mk("lon_bnds", d, vec![n, *k], &[]), arr(&[n, *k], clon.clone())));
            }
        }
    }
    (dims, vars)
}

/// Regrids an opened source and writes the result (file names get the clisops suffix).
///
/// # Errors
/// See [`plan_regrid`] and [`crate::engine::execute`].
pub fn regrid(
    src: &dyn Source,
    req: &RegridRequest,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let planned = plan_regrid(src, req)?;
    let mut spec = spec.clone();
    spec.extra = format!("{}{}", spec.extra, planned.suffix);
    crate::engine::execute(src, &planned.job, &spec, namer, progress)
}

/// Names of the variables that `formula_terms` attributes name (`"ap: ap b: b ps: ps"`).
fn formula_terms(ds: &Dataset) -> std::collections::BTreeSet<String> {
    ds.vars
        .iter()
        .filter_map(|v| v.attrs.get_str("formula_terms"))
        .flat_map(|t| t.split_whitespace().filter(|w| !w.ends_with(':')).map(str::to_string).collect::<Vec<_>>())
        .collect()
}
