//! Checks of outputs, read back with libnetcdf (the `netcdf` crate) as a reader independent
//! of rookery's own: coordinates equal the expected in-range values exactly on rectilinear
//! grids and lie inside the requested range on curvilinear/unstructured ones, no variable is
//! entirely NaN unless the full field is, and the invariants of the other operations.

use crate::sample::{Axes, Sample};
use crate::RequestFailure as F;
use rookery_cf::time::{Calendar, DateTime, TimeCoder};
use rookery_cf::GridType;
use std::collections::HashSet;
use std::path::Path;

/// A variable read back from an output: values as f64 (fill values NaN) and dimension names.
#[derive(Clone, Debug)]
pub struct Field {
    /// Dimension names.
    pub dims: Vec<String>,
    /// Dimension lengths.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f64>,
}

fn attr_f64(v: &netcdf::Variable<'_>, name: &str) -> Option<f64> {
    use netcdf::AttributeValue as A;
    #[allow(clippy::cast_precision_loss)]
    Some(match v.attribute_value(name)?.ok()? {
        A::Uchar(x) => f64::from(x),
        A::Schar(x) => f64::from(x),
        A::Ushort(x) => f64::from(x),
        A::Short(x) => f64::from(x),
        A::Uint(x) => f64::from(x),
        A::Int(x) => f64::from(x),
        A::Ulonglong(x) => x as f64,
        A::Longlong(x) => x as f64,
        A::Float(x) => f64::from(x),
        A::Double(x) => x,
        A::Floats(x) => f64::from(*x.first()?),
        A::Doubles(x) => *x.first()?,
        A::Shorts(x) => f64::from(*x.first()?),
        A::Ints(x) => f64::from(*x.first()?),
        _ => return None,
    })
}

fn attr_str(v: &netcdf::Variable<'_>, name: &str) -> Option<String> {
    match v.attribute_value(name)?.ok()? {
        netcdf::AttributeValue::Str(s) => Some(s),
        _ => None,
    }
}

/// An output file opened with libnetcdf.
pub struct NcFile {
    file: netcdf::File,
    path: String,
}

impl NcFile {
    /// Opens `path`.
    ///
    /// # Errors
    /// libnetcdf cannot open it.
    pub fn open(path: &Path) -> Result<NcFile, F> {
        let file = netcdf::open(path).map_err(|source| F::Open { path: path.display().to_string(), source })?;
        Ok(NcFile { file, path: path.display().to_string() })
    }

    /// True when the file has variable `name`.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.file.variable(name).is_some()
    }

    /// Variable names, in file order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.file.variables().map(|v| v.name()).collect()
    }

    /// A string attribute of a variable.
    #[must_use]
    pub fn attr(&self, var: &str, name: &str) -> Option<String> {
        attr_str(&self.file.variable(var)?, name)
    }

    /// Reads variable `name` (all of it, or the first step along dimension `first_of`).
    ///
    /// # Errors
    /// Missing variable, non-numeric data, read failure.
    pub fn field(&self, name: &str, first_of: Option<&str>) -> Result<Field, F> {
        let v = self
            .file
            .variable(name)
            .ok_or_else(|| F::NoOutputVariable { name: name.to_string(), path: self.path.clone() })?;
        let dims: Vec<String> = v.dimensions().iter().map(netcdf::Dimension::name).collect();
        let mut shape: Vec<usize> = v.dimensions().iter().map(netcdf::Dimension::len).collect();
        let mut ext: Vec<netcdf::Extent> = shape.iter().map(|&n| (0..n).into()).collect();
        if let Some(d) = first_of {
            if let Some(i) = dims.iter().position(|x| x == d) {
                if shape[i] > 0 {
                    shape[i] = 1;
                    ext[i] = (0..1).into();
                }
            }
        }
        let raw: Vec<f64> = if shape.contains(&0) {
            Vec::new()
        } else if dims.is_empty() {
            vec![v.get_value::<f64, _>(..).map_err(|source| F::Read { name: name.to_string(), source })?]
        } else {
            v.get_values::<f64, _>(ext.as_slice()).map_err(|source| F::Read { name: name.to_string(), source })?
        };
        let fills: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|a| attr_f64(&v, a)).collect();
        let values = raw
            .into_iter()
            .map(|x| if fills.contains(&x) || x.abs() >= 9.0e36 || x.is_nan() { f64::NAN } else { x })
            .collect();
        Ok(Field { dims, shape, values })
    }

    /// Decodes time variable `name` with its units and calendar.
    ///
    /// # Errors
    /// Missing units, undecodable values.
    pub fn times(&self, name: &str) -> Result<(Vec<DateTime>, Calendar), F> {
        let f = self.field(name, None)?;
        let units = self.attr(name, "units").ok_or_else(|| F::NoTimeUnits(name.to_string()))?;
        let cal = self.attr(name, "calendar");
        let time_err = |source| F::OutputTime { name: name.to_string(), source };
        let coder = TimeCoder::new(&units, cal.as_deref()).map_err(time_err)?;
        let t = f.values.iter().map(|&x| coder.decode(x)).collect::<Result<Vec<_>, _>>().map_err(time_err)?;
        Ok((t, coder.calendar))
    }
}

