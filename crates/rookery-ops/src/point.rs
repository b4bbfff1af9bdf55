//! Point (station) extraction: the time series of the grid cell nearest to each of a list of
//! locations, on rectilinear, curvilinear and unstructured grids, written as a CF discrete
//! sampling geometry (`featureType = "timeSeries"`) or as CSV.
//!
//! ```text
//!  stations (--point lon,lat | CSV id,lon,lat[,name] | GeoJSON points)
//!     │
//!  plan_points(source, request)   time/level/time components as subset (plan_subset);
//!     │                            nearest cell by great-circle distance: exact per-axis search
//!     │                            on rectilinear grids, a k-d tree on 3-D unit vectors otherwise;
//!     │                            cells without data flagged (or moved with `nearest_valid`);
//!     │                            `max_distance_km` checked
//!     ▼
//!  write_points(...)              time blocks of the stations' bounding box, gathered per
//!                                 station, streamed to NetCDF/Zarr (staged, split by
//!                                 `time:auto`) or CSV (one row per time, level and station)
//! ```
//!
//! Output layout: every data variable on the grid becomes `(time, [level,] station)`; the
//! station variables are `station_id` (`cf_role = timeseries_id`), `station_name`, the
//! requested `station_lon`/`station_lat`, the chosen cell's centre under the source's
//! latitude/longitude names, `distance` (km) and `cell_valid` (1: the cell has data at the
//! first selected step).

use crate::average::{referenced, tidy_references};
use crate::naming::FileNamer;
use crate::output::{clean_metadata, time_slices, Progress};
use crate::params::{LevelParam, TimeComponents, TimeParam};
use crate::plan::Plan;
use crate::subset::{plan_subset, SubsetRequest};
use crate::{OpError, OutputSpec};
use ndarray::{ArrayD, IxDyn};
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset, Dim, GridType, Variable};
use rookery_io::{Source, Staged, WriteOptions, Writer};
use rookery_regrid::{great_circle_km, SphereIndex};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// File-name suffix of point extraction.
pub const SUFFIX: &str = "_points";
/// Name of the station dimension.
pub const STATION: &str = "station";

/// One requested location.
#[derive(Clone, Debug, PartialEq)]
pub struct Station {
    /// Identifier (`station_id`).
    pub id: String,
    /// Name (`station_name`; the id when none was given).
    pub name: String,
    /// Longitude in degrees east.
    pub lon: f64,
    /// Latitude in degrees north.
    pub lat: f64,
}

fn check_location(lon: f64, lat: f64, what: &str) -> Result<(), OpError> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(OpError::Invalid(format!("{what}: latitude {lat} is outside -90..90")));
    }
    if !lon.is_finite() || !(-360.0..=360.0).contains(&lon) {
        return Err(OpError::Invalid(format!("{what}: longitude {lon} is outside -360..360")));
    }
    Ok(())
}

fn number(s: &str, what: &str) -> Result<f64, OpError> {
    s.trim().parse::<f64>().map_err(|_| OpError::Invalid(format!("{what}: '{}' is not a number", s.trim())))
}

/// Parses a `lon,lat` point (the `k`-th, from 1, of a request; its id is `P<k>`).
///
/// # Errors
/// Not two numbers; a latitude outside -90..90 or a longitude outside -360..360.
pub fn parse_point(text: &str, k: usize) -> Result<Station, OpError> {
    let what = format!("point '{}'", text.trim());
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 2 {
        return Err(OpError::Invalid(format!("{what}: expected lon,lat")));
    }
    let (lon, lat) = (number(parts[0], &what)?, number(parts[1], &what)?);
    check_location(lon, lat, &what)?;
    let id = format!("P{k}");
    Ok(Station { name: id.clone(), id, lon, lat })
}

/// Splits one CSV line (fields may be double-quoted, `""` inside quotes is a quote).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                cur.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                out.push(if was_quoted {
                    std::mem::take(&mut cur)
                } else {
                    std::mem::take(&mut cur).trim().to_string()
                });
                was_quoted = false;
            }
            // Blanks between a closing quote and the comma.
            (false, c) if was_quoted && c.is_whitespace() => {}
            (_, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    out.push(if was_quoted { cur } else { cur.trim().to_string() });
    Ok(out)
}

