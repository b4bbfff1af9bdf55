//! Time statistics: climatologies (CDO `ymonmean`, `yseasmean`, `ydaymean`), anomalies
//! (`ymonsub`, `ymondiv`-like) and statistics over time (`timmin`, `timmax`, `timsum`,
//! `timstd`, `timvar`, `timpctl`, and their `year…`, `mon…`, `seas…` forms), in the data's own
//! calendar, on any grid (only the time axis matters).
//!
//! ```text
//!  plan_climatology  time steps ──calendar month / season / day of year──► groups; the engine's
//!                    grouped mean (Reduce with AxisMap::Group); CF §7.4 climatological time
//!                    with climatology_bnds, cell_methods "time: mean within years time: mean over years"
//!  plan_stat_time    time steps ──whole series / year / month / season (DJF…)──► groups; a StatVar
//!                    (min, max, sum, mean, var, std: streamed accumulators; median, pNN: tiles)
//!  plan_anomaly      reference years ──► climatology groups (pass 1), every step minus (÷) its
//!                    group's reference mean (pass 2), a StatVar of kind Anomaly
//!        │ each builds a Job
//!        ▼
//!  crate::engine::execute   streamed, split, named (suffix), staged (nothing left on failure)
//! ```
//!
//! Missing values are skipped everywhere; a cell with no valid value in a group is missing.

use crate::average::{averaged_meta, referenced, tidy_references};
use crate::engine::{AxisMap, Job, NanMode, Reduce, StatKind, StatVar, VarJob};
use crate::output::clean_metadata;
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rookery_cf::time::{Calendar, DateTime, TimeCoder};
use rookery_cf::{Array, AttrValue, Attrs, DType, Dim, Variable};
use rookery_io::Source;

/// The message for an unknown climatology frequency.
pub const BAD_CLIM_FREQ: &str = "Time frequency for climatologies must be one of ['month', 'season', 'day'].";
/// The message for an unknown statistics frequency.
pub const BAD_STAT_FREQ: &str = "Time frequency for statistics must be one of ['all', 'year', 'month', 'season'].";
/// The message when no statistic is given.
pub const NO_STAT: &str = "A statistic must be provided: one of min, max, sum, mean, std, var, median, pNN.";

/// Grouping of a climatology (and of the reference of anomalies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClimFreq {
    /// Calendar month (12 groups, CDO `ymon…`).
    Month,
    /// Meteorological season DJF, MAM, JJA, SON (4 groups, CDO `yseas…`).
    Season,
    /// Day of the year in the data's calendar (up to 366 groups, CDO `yday…`).
    Day,
}

impl ClimFreq {
    /// Parses `month` (the default when `None`), `season` or `day`.
    ///
    /// # Errors
    /// Any other value.
    pub fn parse(s: Option<&str>) -> Result<ClimFreq, OpError> {
        match s.map(str::trim) {
            None | Some("" | "month") => Ok(ClimFreq::Month),
            Some("season") => Ok(ClimFreq::Season),
            Some("day") => Ok(ClimFreq::Day),
            Some(_) => Err(OpError::Invalid(BAD_CLIM_FREQ.into())),
        }
    }

    /// `month`, `season` or `day`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ClimFreq::Month => "month",
            ClimFreq::Season => "season",
            ClimFreq::Day => "day",
        }
    }

    /// Group key of `t`: month − 1, season (DJF 0, MAM 1, JJA 2, SON 3) or day of year − 1.
    fn key(self, t: &DateTime, cal: Calendar) -> usize {
        match self {
            ClimFreq::Month => t.month.saturating_sub(1) as usize,
            ClimFreq::Season => season_of(t.month),
            ClimFreq::Day => {
                usize::try_from(cal.day_number(t.year, t.month, t.day) - cal.day_number(t.year, 1, 1)).unwrap_or(0)
            }
        }
    }

    /// Start of the period (month, season, day) holding `t`.
    fn start(self, t: &DateTime, cal: Calendar) -> DateTime {
        match self {
            ClimFreq::Month => Period::Month.start(t, cal),
            ClimFreq::Season => Period::Season.start(t, cal),
            ClimFreq::Day => DateTime::new(t.year, t.month, t.day, 0, 0, 0),
        }
    }

    fn next(self, p: &DateTime, cal: Calendar) -> DateTime {
        match self {
            ClimFreq::Month => Period::Month.next(p, cal),
            ClimFreq::Season => Period::Season.next(p, cal),
            ClimFreq::Day => cal.add_days(p, 1),
        }
    }

    /// The period standing for group `key` in year `y` (for the climatological time values).
    fn label_period(self, key: usize, y: i64, cal: Calendar) -> (DateTime, DateTime) {
        #[allow(clippy::cast_possible_truncation)]
        let k = key as u32;
        match self {
            ClimFreq::Month => {
                let a = DateTime::new(y, k + 1, 1, 0, 0, 0);
                (a, Period::Month.next(&a, cal))
            }
            // The season's middle month (Jan, Apr, Jul, Oct): times increase with the key.
            ClimFreq::Season => {
                let a = DateTime::new(y, 3 * k + 1, 1, 0, 0, 0);
                (a, Period::Month.next(&a, cal))
            }
            ClimFreq::Day => {
                let a = cal.add_days(&DateTime::new(y, 1, 1, 0, 0, 0), i64::from(k));
                (a, cal.add_days(&a, 1))
            }
        }
    }
}

