//! Request sampling (roocs.md §5.2): area, time and level ranges drawn by quantiles of the
//! actual coordinate values, so ranges follow the value distribution (also on curvilinear
//! grids); forced longitude wrap (a request crossing the dataset's longitude seam); forced
//! north and south poles; descending coordinates requested in reverse. Each sample carries
//! the coordinates expected in the output (exactly, on rectilinear grids).

use crate::rng::Rng;
use crate::RequestFailure;
use rookery_cf::time::{Calendar, DateTime};
use rookery_cf::{CfInfo, GridType};
use rookery_io::Source;

/// What a subset request exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Area and time.
    AreaTime,
    /// Area, time and levels.
    AreaTimeLevel,
    /// Area (crossing the longitude seam), time and levels.
    LonWrap,
    /// Area reaching the north pole, time and levels.
    NorthPole,
    /// Area reaching the south pole, time and levels.
    SouthPole,
    /// Area crossing the seam and reaching the south pole, time and levels.
    LonWrapSouthPole,
}

impl Kind {
    /// The name recorded in the `kind` column.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::AreaTime => "area-time",
            Kind::AreaTimeLevel => "area-time-level",
            Kind::LonWrap => "lon-wrap",
            Kind::NorthPole => "north-pole",
            Kind::SouthPole => "south-pole",
            Kind::LonWrapSouthPole => "lon-wrap-south-pole",
        }
    }
}

/// The kinds of the requests of a dataset, by request index (cycled): the special cases come
/// early so that a few requests per dataset already cover them; ten requests are the
/// reference's mix (3 area+time, 3 area+time+level, wrap, north, south, wrap+south).
pub const KIND_ORDER: [Kind; 10] = [
    Kind::AreaTime,
    Kind::LonWrap,
    Kind::NorthPole,
    Kind::AreaTimeLevel,
    Kind::SouthPole,
    Kind::LonWrapSouthPole,
    Kind::AreaTime,
    Kind::AreaTimeLevel,
    Kind::AreaTime,
    Kind::AreaTimeLevel,
];

/// A coordinate as the sampler sees it: values flattened in storage order, fill values NaN.
#[derive(Clone, Debug)]
pub struct Coord {
    /// Variable name.
    pub name: String,
    /// Dimension names.
    pub dims: Vec<String>,
    /// Values (row-major), missing ones NaN.
    pub values: Vec<f64>,
}

impl Coord {
    fn finite(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// True for a 1-D coordinate whose values decrease.
    #[must_use]
    pub fn descending(&self) -> bool {
        self.dims.len() == 1 && self.values.len() > 1 && self.values.windows(2).all(|w| w[1] < w[0])
    }
}

/// The coordinates of a dataset that requests are sampled from.
#[derive(Clone, Debug)]
pub struct Axes {
    /// CF roles.
    pub info: CfInfo,
    /// Longitude (1-D or 2-D).
    pub lon: Option<Coord>,
    /// Latitude (1-D or 2-D).
    pub lat: Option<Coord>,
    /// Vertical coordinate.
    pub level: Option<Coord>,
    /// Decoded time steps, and the calendar.
    pub times: Option<(Vec<DateTime>, Calendar)>,
    /// The time dimension.
    pub time_dim: Option<String>,
}

fn read_coord(src: &dyn Source, name: &str) -> Result<Coord, RequestFailure> {
    let v = src.dataset().var(name).ok_or_else(|| RequestFailure::NoCoordinate(name.to_string()))?;
    let a = src.read_all(name)?;
    let arr = a.to_f64().ok_or_else(|| RequestFailure::NotNumeric(name.to_string()))?;
    let missing: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|n| v.attrs.get_f64(n)).collect();
    let values = arr.iter().map(|&x| if missing.contains(&x) || x.abs() >= 1e10 { f64::NAN } else { x }).collect();
    Ok(Coord { name: name.to_string(), dims: v.dims.clone(), values })
}