/// Stations from CSV text: `id,lon,lat[,name]` rows, with an optional header naming the
/// columns (`id`/`station_id`, `lon`/`longitude`, `lat`/`latitude`, `name`/`station_name`, in
/// any order); `#` lines and blank lines are skipped.
///
/// # Errors
/// A row with the wrong number of fields, a coordinate that is not a number or out of range,
/// an empty or duplicate id, no rows.
pub fn parse_points_csv(text: &str) -> Result<Vec<Station>, OpError> {
    let mut cols: Option<(usize, usize, usize, Option<usize>, usize)> = None;
    let mut out: Vec<Station> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let what = format!("points CSV line {}", n + 1);
        let f = csv_fields(line).map_err(|e| OpError::Invalid(format!("{what}: {e}")))?;
        if cols.is_none() {
            let low: Vec<String> = f.iter().map(|s| s.to_ascii_lowercase()).collect();
            let find = |names: &[&str]| low.iter().position(|c| names.contains(&c.as_str()));
            if let (Some(lo), Some(la)) = (find(&["lon", "longitude", "x"]), find(&["lat", "latitude", "y"])) {
                let Some(id) = find(&["id", "station_id", "station"]) else {
                    return Err(OpError::Invalid(format!("{what}: the header has no id column")));
                };
                cols = Some((id, lo, la, find(&["name", "station_name"]), f.len()));
                continue;
            }
            if !(3..=4).contains(&f.len()) {
                return Err(OpError::Invalid(format!(
                    "{what}: expected id,lon,lat[,name] (3 or 4 fields), found {}",
                    f.len()
                )));
            }
            cols = Some((0, 1, 2, (f.len() > 3).then_some(3), f.len()));
        }
        let Some((ci, clo, cla, cname, width)) = cols else { continue };
        if f.len() != width {
            return Err(OpError::Invalid(format!(
                "{what}: expected {width} fields (id,lon,lat[,name]), found {}",
                f.len()
            )));
        }
        let (lon, lat) = (number(&f[clo], &what)?, number(&f[cla], &what)?);
        check_location(lon, lat, &what)?;
        let id = f[ci].clone();
        if id.is_empty() {
            return Err(OpError::Invalid(format!("{what}: empty station id")));
        }
        let name = cname.map(|c| f[c].clone()).filter(|s| !s.is_empty()).unwrap_or_else(|| id.clone());
        out.push(Station { id, name, lon, lat });
    }
    finish(out, "the points CSV")
}

fn finish(out: Vec<Station>, what: &str) -> Result<Vec<Station>, OpError> {
    if out.is_empty() {
        return Err(OpError::Invalid(format!("{what} lists no points")));
    }
    let mut ids: Vec<&str> = out.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(OpError::Invalid(format!("{what} lists station id '{}' twice", w[0])));
    }
    Ok(out)
}

/// Stations from GeoJSON: a FeatureCollection of Point (or MultiPoint) features, a Feature,
/// or a bare Point/MultiPoint; the id is the feature's `id`, else its `id`/`station_id`
/// property, else `P<k>`; the name its `name`/`station_name` property.
///
/// # Errors
/// Not JSON, a geometry that is not a point, coordinates out of range, no points.
pub fn parse_points_geojson(text: &str) -> Result<Vec<Station>, OpError> {
    use serde_json::Value;
    let bad = |m: String| OpError::Invalid(format!("points GeoJSON: {m}"));
    let v: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let features: Vec<Value> = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v.get("features").and_then(Value::as_array).cloned().unwrap_or_default(),
        Some("Feature") => vec![v.clone()],
        Some("Point" | "MultiPoint") => vec![serde_json::json!({"type": "Feature", "geometry": v})],
        other => return Err(bad(format!("expected a FeatureCollection of points, found type {other:?}"))),
    };
    let text_of = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut out = Vec::new();
    for (k, f) in features.iter().enumerate() {
        let props = f.get("properties");
        let prop = |names: &[&str]| names.iter().find_map(|n| props.and_then(|p| p.get(*n)).and_then(text_of));
        let base_id = f.get("id").and_then(text_of).or_else(|| prop(&["id", "station_id"]));
        let name = prop(&["name", "station_name"]);
        let g = f.get("geometry").ok_or_else(|| bad(format!("feature {k} has no geometry")))?;
        let coords: Vec<Value> = match g.get("type").and_then(Value::as_str) {
            Some("Point") => vec![g.get("coordinates").cloned().unwrap_or(Value::Null)],
            Some("MultiPoint") => g.get("coordinates").and_then(Value::as_array).cloned().unwrap_or_default(),
            other => return Err(bad(format!("feature {k}: geometry {other:?} is not a point"))),
        };
        let multi = coords.len() > 1;
        for (m, c) in coords.iter().enumerate() {
            let pair = c.as_array().filter(|a| a.len() >= 2).and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
            let (lon, lat) = pair.ok_or_else(|| bad(format!("feature {k}: coordinates are not [lon, lat]")))?;
            check_location(lon, lat, &format!("points GeoJSON feature {k}"))?;
            let id = match (&base_id, multi) {
                (Some(i), false) => i.clone(),
                (Some(i), true) => format!("{i}_{}", m + 1),
                (None, _) => format!("P{}", out.len() + 1),
            };
            let name = name.clone().map_or_else(|| id.clone(), |n| if multi { format!("{n} {}", m + 1) } else { n });
            out.push(Station { id, name, lon, lat });
        }
    }
    finish(out, "the points GeoJSON")
}

/// Stations from text: GeoJSON when it starts with `{`, else CSV.
///
/// # Errors
/// See [`parse_points_geojson`] and [`parse_points_csv`].
pub fn parse_points_text(text: &str) -> Result<Vec<Station>, OpError> {
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        parse_points_geojson(text)
    } else {
        parse_points_csv(text)
    }
}

/// Stations from a CSV or GeoJSON file.
///
/// # Errors
/// An unreadable file; see [`parse_points_text`].
pub fn read_points(path: &Path) -> Result<Vec<Station>, OpError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| OpError::Invalid(format!("cannot read the points file {}: {e}", path.display())))?;
    parse_points_text(&text).map_err(|e| OpError::Invalid(format!("{}: {e}", path.display())))
}