/// DJF 0, MAM 1, JJA 2, SON 3.
fn season_of(month: u32) -> usize {
    ((month % 12) / 3) as usize
}

/// Grouping of statistics over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatFreq {
    /// The whole series (one output step, CDO `tim…`).
    All,
    /// Calendar years (CDO `year…`).
    Year,
    /// Months (CDO `mon…`).
    Month,
    /// Seasons DJF (December with the following January and February), MAM, JJA, SON (CDO `seas…`).
    Season,
}

impl StatFreq {
    /// Parses `all` (the default when `None`), `year`, `month` or `season`.
    ///
    /// # Errors
    /// Any other value.
    pub fn parse(s: Option<&str>) -> Result<StatFreq, OpError> {
        match s.map(str::trim) {
            None | Some("" | "all") => Ok(StatFreq::All),
            Some("year") => Ok(StatFreq::Year),
            Some("month") => Ok(StatFreq::Month),
            Some("season") => Ok(StatFreq::Season),
            Some(_) => Err(OpError::Invalid(BAD_STAT_FREQ.into())),
        }
    }

    /// `all`, `year`, `month` or `season`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            StatFreq::All => "all",
            StatFreq::Year => "year",
            StatFreq::Month => "month",
            StatFreq::Season => "season",
        }
    }
}

/// Consecutive periods of statistics over time.
#[derive(Clone, Copy)]
enum Period {
    Year,
    Month,
    Season,
}

impl Period {
    fn start(self, t: &DateTime, cal: Calendar) -> DateTime {
        match self {
            Period::Year => DateTime::new(t.year, 1, 1, 0, 0, 0),
            Period::Month => DateTime::new(t.year, t.month, 1, 0, 0, 0),
            Period::Season => match t.month {
                12 => DateTime::new(t.year, 12, 1, 0, 0, 0),
                1 | 2 => DateTime::new(prev_year(t.year, cal), 12, 1, 0, 0, 0),
                m => DateTime::new(t.year, m - (m % 3), 1, 0, 0, 0),
            },
        }
    }

    fn next(self, p: &DateTime, cal: Calendar) -> DateTime {
        let months = match self {
            Period::Year => return DateTime::new(next_year(p.year, cal), 1, 1, 0, 0, 0),
            Period::Month => 1,
            Period::Season => 3,
        };
        let m = p.month + months;
        if m > 12 {
            DateTime::new(next_year(p.year, cal), m - 12, 1, 0, 0, 0)
        } else {
            DateTime::new(p.year, m, 1, 0, 0, 0)
        }
    }
}

fn next_year(y: i64, cal: Calendar) -> i64 {
    if y == -1 && !cal.has_year_zero() {
        1
    } else {
        y + 1
    }
}

fn prev_year(y: i64, cal: Calendar) -> i64 {
    if y == 1 && !cal.has_year_zero() {
        -1
    } else {
        y - 1
    }
}