/// Reads the coordinates of an opened dataset.
///
/// # Errors
/// No main variable, unreadable coordinates or undecodable times.
pub fn axes(src: &dyn Source) -> Result<Axes, RequestFailure> {
    let info = CfInfo::detect(src.dataset())?;
    let lon = info.lon.as_deref().map(|n| read_coord(src, n)).transpose()?;
    let lat = info.lat.as_deref().map(|n| read_coord(src, n)).transpose()?;
    let level = info.level.as_deref().map(|n| read_coord(src, n)).transpose()?;
    let times = rookery_ops::subset::time_axis(src, &info)?.map(|t| (t.times, t.coder.calendar));
    let time_dim = info.time_dim(src.dataset()).map(str::to_string);
    Ok(Axes { info, lon, lat, level, times, time_dim })
}

impl Axes {
    /// True when an area can be requested (latitude and longitude on a known grid).
    #[must_use]
    pub fn has_area(&self) -> bool {
        self.lat.is_some() && self.lon.is_some() && self.info.grid != GridType::None
    }
}

/// A sampled subset request with the coordinates expected in its output.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// `[W, S, E, N]` as requested (reversed for descending coordinates).
    pub area: Option<[f64; 4]>,
    /// Start and end, `YYYY-MM-DDTHH:MM:SS`.
    pub time: Option<(String, String)>,
    /// First and last level as requested.
    pub level: Option<(f64, f64)>,
    /// Expected output longitudes (rectilinear grids).
    pub expect_lon: Option<Vec<f64>>,
    /// Expected output latitudes (rectilinear grids).
    pub expect_lat: Option<Vec<f64>>,
    /// Expected output levels.
    pub expect_level: Option<Vec<f64>>,
    /// Expected output times.
    pub expect_times: Option<Vec<DateTime>>,
    /// Requested longitude interval (lo ≤ hi) and latitude interval, for range checks.
    pub lon_range: Option<(f64, f64)>,
    /// Requested latitude interval (lo ≤ hi).
    pub lat_range: Option<(f64, f64)>,
    /// Notes (e.g. levels ignored because the data have none).
    pub notes: Vec<String>,
}

/// How a range is forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Force {
    None,
    Lower,
    Upper,
    Wrap,
}

/// A sampled range of values: `lower..upper`, or `lower..max ∪ min..upper` when wrapped.
#[derive(Clone, Copy, Debug)]
struct Range {
    lower: f64,
    upper: f64,
    wrapped: bool,
}

/// numpy's default (linear) quantile of sorted values, snapped to a data value when within
/// rounding of one (so that `a + 1.0 * (b - a)` is `b`).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    #[allow(clippy::cast_precision_loss)]
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = (pos.floor() as usize).min(n - 1);
    let j = (i + 1).min(n - 1);
    let f = pos - pos.floor();
    let v = sorted[i] + f * (sorted[j] - sorted[i]);
    for &d in &[sorted[i], sorted[j]] {
        if (v - d).abs() <= 1e-12 * d.abs().max(1.0) {
            return d;
        }
    }
    v
}

/// `_get_rand_range` of the reference: a random quantile interval of length ≤ 10 % (doubled
/// until it holds at least one value).
fn rand_range(rng: &mut Rng, sorted: &[f64], can_wrap: bool, force: Force) -> Range {
    let mut length = rng.uniform(0.0, 0.1);
    for _ in 0..64 {
        let (lq, uq, wrapped) = match force {
            Force::Lower => (0.0, length, false),
            Force::Upper => (1.0 - length, 1.0, false),
            Force::Wrap => {
                let lq = rng.uniform(1.0 - length, 1.0);
                (lq, (lq + length - 1.0).max(0.0), true)
            }
            Force::None if can_wrap => {
                let lq = rng.uniform(0.0, 1.0);
                let uq = lq + length;
                if uq > 1.0 {
                    (lq, uq - 1.0, true)
                } else {
                    (lq, uq, false)
                }
            }
            Force::None => {
                let lq = rng.uniform(0.0, 1.0 - length);
                (lq, lq + length, false)
            }
        };
        let (lower, upper) = (quantile(sorted, lq), quantile(sorted, uq));
        // A "wrapped" range that does not wrap in value (degenerate data) is a plain one:
        // otherwise a value would be expected twice, once on each side of the seam.
        let r = Range { lower, upper, wrapped: wrapped && lower > upper };
        let hit =
            sorted.iter().any(|&v| if wrapped { v >= r.lower || v <= r.upper } else { v >= r.lower && v <= r.upper });
        if hit {
            return r;
        }
        length = (2.0 * length).min(1.0);
    }
    Range { lower: sorted[0], upper: sorted[sorted.len() - 1], wrapped: false }
}

