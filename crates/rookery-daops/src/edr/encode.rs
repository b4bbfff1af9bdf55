//! EDR answers from the NetCDF rookery wrote: the values gathered into a [`Table`] (time ×
//! level × cell per parameter), encoded as CoverageJSON, CSV or GeoJSON.

use super::meta::{horizontal_dims, parameter, CRS84};
use super::EdrError;
use rookery_cf::time::DateTime;
use rookery_cf::{CfInfo, Dataset, GridType};
use rookery_io::Source;
use serde_json::{json, Map, Value};

/// One parameter's values, in (time, level, cell) order; NaN where missing.
pub(super) struct Param {
    name: String,
    desc: Value,
    values: Vec<f64>,
}

/// An answer's values and coordinates.
pub(super) struct Table {
    /// ISO instants (empty: no time axis).
    times: Vec<String>,
    /// Level name, units and values.
    z: Option<(String, String, Vec<f64>)>,
    /// Cell centres (lon, lat).
    cells: Vec<(f64, f64)>,
    /// A regular grid: x and y values (cells are y-major).
    grid: Option<(Vec<f64>, Vec<f64>)>,
    /// Position queries: point ids, and whether a collection answers (MULTIPOINT).
    position: Option<(Vec<String>, bool)>,
    params: Vec<Param>,
    calendar: String,
}

fn f64s(src: &dyn Source, name: &str) -> Result<Vec<f64>, EdrError> {
    let a = src.read_all(name).map_err(|e| EdrError::Failed(format!("reading {name} of the answer: {e}")))?;
    let v = src.dataset().var(name).ok_or_else(|| EdrError::Failed(format!("no {name} in the answer")))?;
    Ok(rookery_ops::point::decoded(v, &a))
}

impl Table {
    /// Reads the answer `out` rookery wrote for dataset `ds`.
    pub(super) fn read(
        out: &dyn Source,
        ds: &Dataset,
        info: &CfInfo,
        params: &[String],
        times: &[DateTime],
        position: Option<(Vec<String>, bool)>,
        calendar: String,
    ) -> Result<Table, EdrError> {
        let o = out.dataset();
        let (lat, lon) = (info.lat.clone().unwrap_or_default(), info.lon.clone().unwrap_or_default());
        let (xs, ys) = (f64s(out, &lon)?, f64s(out, &lat)?);
        let hdims: Vec<String> =
            if position.is_some() { vec![rookery_ops::point::STATION.to_string()] } else { horizontal_dims(o, info) };
        let (cells, grid) = if position.is_none() && info.grid == GridType::Rectilinear {
            (ys.iter().flat_map(|&y| xs.iter().map(move |&x| (x, y))).collect(), Some((xs, ys)))
        } else {
            (xs.into_iter().zip(ys).collect::<Vec<_>>(), None)
        };
        let tdim = info.time_dim(ds).map(str::to_string);
        let z = match info.level.as_deref().filter(|l| o.var(l).is_some_and(|v| v.dims.len() == 1)) {
            Some(l) => {
                let units = o.var(l).and_then(|v| v.attrs.get_str("units")).unwrap_or_default().to_string();
                Some((l.to_string(), units, f64s(out, l)?))
            }
            None => None,
        };
        let zdim = z.as_ref().and_then(|(l, ..)| o.var(l)).map(|v| v.dims[0].clone());
        let mut ps = Vec::new();
        for name in params {
            let Some(v) = o.var(name) else { continue };
            let lead = &v.dims[..v.dims.len().saturating_sub(hdims.len())];
            let mut order: Vec<&str> = Vec::new();
            for (d, &n) in lead.iter().zip(&v.shape) {
                if Some(d) == tdim.as_ref() || Some(d) == zdim.as_ref() {
                    order.push(d);
                } else if n != 1 {
                    return Err(EdrError::BadRequest(format!(
                        "parameter {name} has dimension {d} (length {n}), which EDR answers do not represent"
                    )));
                }
            }
            if order.len() == 2 && Some(order[0]) != tdim.as_deref() {
                return Err(EdrError::BadRequest(format!("parameter {name} has its level before its time axis")));
            }
            let mut values = f64s(out, name)?;
            // A parameter without time or level is repeated over them.
            let nt = times.len().max(1);
            let nz = z.as_ref().map_or(1, |z| z.2.len().max(1));
            let has_t = order.iter().any(|d| Some(*d) == tdim.as_deref());
            let has_z = order.iter().any(|d| Some(*d) == zdim.as_deref());
            if !(has_t || nt == 1) || !(has_z || nz == 1) {
                let nc = cells.len();
                let mut full = Vec::with_capacity(nt * nz * nc);
                for t in 0..nt {
                    for k in 0..nz {
                        let off =
                            (if has_t { t * (if has_z { nz } else { 1 }) } else { 0 } + if has_z { k } else { 0 }) * nc;
                        full.extend_from_slice(values.get(off..off + nc).unwrap_or(&[]));
                    }
                }
                values = full;
            }
            ps.push(Param { name: name.clone(), desc: parameter(ds, name), values });
        }
        let times = times.iter().map(|t| format!("{}Z", t.iso())).collect();
        Ok(Table { times, z, cells, grid, position, params: ps, calendar })
    }

