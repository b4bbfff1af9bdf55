//! `average_shape` (clisops `ops.average.average_shape`, roocs.md §1.7): the mean over each
//! polygon of a shape file, each cell weighted by the exact fraction of the polygon's area
//! (on the sphere) that it covers — partial cells and holes included, each polygon's weights
//! summing to 1 (see [`super::geometry`]). Missing values propagate, as with xESMF's
//! `SpatialAverager`. The horizontal dimensions are replaced by `geom`, which carries the
//! polygons' attributes as coordinates. Weights for a (grid, polygon set) pair are computed
//! once and kept in a small in-process cache.

use super::geometry::{cell_overlaps, cell_ring, normalize, rect_overlaps, signed_area, RectGrid, Ring, Shape};
use super::shapes::{read_shapes, Column, Shapes};
use super::weights::read_f64;
use super::{averaged_meta, main_var, referenced, tidy_references, Job, NanMode};
use crate::engine::{AxisMap, Reduce, SparseCells, VarJob};
use crate::output::clean_metadata;
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use rookery_cf::{Array, AttrValue, Attrs, CfInfo, DType, Dim, GridType, Variable};
use rookery_io::Source;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// clisops's message when no shape is given.
pub const NO_SHAPE: &str = "At least one area for averaging must be provided";
/// clisops's message when no polygon overlaps the grid.
pub const NO_OVERLAP: &str =
    "There were no valid data points found in the requested averaging region. Verify objects overlap.";
/// File-name suffix.
pub const SUFFIX: &str = "_avg-shape";

/// An `average_shape` request.
#[derive(Clone, Debug)]
pub struct ShapeRequest {
    /// GeoJSON, zipped Shapefile, `.shp` or GML.
    pub shape: PathBuf,
    /// Variables to average (all data variables on the grid when `None`).
    pub variables: Option<Vec<String>>,
}

/// Polygon weights on a grid: for each cell (flattened over `dims`) its (polygon, weight)
/// pairs; each polygon's weights sum to 1.
#[derive(Clone, Debug)]
pub struct PolygonWeights {
    /// Grid dimensions the cells are flattened over (in this order).
    pub dims: Vec<String>,
    /// Grid shape.
    pub shape: Vec<usize>,
    /// Number of polygons.
    pub n_geom: usize,
    /// Per cell: (polygon, weight).
    pub cells: Vec<Vec<(u32, f64)>>,
    /// Per cell: the fraction of its area (on the sphere) that the polygons cover, summed over
    /// the polygons and capped at 1 (0 for cells no polygon touches); `subset --min-fraction`.
    pub covered: Vec<f64>,
}

fn flat(a: &ArrayD<f64>) -> Vec<f64> {
    a.as_standard_layout().iter().copied().collect()
}

/// Polygon weights already computed, by grid and polygons: a service asked for the same
/// regions on the same grid again (a dashboard of countries, say) skips the overlap geometry.
/// A value its owner passes in (the data-aware layer holds one per process); at most
/// [`PolygonCache::CAPACITY`] entries, emptied when full.
#[derive(Debug, Default)]
pub struct PolygonCache(Mutex<HashMap<u64, Arc<PolygonWeights>>>);

impl PolygonCache {
    /// Entries kept before the cache is emptied.
    pub const CAPACITY: usize = 8;

    fn get(&self, key: u64) -> Option<Arc<PolygonWeights>> {
        self.0.lock().ok().and_then(|c| c.get(&key).cloned())
    }

    fn put(&self, key: u64, w: &Arc<PolygonWeights>) {
        if let Ok(mut c) = self.0.lock() {
            if c.len() >= Self::CAPACITY {
                c.clear();
            }
            c.insert(key, w.clone());
        }
    }
}

fn hash_f64s(h: &mut DefaultHasher, v: &[f64]) {
    for x in v {
        x.to_bits().hash(h);
    }
}

/// Computes (or takes from `cache`) the polygon weights of `shapes` on the grid of `src`, every
/// polygon overlapping at least one cell (an average per polygon needs one).
///
/// # Errors
/// No grid; a curvilinear grid without vertex bounds; bad polygons; no overlap, or a polygon
/// without one.
pub fn polygon_weights(
    src: &dyn Source,
    info: &CfInfo,
    shapes: &[Shape],
    cache: &PolygonCache,
) -> Result<Arc<PolygonWeights>, OpError> {
    let w = polygon_overlaps(src, info, shapes, cache)?;
    let mut touched = vec![false; w.n_geom];
    for &(g, _) in w.cells.iter().flatten() {
        if let Some(t) = touched.get_mut(g as usize) {
            *t = true;
        }
    }
    if !touched.iter().any(|&t| t) {
        return Err(OpError::NoData(NO_OVERLAP.into()));
    }
    if let Some(k) = touched.iter().position(|&t| !t) {
        return Err(OpError::NoData(format!(
            "Polygon {k} (of {}) of the shape file overlaps no grid cell of the dataset: {NO_OVERLAP}",
            w.n_geom
        )));
    }
    Ok(w)
}

