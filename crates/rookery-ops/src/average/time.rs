//! `average_time` (clisops `ops.average.average_time`, roocs.md §1.6): means over calendar
//! days, months or years in the data's own calendar. Each period is labelled by its start at
//! 00:00; periods run from the first to the last period of the data, and periods without data
//! are missing (xarray `resample` semantics); `time_bnds` are built as clisops's
//! `create_time_bounds` builds them.

use super::{averaged_meta, main_var, referenced, tidy_references, Job, NanMode};
use crate::engine::{AxisMap, Reduce, VarJob};
use crate::output::clean_metadata;
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rookery_cf::time::{Calendar, DateTime};
use rookery_cf::{Array, AttrValue, Dim, Variable};
use rookery_io::Source;

/// clisops's message when no frequency is given.
pub const NO_FREQ: &str = "At least one frequency for averaging must be provided";
/// clisops's message for an unknown frequency.
pub const BAD_FREQ: &str = "Time frequency for averaging must be one of ['day', 'month', 'year'].";

/// Averaging period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    /// Calendar days (periods start at 00:00:00).
    Day,
    /// Calendar months (periods start on the 1st).
    Month,
    /// Calendar years (periods start on 1 January).
    Year,
}

impl Freq {
    /// Parses `day`, `month` or `year` (clisops's messages otherwise).
    ///
    /// # Errors
    /// Missing or unknown frequency.
    pub fn parse(s: Option<&str>) -> Result<Freq, OpError> {
        match s.map(str::trim) {
            None | Some("") => Err(OpError::Invalid(NO_FREQ.into())),
            Some("day") => Ok(Freq::Day),
            Some("month") => Ok(Freq::Month),
            Some("year") => Ok(Freq::Year),
            Some(_) => Err(OpError::Invalid(BAD_FREQ.into())),
        }
    }

