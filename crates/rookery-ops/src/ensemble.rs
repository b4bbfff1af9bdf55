//! Ensemble statistics (CDO `ensmean`/`ensstd`/`ensmin`/`ensmax`/`enspctl`): statistics
//! across the members of an ensemble at each time step and cell, one output variable per
//! statistic (`tas_mean`, `tas_std`, `tas_min`, `tas_max`, `tas_p10`, ...).
//!
//! ```text
//!  members (same variable, units, calendar, time axis, grid: else refused, one line)
//!     │
//!  EnsembleSource (a lazy Source)   tas_<stat>(time, ..., lat, lon) computed per block:
//!     │                              all members' block read once, every statistic made
//!  subset (time/area while reading) ─► write_plan (streamed in time blocks, renamed at the end)
//! ```
//!
//! Missing values (NaN, `_FillValue`, `missing_value` of each member) are skipped; a cell
//! missing in every member stays missing. `std` is the population standard deviation
//! (ddof 0, as CDO `ensstd` and numpy's `nanstd` default); percentiles are numpy's default
//! `linear` method (`np.nanpercentile(..., method="linear")`): the sorted valid values `v`,
//! `h = (n-1)·p/100`, `v[⌊h⌋] + (h-⌊h⌋)·(v[⌊h⌋+1]-v[⌊h⌋])`.
//!
//! Memory: the writer reads blocks of at most 32 time steps (about 16 MB of output per block);
//! a block holds every member's values of it as f64 (members × block × cells × 8 bytes) plus
//! the statistics of the block (statistics × block × cells × 8 bytes), whatever the length of
//! the time axis.

use crate::naming::FileNamer;
use crate::output::{OutputSpec, Progress};
use crate::params::TimeParam;
use crate::subset::{time_axis, SubsetRequest};
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rookery_cf::time::{Calendar, DateTime, PartialDateTime};
use rookery_cf::{Array, AttrValue, CfInfo, DType, Dataset, Variable};
use rookery_io::{IoError, Source};
use std::path::PathBuf;
use std::sync::Mutex;

/// File-name suffix of ensemble statistics outputs.
pub const SUFFIX: &str = "_ens-stats";

/// One statistic across members.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    /// Mean of the valid members.
    Mean,
    /// Population standard deviation (ddof 0).
    Std,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Percentile 0..=100 (numpy `linear`).
    Percentile(u8),
}

impl Stat {
    /// The name used in variable names (`mean`, `std`, `min`, `max`, `p90`).
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Stat::Mean => "mean".into(),
            Stat::Std => "std".into(),
            Stat::Min => "min".into(),
            Stat::Max => "max".into(),
            Stat::Percentile(p) => format!("p{p}"),
        }
    }

    /// The `cell_methods` entry over `realization`.
    fn cell_method(self) -> String {
        match self {
            Stat::Mean => "realization: mean".into(),
            Stat::Std => "realization: standard_deviation".into(),
            Stat::Min => "realization: minimum".into(),
            Stat::Max => "realization: maximum".into(),
            // CF has no percentile method: the nearest readable form, with the method named.
            Stat::Percentile(p) => format!("realization: percentile (comment: {p}th, linear interpolation)"),
        }
    }

    /// Words for `long_name`.
    fn words(self) -> String {
        match self {
            Stat::Mean => "ensemble mean".into(),
            Stat::Std => "ensemble standard deviation".into(),
            Stat::Min => "ensemble minimum".into(),
            Stat::Max => "ensemble maximum".into(),
            Stat::Percentile(p) => format!("ensemble {p}th percentile"),
        }
    }
}