fn show(v: &[f64]) -> String {
    let mut s: Vec<String> = v.iter().take(6).map(|x| format!("{x}")).collect();
    if v.len() > 6 {
        s.push(format!("... ({} values)", v.len()));
    }
    format!("[{}]", s.join(", "))
}

fn same_values(what: &str, expected: &[f64], got: &[f64]) -> Result<(), F> {
    let eq = expected.len() == got.len() && expected.iter().zip(got).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
    if eq {
        Ok(())
    } else {
        Err(F::Mismatch(format!("{what} values differ: expected {}, got {}", show(expected), show(got))))
    }
}

/// How much of a full field (one time step, whole grid) is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldState {
    /// Every value is missing.
    AllNan,
    /// Some values are missing (a masked field, e.g. ocean data over land).
    SomeNan,
    /// No value is missing.
    NoNan,
}

/// The state of variable `var` at the first time step of `file` (read with libnetcdf).
///
/// # Errors
/// The file or variable cannot be read.
pub fn full_field(file: &Path, var: &str, time_dim: Option<&str>) -> Result<FieldState, F> {
    let nc = NcFile::open(file)?;
    let f = nc.field(var, time_dim)?;
    let nan = f.values.iter().filter(|x| x.is_nan()).count();
    Ok(if nan == f.values.len() {
        FieldState::AllNan
    } else if nan > 0 {
        FieldState::SomeNan
    } else {
        FieldState::NoNan
    })
}

/// The data variables of an output laid on the horizontal grid (not coordinates or bounds).
fn gridded_vars(nc: &NcFile, axes: &Axes) -> Vec<String> {
    let Some(grid_dims) = horizontal_dims(axes) else { return Vec::new() };
    let names = nc.names();
    let mut skip: HashSet<String> = HashSet::new();
    for n in &names {
        for a in ["coordinates", "bounds"] {
            if let Some(s) = nc.attr(n, a) {
                skip.extend(s.split_whitespace().map(str::to_string));
            }
        }
    }
    skip.extend([axes.info.lat.clone(), axes.info.lon.clone()].into_iter().flatten());
    names
        .into_iter()
        .filter(|n| !skip.contains(n) && !n.contains("bnds") && !n.contains("bounds") && !n.contains("vertices"))
        .filter(|n| {
            nc.file.variable(n).is_some_and(|v| {
                let d: Vec<String> = v.dimensions().iter().map(netcdf::Dimension::name).collect();
                d.len() >= grid_dims.len() && d.len() >= 2 && d[d.len() - grid_dims.len()..] == grid_dims[..]
            })
        })
        .collect()
}

/// The horizontal dimensions (y, x) or (cell) of the dataset.
fn horizontal_dims(axes: &Axes) -> Option<Vec<String>> {
    let lat = axes.lat.as_ref()?;
    let lon = axes.lon.as_ref()?;
    match axes.info.grid {
        GridType::Rectilinear => Some(vec![lat.dims[0].clone(), lon.dims[0].clone()]),
        GridType::Curvilinear | GridType::Unstructured => Some(lat.dims.clone()),
        GridType::None => None,
    }
}