/// Computes (or takes from `cache`) the polygon weights of `shapes` on the grid of `src`;
/// polygons overlapping no cell have no weight anywhere (a polygon subset keeps the cells of
/// the others).
///
/// # Errors
/// No grid; a curvilinear grid without vertex bounds; bad polygons.
#[allow(clippy::too_many_lines)]
pub fn polygon_overlaps(
    src: &dyn Source,
    info: &CfInfo,
    shapes: &[Shape],
    cache: &PolygonCache,
) -> Result<Arc<PolygonWeights>, OpError> {
    let ds = src.dataset();
    let no_grid = || {
        OpError::Invalid(
            "average_shape requires latitude and longitude coordinates, which this dataset does not have.".into(),
        )
    };
    let lat = info.lat.clone().ok_or_else(no_grid)?;
    let lon = info.lon.clone().ok_or_else(no_grid)?;
    let norm: Vec<Shape> = shapes.iter().enumerate().map(|(k, s)| normalize(s, k)).collect::<Result<_, _>>()?;
    let bounds = |v: &str| rookery_cf::roles::bounds_of(ds, v).map(|b| b.name.clone());
    // Grid description (also the cache key).
    let mut h = DefaultHasher::new();
    let latv = flat(&read_f64(src, &lat)?);
    let lonv = flat(&read_f64(src, &lon)?);
    hash_f64s(&mut h, &latv);
    hash_f64s(&mut h, &lonv);
    let lat_b = bounds(&lat).map(|b| read_f64(src, &b).map(|a| flat(&a))).transpose()?;
    let lon_b = bounds(&lon).map(|b| read_f64(src, &b).map(|a| flat(&a))).transpose()?;
    hash_f64s(&mut h, lat_b.as_deref().unwrap_or(&[]));
    hash_f64s(&mut h, lon_b.as_deref().unwrap_or(&[]));
    for s in &norm {
        for p in &s.parts {
            for r in std::iter::once(&p.exterior).chain(&p.holes) {
                r.len().hash(&mut h);
                for q in r {
                    q.0.to_bits().hash(&mut h);
                    q.1.to_bits().hash(&mut h);
                }
            }
        }
        u8::MAX.hash(&mut h);
    }
    let key = h.finish();
    if let Some(w) = cache.get(key) {
        return Ok(w);
    }
    let started = std::time::Instant::now();
    let n_geom = norm.len();
    let (dims, shape, overlaps, areas): (Vec<String>, Vec<usize>, Overlaps, CellAreas<'_>) = match info.grid {
        GridType::Rectilinear => {
            let ydim = ds.var(&lat).map(|v| v.dims[0].clone()).unwrap_or_default();
            let xdim = ds.var(&lon).map(|v| v.dims[0].clone()).unwrap_or_default();
            let pairs = |b: &Option<Vec<f64>>, n: usize| -> Option<Vec<[f64; 2]>> {
                b.as_ref().filter(|b| b.len() == 2 * n).map(|b| b.chunks(2).map(|c| [c[0], c[1]]).collect())
            };
            let grid = RectGrid {
                cols: RectGrid::edges(&lonv, pairs(&lon_b, lonv.len()).as_deref(), false),
                rows: RectGrid::edges(&latv, pairs(&lat_b, latv.len()).as_deref(), true),
            };
            let nx = lonv.len();
            let ov: Vec<Vec<(usize, f64)>> = norm
                .par_iter()
                .map(|s| rect_overlaps(s, &grid).into_iter().map(|((j, i), a)| (j * nx + i, a)).collect())
                .collect();
            let rect = move |c: usize| {
                let ((a, b), (p, q)) = (grid.cols[c % nx], grid.rows[c / nx]);
                (b - a).to_radians() * (q.to_radians().sin() - p.to_radians().sin()).abs()
            };
            (vec![ydim, xdim], vec![latv.len(), nx], ov, CellAreas::Rect(Box::new(rect)))
        }
        GridType::Curvilinear | GridType::Unstructured => {
            let dims = ds.var(&lat).map(|v| v.dims.clone()).unwrap_or_default();
            let shape: Vec<usize> = dims.iter().map(|d| ds.dim(d).map_or(0, |d| d.len)).collect();
            let n: usize = shape.iter().product();
            let (Some(la), Some(lo)) = (lat_b, lon_b) else {
                return Err(OpError::Invalid(format!(
                    "average_shape needs the cell corners of this {} grid, but '{lat}'/'{lon}' have no bounds (vertices) variables",
                    info.grid.name()
                )));
            };
            if n == 0 || la.len() != lo.len() || la.len() % n != 0 {
                return Err(OpError::Data(format!("the cell bounds of '{lat}'/'{lon}' do not match the grid")));
            }
            let nv = la.len() / n;
            let cells: Vec<Ring> = (0..n)
                .map(|c| cell_ring(&(0..nv).map(|k| (lo[c * nv + k], la[c * nv + k])).collect::<Vec<_>>()))
                .collect();
            let ov: Vec<Vec<(usize, f64)>> =
                norm.par_iter().map(|s| cell_overlaps(s, &cells).into_iter().collect()).collect();
            (dims, shape, ov, CellAreas::Rings(cells))
        }
        GridType::None => return Err(no_grid()),
    };
    let n_cells: usize = shape.iter().product();
    let mut cells: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_cells];
    let mut covered = vec![0.0; n_cells];
    for (g, ov) in overlaps.iter().enumerate() {
        let total: f64 = ov.iter().map(|x| x.1).sum();
        let g32 = u32::try_from(g).map_err(|_| OpError::Invalid("too many polygons".into()))?;
        for &(c, a) in ov {
            if let Some(slot) = cells.get_mut(c) {
                slot.push((g32, a / total));
            }
            if let Some(f) = covered.get_mut(c) {
                *f += a;
            }
        }
    }
    for (c, f) in covered.iter_mut().enumerate() {
        if *f > 0.0 {
            let area = match &areas {
                CellAreas::Rect(r) => r(c),
                CellAreas::Rings(rings) => rings.get(c).map_or(0.0, |r| signed_area(r).abs()),
            };
            *f = if area > 0.0 { (*f / area).min(1.0) } else { 0.0 };
        }
    }
    tracing::info!("polygon weights: {n_geom} polygons on {n_cells} cells in {:.3} s", started.elapsed().as_secs_f64());
    let w = Arc::new(PolygonWeights { dims, shape, n_geom, cells, covered });
    cache.put(key, &w);
    Ok(w)
}