/// A point-extraction request.
#[derive(Clone, Debug, Default)]
pub struct PointRequest {
    /// The locations.
    pub stations: Vec<Station>,
    /// Time interval or series (as `subset`).
    pub time: Option<TimeParam>,
    /// Level interval or values (as `subset`).
    pub level: Option<LevelParam>,
    /// Time components (as `subset`).
    pub time_components: Option<TimeComponents>,
    /// Fail when a station's chosen cell is farther than this (km).
    pub max_distance_km: Option<f64>,
    /// Take the nearest cell that has data (at the first selected step) instead of flagging.
    pub nearest_valid: bool,
    /// Write CSV instead of the output format of the [`OutputSpec`].
    pub csv: bool,
}

/// A planned extraction: which cell each station reads and the output metadata.
#[derive(Clone, Debug)]
pub struct PointPlan {
    /// Time/level selection, with the horizontal dimensions cropped to the stations' box.
    base: Plan,
    /// Horizontal dimensions (1 or 2), in the variables' order.
    hdims: Vec<String>,
    /// Per station: offset of its cell in the cropped horizontal block (row-major).
    offsets: Vec<usize>,
    /// Cells in the cropped block.
    hsize: usize,
    /// Variables extracted (on the grid).
    extracted: Vec<String>,
    /// Station variables written as given.
    values: Vec<(String, Array)>,
    /// Output metadata.
    pub out: Dataset,
    /// Main variable.
    pub main: String,
    /// Per station: (chosen cell lon, lat, distance km, cell has data).
    pub chosen: Vec<(f64, f64, f64, bool)>,
}

fn wrap180(x: f64) -> f64 {
    (x + 180.0).rem_euclid(360.0) - 180.0
}

/// Values of a raw array as f64 with the variable's fill/missing values (and NaN) as NaN.
pub fn decoded(v: &Variable, a: &Array) -> Vec<f64> {
    let missing: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|n| v.attrs.get_f64(n)).collect();
    let scale = v.attrs.get_f64("scale_factor").unwrap_or(1.0);
    let offset = v.attrs.get_f64("add_offset").unwrap_or(0.0);
    let f = a.to_f64().unwrap_or_default();
    let f32_like = v.dtype == DType::F32;
    f.iter()
        .map(|&x| {
            let is_missing =
                x.is_nan() || missing.iter().any(|m| if f32_like { (x - m).abs() <= m.abs() * 1e-7 } else { x == *m });
            if is_missing {
                f64::NAN
            } else {
                x * scale + offset
            }
        })
        .collect()
}

