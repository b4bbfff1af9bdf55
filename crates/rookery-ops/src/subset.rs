//! Subset with clisops `ops.subset` semantics (roocs.md §1.4, §1.9): time interval / series,
//! time components, area with longitude-frame conversion, level interval / values.
//!
//! Deliberate differences from clisops, each a bug there (roocs.md §6):
//! - a time interval entirely outside the data is an error, not silently the whole dataset;
//! - curvilinear masking leaves coordinates and cell bounds intact (clisops also sets the
//!   `vertices_*` bounds to NaN, which breaks CF);
//! - `positive` marks a level only when it is `up` or `down`.

use crate::params::{AreaParam, LevelParam, TimeComponents, TimeParam};
use crate::plan::{CellSelector, GridMask, LonShift, Plan};
use crate::OpError;
use ndarray::{ArrayD, Axis, IxDyn};
use rookery_cf::time::{Calendar, DateTime, PartialDateTime, TimeCoder};
use rookery_cf::{CfInfo, Dataset, GridType};
use rookery_io::Source;
use std::collections::BTreeMap;

/// clisops's message when a selection is empty.
pub const NO_DATA: &str = "There were no valid data points found in the requested subset. Please expand the area covered by the bounding box, the time period or the level range you have selected.";

/// A subset request.
#[derive(Clone, Debug, Default)]
pub struct SubsetRequest {
    /// Time interval or instants to keep; `None` keeps every time step.
    pub time: Option<TimeParam>,
    /// Longitude/latitude box to keep; `None` keeps the whole horizontal grid.
    pub area: Option<AreaParam>,
    /// Level interval or values to keep; `None` keeps every level.
    pub level: Option<LevelParam>,
    /// Years, months, days, ... to keep, applied after `time`; `None` filters nothing.
    pub time_components: Option<TimeComponents>,
    /// Polygons: crop to the cells they keep and mask the others
    /// (`shape_mask::ShapeMask`); `None` keeps the whole horizontal grid. Not
    /// combined with `area`.
    pub shape: Option<std::sync::Arc<dyn CellSelector>>,
}

/// Decoded time axis of a dataset.
pub struct TimeAxis {
    /// Name of the time coordinate variable.
    pub var: String,
    /// Name of its (single) dimension.
    pub dim: String,
    /// Its `units` and `calendar`, to decode and re-encode values.
    pub coder: TimeCoder,
    /// The decoded instants, one per time step.
    pub times: Vec<DateTime>,
}

/// Reads and decodes the time coordinate.
///
/// # Errors
/// Unreadable values or undecodable units.
pub fn time_axis(src: &dyn Source, info: &CfInfo) -> Result<Option<TimeAxis>, OpError> {
    let ds = src.dataset();
    let Some(tv) = info.time.as_deref() else {
        return Ok(None);
    };
    let Some(dim) = info.time_dim(ds) else {
        return Ok(None);
    };
    let v = ds.var(tv).ok_or_else(|| OpError::Invalid(format!("no variable {tv}")))?;
    let units = v
        .attrs
        .get_str("units")
        .ok_or_else(|| OpError::Data(format!("time coordinate '{tv}' has no units attribute")))?;
    let coder = TimeCoder::new(units, v.attrs.get_str("calendar"))
        .map_err(|e| OpError::Data(format!("time coordinate '{tv}': {e}")))?;
    let vals =
        src.read_all(tv)?.to_f64().ok_or_else(|| OpError::Data(format!("time coordinate '{tv}' is not numeric")))?;
    let times = vals
        .iter()
        .map(|&x| coder.decode(x))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OpError::Data(format!("time coordinate '{tv}': {e}")))?;
    Ok(Some(TimeAxis { var: tv.to_string(), dim: dim.to_string(), coder, times }))
}

/// clisops `adjust_date_to_calendar`: steps a day forwards/backwards (31-day months, any
/// calendar) up to five times until the date exists in the calendar.
fn adjust_date(p: &DateTime, cal: Calendar, forwards: bool) -> Result<DateTime, OpError> {
    let mut d = *p;
    for _ in 0..=5 {
        if cal.is_valid(&d) {
            return Ok(d);
        }
        if forwards {
            if d.day >= 31 {
                d.day = 1;
                if d.month >= 12 {
                    d.month = 1;
                    d.year += 1;
                } else {
                    d.month += 1;
                }
            } else {
                d.day += 1;
            }
        } else if d.day <= 1 {
            d.day = 31;
            if d.month <= 1 {
                d.month = 12;
                d.year -= 1;
            } else {
                d.month -= 1;
            }
        } else {
            d.day -= 1;
        }
    }
    Err(OpError::Invalid(format!(
        "Could not find an existing date near {} in the calendar: {}",
        p.iso(),
        cal.cf_name()
    )))
}