/// Per polygon: (cell, overlap area) pairs.
type Overlaps = Vec<Vec<(usize, f64)>>;

/// How to get a cell's area on the unit sphere: a function of the flat index (rectilinear) or
/// the cell rings.
enum CellAreas<'a> {
    Rect(Box<dyn Fn(usize) -> f64 + 'a>),
    Rings(Vec<Ring>),
}

/// The sparse map of `w` laid on variable `v` (its grid axes must be adjacent).
fn sparse_for(v: &Variable, w: &PolygonWeights) -> Option<SparseCells> {
    let axes: Vec<usize> = w.dims.iter().map(|d| v.axis_of(d)).collect::<Option<_>>()?;
    let mut sorted = axes.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|p| p[1] != p[0] + 1) {
        return None;
    }
    if sorted == axes {
        return Some(SparseCells { axes, n_geom: w.n_geom, cells: w.cells.clone() });
    }
    // Two grid axes in the other order (lon, lat): transpose the cell index.
    if w.dims.len() == 2 {
        let (ny, nx) = (w.shape[0], w.shape[1]);
        let mut cells = vec![Vec::new(); ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                cells[i * ny + j].clone_from(&w.cells[j * nx + i]);
            }
        }
        return Some(SparseCells { axes: sorted, n_geom: w.n_geom, cells });
    }
    None
}