/// Parses a statistic: `min`, `max`, `sum`, `mean`, `std`, `var` (both with ddof 0, as CDO
/// `timstd`/`timvar` and numpy), `median`, or `pNN` (a percentile, `0 ≤ NN ≤ 100`, decimals
/// allowed: `p99.5`).
///
/// # Errors
/// Missing or unknown statistic, a percentile outside 0..100.
pub fn parse_stat(s: Option<&str>) -> Result<StatKind, OpError> {
    let s = s.map(str::trim).unwrap_or_default();
    Ok(match s {
        "" => return Err(OpError::Invalid(NO_STAT.into())),
        "min" => StatKind::Min,
        "max" => StatKind::Max,
        "sum" => StatKind::Sum,
        "mean" => StatKind::Mean,
        "std" => StatKind::Std { ddof: 0 },
        "var" => StatKind::Var { ddof: 0 },
        "median" => StatKind::Median,
        p if p.starts_with('p') => {
            let q: f64 = p[1..].parse().map_err(|_| bad_stat(s))?;
            if !(0.0..=100.0).contains(&q) {
                return Err(OpError::Invalid(format!(
                    "Percentile '{s}' is out of range: the percentile must be between p0 and p100."
                )));
            }
            StatKind::Percentile(q)
        }
        _ => return Err(bad_stat(s)),
    })
}

fn bad_stat(s: &str) -> OpError {
    OpError::Invalid(format!(
        "Unknown statistic '{s}': must be one of min, max, sum, mean, std, var, median, pNN (a percentile, e.g. p90)."
    ))
}

/// Short name of a statistic (`max`, `p90`, ...), as in file names.
#[must_use]
pub fn stat_name(k: &StatKind) -> String {
    match k {
        StatKind::Min => "min".into(),
        StatKind::Max => "max".into(),
        StatKind::Sum => "sum".into(),
        StatKind::Mean => "mean".into(),
        StatKind::Var { .. } => "var".into(),
        StatKind::Std { .. } => "std".into(),
        StatKind::Median => "median".into(),
        StatKind::Percentile(q) => format!("p{q}"),
        StatKind::Anomaly { .. } => "anom".into(),
    }
}

/// Years `first..=last` of the steps used (as `cdo selyear,first/last`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Years {
    /// First year (inclusive).
    pub first: i64,
    /// Last year (inclusive).
    pub last: i64,
}

impl Years {
    /// Parses `YYYY/YYYY` (first/last year, inclusive) or one year `YYYY`.
    ///
    /// # Errors
    /// Anything else, or a first year after the last.
    pub fn parse(s: &str) -> Result<Years, OpError> {
        let bad = || {
            OpError::Invalid(format!("Invalid years '{s}': expected FIRST/LAST (years, inclusive), e.g. 1981/2010."))
        };
        let t = s.trim();
        let (a, b) = t.split_once('/').unwrap_or((t, t));
        let y = |x: &str| x.trim().parse::<i64>().map_err(|_| bad());
        let (first, last) = (y(a)?, y(b)?);
        if first > last {
            return Err(OpError::Invalid(format!("Invalid years '{s}': the first year is after the last.")));
        }
        Ok(Years { first, last })
    }

    fn contains(self, t: &DateTime) -> bool {
        (self.first..=self.last).contains(&t.year)
    }

    /// `first/last`.
    #[must_use]
    pub fn text(self) -> String {
        format!("{}/{}", self.first, self.last)
    }
}

/// File-name suffix of a climatology: `_clim-month`, `_clim-season`, `_clim-day`.
#[must_use]
pub fn climatology_suffix(freq: ClimFreq) -> String {
    format!("_clim-{}", freq.name())
}

/// File-name suffix of anomalies: `_anom-<freq>` (differences) or `_anomrel-<freq>` (ratios).
#[must_use]
pub fn anomaly_suffix(freq: ClimFreq, relative: bool) -> String {
    format!("_{}-{}", if relative { "anomrel" } else { "anom" }, freq.name())
}

/// File-name suffix of a statistic over time: `_<stat>-t` over the whole series (as
/// `average --dims time` is `_avg-t`), `_<stat>-<freq>` otherwise (`_max-year`, `_p90-month`).
#[must_use]
pub fn stat_suffix(stat: &StatKind, freq: StatFreq) -> String {
    match freq {
        StatFreq::All => format!("_{}-t", stat_name(stat)),
        f => format!("_{}-{}", stat_name(stat), f.name()),
    }
}

/// The time coordinate of a source, with what the planners need of it.
struct TimeInfo {
    main: String,
    taxis: crate::subset::TimeAxis,
    bounds_var: Option<String>,
    bnds_dim: String,
}