fn lon_inside(x: f64, lo: f64, hi: f64) -> bool {
    let tol = 1e-6;
    [x, x - 360.0, x + 360.0].iter().any(|&v| v >= lo - tol && v <= hi + tol)
}

/// Checks a subset output against its sample. `full` answers the NaN check's question about
/// the full field of a variable. Returns a note (empty when nothing to say) or the failure.
///
/// # Errors
/// The failure message.
pub fn check_subset(
    out: &Path,
    axes: &Axes,
    s: &Sample,
    full: &dyn Fn(&str) -> Result<FieldState, F>,
) -> Result<String, F> {
    let nc = NcFile::open(out)?;
    let mut notes: Vec<String> = s.notes.clone();
    let info = &axes.info;
    if !nc.has(&info.main) {
        return Err(F::Mismatch(format!("the output has no variable {}", info.main)));
    }
    // Horizontal coordinates.
    if let (Some(lon), Some(lat)) = (&info.lon, &info.lat) {
        match info.grid {
            GridType::Rectilinear => {
                if let Some(e) = &s.expect_lon {
                    same_values("longitude", e, &nc.field(lon, None)?.values)?;
                }
                if let Some(e) = &s.expect_lat {
                    same_values("latitude", e, &nc.field(lat, None)?.values)?;
                }
            }
            GridType::Curvilinear | GridType::Unstructured => {
                if let (Some((lo, hi)), Some((south, north))) = (s.lon_range, s.lat_range) {
                    let lons = nc.field(lon, None)?;
                    let lats = nc.field(lat, None)?;
                    let data = nc.field(&info.main, None)?;
                    let npts = lons.values.len();
                    if npts == 0 || data.values.len() % npts != 0 {
                        return Err(F::Mismatch(format!("output {} does not lie on its {lon}/{lat} grid", info.main)));
                    }
                    // Points with data in any time/level.
                    let mut has = vec![false; npts];
                    for (k, v) in data.values.iter().enumerate() {
                        if v.is_finite() {
                            has[k % npts] = true;
                        }
                    }
                    if !has.iter().any(|&h| h) {
                        notes.push("no data in the requested region (range check skipped)".into());
                    }
                    for k in (0..npts).filter(|&k| has[k]) {
                        let (x, y) = (lons.values[k], lats.values[k]);
                        if !(south - 1e-6..=north + 1e-6).contains(&y) || !lon_inside(x, lo, hi) {
                            return Err(F::Mismatch(format!(
                                "a point with data lies outside the requested area: lon {x}, lat {y} not in lon {lo}..{hi}, lat {south}..{north}"
                            )));
                        }
                    }
                }
            }
            GridType::None => {}
        }
    }
    if let (Some(lev), Some(e)) = (&info.level, &s.expect_level) {
        same_values("level", e, &nc.field(lev, None)?.values)?;
    }
    if let (Some(t), Some(e)) = (&info.time, &s.expect_times) {
        let (got, cal) = nc.times(t)?;
        let close = |a: &DateTime, b: &DateTime| (cal.to_microseconds(a) - cal.to_microseconds(b)).abs() <= 1000;
        if got.len() != e.len() || !got.iter().zip(e).all(|(a, b)| close(a, b)) {
            let f = |v: &[DateTime]| match (v.first(), v.last()) {
                (Some(a), Some(b)) => format!("{} steps {}..{}", v.len(), a.iso(), b.iso()),
                _ => "no steps".to_string(),
            };
            return Err(F::Mismatch(format!("time values differ: expected {}, got {}", f(e), f(&got))));
        }
    }
    // NaN check.
    for v in gridded_vars(&nc, axes) {
        let f = nc.field(&v, None)?;
        if !f.values.is_empty() && f.values.iter().all(|x| x.is_nan()) {
            match full(&v)? {
                FieldState::NoNan => return Err(F::AllNan(v)),
                FieldState::SomeNan => notes.push(format!("{v}: requested region is masked")),
                FieldState::AllNan => notes.push(format!("{v}: the full field is all NaN")),
            }
        }
    }
    Ok(notes.join("; "))
}

