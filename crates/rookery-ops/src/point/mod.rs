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

mod stations;
mod write;

pub use stations::{parse_point, parse_points_csv, parse_points_geojson, parse_points_text, read_points, Station};
pub use write::write_points;

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
    use super::stations::csv_fields;
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