    fn nt(&self) -> usize {
        self.times.len().max(1)
    }

    fn nz(&self) -> usize {
        self.z.as_ref().map_or(1, |z| z.2.len().max(1))
    }
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

fn referencing(t: &Table) -> Value {
    let mut r = vec![json!({"coordinates": ["x", "y"], "system": {"type": "GeographicCRS", "id": CRS84}})];
    if !t.times.is_empty() {
        let sys = if matches!(t.calendar.as_str(), "standard" | "gregorian" | "proleptic_gregorian") {
            json!({"type": "TemporalRS", "calendar": "Gregorian"})
        } else {
            json!({"type": "TemporalRS", "calendar": "https://cfconventions.org/cf-conventions/cf-conventions.html#calendar", "cf_calendar": t.calendar})
        };
        r.push(json!({"coordinates": ["t"], "system": sys}));
    }
    if let Some((name, units, _)) = &t.z {
        r.push(json!({"coordinates": ["z"], "system": {"type": "VerticalCRS", "cs": {"csAxes": [{"name": {"en": name}, "direction": "up", "unit": {"symbol": units}}]}}}));
    }
    Value::Array(r)
}

/// A coverage of cells `idx` (a point, or every cell of a grid or a cell list).
fn coverage(t: &Table, idx: Option<usize>, with_params: bool) -> Value {
    let mut axes = Map::new();
    let (mut names, mut shape): (Vec<&str>, Vec<usize>) = (Vec::new(), Vec::new());
    if !t.times.is_empty() {
        axes.insert("t".into(), json!({"values": t.times}));
        names.push("t");
        shape.push(t.times.len());
    }
    if let Some((_, _, z)) = &t.z {
        axes.insert("z".into(), json!({"values": z.iter().map(|&x| num(x)).collect::<Vec<_>>()}));
        names.push("z");
        shape.push(z.len());
    }
    let multi_z = t.nz() > 1;
    let domain_type = if let Some(c) = idx {
        let (x, y) = t.cells[c];
        axes.insert("x".into(), json!({"values": [num(x)]}));
        axes.insert("y".into(), json!({"values": [num(y)]}));
        if multi_z {
            names.extend(["y", "x"]);
            shape.extend([1, 1]);
            Some("Grid")
        } else {
            Some(if t.times.is_empty() { "Point" } else { "PointSeries" })
        }
    } else if let Some((xs, ys)) = &t.grid {
        axes.insert("x".into(), json!({"values": xs.iter().map(|&x| num(x)).collect::<Vec<_>>()}));
        axes.insert("y".into(), json!({"values": ys.iter().map(|&x| num(x)).collect::<Vec<_>>()}));
        names.extend(["y", "x"]);
        shape.extend([ys.len(), xs.len()]);
        Some("Grid")
    } else {
        let tuples: Vec<Value> = t.cells.iter().map(|&(x, y)| json!([num(x), num(y)])).collect();
        axes.insert("composite".into(), json!({"dataType": "tuple", "coordinates": ["x", "y"], "values": tuples}));
        names.push("composite");
        shape.push(t.cells.len());
        (!multi_z).then_some(if t.times.is_empty() { "MultiPoint" } else { "MultiPointSeries" })
    };
    // MultiPoint(Series) and PointSeries domains take a single (or no) z value.
    if !multi_z && domain_type != Some("Grid") {
        if let Some(p) = names.iter().position(|n| *n == "z") {
            names.remove(p);
            shape.remove(p);
        }
    }
    let nc = t.cells.len();
    let mut ranges = Map::new();
    for p in &t.params {
        let values: Vec<Value> = match idx {
            Some(c) => {
                (0..t.nt() * t.nz()).map(|k| num(p.values.get(k * nc + c).copied().unwrap_or(f64::NAN))).collect()
            }
            None => p.values.iter().map(|&x| num(x)).collect(),
        };
        ranges.insert(
            p.name.clone(),
            json!({"type": "NdArray", "dataType": "float", "axisNames": names, "shape": shape, "values": values}),
        );
    }
    let mut domain = json!({"type": "Domain", "axes": axes, "referencing": referencing(t)});
    if let Some(d) = domain_type {
        domain["domainType"] = json!(d);
    }
    let mut c = json!({"type": "Coverage", "domain": domain, "ranges": ranges});
    if with_params {
        c["parameters"] = parameters(t);
    }
    if let Some((ids, _)) = &t.position {
        if let Some(k) = idx {
            c["id"] = json!(ids[k]);
        }
    }
    c
}

fn parameters(t: &Table) -> Value {
    Value::Object(t.params.iter().map(|p| (p.name.clone(), p.desc.clone())).collect())
}

/// CoverageJSON: a Coverage (one point, a grid or a cell list) or a CoverageCollection (a
/// MULTIPOINT position query).
pub(super) fn covjson(t: &Table) -> Value {
    match &t.position {
        Some((ids, true)) => {
            let covs: Vec<Value> = (0..ids.len()).map(|k| coverage(t, Some(k), false)).collect();
            let dt = if t.nz() > 1 {
                "Grid"
            } else if t.times.is_empty() {
                "Point"
            } else {
                "PointSeries"
            };
            json!({"type": "CoverageCollection", "domainType": dt, "parameters": parameters(t), "coverages": covs})
        }
        Some(_) => coverage(t, Some(0), true),
        None => coverage(t, None, true),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV: `[point_id,]datetime,[<level>,]lon,lat,<parameters...>`, a row per cell, time step
/// and level (empty fields where missing).
pub(super) fn csv(t: &Table) -> String {
    let mut head: Vec<String> = Vec::new();
    if t.position.is_some() {
        head.push("point_id".into());
    }
    if !t.times.is_empty() {
        head.push("datetime".into());
    }
    if let Some((name, ..)) = &t.z {
        head.push(name.clone());
    }
    head.extend(["lon".to_string(), "lat".to_string()]);
    head.extend(t.params.iter().map(|p| p.name.clone()));
    let mut s = head.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    s.push('\n');
    let nc = t.cells.len();
    let f = |x: f64| if x.is_finite() { x.to_string() } else { String::new() };
    for c in 0..nc {
        for ti in 0..t.nt() {
            for k in 0..t.nz() {
                let mut row: Vec<String> = Vec::new();
                if let Some((ids, _)) = &t.position {
                    row.push(csv_field(&ids[c]));
                }
                if let Some(tt) = t.times.get(ti) {
                    row.push(tt.clone());
                }
                if let Some((_, _, z)) = &t.z {
                    row.push(z.get(k).map_or_else(String::new, |&x| f(x)));
                }
                row.push(f(t.cells[c].0));
                row.push(f(t.cells[c].1));
                let off = (ti * t.nz() + k) * nc + c;
                row.extend(t.params.iter().map(|p| f(p.values.get(off).copied().unwrap_or(f64::NAN))));
                s.push_str(&row.join(","));
                s.push('\n');
            }
        }
    }
    s
}

/// GeoJSON: a FeatureCollection, a Point feature per cell with the time axis, the levels and
/// each parameter's values (`[time][level]` when there are levels) as properties.
pub(super) fn geojson(t: &Table) -> Value {
    let nc = t.cells.len();
    let features: Vec<Value> = (0..nc)
        .map(|c| {
            let mut props = Map::new();
            if let Some((ids, _)) = &t.position {
                props.insert("point_id".into(), json!(ids[c]));
            }
            if !t.times.is_empty() {
                props.insert("datetime".into(), json!(t.times));
            }
            if let Some((name, _, z)) = &t.z {
                props.insert(name.clone(), json!(z.iter().map(|&x| num(x)).collect::<Vec<_>>()));
            }
            for p in &t.params {
                let at = |ti: usize, k: usize| num(p.values.get((ti * t.nz() + k) * nc + c).copied().unwrap_or(f64::NAN));
                let v: Vec<Value> = (0..t.nt())
                    .map(|ti| if t.z.is_some() { Value::Array((0..t.nz()).map(|k| at(ti, k)).collect()) } else { at(ti, 0) })
                    .collect();
                props.insert(p.name.clone(), Value::Array(v));
            }
            let (x, y) = t.cells[c];
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [num(x), num(y)]}, "properties": props})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}