fn time_info(src: &dyn Source, what: &str) -> Result<TimeInfo, OpError> {
    let ds = src.dataset();
    let info = rookery_cf::CfInfo::detect(ds).map_err(|e| OpError::Data(e.to_string()))?;
    let taxis = crate::subset::time_axis(src, &info)?.ok_or_else(|| {
        OpError::Invalid(format!(
            "Cannot compute {what}: the dataset has no time coordinate (main variable '{}').",
            info.main
        ))
    })?;
    let tvar = ds.var(&taxis.var).ok_or_else(|| OpError::Data(format!("no variable {}", taxis.var)))?;
    let bounds_var = tvar.attrs.get_str("bounds").map(|b| b.trim().to_string()).filter(|b| ds.var(b).is_some());
    let bnds_dim = bounds_var
        .as_deref()
        .and_then(|b| ds.var(b))
        .and_then(|b| b.dims.get(1).cloned())
        .unwrap_or_else(|| "bnds".to_string());
    Ok(TimeInfo { main: info.main, taxis, bounds_var, bnds_dim })
}

fn encode(coder: &TimeCoder, d: &DateTime) -> Result<f64, OpError> {
    coder.encode(d).map_err(|e| OpError::Data(format!("cannot encode {} in the time units: {e}", d.iso())))
}

/// Output groups: the source step → group map and each group's time value and bounds.
struct Groups {
    group_of: Vec<Option<usize>>,
    /// Encoded time of each group.
    time: Vec<f64>,
    /// Encoded bounds of each group (lower, upper).
    bnds: Vec<(f64, f64)>,
    /// Climatological bounds (`climatology_bnds`) rather than `time_bnds`.
    climatology: bool,
    /// Decoded times for file names (empty: no time range in the names).
    name_times: Vec<DateTime>,
}

/// Appends the metadata of the new time coordinate and its bounds, and returns their jobs.
fn time_vars(
    ti: &TimeInfo,
    tv: &Variable,
    g: &Groups,
    out: &mut rookery_cf::Dataset,
    jobs: &mut Vec<VarJob>,
) -> Result<(), OpError> {
    let n = g.time.len();
    let bname = if g.climatology { "climatology_bnds" } else { "time_bnds" };
    let mut o = tv.clone();
    o.shape = vec![n];
    o.dtype = DType::F64;
    o.attrs.remove("bounds");
    o.attrs.remove("climatology");
    o.attrs.set(if g.climatology { "climatology" } else { "bounds" }, AttrValue::Text(bname.into()));
    out.vars.push(o);
    let bad = |e: ndarray::ShapeError| OpError::Data(e.to_string());
    jobs.push(VarJob::Values(
        tv.name.clone(),
        Array::F64(ArrayD::from_shape_vec(IxDyn(&[n]), g.time.clone()).map_err(bad)?),
    ));
    if out.dim(&ti.bnds_dim).is_none() {
        out.dims.push(Dim { name: ti.bnds_dim.clone(), len: 2, unlimited: false });
    }
    let mut attrs = Attrs::default();
    if let Some(u) = tv.attrs.get_str("units") {
        attrs.set("units", AttrValue::Text(u.to_string()));
    }
    if let Some(c) = tv.attrs.get_str("calendar") {
        attrs.set("calendar", AttrValue::Text(c.to_string()));
    }
    out.vars.push(Variable {
        name: bname.into(),
        dims: vec![ti.taxis.dim.clone(), ti.bnds_dim.clone()],
        shape: vec![n, 2],
        dtype: DType::F64,
        attrs,
    });
    let flat: Vec<f64> = g.bnds.iter().flat_map(|(a, b)| [*a, *b]).collect();
    jobs.push(VarJob::Values(bname.into(), Array::F64(ArrayD::from_shape_vec(IxDyn(&[n, 2]), flat).map_err(bad)?)));
    Ok(())
}