/// `average --dims time` invariant: the output equals the NaN-skipping mean over time of the
/// subset's values (computed here from the subset output).
///
/// # Errors
/// The failure message.
pub fn check_time_mean(subset_out: &Path, avg_out: &Path, var: &str, time_dim: &str) -> Result<String, F> {
    let src = NcFile::open(subset_out)?.field(var, None)?;
    let avg = NcFile::open(avg_out)?.field(var, None)?;
    let Some(ti) = src.dims.iter().position(|d| d == time_dim) else {
        return Err(F::Mismatch(format!("{var} of the subset has no dimension {time_dim}")));
    };
    if avg.dims.iter().any(|d| d == time_dim) {
        return Err(F::Mismatch(format!("{var} of the average still has dimension {time_dim}")));
    }
    let nt = src.shape[ti];
    let inner: usize = src.shape[ti + 1..].iter().product();
    let outer: usize = src.shape[..ti].iter().product();
    if avg.values.len() != inner * outer {
        return Err(F::Mismatch(format!(
            "the average of {var} has {} values, expected {}",
            avg.values.len(),
            inner * outer
        )));
    }
    let scale = src.values.iter().filter(|x| x.is_finite()).fold(0.0_f64, |m, x| m.max(x.abs()));
    for o in 0..outer {
        for i in 0..inner {
            let (mut sum, mut n) = (0.0, 0u32);
            for t in 0..nt {
                let x = src.values[(o * nt + t) * inner + i];
                if x.is_finite() {
                    sum += x;
                    n += 1;
                }
            }
            let got = avg.values[o * inner + i];
            if n == 0 {
                if !got.is_nan() {
                    return Err(F::Mismatch(format!(
                        "mean of {var} at {}: expected NaN (no data), got {got}",
                        o * inner + i
                    )));
                }
                continue;
            }
            let want = sum / f64::from(n);
            // NaN differences fail too.
            let close = (got - want).abs() <= 1e-5 * want.abs() + 1e-6 * scale;
            if !close {
                return Err(F::Mismatch(format!("mean of {var} at {}: expected {want}, got {got}", o * inner + i)));
            }
        }
    }
    Ok(String::new())
}

/// `average-time --freq year` invariant: one step per year of the subset, labelled 1 January.
///
/// # Errors
/// The failure message.
pub fn check_yearly(subset_out: &Path, avg_out: &Path, time_var: &str) -> Result<String, F> {
    let (src, _) = NcFile::open(subset_out)?.times(time_var)?;
    let (got, _) = NcFile::open(avg_out)?.times(time_var)?;
    // Every year from the first to the last (years without data are NaN periods, as
    // xarray's resample gives them).
    let years: Vec<i64> = match (src.iter().map(|t| t.year).min(), src.iter().map(|t| t.year).max()) {
        (Some(a), Some(b)) => (a..=b).collect(),
        _ => Vec::new(),
    };
    let labels: Vec<i64> = got.iter().map(|t| t.year).collect();
    if labels != years {
        return Err(F::Mismatch(format!("yearly means: expected years {years:?}, got {labels:?}")));
    }
    if let Some(t) = got.iter().find(|t| (t.month, t.day, t.hour, t.minute, t.second) != (1, 1, 0, 0, 0)) {
        return Err(F::Mismatch(format!("yearly mean labelled {} instead of 1 January", t.iso())));
    }
    Ok(String::new())
}

/// `regrid nearest_s2d` invariant: every value of the output occurs in the source.
///
/// # Errors
/// The failure message.
pub fn check_nearest(src_out: &Path, regrid_out: &Path, var: &str) -> Result<String, F> {
    let src = NcFile::open(src_out)?.field(var, None)?;
    let out = NcFile::open(regrid_out)?.field(var, None)?;
    let known: HashSet<u64> = src.values.iter().filter(|x| x.is_finite()).map(|x| x.to_bits()).collect();
    if let Some(x) = out.values.iter().find(|x| x.is_finite() && !known.contains(&x.to_bits())) {
        return Err(F::Mismatch(format!("regridded {var} holds {x}, a value that does not occur in the source")));
    }
    if out.values.iter().all(|x| x.is_nan()) && !known.is_empty() {
        return Err(F::Mismatch(format!("regridded {var} is all NaN")));
    }
    Ok(String::new())
}