fn in_range(values: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    values.iter().copied().filter(|&v| v >= lo && v <= hi).collect()
}

/// Formats a date as the reference does (`YYYY-MM-DDTHH:MM:SS`, no fraction).
#[must_use]
pub fn iso_seconds(d: &DateTime) -> String {
    d.with_microsecond(0).iso()
}

/// Samples a request of `kind` for a dataset; `with_area`/`with_time` switch parts off (e.g.
/// the regrid check wants time only).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn sample(axes: &Axes, kind: Kind, rng: &mut Rng, with_area: bool, with_time: bool) -> Sample {
    let mut s = Sample::default();
    let want_level = kind != Kind::AreaTime;
    let (wrap, pole) = match kind {
        Kind::LonWrap => (true, None),
        Kind::NorthPole => (false, Some(true)),
        Kind::SouthPole => (false, Some(false)),
        Kind::LonWrapSouthPole => (true, Some(false)),
        Kind::AreaTime | Kind::AreaTimeLevel => (false, None),
    };
    let rect = axes.info.grid == GridType::Rectilinear;

    // Area.
    if let (true, true, Some(lon), Some(lat)) = (with_area, axes.has_area(), &axes.lon, &axes.lat) {
        let lons = lon.finite();
        let lats = lat.finite();
        if !lons.is_empty() && !lats.is_empty() {
            let (lmin, lmax) = (lons[0], lons[lons.len() - 1]);
            let global = lmax - lmin >= 270.0;
            if wrap && !global {
                s.notes.push("forced longitude wrap on a limited-area grid".into());
            }
            let r = rand_range(rng, &lons, global, if wrap { Force::Wrap } else { Force::None });
            let (mut lo, mut hi) = (r.lower, r.upper);
            if r.wrapped {
                let data_1d = lon.dims.len() == 1;
                if lmin >= 0.0 {
                    lo -= 360.0;
                    if data_1d {
                        let mut e: Vec<f64> =
                            lon.values.iter().copied().filter(|&v| v >= r.lower).map(|v| v - 360.0).collect();
                        e.extend(lon.values.iter().copied().filter(|&v| v <= r.upper));
                        s.expect_lon = Some(e);
                    }
                } else {
                    hi += 360.0;
                    if data_1d {
                        let mut e: Vec<f64> = lon.values.iter().copied().filter(|&v| v >= r.lower).collect();
                        e.extend(lon.values.iter().copied().filter(|&v| v <= r.upper).map(|v| v + 360.0));
                        s.expect_lon = Some(e);
                    }
                }
            } else if lon.dims.len() == 1 {
                s.expect_lon = Some(in_range(&lon.values, lo, hi));
            }
            // On 2-D and unstructured grids the latitude range is drawn from the points inside
            // the longitude range, so that the box holds a grid point (independent ranges
            // often select none on a curvilinear grid, which is the sampler's fault).
            let lats = if lon.dims.len() == 1 && lat.dims.len() == 1 && lon.dims != lat.dims {
                lats
            } else {
                let inside =
                    |v: f64| if r.wrapped { v >= r.lower || v <= r.upper } else { v >= r.lower && v <= r.upper };
                let mut l: Vec<f64> = lon
                    .values
                    .iter()
                    .zip(&lat.values)
                    .filter(|(x, y)| x.is_finite() && y.is_finite() && inside(**x))
                    .map(|(_, y)| *y)
                    .collect();
                l.sort_by(f64::total_cmp);
                if l.is_empty() {
                    lats
                } else {
                    l
                }
            };
            let lr = match pole {
                Some(true) => {
                    let r = rand_range(rng, &lats, false, Force::Upper);
                    Range { upper: 90.0, ..r }
                }
                Some(false) => {
                    let r = rand_range(rng, &lats, false, Force::Lower);
                    Range { lower: -90.0, ..r }
                }
                None => rand_range(rng, &lats, false, Force::None),
            };
            let (s_, n_) = (lr.lower, lr.upper);
            if lat.dims.len() == 1 {
                s.expect_lat = Some(in_range(&lat.values, s_, n_));
            }
            let (w, e) = if lon.descending() { (hi, lo) } else { (lo, hi) };
            let (south, north) = if lat.descending() { (n_, s_) } else { (s_, n_) };
            s.area = Some([w, south, e, north]);
            s.lon_range = Some((lo, hi));
            s.lat_range = Some((s_, n_));
            if !rect {
                s.expect_lon = None;
                s.expect_lat = None;
            }
        }
    } else if axes.has_area() && rect {
        s.expect_lon = axes.lon.as_ref().map(|c| c.values.clone());
        s.expect_lat = axes.lat.as_ref().map(|c| c.values.clone());
    }
    if with_area && !axes.has_area() {
        s.notes.push("no horizontal grid: area not requested".into());
    }

    // Time.
    if let Some((times, _)) = &axes.times {
        if with_time && !times.is_empty() {
            let mut sorted = times.clone();
            sorted.sort();
            // Quantiles over the time steps (nearest rank: requests name existing steps).
            let n = sorted.len();
            let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let r = rand_range(rng, &idx, false, Force::None);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let (i, j) = ((r.lower.ceil() as usize).min(n - 1), (r.upper.floor() as usize).min(n - 1));
            let (a, b) = (sorted[i.min(j)], sorted[j.max(i)]);
            let lo = a.with_microsecond(0);
            let hi = b.with_microsecond(999_999);
            s.time = Some((iso_seconds(&a), iso_seconds(&b)));
            s.expect_times = Some(times.iter().copied().filter(|t| *t >= lo && *t <= hi).collect());
        } else {
            s.expect_times = Some(times.clone());
        }
    }

    // Levels.
    if let Some(lev) = &axes.level {
        let levs = lev.finite();
        if want_level && !levs.is_empty() {
            let r = rand_range(rng, &levs, false, Force::None);
            s.level = Some(if lev.descending() { (r.upper, r.lower) } else { (r.lower, r.upper) });
            s.expect_level = Some(in_range(&lev.values, r.lower, r.upper));
        } else {
            s.expect_level = Some(lev.values.clone());
        }
    } else if want_level && with_area {
        s.notes.push("no vertical axis: levels not requested".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        let v = [0.0, 10.0, 20.0];
        assert_eq!(quantile(&v, 0.0), 0.0);
        assert_eq!(quantile(&v, 1.0), 20.0);
        assert_eq!(quantile(&v, 0.25), 5.0);
        assert_eq!(quantile(&[3.0], 0.7), 3.0);
    }

    #[test]
    fn ranges_hold_a_value() {
        let v: Vec<f64> = (0..5).map(|i| f64::from(i) * 90.0).collect();
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let r = rand_range(&mut rng, &v, true, Force::Wrap);
            assert!(v.iter().any(|&x| x >= r.lower || x <= r.upper));
            let r = rand_range(&mut rng, &v, false, Force::None);
            assert!(v.iter().any(|&x| x >= r.lower && x <= r.upper));
        }
    }
}