/// Parses a comma-separated list of statistics: `mean`, `std`, `min`, `max`, `median` (=
/// `p50`) and `pNN` (NN an integer 0..100). Duplicates are dropped.
///
/// # Errors
/// An empty list or an unknown statistic.
pub fn parse_stats(s: &str) -> Result<Vec<Stat>, OpError> {
    let mut out: Vec<Stat> = Vec::new();
    for item in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let st = match item.to_ascii_lowercase().as_str() {
            "mean" => Stat::Mean,
            "std" => Stat::Std,
            "min" => Stat::Min,
            "max" => Stat::Max,
            "median" => Stat::Percentile(50),
            p if p.starts_with('p') && p.len() > 1 && p[1..].bytes().all(|b| b.is_ascii_digit()) => {
                match p[1..].parse::<u8>() {
                    Ok(n) if n <= 100 => Stat::Percentile(n),
                    _ => return Err(OpError::Invalid(format!("percentile '{item}' must be between p0 and p100"))),
                }
            }
            _ => {
                return Err(OpError::Invalid(format!(
                    "unknown statistic '{item}': must be mean, std, min, max, median or pNN (NN 0..100)"
                )))
            }
        };
        if !out.contains(&st) {
            out.push(st);
        }
    }
    if out.is_empty() {
        return Err(OpError::Invalid("no statistic requested: give e.g. mean,std,min,max,p10,p90".into()));
    }
    Ok(out)
}

/// The statistics of a block, keyed by its hyperslab.
type Block = (Vec<usize>, Vec<usize>, Vec<Array>);

/// An ensemble's statistics as a lazy source: reading `tas_<stat>` reads every member's
/// hyperslab and computes all statistics of it at once (kept for the other statistics'
/// reads of the same block).
pub struct EnsembleSource {
    members: Vec<Box<dyn Source>>,
    /// The main variable of every member.
    var: String,
    stats: Vec<Stat>,
    /// The output variables, one per statistic, in order.
    stat_vars: Vec<String>,
    /// Each member's missing-value markers.
    missing: Vec<Vec<f64>>,
    fill: f64,
    dtype: DType,
    ds: Dataset,
    /// The time dimension.
    tdim: String,
    /// Each member's first time step in the output (members cut to a time interval).
    offsets: Vec<usize>,
    cache: Mutex<Option<Block>>,
}

fn differ(what: &str, a: &str, la: &str, b: &str, lb: &str) -> OpError {
    OpError::Invalid(format!("ensemble members differ in {what}: {a} ({la}) vs {b} ({lb})"))
}

fn close(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() <= 1e-6 * x.abs().max(1.0) || (x.is_nan() && y.is_nan()))
}

fn shape_text(ds: &Dataset, v: &Variable, tdim: &str) -> String {
    let parts: Vec<String> =
        v.dims.iter().filter(|d| *d != tdim).map(|d| format!("{d}={}", ds.dim(d).map_or(0, |x| x.len))).collect();
    parts.join(",")
}