fn parse_full(s: &str) -> Result<DateTime, OpError> {
    let p = PartialDateTime::parse(s)
        .map_err(|_| OpError::Invalid(format!("Unable to parse the time values entered: '{s}'")))?;
    Ok(p.first())
}

/// Indices of time steps in the interval (clisops `subset_time` + `check_start_end_dates`).
fn select_time_interval(t: &TimeAxis, start: Option<&str>, end: Option<&str>) -> Result<Vec<usize>, OpError> {
    let cal = t.coder.calendar;
    let (Some(first), Some(last)) = (t.times.first(), t.times.last()) else {
        return Err(OpError::NoData(NO_DATA.into()));
    };
    let start_dt = match start {
        Some(s) => adjust_date(&parse_full(s)?, cal, true)?,
        None => *first,
    };
    let end_dt = match end {
        Some(s) => {
            let mut e = adjust_date(&parse_full(s)?, cal, false)?;
            // Partial-string semantics at second resolution: the whole last second counts.
            e.microsecond = 999_999;
            e
        }
        None => *last,
    };
    if (start_dt > *last || end_dt < *first) && start_dt <= end_dt {
        return Err(OpError::NoData(format!(
            "No time steps found between {} and {}: the data cover {} to {}.",
            start_dt.iso(),
            DateTime { microsecond: 0, ..end_dt }.iso(),
            first.iso(),
            last.iso()
        )));
    }
    let idx: Vec<usize> = (0..t.times.len()).filter(|&i| t.times[i] >= start_dt && t.times[i] <= end_dt).collect();
    if idx.is_empty() || start_dt > end_dt {
        let s = t.times.iter().find(|x| **x >= start_dt).unwrap_or(&start_dt);
        let e = t.times.iter().rev().find(|x| **x <= end_dt).unwrap_or(&end_dt);
        if s > e || start_dt > end_dt {
            return Err(OpError::Invalid(format!(
                "Start date (\"{}\") is after end date (\"{}\").",
                s.iso(),
                DateTime { microsecond: 0, ..*e }.iso()
            )));
        }
        return Err(OpError::NoData(NO_DATA.into()));
    }
    Ok(idx)
}

fn select_time_series(t: &TimeAxis, values: &[String]) -> Result<Vec<usize>, OpError> {
    let mut missing = Vec::new();
    let mut idx = Vec::new();
    for s in values {
        let want = parse_full(s)?;
        match t.times.iter().position(|x| *x == want) {
            Some(i) => idx.push(i),
            None => missing.push(format!("'{s}'")),
        }
    }
    if !missing.is_empty() {
        return Err(OpError::Invalid(format!(
            "Requested datetimes include some not found in the dataset: {{{}}}",
            missing.join(", ")
        )));
    }
    idx.sort_unstable();
    idx.dedup();
    Ok(idx)
}