/// Builds the job: the time coordinate and its bounds replaced by the groups', every data
/// variable over time produced by `make`, variables without time copied, other variables over
/// time (coordinates, bounds) dropped.
fn grouped_job(
    src: &dyn Source,
    ti: &TimeInfo,
    g: &Groups,
    make: &dyn Fn(&Variable, usize) -> VarJob,
    meta: &dyn Fn(&mut Variable),
) -> Result<Job, OpError> {
    let ds = src.dataset();
    let dim = &ti.taxis.dim;
    let n = g.time.len();
    let (coords, bounds) = referenced(ds);
    let mut out = ds.clone();
    out.vars.clear();
    let mut jobs = Vec::new();
    let mut reduced = Vec::new();
    for v in &ds.vars {
        if v.name == ti.taxis.var {
            time_vars(ti, v, g, &mut out, &mut jobs)?;
            continue;
        }
        if Some(&v.name) == ti.bounds_var.as_ref() || v.name == "time_bnds" || v.name == "climatology_bnds" {
            continue;
        }
        let Some(ax) = v.axis_of(dim) else {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        };
        if coords.contains(&v.name) || bounds.contains(&v.name) || !v.dtype.is_numeric() {
            continue;
        }
        if ax != 0 {
            return Err(OpError::Data(format!(
                "time must be the first dimension of '{}' for statistics over time (it is dimension {})",
                v.name,
                ax + 1
            )));
        }
        let mut o = averaged_meta(v);
        o.shape[0] = n;
        meta(&mut o);
        out.vars.push(o);
        reduced.push(v.name.clone());
        jobs.push(make(v, n));
    }
    out.resize_dim(dim, n);
    tidy_references(&mut out);
    if out.dim(&ti.bnds_dim).is_none() {
        out.dims.push(Dim { name: ti.bnds_dim.clone(), len: 2, unlimited: false });
    }
    clean_metadata(&mut out, &reduced);
    Ok(Job {
        out,
        main: ti.main.clone(),
        time_dim: Some(dim.clone()),
        times: g.name_times.clone(),
        vars: jobs,
        src_time_dim: Some(dim.clone()),
    })
}

/// Climatological groups of the steps in `years` (all when `None`), in key order.
fn clim_groups(ti: &TimeInfo, freq: ClimFreq, years: Option<Years>) -> Result<Groups, OpError> {
    let cal = ti.taxis.coder.calendar;
    let times = &ti.taxis.times;
    let used = |t: &DateTime| years.is_none_or(|y| y.contains(t));
    let Some(first) = times.iter().find(|t| used(t)) else {
        let what = years.map_or(String::new(), |y| format!(" in the years {}", y.text()));
        return Err(OpError::NoData(format!("No time steps{what}: the data cover {}.", span(times))));
    };
    // Per key: first and last period start.
    let mut span_of: std::collections::BTreeMap<usize, (DateTime, DateTime)> = std::collections::BTreeMap::new();
    for t in times.iter().filter(|t| used(t)) {
        let p = freq.start(t, cal);
        let e = span_of.entry(freq.key(t, cal)).or_insert((p, p));
        e.0 = e.0.min(p);
        e.1 = e.1.max(p);
    }
    let keys: Vec<usize> = span_of.keys().copied().collect();
    // The year of the climatological time values: the first in which each group's value lies
    // within its bounds (CF §7.4 takes the first year of the climatology).
    let ylab = (first.year..first.year + 3)
        .find(|&y| span_of.iter().all(|(k, (a, _))| freq.label_period(*k, y, cal).0 >= *a))
        .unwrap_or(first.year + 1);
    let group_of =
        times.iter().map(|t| if used(t) { keys.binary_search(&freq.key(t, cal)).ok() } else { None }).collect();
    let coder = &ti.taxis.coder;
    let mut time = Vec::new();
    let mut bnds = Vec::new();
    for (k, (a, b)) in &span_of {
        let (la, lb) = freq.label_period(*k, ylab, cal);
        time.push((encode(coder, &la)? + encode(coder, &lb)?) / 2.0);
        bnds.push((encode(coder, a)?, encode(coder, &freq.next(b, cal))?));
    }
    let last = times.iter().rev().find(|t| used(t)).copied().unwrap_or(*first);
    let mut name_times = vec![*first; keys.len()];
    if let Some(l) = name_times.last_mut() {
        *l = last;
    }
    Ok(Groups { group_of, time, bnds, climatology: true, name_times })
}

fn span(times: &[DateTime]) -> String {
    match (times.first(), times.last()) {
        (Some(a), Some(b)) => format!("{} to {}", a.date_string(), b.date_string()),
        _ => "no time steps".into(),
    }
}