/// Plans the extraction of `req.stations` from `src`.
///
/// # Errors
/// No horizontal grid or no station; time/level requests as [`plan_subset`]; a station whose
/// chosen cell is beyond `max_distance_km`; no cell with data (`nearest_valid`).
#[allow(clippy::too_many_lines)]
pub fn plan_points(src: &dyn Source, req: &PointRequest) -> Result<PointPlan, OpError> {
    if req.stations.is_empty() {
        return Err(OpError::Invalid("At least one point must be provided (lon,lat).".into()));
    }
    if let Some(m) = req.max_distance_km {
        if !(m.is_finite() && m >= 0.0) {
            return Err(OpError::Invalid(format!("max_distance must be a distance in km >= 0, not {m}")));
        }
    }
    let ds = src.dataset();
    let sreq = SubsetRequest {
        time: req.time.clone(),
        level: req.level.clone(),
        time_components: req.time_components.clone(),
        ..SubsetRequest::default()
    };
    let mut base = plan_subset(src, &sreq)?;
    let info = base.info.clone();
    let no_grid = || {
        OpError::Invalid(
            "point extraction requires latitude and longitude coordinates, which this dataset does not have.".into(),
        )
    };
    let (Some(lat), Some(lon)) = (info.lat.clone(), info.lon.clone()) else { return Err(no_grid()) };
    let latv = crate::average::weights::read_f64(src, &lat)?;
    let lonv = crate::average::weights::read_f64(src, &lon)?;
    let (hdims, hshape): (Vec<String>, Vec<usize>) = match info.grid {
        GridType::Rectilinear => {
            let y = ds.var(&lat).map(|v| v.dims[0].clone()).unwrap_or_default();
            let x = ds.var(&lon).map(|v| v.dims[0].clone()).unwrap_or_default();
            (vec![y, x], vec![latv.len(), lonv.len()])
        }
        GridType::Curvilinear | GridType::Unstructured => {
            let dims = ds.var(&lat).map(|v| v.dims.clone()).unwrap_or_default();
            (dims, latv.shape().to_vec())
        }
        GridType::None => return Err(no_grid()),
    };
    let ncell: usize = hshape.iter().product();
    if ncell == 0 {
        return Err(OpError::NoData("The dataset's horizontal grid has no cells.".into()));
    }
    let latf: Vec<f64> = latv.iter().copied().collect();
    let lonf: Vec<f64> = lonv.iter().copied().collect();
    // Cell centre of a flat cell index.
    let rect = info.grid == GridType::Rectilinear;
    let centre = |c: usize| -> (f64, f64) {
        if rect {
            (lonf[c % lonf.len()], latf[c / lonf.len()])
        } else {
            (lonf[c], latf[c])
        }
    };
    // Whether each cell has data: the main variable at the first selected step and level.
    let main = info.main.clone();
    let main_v = ds.var(&main).ok_or_else(|| OpError::Data(format!("no variable {main}")))?.clone();
    let on_grid = |v: &Variable| {
        let n = v.dims.len();
        n >= hdims.len() && v.dims[n - hdims.len()..] == hdims[..]
    };
    let valid: Option<Vec<bool>> = if on_grid(&main_v) && main_v.dtype.is_numeric() {
        let mut first = base.clone();
        for v in &main_v.dims[..main_v.dims.len() - hdims.len()] {
            let idx = first.indices(ds, v);
            first.sels.insert(v.clone(), idx.into_iter().take(1).collect());
        }
        let a = first.read(src, &main, None)?;
        let vals = decoded(&main_v, &a);
        (vals.len() >= ncell).then(|| vals[..ncell].iter().map(|x| !x.is_nan()).collect())
    } else {
        None
    };
    let is_valid = |c: usize| valid.as_ref().is_none_or(|v| v[c]);
    let index_of = |only_valid: bool| {
        SphereIndex::new((0..ncell).filter(|&c| !only_valid || is_valid(c)).filter_map(|c| {
            let (x, y) = centre(c);
            u32::try_from(c).ok().map(|id| (x, y, id))
        }))
    };
    // A k-d tree on the sphere, except on rectilinear grids without `nearest_valid`, where
    // the exact search below needs no index.
    let tree: Option<SphereIndex> = if req.nearest_valid && valid.is_some() {
        Some(index_of(true))
    } else if rect {
        None
    } else {
        Some(index_of(false))
    };
    let mut cells: Vec<usize> = Vec::with_capacity(req.stations.len());
    for s in &req.stations {
        let c = if let Some(t) = &tree {
            t.nearest(s.lon, s.lat).map(|(c, _)| c as usize)
        } else {
            // Exact on a rectilinear grid: the column nearest in longitude is the nearest one
            // on every row; then the nearest row along that column.
            let col = (0..lonf.len())
                .filter(|&i| lonf[i].is_finite())
                .min_by(|&a, &b| wrap180(lonf[a] - s.lon).abs().total_cmp(&wrap180(lonf[b] - s.lon).abs()));
            col.and_then(|i| {
                (0..latf.len())
                    .filter(|&j| latf[j].is_finite())
                    .min_by(|&a, &b| {
                        great_circle_km(lonf[i], latf[a], s.lon, s.lat)
                            .total_cmp(&great_circle_km(lonf[i], latf[b], s.lon, s.lat))
                    })
                    .map(|j| j * lonf.len() + i)
            })
        };
        let Some(c) = c else {
            return Err(OpError::NoData(if req.nearest_valid {
                format!(
                    "No grid cell of '{main}' has data at the first selected time step: no valid cell near the points."
                )
            } else {
                "The dataset's horizontal grid has no cell with valid coordinates.".into()
            }));
        };
        cells.push(c);
    }
    let mut chosen = Vec::with_capacity(cells.len());
    for (s, &c) in req.stations.iter().zip(&cells) {
        let (x, y) = centre(c);
        let d = great_circle_km(x, y, s.lon, s.lat);
        if let Some(m) = req.max_distance_km {
            if d > m {
                return Err(OpError::Invalid(format!(
                    "point '{}' ({}, {}): the nearest grid cell{} ({x:.4}, {y:.4}) is {d:.1} km away, beyond the maximum distance of {m} km",
                    s.id,
                    s.lon,
                    s.lat,
                    if req.nearest_valid { " with data" } else { "" }
                )));
            }
        }
        let ok = is_valid(c);
        if !ok {
            tracing::warn!(
                "point '{}' ({}, {}): the nearest grid cell ({x:.4}, {y:.4}, {d:.1} km away) has no data at the first selected time step; its series is kept and flagged cell_valid = 0 (ask for nearest_valid to take the nearest cell with data)",
                s.id,
                s.lon,
                s.lat
            );
        }
        chosen.push((x, y, d, ok));
    }
    // Crop the horizontal dimensions to the stations' bounding box.
    let idx_of = |c: usize| -> Vec<usize> {
        if hshape.len() == 2 {
            vec![c / hshape[1], c % hshape[1]]
        } else {
            vec![c]
        }
    };
    let per: Vec<Vec<usize>> = cells.iter().map(|&c| idx_of(c)).collect();
    let mut bbox = Vec::new();
    for k in 0..hdims.len() {
        let lo = per.iter().map(|p| p[k]).min().unwrap_or(0);
        let hi = per.iter().map(|p| p[k]).max().unwrap_or(0);
        base.sels.insert(hdims[k].clone(), (lo..=hi).collect());
        bbox.push((lo, hi));
    }
    let widths: Vec<usize> = bbox.iter().map(|(a, b)| b - a + 1).collect();
    let hsize: usize = widths.iter().product();
    let offsets: Vec<usize> = per
        .iter()
        .map(|p| if p.len() == 2 { (p[0] - bbox[0].0) * widths[1] + (p[1] - bbox[1].0) } else { p[0] - bbox[0].0 })
        .collect();

    // Output metadata.
    let n = req.stations.len();
    let (coords, bounds) = referenced(ds);
    let mut out = base.out.clone();
    out.vars.clear();
    let mut extracted = Vec::new();
    for v in &ds.vars {
        let touches = v.dims.iter().any(|d| hdims.contains(d));
        let plan_v = base.out.var(&v.name).cloned().unwrap_or_else(|| v.clone());
        if !touches {
            out.vars.push(plan_v);
            continue;
        }
        let is_coord =
            (v.dims.len() == 1 && v.dims[0] == v.name) || coords.contains(&v.name) || bounds.contains(&v.name);
        if is_coord || !on_grid(v) || !v.dtype.is_numeric() || v.name.contains("vertices") {
            continue;
        }
        let mut o = plan_v;
        let k = o.dims.len() - hdims.len();
        o.dims.truncate(k);
        o.shape.truncate(k);
        o.dims.push(STATION.into());
        o.shape.push(n);
        let mut c: Vec<String> = o
            .attrs
            .get_str("coordinates")
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        for name in [lat.as_str(), lon.as_str(), "station_id"] {
            if !c.iter().any(|x| x == name) {
                c.push(name.to_string());
            }
        }
        o.attrs.set("coordinates", AttrValue::Text(c.join(" ")));
        out.vars.push(o);
        extracted.push(v.name.clone());
    }
    if !extracted.contains(&main) {
        return Err(OpError::Invalid(format!(
            "The main variable '{main}' is not on the horizontal grid: there is nothing to extract at points."
        )));
    }
    out.dims.retain(|d| !hdims.contains(&d.name));
    out.dims.push(Dim { name: STATION.into(), len: n, unlimited: false });
    let coord_attrs = |name: &str| {
        let mut a = Attrs::default();
        if let Some(v) = ds.var(name) {
            for key in ["standard_name", "long_name", "units", "axis"] {
                if let Some(x) = v.attrs.get(key) {
                    a.set(key, x.clone());
                }
            }
        }
        a
    };
    let f64_var = |name: &str, attrs: Attrs| Variable {
        name: name.into(),
        dims: vec![STATION.into()],
        shape: vec![n],
        dtype: DType::F64,
        attrs,
    };
    let col = |f: &dyn Fn(usize) -> f64| {
        Array::F64(ArrayD::from_shape_vec(IxDyn(&[n]), (0..n).map(f).collect()).unwrap_or_default())
    };
    let text =
        |a: &[(&str, &str)]| Attrs(a.iter().map(|(k, v)| ((*k).to_string(), AttrValue::Text((*v).into()))).collect());
    let mut values: Vec<(String, Array)> = Vec::new();
    let mut add = |out: &mut Dataset, v: Variable, a: Array| {
        values.push((v.name.clone(), a));
        out.vars.push(v);
    };
    let strs = |f: &dyn Fn(&Station) -> String| {
        Array::Str(ArrayD::from_shape_vec(IxDyn(&[n]), req.stations.iter().map(f).collect()).unwrap_or_default())
    };
    add(
        &mut out,
        Variable {
            name: "station_id".into(),
            dims: vec![STATION.into()],
            shape: vec![n],
            dtype: DType::Str,
            attrs: text(&[("long_name", "station identifier"), ("cf_role", "timeseries_id")]),
        },
        strs(&|s| s.id.clone()),
    );
    add(
        &mut out,
        Variable {
            name: "station_name".into(),
            dims: vec![STATION.into()],
            shape: vec![n],
            dtype: DType::Str,
            attrs: text(&[("long_name", "station name")]),
        },
        strs(&|s| s.name.clone()),
    );
    let mut lat_a = coord_attrs(&lat);
    lat_a.set("comment", AttrValue::Text("centre of the grid cell nearest to the requested point".into()));
    let mut lon_a = coord_attrs(&lon);
    lon_a.set("comment", AttrValue::Text("centre of the grid cell nearest to the requested point".into()));
    add(&mut out, f64_var(&lat, lat_a), col(&|k| chosen[k].1));
    add(&mut out, f64_var(&lon, lon_a), col(&|k| chosen[k].0));
    add(
        &mut out,
        f64_var("station_lat", text(&[("long_name", "requested latitude"), ("units", "degrees_north")])),
        col(&|k| req.stations[k].lat),
    );
    add(
        &mut out,
        f64_var("station_lon", text(&[("long_name", "requested longitude"), ("units", "degrees_east")])),
        col(&|k| req.stations[k].lon),
    );
    add(
        &mut out,
        f64_var(
            "distance",
            text(&[
                ("long_name", "great-circle distance from the requested point to the centre of the chosen cell"),
                ("units", "km"),
            ]),
        ),
        col(&|k| chosen[k].2),
    );
    let mut flag_a = text(&[
        ("long_name", "the chosen cell has data at the first selected time step"),
        ("flag_meanings", "no_data has_data"),
    ]);
    flag_a.set("flag_values", AttrValue::I8(vec![0, 1]));
    add(
        &mut out,
        Variable {
            name: "cell_valid".into(),
            dims: vec![STATION.into()],
            shape: vec![n],
            dtype: DType::I8,
            attrs: flag_a,
        },
        Array::I8(
            ArrayD::from_shape_vec(IxDyn(&[n]), chosen.iter().map(|c| i8::from(c.3)).collect()).unwrap_or_default(),
        ),
    );
    out.attrs.set("featureType", AttrValue::Text("timeSeries".into()));
    tidy_references(&mut out);
    clean_metadata(&mut out, &[]);
    Ok(PointPlan { base, hdims, offsets, hsize, extracted, values, out, main, chosen })
}