/// Longitude frame handling (clisops `cf_convert_between_lon_frames`): returns the shift to
/// apply to the dataset (if any) and the request interval in the dataset's (new) frame.
fn lon_frame(lons: &[f64], low: f64, high: f64) -> Result<(Option<LonShift>, f64, f64), OpError> {
    let finite: Vec<f64> = lons.iter().copied().filter(|x| x.is_finite()).collect();
    let (Some(min), Some(max)) = (finite.iter().copied().reduce(f64::min), finite.iter().copied().reduce(f64::max))
    else {
        return Ok((None, low, high));
    };
    // A request reaching up to half a degree beyond the data keeps the data's frame, unless a
    // data point lies in that overhang once wrapped (clisops drops it: 173..180.34 on
    // -179.875..179.875 must include -179.875, i.e. 180.125).
    let close = |a: f64, b: f64| (a - b).abs() <= 0.5;
    let gains = finite.iter().any(|&x| (x + 360.0 > max && x + 360.0 <= high) || (x - 360.0 < min && x - 360.0 >= low));
    if (min <= low || close(min, low)) && (max >= high || close(max, high)) && !gains {
        return Ok((None, low, high));
    }
    // Requests (narrower than the globe) crossing both the 0° and the 180° meridian: neither
    // standard frame holds them in one piece (clisops converts the data and silently drops the
    // part of the request left outside the new frame). The frame starts in the middle of the
    // unrequested arc, so cells and bounds near the request keep their values.
    let crosses_both = high - low < 360.0 && ((low < 0.0 && high > 180.0) || (low < -180.0 && high > 0.0));
    if crosses_both && min < max {
        return Ok((Some(LonShift::Frame((low + high - 360.0) / 2.0)), low, high));
    }
    if max - min > 360.5 || min < -360.5 || max > 360.5 {
        return Err(OpError::Invalid("The longitude coordinate values have to lie within the interval [-360, 360] degrees and not exceed an extent of 360 degrees.".into()));
    }
    if finite.len() == 1 {
        if low < 0.0 && min > 180.0 {
            return Ok((Some(LonShift::To180), low, high));
        }
        if high > 180.0 && min < 0.0 {
            return Ok((Some(LonShift::To360), low, high));
        }
        return Ok((None, low, high));
    }
    if min >= 0.0 && max <= 180.0 {
        // Regional data within [0, 180]: no frame to convert to.
        if low < 0.0 && high <= 0.0 {
            return Ok((None, low + 360.0, high + 360.0));
        }
        return Ok((None, low, high));
    }
    let in_180 = min >= -180.5 && max <= 180.5;
    let in_360 = min >= -0.5 && max <= 360.5;
    if !in_180 && !in_360 {
        // Shifted frames such as [-300, 60]: normalise.
        return Ok((Some(if low < 0.0 { LonShift::To180 } else { LonShift::To360 }), low, high));
    }
    if in_180 && min < 0.0 {
        if low < 180.0 && high > 180.0 {
            return Ok((Some(LonShift::To360), low, high));
        }
        if low >= 180.0 {
            return Ok((None, low - 360.0, high - 360.0));
        }
        if low < -180.0 {
            if high <= -180.0 {
                return Ok((None, low + 360.0, high + 360.0));
            }
            return Err(OpError::Invalid(
                "Cannot convert longitude interval if it includes the 0°- or 180°-meridian.".into(),
            ));
        }
        return Ok((None, low, high));
    }
    // 0..360 data.
    if low < 0.0 && high > 0.0 {
        return Ok((Some(LonShift::To180), low, high));
    }
    if high <= 0.0 {
        return Ok((None, low + 360.0, high + 360.0));
    }
    Ok((None, low, high))
}

/// Reads a coordinate as f64 with missing values (its `_FillValue`/`missing_value`, and the
/// unmasked ±999-and-beyond placeholders clisops also treats as missing) turned into NaN, so
/// they never match a request.
fn read_f64(src: &dyn Source, var: &str) -> Result<ArrayD<f64>, OpError> {
    let mut a =
        src.read_all(var)?.to_f64().ok_or_else(|| OpError::Data(format!("coordinate '{var}' is not numeric")))?;
    let attrs = src.dataset().var(var).map(|v| v.attrs.clone()).unwrap_or_default();
    let missing: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|n| attrs.get_f64(n)).collect();
    let horizontal = matches!(
        src.dataset().var(var).and_then(rookery_cf::roles::coord_role),
        Some(rookery_cf::Role::Latitude | rookery_cf::Role::Longitude)
    );
    a.mapv_inplace(|x| if missing.contains(&x) || (horizontal && x.abs() >= 999.0) { f64::NAN } else { x });
    Ok(a)
}