impl EnsembleSource {
    /// The statistics `stats` of `members` (each with a label naming it in errors: its
    /// dataset id or path).
    ///
    /// # Errors
    /// Fewer than two members; members whose variable, units, calendar, time axis or grid
    /// (dimensions, sizes, coordinate values) differ: one line naming the two members and
    /// what differs. With a `time` interval, only the time steps inside it must agree (the
    /// members are cut to it).
    pub fn new(
        members: Vec<(String, Box<dyn Source>)>,
        stats: Vec<Stat>,
        time: Option<&TimeParam>,
    ) -> Result<EnsembleSource, OpError> {
        if members.len() < 2 {
            let names: Vec<&str> = members.iter().map(|(l, _)| l.as_str()).collect();
            return Err(OpError::Invalid(format!(
                "ensemble statistics need at least two members, got {} ({})",
                members.len(),
                names.join(", ")
            )));
        }
        if stats.is_empty() {
            return Err(OpError::Invalid("no statistic requested".into()));
        }
        let infos = members
            .iter()
            .map(|(l, m)| CfInfo::detect(m.dataset()).map_err(|e| OpError::Data(format!("{l}: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let (l0, m0) = &members[0];
        let info0 = &infos[0];
        let ds0 = m0.dataset();
        let var = info0.main.clone();
        let main0 = ds0.var(&var).cloned().ok_or_else(|| OpError::Data(format!("{l0}: no variable {var}")))?;
        if !main0.dtype.is_numeric() {
            return Err(OpError::Invalid(format!("{l0}: variable {var} is not numeric")));
        }
        let mut t0 = time_axis(m0.as_ref(), info0)?
            .ok_or_else(|| OpError::Invalid(format!("ensemble member {l0} has no time axis")))?;
        let window = window_of(time, t0.coder.calendar);
        let cut = |times: &mut Vec<rookery_cf::time::DateTime>| -> usize {
            let Some((lo, hi)) = window else { return 0 };
            let first = times.iter().position(|t| *t >= lo).unwrap_or(times.len());
            times.retain(|t| *t >= lo && *t <= hi);
            first
        };
        let mut offsets = vec![cut(&mut t0.times)];
        let units0 = main0.attrs.get_str("units").unwrap_or("").trim().to_string();
        for ((l, m), info) in members.iter().zip(&infos).skip(1) {
            if info.main != var {
                return Err(differ("variable", &var, l0, &info.main, l));
            }
            let v = m.dataset().var(&var).ok_or_else(|| OpError::Data(format!("{l}: no variable {var}")))?;
            let units = v.attrs.get_str("units").unwrap_or("").trim();
            if units != units0 {
                return Err(differ(&format!("units of {var}"), &units0, l0, units, l));
            }
            let mut t = time_axis(m.as_ref(), info)?
                .ok_or_else(|| OpError::Invalid(format!("ensemble member {l} has no time axis")))?;
            offsets.push(cut(&mut t.times));
            // `standard` and `proleptic_gregorian` agree from 1582-10-15 on: members there
            // are compatible (their instants are compared below).
            let gregorian = |c: Calendar| matches!(c, Calendar::Standard | Calendar::ProlepticGregorian);
            let modern = |x: &[DateTime]| x.first().is_none_or(|d| *d >= DateTime::new(1582, 10, 15, 0, 0, 0));
            let compatible = t.coder.calendar == t0.coder.calendar
                || (gregorian(t.coder.calendar)
                    && gregorian(t0.coder.calendar)
                    && modern(&t.times)
                    && modern(&t0.times));
            if !compatible {
                return Err(differ("calendar", t0.coder.calendar.cf_name(), l0, t.coder.calendar.cf_name(), l));
            }
            if t.times != t0.times {
                let span = |x: &[rookery_cf::time::DateTime]| match (x.first(), x.last()) {
                    (Some(a), Some(b)) => format!("{} steps {}..{}", x.len(), a.iso(), b.iso()),
                    _ => "0 steps".into(),
                };
                let (a, b) = if t.times.len() == t0.times.len() {
                    let k = t.times.iter().zip(&t0.times).position(|(x, y)| x != y).unwrap_or(0);
                    (format!("step {} at {}", k + 1, t0.times[k].iso()), t.times[k].iso())
                } else {
                    (span(&t0.times), span(&t.times))
                };
                return Err(differ("time axis", &a, l0, &b, l));
            }
            let (s0, s) = (shape_text(ds0, &main0, &t0.dim), shape_text(m.dataset(), v, &t.dim));
            if v.dims != main0.dims || s0 != s {
                return Err(OpError::Invalid(format!(
                    "{} (regrid the members to a common grid with --grid)",
                    differ(&format!("grid of {var}"), &s0, l0, &s, l)
                )));
            }
            // Same sizes: the coordinate values must agree too.
            let mut coords: Vec<String> = main0.dims.iter().filter(|d| **d != t0.dim).cloned().collect();
            coords.extend(info0.lat.iter().chain(&info0.lon).cloned());
            coords.dedup();
            for c in coords.iter().filter(|c| ds0.var(c).is_some()) {
                let a = m0.read_all(c)?.to_f64();
                let b = if m.dataset().var(c).is_some() { m.read_all(c)?.to_f64() } else { None };
                let same = match (&a, &b) {
                    (Some(a), Some(b)) => close(a, b),
                    _ => a.is_none() && b.is_none(),
                };
                if !same {
                    return Err(OpError::Invalid(format!(
                        "ensemble members differ in grid: the values of {c} differ ({l0} vs {l}) (regrid the members to a common grid with --grid)"
                    )));
                }
            }
        }
        let missing: Vec<Vec<f64>> = members
            .iter()
            .map(|(_, m)| {
                let a = m.dataset().var(&var).map(|v| v.attrs.clone()).unwrap_or_default();
                ["_FillValue", "missing_value"].iter().filter_map(|k| a.get_f64(k)).collect()
            })
            .collect();
        let fill = missing[0].first().copied().unwrap_or(1e20);
        let dtype = if main0.dtype == DType::F64 { DType::F64 } else { DType::F32 };
        let mut ds = Self::output_dataset(ds0, &main0, &t0.dim, &t0.var, &stats, fill, dtype, &members);
        ds.resize_dim(&t0.dim, t0.times.len());
        let tdim = t0.dim.clone();
        let stat_vars = stats.iter().map(|s| format!("{var}_{}", s.name())).collect();
        let members = members.into_iter().map(|(_, m)| m).collect();
        Ok(EnsembleSource {
            members,
            var,
            stats,
            stat_vars,
            missing,
            fill,
            dtype,
            ds,
            tdim,
            offsets,
            cache: Mutex::new(None),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn output_dataset(
        ds0: &Dataset,
        main: &Variable,
        tdim: &str,
        tvar: &str,
        stats: &[Stat],
        fill: f64,
        dtype: DType,
        members: &[(String, Box<dyn Source>)],
    ) -> Dataset {
        let mut ds = ds0.clone();
        let bounds: Vec<String> =
            ds.vars.iter().filter_map(|v| v.attrs.get_str("bounds").map(|b| b.trim().to_string())).collect();
        let pos = ds.vars.iter().position(|v| v.name == main.name).unwrap_or(0);
        // Member-specific variables go: other time-varying data and a scalar realization.
        ds.vars.retain(|v| {
            v.name != main.name
                && v.name != "realization"
                && (!v.dims.iter().any(|d| d == tdim) || v.name == tvar || bounds.contains(&v.name))
        });
        let pos = pos.min(ds.vars.len());
        let long = main.attrs.get_str("long_name").unwrap_or(&main.name).to_string();
        for (k, st) in stats.iter().enumerate() {
            let mut v = main.clone();
            v.name = format!("{}_{}", main.name, st.name());
            v.dtype = dtype;
            let cm = match v.attrs.get_str("cell_methods") {
                Some(c) if !c.trim().is_empty() => format!("{} {}", c.trim(), st.cell_method()),
                _ => st.cell_method(),
            };
            v.attrs.set("cell_methods", AttrValue::Text(cm));
            v.attrs.set("long_name", AttrValue::Text(format!("{long} ({})", st.words())));
            v.attrs.remove("scale_factor");
            v.attrs.remove("add_offset");
            v.attrs.set("_FillValue", AttrValue::scalar_of(dtype, fill));
            v.attrs.set("missing_value", AttrValue::scalar_of(dtype, fill));
            if let Stat::Percentile(p) = st {
                v.attrs.set("percentile", AttrValue::scalar_of(DType::F64, f64::from(*p)));
                v.attrs.set("percentile_method", AttrValue::Text("linear (numpy default)".into()));
            }
            if *st == Stat::Std {
                v.attrs.set("ddof", AttrValue::I32(vec![0]));
            }
            ds.vars.insert(pos + k, v);
        }
        let labels: Vec<&str> = members.iter().map(|(l, _)| l.as_str()).collect();
        ds.attrs.set("ensemble_members", AttrValue::Text(labels.join(" ")));
        ds.attrs.set("ensemble_size", AttrValue::I32(vec![i32::try_from(labels.len()).unwrap_or(i32::MAX)]));
        ds
    }

    /// The members' variable (`tas`): outputs are named after it.
    #[must_use]
    pub fn variable(&self) -> &str {
        &self.var
    }

    /// Reads `var` of member `m` at output indices `start` (time shifted by the member's offset).
    fn member_read(&self, m: usize, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let src = &self.members[m];
        let mut st = start.to_vec();
        if let Some(ax) = src.dataset().var(var).and_then(|v| v.axis_of(&self.tdim)) {
            if let Some(x) = st.get_mut(ax) {
                *x += self.offsets[m];
            }
        }
        src.read(var, &st, count)
    }

    /// Every statistic of one hyperslab of the members' variable.
    fn compute(&self, start: &[usize], count: &[usize]) -> Result<Vec<Array>, IoError> {
        let mut vals: Vec<ArrayD<f64>> = Vec::with_capacity(self.members.len());
        for m in 0..self.members.len() {
            let a = self
                .member_read(m, &self.var, start, count)?
                .to_f64()
                .ok_or_else(|| IoError::Inconsistent(format!("{} is not numeric", self.var)))?;
            if a.shape() != count {
                return Err(IoError::Inconsistent(format!("a member's {} has another shape", self.var)));
            }
            vals.push(a);
        }
        let n: usize = count.iter().product();
        let flat: Vec<&[f64]> = vals
            .iter()
            .map(|a| a.as_slice_memory_order().ok_or_else(|| IoError::Inconsistent("non-contiguous block".into())))
            .collect::<Result<_, _>>()?;
        let ns = self.stats.len();
        let mut out = vec![vec![self.fill; n]; ns];
        let sorted = self.stats.iter().any(|s| matches!(s, Stat::Percentile(_)));
        // Cells in parallel chunks; each output is written by exactly one chunk.
        let chunk = 4096;
        let results: Vec<(usize, Vec<Vec<f64>>)> = {
            use rayon::prelude::*;
            (0..n.div_ceil(chunk))
                .into_par_iter()
                .map(|c| {
                    let lo = c * chunk;
                    let hi = (lo + chunk).min(n);
                    let mut part = vec![vec![self.fill; hi - lo]; ns];
                    let mut buf: Vec<f64> = Vec::with_capacity(flat.len());
                    for i in lo..hi {
                        buf.clear();
                        for (m, f) in flat.iter().enumerate() {
                            let x = f[i];
                            if x.is_finite() && !self.missing[m].contains(&x) {
                                buf.push(x);
                            }
                        }
                        if buf.is_empty() {
                            continue;
                        }
                        if sorted {
                            buf.sort_by(f64::total_cmp);
                        }
                        for (k, st) in self.stats.iter().enumerate() {
                            part[k][i - lo] = stat_of(*st, &buf, sorted);
                        }
                    }
                    (lo, part)
                })
                .collect()
        };
        for (lo, part) in results {
            for (k, p) in part.into_iter().enumerate() {
                out[k][lo..lo + p.len()].copy_from_slice(&p);
            }
        }
        out.into_iter()
            .map(|v| {
                let a = ArrayD::from_shape_vec(IxDyn(count), v).map_err(|e| IoError::Inconsistent(e.to_string()))?;
                Ok(Array::from_f64(self.dtype, &a))
            })
            .collect()
    }
}

/// The instants of a time interval request, in `cal` (`None` for other requests or dates
/// that do not parse: the subset reports those).
fn window_of(time: Option<&TimeParam>, cal: Calendar) -> Option<(DateTime, DateTime)> {
    let Some(TimeParam::Interval(a, b)) = time else { return None };
    let lo = match a {
        Some(a) => PartialDateTime::parse(a).ok()?.first(),
        None => DateTime::new(i64::MIN / 4, 1, 1, 0, 0, 0),
    };
    let hi = match b {
        Some(b) => PartialDateTime::parse(b).ok()?.last(cal),
        None => DateTime::new(i64::MAX / 4, 12, 31, 23, 59, 59),
    };
    Some((lo, hi))
}

/// One statistic of the valid values `v` (not empty; sorted when `sorted`).
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn stat_of(st: Stat, v: &[f64], sorted: bool) -> f64 {
    let n = v.len() as f64;
    let mean = || v.iter().sum::<f64>() / n;
    match st {
        Stat::Mean => mean(),
        Stat::Std => {
            let m = mean();
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt()
        }
        Stat::Min if sorted => v[0],
        Stat::Max if sorted => v[v.len() - 1],
        Stat::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        Stat::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Stat::Percentile(p) => {
            // numpy `linear` (method 7 of Hyndman and Fan).
            let h = (n - 1.0) * f64::from(p) / 100.0;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            v[lo] + (h - h.floor()) * (v[hi] - v[lo])
        }
    }
}

impl Source for EnsembleSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn compressed(&self) -> Option<bool> {
        self.members.first().and_then(|m| m.compressed())
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let Some(k) = self.stat_vars.iter().position(|s| s == var) else {
            return self.member_read(0, var, start, count);
        };
        let mut cache = self.cache.lock().map_err(|_| IoError::Inconsistent("ensemble cache poisoned".into()))?;
        if let Some((s, c, arrays)) = cache.as_ref() {
            if s == start && c == count {
                return Ok(arrays[k].clone());
            }
        }
        let arrays = self.compute(start, count)?;
        let a = arrays[k].clone();
        *cache = Some((start.to_vec(), count.to_vec(), arrays));
        Ok(a)
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.members.iter().flat_map(|m| m.paths()).collect()
    }
}

/// Writes the ensemble statistics, with the request's time, time components and area applied
/// while reading; files are named after the members' variable with `spec.extra` (the caller
/// adds [`SUFFIX`]).
///
/// # Errors
/// Invalid requests, read/write failures; on failure nothing is left.
pub fn run(
    src: &EnsembleSource,
    req: &SubsetRequest,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let plan = crate::plan_subset(src, req)?;
    namer.set_var(Some(src.variable().to_string()));
    let r = crate::write_plan(src, &plan, spec, namer, progress);
    namer.set_var(None);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_parse() {
        let s = parse_stats("mean, std,min,max,p10,p90,median,mean").unwrap();
        assert_eq!(s.len(), 7);
        assert_eq!(s[4], Stat::Percentile(10));
        assert!(parse_stats("mode").is_err());
        assert!(parse_stats("p101").is_err());
        assert!(parse_stats("").is_err());
    }

    #[test]
    fn numpy_linear_percentiles_and_population_std() {
        let v = [1.0, 2.0, 4.0, 10.0];
        // np.percentile([1,2,4,10], [10, 50, 90]) = [1.3, 3.0, 8.2]
        assert!((stat_of(Stat::Percentile(10), &v, true) - 1.3).abs() < 1e-12);
        assert!((stat_of(Stat::Percentile(50), &v, true) - 3.0).abs() < 1e-12);
        assert!((stat_of(Stat::Percentile(90), &v, true) - 8.2).abs() < 1e-12);
        assert!((stat_of(Stat::Percentile(100), &v, true) - 10.0).abs() < 1e-12);
        // np.std([1,2,4,10]) = 3.491060010942235
        assert!((stat_of(Stat::Std, &v, true) - 3.491_060_010_942_235).abs() < 1e-12);
        assert!((stat_of(Stat::Std, &[5.0], true)).abs() < 1e-12);
    }
}