/// Plans `average_shape`, with the polygon weights from `cache` when it has them.
///
/// # Errors
/// No or unreadable shape file; see [`polygon_weights`]; unknown `variables`.
#[allow(clippy::too_many_lines)]
pub fn plan_shape(src: &dyn Source, req: &ShapeRequest, cache: &PolygonCache) -> Result<Job, OpError> {
    if req.shape.as_os_str().is_empty() {
        return Err(OpError::Invalid(NO_SHAPE.into()));
    }
    let shapes: Shapes = read_shapes(&req.shape)?;
    let ds = src.dataset();
    let info = main_var(ds)?;
    if let Some(vs) = &req.variables {
        for v in vs {
            if ds.var(v).is_none() {
                return Err(OpError::Invalid(format!("No variable named '{v}' in the dataset.")));
            }
        }
    }
    let w = polygon_weights(src, &info, &shapes.shapes, cache)?;
    let (coords, bounds) = referenced(ds);
    let taxis = crate::subset::time_axis(src, &info)?;
    let n = w.n_geom;
    let mut out = ds.clone();
    out.vars.clear();
    let mut jobs = Vec::new();
    let mut reduced = Vec::new();
    let prop_names: Vec<String> =
        shapes.columns.iter().map(|(c, _)| c.clone()).filter(|c| c != "geom" && ds.var(c).is_none()).collect();
    for v in &ds.vars {
        let on_grid = w.dims.iter().all(|d| v.axis_of(d).is_some());
        let touches = w.dims.iter().any(|d| v.axis_of(d).is_some());
        if !touches {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        }
        let wanted = req.variables.as_ref().is_none_or(|vs| vs.contains(&v.name));
        let is_coord =
            (v.dims.len() == 1 && v.dims[0] == v.name) || coords.contains(&v.name) || bounds.contains(&v.name);
        if !on_grid || is_coord || !v.dtype.is_numeric() || !wanted {
            if req.variables.as_ref().is_some_and(|vs| vs.contains(&v.name)) {
                return Err(OpError::Invalid(format!(
                    "Variable '{}' is not on the horizontal grid and cannot be averaged over polygons.",
                    v.name
                )));
            }
            continue;
        }
        let Some(sp) = sparse_for(v, &w) else {
            return Err(OpError::Data(format!("the horizontal dimensions of '{}' are not adjacent", v.name)));
        };
        let mut o = averaged_meta(v);
        let first = sp.axes[0];
        let mut dims = Vec::new();
        let mut shape = Vec::new();
        for (k, d) in v.dims.iter().enumerate() {
            if k == first {
                dims.push("geom".to_string());
                shape.push(n);
            }
            if !sp.axes.contains(&k) {
                dims.push(d.clone());
                shape.push(v.shape[k]);
            }
        }
        o.dims = dims;
        o.shape = shape;
        let mut c: Vec<String> = o
            .attrs
            .get_str("coordinates")
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        c.extend(prop_names.iter().cloned());
        if !c.is_empty() {
            o.attrs.set("coordinates", AttrValue::Text(c.join(" ")));
        }
        out.vars.push(o);
        reduced.push(v.name.clone());
        jobs.push(VarJob::Reduce(Reduce {
            var: v.name.clone(),
            axes: vec![AxisMap::Keep; v.dims.len()],
            weights: None,
            sparse: Some(sp),
            nan: NanMode::Propagate,
        }));
    }
    if reduced.is_empty() {
        return Err(OpError::Invalid("No data variable on the horizontal grid to average over the polygons.".into()));
    }
    out.dims.push(Dim { name: "geom".into(), len: n, unlimited: false });
    let idx: Vec<i64> = (0..n).map(|k| i64::try_from(k).unwrap_or(i64::MAX)).collect();
    out.vars.push(Variable {
        name: "geom".into(),
        dims: vec!["geom".into()],
        shape: vec![n],
        dtype: DType::I64,
        attrs: Attrs::default(),
    });
    jobs.push(VarJob::Values(
        "geom".into(),
        Array::I64(ArrayD::from_shape_vec(IxDyn(&[n]), idx).map_err(|e| OpError::Data(e.to_string()))?),
    ));
    for (name, col) in &shapes.columns {
        if !prop_names.contains(name) {
            continue;
        }
        let (dtype, arr, attrs) = match col {
            Column::Int(v) if v.iter().all(Option::is_some) => (
                DType::I64,
                Array::I64(
                    ArrayD::from_shape_vec(IxDyn(&[n]), v.iter().map(|x| x.unwrap_or(0)).collect())
                        .map_err(|e| OpError::Data(e.to_string()))?,
                ),
                Attrs::default(),
            ),
            #[allow(clippy::cast_precision_loss)]
            Column::Int(v) => (
                DType::F64,
                Array::F64(
                    ArrayD::from_shape_vec(IxDyn(&[n]), v.iter().map(|x| x.map_or(f64::NAN, |x| x as f64)).collect())
                        .map_err(|e| OpError::Data(e.to_string()))?,
                ),
                Attrs(vec![("_FillValue".into(), AttrValue::F64(vec![f64::NAN]))]),
            ),
            Column::Float(v) => (
                DType::F64,
                Array::F64(ArrayD::from_shape_vec(IxDyn(&[n]), v.clone()).map_err(|e| OpError::Data(e.to_string()))?),
                Attrs(vec![("_FillValue".into(), AttrValue::F64(vec![f64::NAN]))]),
            ),
            Column::Text(v) => (
                DType::Str,
                Array::Str(ArrayD::from_shape_vec(IxDyn(&[n]), v.clone()).map_err(|e| OpError::Data(e.to_string()))?),
                Attrs::default(),
            ),
        };
        out.vars.push(Variable { name: name.clone(), dims: vec!["geom".into()], shape: vec![n], dtype, attrs });
        jobs.push(VarJob::Values(name.clone(), arr));
    }
    tidy_references(&mut out);
    clean_metadata(&mut out, &reduced);
    // clean_metadata gives NaN fill attributes to the float columns; they have no missing
    // values unless a feature lacked the attribute.
    let td = taxis.as_ref().map(|t| t.dim.clone());
    Ok(Job {
        out,
        main: info.main.clone(),
        time_dim: td.clone(),
        times: taxis.map(|t| t.times).unwrap_or_default(),
        vars: jobs,
        src_time_dim: td,
    })
}