/// Plans a subset of `src`.
///
/// # Errors
/// Invalid or unsatisfiable requests (clisops's messages), unreadable coordinates.
#[allow(clippy::too_many_lines)]
pub fn plan_subset(src: &dyn Source, req: &SubsetRequest) -> Result<Plan, OpError> {
    let ds = src.dataset();
    let info = CfInfo::detect(ds).map_err(|e| OpError::Data(e.to_string()))?;
    let mut sels: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut lon_shift = None;
    let mut mask = None;
    let taxis = time_axis(src, &info)?;

    if req.area.is_some() && req.shape.is_some() {
        return Err(OpError::Invalid("A subset takes either an area or a shape, not both.".into()));
    }
    // Cells the polygons keep, flattened over the grid (rectilinear: [lat, lon]).
    let shape_keep = req.shape.as_ref().map(|m| m.cells(src, &info)).transpose()?;
    if req.area.is_some() || shape_keep.is_some() {
        let (Some(lat), Some(lon)) = (info.lat.clone(), info.lon.clone()) else {
            return Err(OpError::Invalid(
                "subset_bbox requires input data with \"lon\" and \"lat\" dimensions, coordinates, or variables."
                    .into(),
            ));
        };
        let lonv = read_f64(src, &lon)?;
        let latv = read_f64(src, &lat)?;
        let ((lo, hi), (s, n)) = match (&req.area, &shape_keep) {
            (Some(area), _) => (area.lon_bnds(), area.lat_bnds()),
            (None, Some(k)) if matches!(info.grid, GridType::Rectilinear) => shape_box(&lonv, &latv, k),
            _ => ((f64::NEG_INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::INFINITY)),
        };
        // Curvilinear and unstructured grids masked by polygons keep their longitude frame.
        let (shift, lo, hi) = if shape_keep.is_some() && !matches!(info.grid, GridType::Rectilinear) {
            (None, lo, hi)
        } else {
            lon_frame(lonv.as_slice().unwrap_or(&[]), lo, hi)?
        };
        let shifted = lonv.mapv(|x| shift.map_or(x, |sh| sh.apply(x)));
        if let Some(sh) = shift {
            let mut vars = vec![lon.clone()];
            if let Some(b) = rookery_cf::roles::bounds_of(ds, &lon) {
                vars.push(b.name.clone());
            }
            lon_shift = Some((sh, vars));
        }
        let in_lon = |x: f64| x >= lo && x <= hi;
        let in_lat = |y: f64| y >= s && y <= n;
        match info.grid {
            GridType::Rectilinear => {
                let lat_dim = ds.var(&lat).map(|v| v.dims[0].clone()).unwrap_or_default();
                let lon_dim = ds.var(&lon).map(|v| v.dims[0].clone()).unwrap_or_default();
                let lat_idx: Vec<usize> = (0..latv.len()).filter(|&i| in_lat(latv[[i]])).collect();
                let mut order: Vec<usize> = (0..shifted.len()).collect();
                if shift.is_some() {
                    // clisops sorts by longitude after converting the frame (a "roll").
                    order.sort_by(|&a, &b| shifted[[a]].total_cmp(&shifted[[b]]));
                }
                let mut lon_idx: Vec<usize> = order.into_iter().filter(|&i| in_lon(shifted[[i]])).collect();
                let mut lat_idx = lat_idx;
                if let Some(k) = &shape_keep {
                    let nx = lonv.len();
                    // Trim rows and columns without a kept cell at the ends of the box.
                    let row = |j: usize| lon_idx.iter().any(|&i| k[j * nx + i]);
                    let (a, b) = (lat_idx.iter().position(|&j| row(j)), lat_idx.iter().rposition(|&j| row(j)));
                    lat_idx = match (a, b) {
                        (Some(a), Some(b)) => lat_idx[a..=b].to_vec(),
                        _ => Vec::new(),
                    };
                    let col = |i: usize| lat_idx.iter().any(|&j| k[j * nx + i]);
                    let (a, b) = (lon_idx.iter().position(|&i| col(i)), lon_idx.iter().rposition(|&i| col(i)));
                    lon_idx = match (a, b) {
                        (Some(a), Some(b)) => lon_idx[a..=b].to_vec(),
                        _ => Vec::new(),
                    };
                    let kept =
                        lat_idx.iter().map(|&j| lon_idx.iter().filter(|&&i| k[j * nx + i]).count()).sum::<usize>();
                    if kept != k.iter().filter(|&&x| x).count() {
                        return Err(OpError::Data(
                            "the polygons' cells do not fit in one longitude range of the grid".into(),
                        ));
                    }
                    let keep = ArrayD::from_shape_fn(IxDyn(&[lat_idx.len(), lon_idx.len()]), |ix| {
                        k[lat_idx[ix[0]] * nx + lon_idx[ix[1]]]
                    });
                    let dims = [lat_dim.clone(), lon_dim.clone()];
                    let masked = masked_vars(ds, &info, &dims);
                    mask = Some(GridMask { dims, keep, vars: masked });
                }
                if lat_idx.is_empty() || lon_idx.is_empty() {
                    return Err(OpError::NoData(NO_DATA.into()));
                }
                sels.insert(lat_dim, lat_idx);
                sels.insert(lon_dim, lon_idx);
            }
            GridType::Curvilinear => {
                let dims = ds.var(&lat).map(|v| v.dims.clone()).unwrap_or_default();
                let shape = latv.shape().to_vec();
                let keep = ArrayD::from_shape_fn(IxDyn(&shape), |ix| match &shape_keep {
                    Some(k) => k[ix[0] * shape[1] + ix[1]],
                    None => in_lat(latv[&ix]) && in_lon(shifted[&ix]),
                });
                let rows: Vec<usize> =
                    (0..shape[0]).filter(|&j| keep.index_axis(Axis(0), j).iter().any(|&k| k)).collect();
                let cols: Vec<usize> =
                    (0..shape[1]).filter(|&i| keep.index_axis(Axis(1), i).iter().any(|&k| k)).collect();
                let (Some(&j0), Some(&j1), Some(&i0), Some(&i1)) =
                    (rows.first(), rows.last(), cols.first(), cols.last())
                else {
                    return Err(OpError::NoData(NO_DATA.into()));
                };
                let crop = keep
                    .slice_each_axis(|ax| {
                        if ax.axis.index() == 0 {
                            ndarray::Slice::from(j0..=j1)
                        } else {
                            ndarray::Slice::from(i0..=i1)
                        }
                    })
                    .to_owned();
                sels.insert(dims[0].clone(), (j0..=j1).collect());
                sels.insert(dims[1].clone(), (i0..=i1).collect());
                let masked = masked_vars(ds, &info, &dims);
                mask = Some(GridMask { dims: [dims[0].clone(), dims[1].clone()], keep: crop, vars: masked });
            }
            GridType::Unstructured => {
                let dim = ds.var(&lat).map(|v| v.dims[0].clone()).unwrap_or_default();
                // clisops's locstream selection uses strict inequalities.
                let idx: Vec<usize> = (0..latv.len())
                    .filter(|&i| {
                        if let Some(k) = &shape_keep {
                            return k[i];
                        }
                        let (x, y) = (shifted[[i]], latv[[i]]);
                        x > lo && x < hi && y > s && y < n
                    })
                    .collect();
                if idx.is_empty() {
                    return Err(OpError::NoData(NO_DATA.into()));
                }
                sels.insert(dim, idx);
            }
            GridType::None => {
                return Err(OpError::Invalid(
                    "subset_bbox requires input data with \"lon\" and \"lat\" dimensions, coordinates, or variables."
                        .into(),
                ))
            }
        }
    }

    if let Some(tp) = &req.time {
        let t = taxis.as_ref().ok_or_else(|| {
            OpError::Invalid("a time subset was requested but the dataset has no time coordinate".into())
        })?;
        let idx = match tp {
            TimeParam::Interval(a, b) => select_time_interval(t, a.as_deref(), b.as_deref())?,
            TimeParam::Series(v) => select_time_series(t, v)?,
        };
        sels.insert(t.dim.clone(), idx);
    }

    if let Some(lp) = &req.level {
        let lev = info.level.clone().ok_or_else(|| {
            OpError::Invalid("a level subset was requested but the dataset has no vertical coordinate".into())
        })?;
        let dim = ds.var(&lev).map(|v| v.dims[0].clone()).unwrap_or_default();
        let vals = read_f64(src, &lev)?;
        let idx: Vec<usize> = match lp {
            LevelParam::Interval(a, b) => {
                let finite = vals.iter().copied().filter(|x| x.is_finite());
                let dmin = finite.clone().fold(f64::INFINITY, f64::min);
                let dmax = finite.fold(f64::NEG_INFINITY, f64::max);
                let a = a.unwrap_or(dmin);
                let b = b.unwrap_or(dmax);
                let (lo, hi) = (a.min(b), a.max(b));
                let tol = 1e-9 * lo.abs().max(hi.abs()).max(1.0);
                (0..vals.len()).filter(|&i| vals[[i]] >= lo - tol && vals[[i]] <= hi + tol).collect()
            }
            LevelParam::Series(want) => {
                let r4 = |x: f64| (x * 1e4).round() / 1e4;
                let missing: Vec<String> =
                    want.iter().filter(|w| !vals.iter().any(|v| r4(*v) == r4(**w))).map(|w| format!("{w:?}")).collect();
                if !missing.is_empty() {
                    return Err(OpError::Invalid(format!(
                        "Requested levels include some not found in the dataset: {{{}}}",
                        missing.join(", ")
                    )));
                }
                (0..vals.len()).filter(|&i| want.iter().any(|w| r4(*w) == r4(vals[[i]]))).collect()
            }
        };
        if idx.is_empty() {
            return Err(OpError::NoData(NO_DATA.into()));
        }
        sels.insert(dim, idx);
    }

    if let Some(tc) = &req.time_components {
        let t = taxis.as_ref().ok_or_else(|| {
            OpError::Invalid("time components were requested but the dataset has no time coordinate".into())
        })?;
        let base: Vec<usize> = sels.get(&t.dim).cloned().unwrap_or_else(|| (0..t.times.len()).collect());
        let idx: Vec<usize> = base.into_iter().filter(|&i| tc.matches(&t.times[i])).collect();
        if idx.is_empty() {
            return Err(OpError::NoData("No timesteps are matching the selection criteria.".into()));
        }
        sels.insert(t.dim.clone(), idx);
    }

    let times = match &taxis {
        Some(t) => sels.get(&t.dim).map_or_else(|| t.times.clone(), |idx| idx.iter().map(|&i| t.times[i]).collect()),
        None => Vec::new(),
    };
    let mut out = ds.clone();
    for (d, idx) in &sels {
        out.resize_dim(d, idx.len());
    }
    if let (Some(m), Some(gm)) = (&req.shape, &mask) {
        // Masked cells hold the fill value: floating-point variables without one get NaN.
        for v in out.vars.iter_mut().filter(|v| gm.vars.contains(&v.name)) {
            let float = matches!(v.dtype, rookery_cf::DType::F32 | rookery_cf::DType::F64);
            if float && v.attrs.get_f64("_FillValue").is_none() && v.attrs.get_f64("missing_value").is_none() {
                v.attrs.set("_FillValue", rookery_cf::AttrValue::scalar_of(v.dtype, f64::NAN));
            }
        }
        let line = format!("{}: rookery subset: {}", crate::output::utc_now(), m.describe());
        let h = match out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{line}\n{old}"),
            _ => line,
        };
        out.attrs.set("history", rookery_cf::AttrValue::Text(h));
    }
    Ok(Plan { out, info, sels, lon_shift, mask, time_dim: taxis.map(|t| t.dim), times })
}

