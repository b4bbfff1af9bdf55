//! Quicklooks for the browser UI: one time step of a dataset's variable as a decimated 2-D
//! field, or the time series at one grid point, read through the dataset's [`Source`] (the
//! conductor's fixed view) and answered as small JSON documents that the page draws itself.

use rookery_io::{IoError, Source};
use serde_json::{json, Value};

/// The most rows or columns a quicklook field has (larger grids are decimated by a stride).
pub const MAX_SIDE: usize = 256;

/// The most time steps a point series reads.
pub const MAX_STEPS: usize = 20_000;

/// Why a quicklook cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum QuicklookError {
    /// The variable does not exist or has fewer than two dimensions.
    #[error("{0}")]
    Variable(String),
    /// An index outside the variable.
    #[error("{0}")]
    Index(String),
    /// Reading failed.
    #[error("reading failed: {0}")]
    Io(#[from] IoError),
}

impl QuicklookError {
    /// Whether the request was at fault (a 400/404, not a 500).
    #[must_use]
    pub fn is_client(&self) -> bool {
        !matches!(self, QuicklookError::Io(_))
    }
}

/// What to look at: the variable (`None`: the main one), and the time dimension's name.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Variable name.
    pub var: &'a str,
    /// Name of the time dimension, when the dataset has one.
    pub time: Option<&'a str>,
}

struct Layout {
    shape: Vec<usize>,
    time_axis: Option<usize>,
    fill: Vec<f64>,
    units: String,
}

fn layout(src: &dyn Source, t: Target<'_>) -> Result<Layout, QuicklookError> {
    let ds = src.dataset();
    let v =
        ds.var(t.var).ok_or_else(|| QuicklookError::Variable(format!("No variable '{}' in this dataset", t.var)))?;
    if v.shape.len() < 2 {
        return Err(QuicklookError::Variable(format!(
            "Variable '{}' has {} dimension(s): a quicklook needs a 2-D field",
            t.var,
            v.shape.len()
        )));
    }
    let time_axis = t.time.and_then(|n| v.dims.iter().position(|d| d == n)).filter(|&i| i + 2 < v.shape.len());
    let fill = ["_FillValue", "missing_value"].iter().filter_map(|a| v.attrs.get_f64(a)).collect();
    let units = v.attrs.get_str("units").unwrap_or_default().to_string();
    Ok(Layout { shape: v.shape.clone(), time_axis, fill, units })
}

/// A JSON number, or null for fill values and non-finite numbers.
fn num(x: f64, fill: &[f64]) -> Value {
    if !x.is_finite() || fill.iter().any(|f| (x - f).abs() <= f.abs() * 1e-6) {
        Value::Null
    } else {
        json!(x)
    }
}

/// The value of `name`'s coordinate at `i` (its first element if it is not 1-D).
fn coord_value(src: &dyn Source, name: &str, i: usize) -> Option<f64> {
    let v = src.dataset().var(name)?;
    if v.shape.len() != 1 || i >= v.shape[0] {
        return None;
    }
    src.read(name, &[i], &[1]).ok()?.to_f64()?.iter().next().copied()
}

/// Time step `time` of `t.var` (other leading dimensions at their first index), decimated to at
/// most [`MAX_SIDE`] rows and columns: `{"ny", "nx", "stride", "values" (rows, null for
/// missing), "min", "max", "units", "time_index", "time_value", "time_units", "steps"}`.
///
/// # Errors
/// No such variable, fewer than two dimensions, a time step out of range, a read failure.
pub fn field(src: &dyn Source, t: Target<'_>, time: usize) -> Result<Value, QuicklookError> {
    let l = layout(src, t)?;
    let n = l.shape.len();
    let steps = l.time_axis.map_or(1, |a| l.shape[a]);
    if time >= steps {
        return Err(QuicklookError::Index(format!("time index {time} is out of range: the dataset has {steps} steps")));
    }
    let mut start = vec![0; n];
    let mut count = vec![1; n];
    count[n - 2] = l.shape[n - 2];
    count[n - 1] = l.shape[n - 1];
    if let Some(a) = l.time_axis {
        start[a] = time;
    }
    let data = src.read(t.var, &start, &count)?;
    let vals: Vec<f64> = data
        .to_f64()
        .ok_or_else(|| QuicklookError::Variable(format!("Variable '{}' is not numeric", t.var)))?
        .iter()
        .copied()
        .collect();
    let (ny, nx) = (l.shape[n - 2], l.shape[n - 1]);
    let stride = ny.max(nx).div_ceil(MAX_SIDE).max(1);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let rows: Vec<Value> = (0..ny)
        .step_by(stride)
        .map(|j| {
            Value::Array(
                (0..nx)
                    .step_by(stride)
                    .map(|i| {
                        let x = num(vals[j * nx + i], &l.fill);
                        if let Some(f) = x.as_f64() {
                            lo = lo.min(f);
                            hi = hi.max(f);
                        }
                        x
                    })
                    .collect(),
            )
        })
        .collect();
    let time_units = t.time.and_then(|n| src.dataset().var(n)).and_then(|v| v.attrs.get_str("units")).unwrap_or("");
    Ok(json!({
        "variable": t.var, "units": l.units, "ny": ny, "nx": nx, "stride": stride, "values": rows,
        "min": lo.is_finite().then_some(lo), "max": hi.is_finite().then_some(hi),
        "time_index": time, "steps": steps,
        "time_value": t.time.and_then(|n| coord_value(src, n, time)), "time_units": time_units,
    }))
}

/// The series of `t.var` at grid point (`y`, `x`) over every time step (at most
/// [`MAX_STEPS`]): `{"y", "x", "values", "time_values", "time_units", "units"}`.
///
/// # Errors
/// No such variable, no time dimension, a point outside the grid, a read failure.
pub fn series(src: &dyn Source, t: Target<'_>, y: usize, x: usize) -> Result<Value, QuicklookError> {
    let l = layout(src, t)?;
    let n = l.shape.len();
    let Some(a) = l.time_axis else {
        return Err(QuicklookError::Variable(format!("Variable '{}' has no time dimension", t.var)));
    };
    if y >= l.shape[n - 2] || x >= l.shape[n - 1] {
        return Err(QuicklookError::Index(format!(
            "point (y={y}, x={x}) is outside the {}x{} grid",
            l.shape[n - 2],
            l.shape[n - 1]
        )));
    }
    let steps = l.shape[a].min(MAX_STEPS);
    let mut start = vec![0; n];
    let mut count = vec![1; n];
    start[n - 2] = y;
    start[n - 1] = x;
    count[a] = steps;
    let data = src.read(t.var, &start, &count)?;
    let vals: Vec<Value> = data
        .to_f64()
        .ok_or_else(|| QuicklookError::Variable(format!("Variable '{}' is not numeric", t.var)))?
        .iter()
        .map(|&v| num(v, &l.fill))
        .collect();
    let tname = t.time.unwrap_or_default();
    let times: Vec<f64> = src
        .dataset()
        .var(tname)
        .filter(|v| v.shape.len() == 1)
        .and_then(|_| src.read(tname, &[0], &[steps]).ok())
        .and_then(|a| a.to_f64())
        .map(|a| a.iter().copied().collect())
        .unwrap_or_default();
    let time_units = src.dataset().var(tname).and_then(|v| v.attrs.get_str("units")).unwrap_or("");
    Ok(json!({
        "variable": t.var, "units": l.units, "y": y, "x": x, "values": vals,
        "time_values": times, "time_units": time_units,
    }))
}