/// `cell_methods` without its entries about time (e.g. `time: mean area: mean where land` →
/// `area: mean where land`; `area: time: mean` → `area: mean`).
fn without_time(cm: &str) -> String {
    let mut entries: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut depth = 0i32;
    let mut prev_name = false;
    for tok in cm.split_whitespace() {
        let is_name = depth == 0 && tok.ends_with(':') && !tok.starts_with('(');
        if is_name {
            if !prev_name {
                entries.push((Vec::new(), Vec::new()));
            }
            if let Some(e) = entries.last_mut() {
                e.0.push(tok.to_string());
            }
        } else if let Some(e) = entries.last_mut() {
            e.1.push(tok.to_string());
        }
        depth +=
            i32::try_from(tok.matches('(').count()).unwrap_or(0) - i32::try_from(tok.matches(')').count()).unwrap_or(0);
        prev_name = is_name;
    }
    entries
        .into_iter()
        .filter_map(|(names, rest)| {
            let names: Vec<String> = names.into_iter().filter(|n| n != "time:").collect();
            (!names.is_empty()).then(|| format!("{} {}", names.join(" "), rest.join(" ")).trim().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Plans a climatology: the mean of each calendar month, season or day of the year over the
/// years `years` (every year when `None`), with CF §7.4 climatological time.
///
/// # Errors
/// No time coordinate; no step in `years`; time not the first dimension of a data variable.
pub fn plan_climatology(src: &dyn Source, freq: ClimFreq, years: Option<Years>) -> Result<Job, OpError> {
    let ti = time_info(src, "a climatology")?;
    let g = clim_groups(&ti, freq, years)?;
    let map = g.group_of.clone();
    let make = |v: &Variable, n: usize| {
        let axes = (0..v.dims.len())
            .map(|k| if k == 0 { AxisMap::Group { map: map.clone(), n_out: n } } else { AxisMap::Keep })
            .collect();
        VarJob::Reduce(Reduce { var: v.name.clone(), axes, weights: None, sparse: None, nan: NanMode::Skip })
    };
    let meta = |o: &mut Variable| {
        let rest = o.attrs.get_str("cell_methods").map(without_time).unwrap_or_default();
        let cm = format!("{rest} time: mean within years time: mean over years");
        o.attrs.set("cell_methods", AttrValue::Text(cm.trim().to_string()));
    };
    grouped_job(src, &ti, &g, &make, &meta)
}

/// Plans a statistic over time: over the whole series (one output step) or per year, month or
/// season; output steps are labelled by their period's start (the whole series: the middle of
/// its bounds), with `time_bnds` from each period's start to the next period's start.
///
/// # Errors
/// No time coordinate; time not the first dimension of a data variable.
pub fn plan_stat_time(src: &dyn Source, stat: &StatKind, freq: StatFreq) -> Result<Job, OpError> {
    let ti = time_info(src, "statistics over time")?;
    let cal = ti.taxis.coder.calendar;
    let times = &ti.taxis.times;
    let coder = &ti.taxis.coder;
    if times.is_empty() {
        return Err(OpError::NoData("The dataset has no time steps.".into()));
    }
    let g = match freq {
        StatFreq::All => {
            let (mut lo, mut hi) = (encode(coder, &times[0])?, encode(coder, &times[times.len() - 1])?);
            if let Some(b) = &ti.bounds_var {
                let a = src.read_all(b)?.to_f64();
                let vals: Vec<f64> = a.iter().flat_map(|x| x.iter().copied()).filter(|x| x.is_finite()).collect();
                if let (Some(mn), Some(mx)) =
                    (vals.iter().copied().reduce(f64::min), vals.iter().copied().reduce(f64::max))
                {
                    (lo, hi) = (mn.min(lo), mx.max(hi));
                }
            }
            Groups {
                group_of: vec![Some(0); times.len()],
                time: vec![(lo + hi) / 2.0],
                bnds: vec![(lo, hi)],
                climatology: false,
                name_times: Vec::new(),
            }
        }
        f => {
            let p = match f {
                StatFreq::Year => Period::Year,
                StatFreq::Month => Period::Month,
                _ => Period::Season,
            };
            let starts: Vec<DateTime> = times.iter().map(|t| p.start(t, cal)).collect();
            let (Some(first), Some(last)) = (starts.iter().min().copied(), starts.iter().max().copied()) else {
                return Err(OpError::NoData("The dataset has no time steps.".into()));
            };
            let mut list = vec![first];
            let mut q = first;
            while q < last {
                let n = p.next(&q, cal);
                if n <= q {
                    break;
                }
                q = n;
                list.push(q);
            }
            let group_of = starts.iter().map(|s| list.binary_search(s).ok()).collect();
            let mut time = Vec::new();
            let mut bnds = Vec::new();
            for s in &list {
                let a = encode(coder, s)?;
                time.push(a);
                bnds.push((a, encode(coder, &p.next(s, cal))?));
            }
            Groups { group_of, time, bnds, climatology: false, name_times: list }
        }
    };
    let stat = stat.clone();
    let group_of = g.group_of.clone();
    let make = |v: &Variable, n: usize| {
        VarJob::Stat(StatVar { var: v.name.clone(), kind: stat.clone(), group_of: group_of.clone(), n_groups: n })
    };
    let method = match &stat {
        StatKind::Min => "minimum".to_string(),
        StatKind::Max => "maximum".into(),
        StatKind::Sum => "sum".into(),
        StatKind::Mean => "mean".into(),
        StatKind::Var { .. } => "variance".into(),
        StatKind::Std { .. } => "standard_deviation".into(),
        StatKind::Median => "median".into(),
        StatKind::Percentile(q) => format!("percentile (comment: {q}th percentile, linear interpolation)"),
        StatKind::Anomaly { .. } => "mean".into(),
    };
    let squared = matches!(stat, StatKind::Var { .. });
    let changes_range = matches!(stat, StatKind::Var { .. } | StatKind::Std { .. } | StatKind::Sum);
    let meta = |o: &mut Variable| {
        let cm = match o.attrs.get_str("cell_methods") {
            Some(c) if !c.trim().is_empty() => format!("{} time: {method}", c.trim()),
            _ => format!("time: {method}"),
        };
        o.attrs.set("cell_methods", AttrValue::Text(cm));
        if squared {
            if let Some(u) = o.attrs.get_str("units").map(str::trim).map(str::to_string) {
                let u2 = if u.contains(' ') { format!("({u})2") } else { format!("{u}2") };
                o.attrs.set("units", AttrValue::Text(u2));
            }
        }
        if changes_range {
            for a in ["valid_min", "valid_max", "valid_range", "actual_range"] {
                o.attrs.remove(a);
            }
        }
    };
    grouped_job(src, &ti, &g, &make, &meta)
}

/// Plans anomalies: every step minus (`relative`: divided by) the mean of its calendar month,
/// season or day of the year over the `reference` years. A step whose group has no reference
/// value, and with `relative` a reference mean of 0, gives a missing value.
///
/// # Errors
/// No time coordinate; no step in the reference years; time not the first dimension of a
/// data variable.
pub fn plan_anomaly(src: &dyn Source, freq: ClimFreq, reference: Years, relative: bool) -> Result<Job, OpError> {
    let ti = time_info(src, "anomalies")?;
    let g = clim_groups(&ti, freq, Some(reference))?;
    let cal = ti.taxis.coder.calendar;
    // Every step's group among the reference groups (present keys, in key order).
    let mut keys: Vec<usize> = Vec::new();
    for (t, grp) in ti.taxis.times.iter().zip(&g.group_of) {
        if grp.is_some() {
            keys.push(freq.key(t, cal));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let group_of: Vec<Option<usize>> =
        ti.taxis.times.iter().map(|t| keys.binary_search(&freq.key(t, cal)).ok()).collect();
    let ds = src.dataset();
    let dim = &ti.taxis.dim;
    let (coords, bounds) = referenced(ds);
    let mut out = ds.clone();
    out.vars.clear();
    let mut jobs = Vec::new();
    let mut reduced = Vec::new();
    for v in &ds.vars {
        let Some(ax) = v.axis_of(dim) else {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        };
        let is_coord = v.name == ti.taxis.var || coords.contains(&v.name) || bounds.contains(&v.name);
        if is_coord || !v.dtype.is_numeric() {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        }
        if ax != 0 {
            return Err(OpError::Data(format!(
                "time must be the first dimension of '{}' for anomalies (it is dimension {})",
                v.name,
                ax + 1
            )));
        }
        let mut o = averaged_meta(v);
        let long = o.attrs.get_str("long_name").unwrap_or(&v.name).to_string();
        if relative {
            o.attrs.set("long_name", AttrValue::Text(format!("{long} relative to the {} mean", reference.text())));
            o.attrs.set("units", AttrValue::Text("1".into()));
        } else {
            o.attrs.set("long_name", AttrValue::Text(format!("{long} anomaly from the {} mean", reference.text())));
        }
        o.attrs.remove("standard_name");
        for a in ["valid_min", "valid_max", "valid_range", "actual_range"] {
            o.attrs.remove(a);
        }
        o.attrs.set("anomaly_reference_period", AttrValue::Text(reference.text()));
        o.attrs.set(
            "anomaly_method",
            AttrValue::Text(format!(
                "{} the {} mean over the reference years",
                if relative { "value divided by" } else { "value minus" },
                match freq {
                    ClimFreq::Month => "calendar-month",
                    ClimFreq::Season => "season (DJF, MAM, JJA, SON)",
                    ClimFreq::Day => "day-of-year",
                }
            )),
        );
        out.vars.push(o);
        reduced.push(v.name.clone());
        jobs.push(VarJob::Stat(StatVar {
            var: v.name.clone(),
            kind: StatKind::Anomaly { reference: g.group_of.clone(), relative },
            group_of: group_of.clone(),
            n_groups: keys.len(),
        }));
    }
    tidy_references(&mut out);
    clean_metadata(&mut out, &reduced);
    Ok(Job {
        out,
        main: ti.main.clone(),
        time_dim: Some(dim.clone()),
        times: ti.taxis.times.clone(),
        vars: jobs,
        src_time_dim: Some(dim.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stats_freqs_years() {
        assert_eq!(parse_stat(Some("p90")).unwrap(), StatKind::Percentile(90.0));
        assert_eq!(parse_stat(Some("p99.5")).unwrap(), StatKind::Percentile(99.5));
        assert_eq!(parse_stat(Some("std")).unwrap(), StatKind::Std { ddof: 0 });
        assert!(parse_stat(Some("p101")).unwrap_err().to_string().contains("out of range"));
        assert!(parse_stat(Some("pxx")).unwrap_err().to_string().contains("Unknown statistic 'pxx'"));
        assert_eq!(parse_stat(None).unwrap_err().to_string(), NO_STAT);
        assert_eq!(StatFreq::parse(None).unwrap(), StatFreq::All);
        assert_eq!(StatFreq::parse(Some("hour")).unwrap_err().to_string(), BAD_STAT_FREQ);
        assert_eq!(ClimFreq::parse(Some("year")).unwrap_err().to_string(), BAD_CLIM_FREQ);
        assert_eq!(Years::parse("1981/2010").unwrap(), Years { first: 1981, last: 2010 });
        assert_eq!(Years::parse("2000").unwrap(), Years { first: 2000, last: 2000 });
        assert!(Years::parse("2010/1981").is_err());
        assert!(Years::parse("abc").is_err());
        assert_eq!(stat_suffix(&StatKind::Percentile(90.0), StatFreq::All), "_p90-t");
        assert_eq!(stat_suffix(&StatKind::Max, StatFreq::Year), "_max-year");
        assert_eq!(anomaly_suffix(ClimFreq::Month, true), "_anomrel-month");
    }

    #[test]
    fn seasons_and_days() {
        let cal = Calendar::Day360;
        let d = |y, m, dd| DateTime::new(y, m, dd, 0, 0, 0);
        assert_eq!(Period::Season.start(&d(2006, 1, 16), cal), d(2005, 12, 1));
        assert_eq!(Period::Season.start(&d(2006, 5, 16), cal), d(2006, 3, 1));
        assert_eq!(Period::Season.next(&d(2005, 12, 1), cal), d(2006, 3, 1));
        assert_eq!(ClimFreq::Season.key(&d(2006, 12, 1), cal), 0);
        assert_eq!(ClimFreq::Season.key(&d(2006, 11, 1), cal), 3);
        assert_eq!(ClimFreq::Day.key(&d(2006, 12, 30), cal), 359);
        let noleap = Calendar::NoLeap;
        assert_eq!(ClimFreq::Day.key(&d(2006, 3, 1), noleap), 59);
        let std = Calendar::Standard;
        assert_eq!(ClimFreq::Day.key(&d(2004, 3, 1), std), 60);
    }

    #[test]
    fn cell_methods_without_time() {
        assert_eq!(without_time("time: mean area: mean where land"), "area: mean where land");
        assert_eq!(without_time("area: time: mean"), "area: mean");
        assert_eq!(without_time("time: mean (interval: 1 day)"), "");
        assert_eq!(without_time("area: mean time: maximum (comment: x: y)"), "area: mean");
    }
}