/// The longitude/latitude box (degrees, widened by rounding) of the centres of the cells
/// `keep` keeps on a rectilinear grid: the shortest longitude arc holding them, starting in
/// (-180, 180]; the data's own range when every column has a kept cell.
fn shape_box(lonv: &ArrayD<f64>, latv: &ArrayD<f64>, keep: &[bool]) -> ((f64, f64), (f64, f64)) {
    let nx = lonv.len();
    let cols: Vec<usize> = (0..nx).filter(|&i| (0..latv.len()).any(|j| keep[j * nx + i])).collect();
    let rows: Vec<f64> = (0..latv.len()).filter(|&j| (0..nx).any(|i| keep[j * nx + i])).map(|j| latv[[j]]).collect();
    let eps = 1e-9;
    let lat = (
        rows.iter().copied().fold(f64::INFINITY, f64::min) - eps,
        rows.iter().copied().fold(f64::NEG_INFINITY, f64::max) + eps,
    );
    let finite = || lonv.iter().copied().filter(|x| x.is_finite());
    if cols.len() == finite().count() {
        return ((finite().fold(f64::INFINITY, f64::min) - eps, finite().fold(f64::NEG_INFINITY, f64::max) + eps), lat);
    }
    let mut v: Vec<f64> = cols.iter().map(|&i| lonv[[i]].rem_euclid(360.0)).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    let m = v.len();
    // The largest gap between consecutive kept longitudes (the last one wraps around).
    let mut best = (m - 1, v[0] + 360.0 - v[m - 1]);
    for k in 0..m - 1 {
        if v[k + 1] - v[k] > best.1 {
            best = (k, v[k + 1] - v[k]);
        }
    }
    let mut start = v[(best.0 + 1) % m];
    let mut end = v[best.0];
    if end < start {
        end += 360.0;
    }
    if start > 180.0 {
        start -= 360.0;
        end -= 360.0;
    }
    ((start - eps, end + eps), lat)
}