/// Picks each station's value from `a` (shape `[lead..., h...]`, standard layout): the result
/// has shape `[lead..., station]`.
fn gather(a: &Array, nh: usize, hsize: usize, offsets: &[usize]) -> Array {
    let shape = a.shape();
    let lead_shape: Vec<usize> = shape[..shape.len().saturating_sub(nh)].to_vec();
    let lead: usize = lead_shape.iter().product();
    let mut oshape = lead_shape;
    oshape.push(offsets.len());
    rookery_cf::map_array!(a, x => {
        let flat = x.as_standard_layout();
        let sl = flat.as_slice().unwrap_or(&[]);
        let v: Vec<_> = (0..lead)
            .flat_map(|l| offsets.iter().map(move |&o| sl.get(l * hsize + o).cloned().unwrap_or_default()))
            .collect();
        ArrayD::from_shape_vec(IxDyn(&oshape), v).unwrap_or_default()
    })
}

impl PointPlan {
    /// Reads variable `var` of the output through the plan (time steps `t0..t1` of the output
    /// when given), gathering the stations' cells of extracted variables.
    fn read(&self, src: &dyn Source, var: &str, block: Option<(usize, usize)>) -> Result<Array, OpError> {
        if let Some((_, a)) = self.values.iter().find(|(n, _)| n == var) {
            return Ok(a.clone());
        }
        let a = self.base.read(src, var, block)?;
        if self.extracted.iter().any(|v| v == var) {
            return Ok(gather(&a, self.hdims.len(), self.hsize, &self.offsets));
        }
        Ok(a)
    }