    /// `day`, `month` or `year`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Freq::Day => "day",
            Freq::Month => "month",
            Freq::Year => "year",
        }
    }

    /// File-name suffix `_avg-<freq>`.
    #[must_use]
    pub fn suffix(self) -> String {
        format!("_avg-{}", self.name())
    }

    /// Start (00:00) of the period holding `t`.
    #[must_use]
    pub fn start(self, t: &DateTime) -> DateTime {
        match self {
            Freq::Day => DateTime::new(t.year, t.month, t.day, 0, 0, 0),
            Freq::Month => DateTime::new(t.year, t.month, 1, 0, 0, 0),
            Freq::Year => DateTime::new(t.year, 1, 1, 0, 0, 0),
        }
    }

    /// Start of the period after the one starting at `p`.
    #[must_use]
    pub fn next(self, p: &DateTime, cal: Calendar) -> DateTime {
        match self {
            Freq::Day => cal.add_days(p, 1),
            Freq::Month => {
                if p.month >= 12 {
                    DateTime::new(next_year(p.year, cal), 1, 1, 0, 0, 0)
                } else {
                    DateTime::new(p.year, p.month + 1, 1, 0, 0, 0)
                }
            }
            Freq::Year => DateTime::new(next_year(p.year, cal), 1, 1, 0, 0, 0),
        }
    }

    /// clisops's `time_bnds` of the period starting at `p`.
    #[must_use]
    pub fn bounds(self, p: &DateTime, cal: Calendar) -> (DateTime, DateTime) {
        match self {
            Freq::Day => (*p, DateTime::new(p.year, p.month, p.day, 23, 59, 59)),
            Freq::Month => (*p, DateTime::new(p.year, p.month, cal.days_in_month(p.year, p.month), 0, 0, 0)),
            // clisops takes the days of December of year 2000 in the calendar (30 in 360_day).
            Freq::Year => (*p, DateTime::new(p.year, 12, cal.days_in_month(2000, 12), 0, 0, 0)),
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

/// Period starts covering `times` (first to last period, consecutive) and the period index
/// of each time step.
#[must_use]
pub fn periods(times: &[DateTime], freq: Freq, cal: Calendar) -> (Vec<DateTime>, Vec<Option<usize>>) {
    let starts: Vec<DateTime> = times.iter().map(|t| freq.start(t)).collect();
    let (Some(first), Some(last)) = (starts.iter().min().copied(), starts.iter().max().copied()) else {
        return (Vec::new(), Vec::new());
    };
    let mut list = vec![first];
    let mut p = first;
    while p < last {
        let n = freq.next(&p, cal);
        if n <= p {
            break;
        }
        p = n;
        list.push(p);
    }
    let map = starts.iter().map(|s| list.binary_search(s).ok()).collect();
    (list, map)
}

/// Plans `average_time`.
///
/// # Errors
/// No time coordinate; undecodable times; dates the calendar cannot encode.
#[allow(clippy::too_many_lines)]
pub fn plan_time(src: &dyn Source, freq: Freq) -> Result<Job, OpError> {
    let ds = src.dataset();
    let info = main_var(ds)?;
    let taxis = crate::subset::time_axis(src, &info)?.ok_or_else(|| {
        OpError::Invalid(format!(
            "Cannot average over time: the dataset has no time coordinate (main variable '{}').",
            info.main
        ))
    })?;
    let cal = taxis.coder.calendar;
    let (starts, map) = periods(&taxis.times, freq, cal);
    let n = starts.len();
    let tvar = ds.var(&taxis.var).ok_or_else(|| OpError::Data(format!("no variable {}", taxis.var)))?;
    let old_bounds = tvar.attrs.get_str("bounds").map(|b| b.trim().to_string());
    let bnds_dim = old_bounds
        .as_deref()
        .and_then(|b| ds.var(b))
        .and_then(|b| b.dims.get(1).cloned())
        .unwrap_or_else(|| "bnds".to_string());
    let (coords, bounds) = referenced(ds);
    let mut out = ds.clone();
    out.vars.clear();
    let mut jobs = Vec::new();
    let mut reduced = Vec::new();
    let encode = |d: &DateTime| {
        taxis.coder.encode(d).map_err(|e| OpError::Data(format!("cannot encode {} in the time units: {e}", d.iso())))
    };
    for v in &ds.vars {
        if v.name == taxis.var {
            let mut o = v.clone();
            o.shape = vec![n];
            o.attrs.set("bounds", AttrValue::Text("time_bnds".into()));
            let vals = starts.iter().map(encode).collect::<Result<Vec<f64>, _>>()?;
            let a = ArrayD::from_shape_vec(IxDyn(&[n]), vals).map_err(|e| OpError::Data(e.to_string()))?;
            out.vars.push(o);
            jobs.push(VarJob::Values(v.name.clone(), Array::from_f64(v.dtype, &a)));
            continue;
        }
        if Some(&v.name) == old_bounds.as_ref() || v.name == "time_bnds" {
            continue;
        }
        let Some(ax) = v.axis_of(&taxis.dim) else {
            out.vars.push(v.clone());
            jobs.push(VarJob::Copy(v.name.clone()));
            continue;
        };
        if coords.contains(&v.name) || bounds.contains(&v.name) || !v.dtype.is_numeric() {
            continue;
        }
        let mut o = averaged_meta(v);
        o.shape[ax] = n;
        let axes: Vec<AxisMap> = (0..v.dims.len())
            .map(|k| if k == ax { AxisMap::Group { map: map.clone(), n_out: n } } else { AxisMap::Keep })
            .collect();
        out.vars.push(o);
        reduced.push(v.name.clone());
        jobs.push(VarJob::Reduce(Reduce {
            var: v.name.clone(),
            axes,
            weights: None,
            sparse: None,
            nan: NanMode::Skip,
        }));
    }
    // time_bnds(time, bnds) in the time coordinate's units.
    if out.dim(&bnds_dim).is_none() {
        out.dims.push(Dim { name: bnds_dim.clone(), len: 2, unlimited: false });
    }
    let mut bvals = Vec::with_capacity(2 * n);
    for p in &starts {
        let (a, b) = freq.bounds(p, cal);
        bvals.push(encode(&a)?);
        bvals.push(encode(&b)?);
    }
    out.vars.push(Variable {
        name: "time_bnds".into(),
        dims: vec![taxis.dim.clone(), bnds_dim.clone()],
        shape: vec![n, 2],
        dtype: rookery_cf::DType::F64,
        attrs: rookery_cf::Attrs::default(),
    });
    jobs.push(VarJob::Values(
        "time_bnds".into(),
        Array::F64(ArrayD::from_shape_vec(IxDyn(&[n, 2]), bvals).map_err(|e| OpError::Data(e.to_string()))?),
    ));
    out.resize_dim(&taxis.dim, n);
    tidy_references(&mut out);
    if out.dim(&bnds_dim).is_none() {
        out.dims.push(Dim { name: bnds_dim, len: 2, unlimited: false });
    }
    clean_metadata(&mut out, &reduced);
    Ok(Job {
        out,
        main: info.main.clone(),
        time_dim: Some(taxis.dim.clone()),
        times: starts,
        vars: jobs,
        src_time_dim: Some(taxis.dim.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_periods_and_bounds_360_day() {
        let cal = Calendar::Day360;
        let t: Vec<DateTime> = [(2005, 12, 16), (2006, 1, 16), (2006, 3, 16)]
            .iter()
            .map(|&(y, m, d)| DateTime::new(y, m, d, 0, 0, 0))
            .collect();
        let (p, map) = periods(&t, Freq::Month, cal);
        assert_eq!(p.len(), 4);
        assert_eq!(map, vec![Some(0), Some(1), Some(3)]);
        assert_eq!(Freq::Month.bounds(&p[0], cal).1, DateTime::new(2005, 12, 30, 0, 0, 0));
        assert_eq!(Freq::Year.bounds(&DateTime::new(2005, 1, 1, 0, 0, 0), cal).1, DateTime::new(2005, 12, 30, 0, 0, 0));
        assert_eq!(
            Freq::Month.bounds(&DateTime::new(2012, 2, 1, 0, 0, 0), Calendar::NoLeap).1,
            DateTime::new(2012, 2, 28, 0, 0, 0)
        );
        assert_eq!(
            Freq::Month.bounds(&DateTime::new(2012, 2, 1, 0, 0, 0), Calendar::Standard).1,
            DateTime::new(2012, 2, 29, 0, 0, 0)
        );
    }

    #[test]
    fn day_periods_cross_month_end() {
        let cal = Calendar::NoLeap;
        let t = vec![DateTime::new(2001, 2, 28, 12, 0, 0), DateTime::new(2001, 3, 1, 6, 0, 0)];
        let (p, map) = periods(&t, Freq::Day, cal);
        assert_eq!(p, vec![DateTime::new(2001, 2, 28, 0, 0, 0), DateTime::new(2001, 3, 1, 0, 0, 0)]);
        assert_eq!(map, vec![Some(0), Some(1)]);
        assert_eq!(Freq::Day.bounds(&p[0], cal).1, DateTime::new(2001, 2, 28, 23, 59, 59));
    }

    #[test]
    fn freq_errors() {
        assert_eq!(Freq::parse(Some("week")).unwrap_err().to_string(), BAD_FREQ);
        assert_eq!(Freq::parse(None).unwrap_err().to_string(), NO_FREQ);
        assert_eq!(Freq::parse(Some("year")).unwrap().suffix(), "_avg-year");
    }
}