/// Variables masked outside a curvilinear area: data variables on the grid (its two dimensions
/// last, in either order), not coordinates or cell bounds.
fn masked_vars(ds: &Dataset, info: &CfInfo, grid_dims: &[String]) -> Vec<String> {
    let mut skip: Vec<String> = Vec::new();
    for v in &ds.vars {
        if let Some(c) = v.attrs.get_str("coordinates") {
            skip.extend(c.split_whitespace().map(str::to_string));
        }
        if let Some(b) = v.attrs.get_str("bounds") {
            skip.push(b.trim().to_string());
        }
    }
    for c in [&info.lat, &info.lon].into_iter().flatten() {
        skip.push(c.clone());
    }
    ds.vars
        .iter()
        .filter(|v| {
            let n = v.dims.len();
            n >= 2
                && (v.dims[n - 2..] == *grid_dims || (v.dims[n - 2] == grid_dims[1] && v.dims[n - 1] == grid_dims[0]))
        })
        .filter(|v| v.dtype.is_numeric() && !skip.contains(&v.name))
        .filter(|v| !v.name.contains("vertices") && !v.name.contains("bnds") && !v.name.contains("bounds"))
        .map(|v| v.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lon_frames() {
        // 0..360 data, request crossing 0 → data to -180..180.
        let l: Vec<f64> = (0..6).map(|i| f64::from(i) * 63.28125).collect();
        assert_eq!(lon_frame(&l, -180.0, 120.0).unwrap().0, Some(LonShift::To180));
        // inside → unchanged
        assert_eq!(lon_frame(&l, 0.0, 170.0).unwrap(), (None, 0.0, 170.0));
        // negative interval on 0..360 → interval shifted
        assert_eq!(lon_frame(&l, -100.0, -50.0).unwrap(), (None, 260.0, 310.0));
        // -180..180 data, interval crossing 180 → data to 0..360
        let m: Vec<f64> = (-179..180).map(f64::from).collect();
        assert_eq!(lon_frame(&m, 170.0, 190.0).unwrap().0, Some(LonShift::To360));
        assert_eq!(lon_frame(&m, 190.0, 200.0).unwrap(), (None, -170.0, -160.0));
        // shifted frame [-300, 60]
        let s: Vec<f64> = (-300..60).map(f64::from).collect();
        assert_eq!(lon_frame(&s, -10.0, 10.0).unwrap().0, None);
        assert_eq!(lon_frame(&s, 100.0, 200.0).unwrap().0, Some(LonShift::To360));
        assert!(lon_frame(&[-400.0, 10.0], 0.0, 500.0).is_err());
        // A request crossing 0° and 180° on -180..180 data keeps both parts.
        let n: Vec<f64> = (-171..-21).map(f64::from).collect();
        let (sh, lo, hi) = lon_frame(&n, -77.8, 191.3).unwrap();
        let sh = sh.expect("frame");
        let kept: Vec<f64> = n.iter().map(|x| sh.apply(*x)).filter(|x| (lo..=hi).contains(x)).collect();
        assert!(kept.contains(&-71.0) && kept.contains(&189.0) && !kept.contains(&170.0), "{kept:?}");
        // Half a degree beyond the data's edge, a wrapped point is gained: the frame changes.
        let g: Vec<f64> = (0..1440).map(|i| -179.875 + 0.25 * f64::from(i)).collect();
        let (sh, lo, hi) = lon_frame(&g, 173.01, 180.342).unwrap();
        let n_sel = g.iter().map(|x| sh.map_or(*x, |s| s.apply(*x))).filter(|x| (lo..=hi).contains(x)).count();
        assert_eq!(n_sel, 29);
        // ... and an overhang without data keeps the frame.
        assert_eq!(lon_frame(&g, 0.0, 180.1).unwrap(), (None, 0.0, 180.1));
    }

    #[test]
    fn date_adjustment() {
        let d = DateTime::new(2050, 12, 31, 0, 0, 0);
        assert_eq!(adjust_date(&d, Calendar::Day360, true).unwrap(), DateTime::new(2051, 1, 1, 0, 0, 0));
        assert_eq!(adjust_date(&d, Calendar::Day360, false).unwrap(), DateTime::new(2050, 12, 30, 0, 0, 0));
        let f = DateTime::new(2012, 2, 29, 12, 0, 0);
        assert_eq!(adjust_date(&f, Calendar::NoLeap, false).unwrap(), DateTime::new(2012, 2, 28, 12, 0, 0));
        assert_eq!(adjust_date(&f, Calendar::NoLeap, true).unwrap(), DateTime::new(2012, 3, 1, 12, 0, 0));
    }
}