    fn time_dim(&self) -> Option<&str> {
        self.base.time_dim.as_deref().filter(|d| self.out.dim(d).is_some())
    }

    /// Output time steps per block for the timed variables: about 16 MB of source data read.
    fn block_len(&self, src: &dyn Source, timed: &[&Variable]) -> usize {
        let step: usize =
            timed.iter().map(|v| crate::plan::bbox_step_bytes(&self.base, src.dataset(), &v.name)).sum::<usize>();
        ((16usize << 20) / step.max(1)).clamp(1, 256)
    }
}

/// Classic NetCDF has no strings: text variables become char arrays over `<name>_strlen`.
fn classic_strings(ds: &mut Dataset, values: &mut [(String, Array)]) {
    for (name, a) in values.iter_mut() {
        let Array::Str(x) = a else { continue };
        let n = x.len();
        let len = x.iter().map(String::len).max().unwrap_or(0).max(1);
        let mut bytes = vec![0u8; n * len];
        for (k, s) in x.iter().enumerate() {
            bytes[k * len..k * len + s.len()].copy_from_slice(s.as_bytes());
        }
        let dim = format!("{name}_strlen");
        if let Ok(c) = ArrayD::from_shape_vec(IxDyn(&[n, len]), bytes) {
            *a = Array::Char(c);
            ds.dims.push(Dim { name: dim.clone(), len, unlimited: false });
            if let Some(v) = ds.var_mut(name) {
                v.dtype = DType::Char;
                v.dims.push(dim);
                v.shape.push(len);
            }
        }
    }
}

/// Writes the extraction: NetCDF/Zarr per `spec` (split by `time:auto`), or one CSV file
/// when `csv`. Returns the output paths; nothing is left behind on failure.
///
/// # Errors
/// Read or write failures.
pub fn write_points(
    src: &dyn Source,
    plan: &PointPlan,
    spec: &OutputSpec,
    csv: bool,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let mut plan = plan.clone();
    if !spec.history.is_empty() {
        let h = match plan.out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{}\n{old}", spec.history),
            _ => spec.history.clone(),
        };
        plan.out.attrs.set("history", AttrValue::Text(h));
    }
    if csv {
        return write_csv(src, &plan, spec, namer, progress).map(|p| vec![p]);
    }
    if spec.format == rookery_io::OutputFormat::Nc3 {
        let mut values = std::mem::take(&mut plan.values);
        classic_strings(&mut plan.out, &mut values);
        plan.values = values;
    }
    let out = &plan.out;
    let td = plan.time_dim().map(str::to_string);
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(0, |d| d.len);
    let main_v = out.var(&plan.main);
    let main_has_time = td.as_ref().is_some_and(|d| main_v.is_some_and(|v| v.axis_of(d).is_some()));
    let slices = if main_has_time {
        time_slices(nt, main_v.map_or(0, |v| v.nbytes() as u64), spec.size_limit)?
    } else {
        vec![(0, nt)]
    };
    let mut opts = WriteOptions::following(src, spec.format, td.clone());
    opts.cancel = spec.cancel.clone();
    let mut staged: Vec<Staged> = Vec::new();
    for &(t0, t1) in &slices {
        let mut ds = out.clone();
        if let Some(d) = &td {
            ds.resize_dim(d, t1 - t0);
        }
        let range = (main_has_time && t1 > t0 && plan.base.times.len() >= t1)
            .then(|| (plan.base.times[t0], plan.base.times[t1 - 1]));
        let name = namer.name(&ds.attrs, &plan.main, range, &spec.extra, spec.format.extension());
        let dest = spec.dir.join(&name);
        if staged.iter().any(|s| s.dest() == dest) {
            return Err(OpError::Invalid(format!("two outputs of this request would both be named {name}")));
        }
        let mut w = Writer::create(&dest, &ds, &opts)?;
        let (timed, fixed): (Vec<&Variable>, Vec<&Variable>) =
            ds.vars.iter().partition(|v| td.as_deref().is_some_and(|d| v.axis_of(d).is_some()));
        for v in fixed {
            let a = plan.read(src, &v.name, None)?;
            w.write(&v.name, &vec![0; v.dims.len()], &a)?;
        }
        let block = plan.block_len(src, &timed);
        let mut b0 = t0;
        while b0 < t1 {
            let b1 = (b0 + block).min(t1);
            for v in &timed {
                let a = plan.read(src, &v.name, Some((b0, b1)))?;
                let mut start = vec![0; v.dims.len()];
                if let Some(ax) = td.as_deref().and_then(|d| v.axis_of(d)) {
                    start[ax] = b0 - t0;
                }
                w.write(&v.name, &start, &a)?;
            }
            progress(b1 as u64, nt as u64);
            b0 = b1;
        }
        staged.push(w.close()?);
    }
    staged.into_iter().map(|s| s.commit().map_err(OpError::from)).collect()
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[allow(clippy::cast_possible_truncation)]
fn csv_number(x: f64, f32_like: bool) -> String {
    if x.is_nan() {
        String::new()
    } else if f32_like {
        format!("{}", x as f32)
    } else {
        format!("{x}")
    }
}

/// One CSV file: `time,[<level>,]station_id,station_name,station_lon,station_lat,<lon>,<lat>,
/// distance_km,cell_valid,<variables...>`, a row per time step (and level) and station.
#[allow(clippy::too_many_lines)]
fn write_csv(
    src: &dyn Source,
    plan: &PointPlan,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<PathBuf, OpError> {
    let out = &plan.out;
    let main_o = out.var(&plan.main).ok_or_else(|| OpError::Data(format!("no output variable {}", plan.main)))?;
    let lead_dims: Vec<String> = main_o.dims[..main_o.dims.len() - 1].to_vec();
    let cols: Vec<&Variable> = plan
        .extracted
        .iter()
        .filter_map(|n| out.var(n))
        .filter(|v| v.dims[..v.dims.len() - 1] == lead_dims[..])
        .collect();
    for n in &plan.extracted {
        if !cols.iter().any(|v| &v.name == n) {
            tracing::warn!("variable '{n}' has other dimensions than '{}' and is left out of the CSV", plan.main);
        }
    }
    let td = plan.time_dim().map(str::to_string);
    let t_axis = td.as_deref().and_then(|d| lead_dims.iter().position(|x| x == d));
    // Values of the other leading dimensions (levels ...), as text.
    let mut other: Vec<(String, Vec<String>)> = Vec::new();
    for d in &lead_dims {
        if Some(d.as_str()) == td.as_deref() {
            continue;
        }
        let vals: Vec<String> = match out.var(d) {
            Some(v) if v.dims.len() == 1 => {
                let a = plan.read(src, d, None)?;
                decoded(v, &a).iter().map(|x| csv_number(*x, v.dtype == DType::F32)).collect()
            }
            _ => (0..out.dim(d).map_or(0, |x| x.len)).map(|k| k.to_string()).collect(),
        };
        other.push((d.clone(), vals));
    }
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(1, |d| d.len);
    let range = (t_axis.is_some() && nt > 0 && plan.base.times.len() >= nt)
        .then(|| (plan.base.times[0], plan.base.times[nt - 1]));
    let name = namer.name(&out.attrs, &plan.main, range, &spec.extra, "csv");
    let dest = spec.dir.join(&name);
    let tmp = rookery_io::temp::TempPath::for_dest(&dest)?;
    let werr = |e: std::io::Error| OpError::Io(rookery_io::IoError::Write { path: dest.clone(), msg: e.to_string() });
    let file = std::fs::File::create(tmp.path()).map_err(werr)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let lat = plan.base.info.lat.clone().unwrap_or_else(|| "lat".into());
    let lon = plan.base.info.lon.clone().unwrap_or_else(|| "lon".into());
    let mut header: Vec<String> = Vec::new();
    if t_axis.is_some() {
        header.push("time".into());
    }
    header.extend(other.iter().map(|(d, _)| d.clone()));
    header.extend(
        ["station_id", "station_name", "station_lon", "station_lat", &lon, &lat, "distance_km", "cell_valid"]
            .iter()
            .map(|s| (*s).to_string()),
    );
    header.extend(cols.iter().map(|v| v.name.clone()));
    writeln!(w, "{}", header.iter().map(|h| csv_text(h)).collect::<Vec<_>>().join(",")).map_err(werr)?;
    let stations: Vec<String> = {
        let ids = plan.values.iter().find(|(n, _)| n == "station_id").map(|(_, a)| a.clone());
        let names = plan.values.iter().find(|(n, _)| n == "station_name").map(|(_, a)| a.clone());
        let s = |a: &Option<Array>, k: usize| match a {
            Some(Array::Str(x)) => x.get(k).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let req = |name: &str, k: usize| match plan.values.iter().find(|(n, _)| n == name) {
            Some((_, Array::F64(x))) => x.get(k).copied().unwrap_or(f64::NAN),
            _ => f64::NAN,
        };
        (0..plan.chosen.len())
            .map(|k| {
                let c = plan.chosen[k];
                format!(
                    "{},{},{},{},{},{},{:.3},{}",
                    csv_text(&s(&ids, k)),
                    csv_text(&s(&names, k)),
                    req("station_lon", k),
                    req("station_lat", k),
                    c.0,
                    c.1,
                    c.2,
                    i8::from(c.3)
                )
            })
            .collect()
    };
    let n_st = stations.len();
    let timed: Vec<&Variable> = cols.clone();
    let block = if t_axis.is_some() { plan.block_len(src, &timed) } else { nt.max(1) };
    let src_vars: Vec<Variable> =
        cols.iter().map(|v| src.dataset().var(&v.name).cloned().unwrap_or_else(|| (*v).clone())).collect();
    let mut b0 = 0;
    while b0 < nt.max(1) {
        let b1 = (b0 + block).min(nt.max(1));
        let blk = t_axis.map(|_| (b0, b1));
        let data: Vec<Vec<f64>> = cols
            .iter()
            .zip(&src_vars)
            .map(|(v, sv)| plan.read(src, &v.name, blk).map(|a| decoded(sv, &a)))
            .collect::<Result<_, _>>()?;
        // Leading shape of this block, then rows in row-major order of (lead..., station).
        let mut lshape: Vec<usize> = lead_dims.iter().map(|d| out.dim(d).map_or(1, |x| x.len)).collect();
        if let Some(ax) = t_axis {
            lshape[ax] = b1 - b0;
        }
        let nlead: usize = lshape.iter().product();
        let mut idx = vec![0usize; lshape.len()];
        for l in 0..nlead {
            let mut prefix: Vec<String> = Vec::new();
            if let Some(ax) = t_axis {
                prefix.push(plan.base.times.get(b0 + idx[ax]).map(|t| t.iso()).unwrap_or_default());
            }
            let mut o = 0;
            for (k, d) in lead_dims.iter().enumerate() {
                if Some(d.as_str()) == td.as_deref() {
                    continue;
                }
                prefix.push(other[o].1.get(idx[k]).cloned().unwrap_or_default());
                o += 1;
            }
            let p = prefix.join(",");
            for (s, st) in stations.iter().enumerate() {
                let mut line = String::with_capacity(64 + 12 * data.len());
                if !p.is_empty() {
                    line.push_str(&p);
                    line.push(',');
                }
                line.push_str(st);
                for (d, v) in data.iter().zip(&src_vars) {
                    line.push(',');
                    line.push_str(&csv_number(
                        d[l * n_st + s],
                        v.dtype == DType::F32 && v.attrs.get("scale_factor").is_none(),
                    ));
                }
                writeln!(w, "{line}").map_err(werr)?;
            }
            for k in (0..idx.len()).rev() {
                idx[k] += 1;
                if idx[k] < lshape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        progress(b1 as u64, nt as u64);
        b0 = b1;
    }
    let file = w.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    drop(file);
    std::fs::rename(tmp.path(), &dest).map_err(werr)?;
    let _ = tmp.keep();
    Ok(dest)
}

/// Plans and writes a point extraction of `src`.
///
/// # Errors
/// See [`plan_points`] and [`write_points`].
pub fn extract_points(
    src: &dyn Source,
    req: &PointRequest,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let plan = plan_points(src, req)?;
    write_points(src, &plan, spec, req.csv, namer, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse() {
        assert_eq!(parse_point(" 10.5, -3 ", 1).map(|s| (s.lon, s.lat, s.id)).ok(), Some((10.5, -3.0, "P1".into())));
        assert!(parse_point("10", 1).is_err());
        assert!(parse_point("10,95", 1).is_err());
        assert!(parse_point("abc,1", 1).is_err());
        let s = parse_points_csv("# stations\nid,lat,lon,name\nA,50,10,\"Frank, furt\"\nB,-5,200,\n").expect("csv");
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].lon, s[0].lat, s[0].name.as_str()), (10.0, 50.0, "Frank, furt"));
        assert_eq!(s[1].name, "B");
        let s = parse_points_csv("x1,1,2\nx2,3,4,Two").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(s.contains("line 2"), "{s}");
        assert!(parse_points_csv("a,1,2\na,3,4").is_err());
        assert!(parse_points_csv("\n# nothing\n").is_err());
        assert!(parse_points_csv("a,1,x").is_err());
        let g = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"S1","properties":{"name":"One"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3,4]}}]}"#;
        let s = parse_points_text(g).expect("geojson");
        assert_eq!((s[0].id.as_str(), s[0].name.as_str(), s[1].id.as_str()), ("S1", "One", "P2"));
        assert!(parse_points_text(r#"{"type":"Polygon","coordinates":[]}"#).is_err());
    }

    #[test]
    fn csv_line_splitting() {
        assert_eq!(csv_fields(r#"a, "b ""c""" ,d"#).ok(), Some(vec!["a".into(), r#"b "c""#.into(), "d".into()]));
        assert!(csv_fields("\"open").is_err());
    }
}
