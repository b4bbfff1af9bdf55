//! Request parameters with clisops's parsing rules and error texts (`clisops/parameter/*`,
//! roocs.md §2.4): time (interval or series), area, level (interval or series), time
//! components.

use crate::OpError;
use rookery_cf::time::PartialDateTime;

/// A time request: an interval of ISO bounds (either side open) or a list of instants.
#[derive(Clone, Debug, PartialEq)]
pub enum TimeParam {
    /// `start/end`, each a full `YYYY-MM-DDTHH:MM:SS` string (missing fields filled as clisops
    /// does: start with the minimum, end with the maximum), or `None` for an open side.
    Interval(Option<String>, Option<String>),
    /// Exact instants, full ISO strings.
    Series(Vec<String>),
}

fn invalid(msg: impl Into<String>) -> OpError {
    OpError::Invalid(msg.into())
}

/// Splits an `a/b` interval string (clisops `parse_range`).
fn parse_range(s: &str, class: &str) -> Result<(Option<String>, Option<String>), OpError> {
    let s = s.trim();
    if s.is_empty() || s == "/" {
        return Ok((None, None));
    }
    let Some((a, b)) = s.split_once('/') else {
        return Err(invalid(format!("{class}: Interval should be passed in as a range separated by /")));
    };
    if b.contains('/') {
        return Err(invalid(format!(
            "{class}: Interval should be a range. Expected 2 values, received {}",
            s.split('/').count()
        )));
    }
    let side = |x: &str| {
        let x = x.trim();
        (!x.is_empty()).then(|| x.to_string())
    };
    Ok((side(a), side(b)))
}

/// Formats a partial date with clisops's default fill (`[MINYEAR,1,1,0,0,0]` for a start,
/// `[MAXYEAR,12,31,23,59,59]` for an end).
fn fill_date(s: &str, end: bool) -> Result<String, OpError> {
    let p = PartialDateTime::parse(s.trim().trim_end_matches('Z'))
        .map_err(|_| invalid(format!("Unable to parse the time values entered: '{s}'")))?;
    let (m, d, h, mi, se) = if end { (12, 31, 23, 59, 59) } else { (1, 1, 0, 0, 0) };
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        p.year,
        p.month.unwrap_or(m),
        p.day.unwrap_or(d),
        p.hour.unwrap_or(h),
        p.minute.unwrap_or(mi),
        p.second.unwrap_or(se)
    ))
}

impl TimeParam {
    /// Parses `a/b` (interval) or `a,b,c` (series), as clisops `TimeParameter` does.
    ///
    /// # Errors
    /// Malformed text, with clisops's message.
    pub fn parse(s: &str) -> Result<Option<TimeParam>, OpError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.contains('/') {
            let (a, b) = parse_range(s, "TimeParameter")?;
            if a.is_none() && b.is_none() {
                return Ok(None);
            }
            let a = a.map(|a| fill_date(&a, false)).transpose()?;
            let b = b.map(|b| fill_date(&b, true)).transpose()?;
            return Ok(Some(TimeParam::Interval(a, b)));
        }
        let vals = s
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| fill_date(x, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((!vals.is_empty()).then_some(TimeParam::Series(vals)))
    }
}

/// `W,S,E,N` in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaParam {
    /// Western longitude bound, degrees east (swapped with `east` if larger, see [`AreaParam::lon_bnds`]).
    pub west: f64,
    /// Southern latitude bound, degrees north (swapped with `north` if larger).
    pub south: f64,
    /// Eastern longitude bound, degrees east.
    pub east: f64,
    /// Northern latitude bound, degrees north.
    pub north: f64,
}

impl AreaParam {
    /// Parses `"W,S,E,N"`.
    ///
    /// # Errors
    /// Wrong length or non-numeric values, with clisops's messages.
    pub fn parse(s: &str) -> Result<Option<AreaParam>, OpError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(invalid(format!("AreaParameter should be of length 4 but is of length {}", parts.len())));
        }
        let mut v = [0.0; 4];
        for (slot, p) in v.iter_mut().zip(&parts) {
            *slot = p
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| invalid(format!("Values must be valid numbers: '{p}' in area '{s}'")))?;
        }
        Ok(Some(AreaParam { west: v[0], south: v[1], east: v[2], north: v[3] }))
    }

    /// Longitude bounds, flipped when given in reverse (clisops `assign_bounds`).
    #[must_use]
    pub fn lon_bnds(&self) -> (f64, f64) {
        (self.west.min(self.east), self.west.max(self.east))
    }

    /// Latitude bounds, flipped when given in reverse.
    #[must_use]
    pub fn lat_bnds(&self) -> (f64, f64) {
        (self.south.min(self.north), self.south.max(self.north))
    }
}

/// A level request.
#[derive(Clone, Debug, PartialEq)]
pub enum LevelParam {
    /// `first/last`, either side open.
    Interval(Option<f64>, Option<f64>),
    /// Exact level values.
    Series(Vec<f64>),
}

impl LevelParam {
    /// Parses `a/b` or `a,b,c`.
    ///
    /// # Errors
    /// Malformed text.
    pub fn parse(s: &str) -> Result<Option<LevelParam>, OpError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| invalid(format!("LevelParameter: '{x}' is not a valid number")))
        };
        if s.contains('/') {
            let (a, b) = parse_range(s, "LevelParameter")?;
            if a.is_none() && b.is_none() {
                return Ok(None);
            }
            return Ok(Some(LevelParam::Interval(
                a.as_deref().map(num).transpose()?,
                b.as_deref().map(num).transpose()?,
            )));
        }
        let vals = s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(num).collect::<Result<Vec<_>, _>>()?;
        Ok((!vals.is_empty()).then_some(LevelParam::Series(vals)))
    }
}

/// Time components: for each of year, month, day, hour, minute, second an optional set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeComponents {
    /// Years to keep; `None` keeps every year.
    pub year: Option<Vec<i64>>,
    /// Months to keep (1–12); `None` keeps every month.
    pub month: Option<Vec<u32>>,
    /// Days of the month to keep (1–40, as clisops allows); `None` keeps every day.
    pub day: Option<Vec<u32>>,
    /// Hours to keep (0–23); `None` keeps every hour.
    pub hour: Option<Vec<u32>>,
    /// Minutes to keep (0–59); `None` keeps every minute.
    pub minute: Option<Vec<u32>>,
    /// Seconds to keep (0–59); `None` keeps every second.
    pub second: Option<Vec<u32>>,
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

impl TimeComponents {
    /// Parses `"year:2000,2001|month:dec,jan,feb|day:1,2"`; month names by their first three
    /// letters (any case); limits month 1–12, day 1–40, hour 0–23, minute/second 0–59.
    ///
    /// # Errors
    /// Unknown component or value out of range (clisops: "Cannot create
    /// TimeComponentsParameter from: ...").
    pub fn parse(s: &str) -> Result<Option<TimeComponents>, OpError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let bad = |why: String| invalid(format!("Cannot create TimeComponentsParameter from: {s} ({why})"));
        let mut tc = TimeComponents::default();
        for part in s.split('|').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, vals)) = part.split_once(':') else {
                return Err(bad(format!("'{part}' is not of the form component:values")));
            };
            let key = key.trim().to_ascii_lowercase();
            let items: Vec<&str> = vals.split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
            let ranged = |lo: u32, hi: u32| -> Result<Vec<u32>, OpError> {
                items
                    .iter()
                    .map(|v| {
                        v.parse::<u32>()
                            .ok()
                            .filter(|x| (lo..=hi).contains(x))
                            .ok_or_else(|| bad(format!("{key} value '{v}' is not in {lo}..{hi}")))
                    })
                    .collect()
            };
            match key.as_str() {
                "year" => {
                    tc.year = Some(
                        items
                            .iter()
                            .map(|v| v.parse::<i64>().map_err(|_| bad(format!("year '{v}' is not a number"))))
                            .collect::<Result<_, _>>()?,
                    );
                }
                "month" => {
                    let mut ms = Vec::new();
                    for v in &items {
                        let lower = v.to_ascii_lowercase();
                        let m = if let Ok(n) = lower.parse::<u32>() {
                            Some(n).filter(|n| (1..=12).contains(n))
                        } else {
                            lower
                                .get(..3)
                                .and_then(|p| MONTHS.iter().position(|m| *m == p))
                                .and_then(|i| u32::try_from(i + 1).ok())
                        };
                        ms.push(m.ok_or_else(|| bad(format!("month '{v}' is not a month")))?);
                    }
                    tc.month = Some(ms);
                }
                "day" => tc.day = Some(ranged(1, 40)?),
                "hour" => tc.hour = Some(ranged(0, 23)?),
                "minute" => tc.minute = Some(ranged(0, 59)?),
                "second" => tc.second = Some(ranged(0, 59)?),
                other => return Err(bad(format!("unknown component '{other}'"))),
            }
        }
        Ok(Some(tc))
    }

    /// Whether instant `t` matches every given component.
    #[must_use]
    pub fn matches(&self, t: &rookery_cf::time::DateTime) -> bool {
        let has = |set: &Option<Vec<u32>>, v: u32| set.as_ref().is_none_or(|s| s.contains(&v));
        self.year.as_ref().is_none_or(|s| s.contains(&t.year))
            && has(&self.month, t.month)
            && has(&self.day, t.day)
            && has(&self.hour, t.hour)
            && has(&self.minute, t.minute)
            && has(&self.second, t.second)
    }
}

/// Parses a size such as `2GB`, `500MB`, `1.5GiB`, `1000` (bytes), with dask's units
/// (decimal kB/MB/GB/TB, binary KiB/MiB/GiB/TiB).
///
/// # Errors
/// Unknown unit or malformed number.
pub fn parse_size(s: &str) -> Result<u64, OpError> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| invalid(format!("cannot parse size '{s}'")))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0_f64.powi(4),
        u => return Err(invalid(format!("unknown size unit '{u}' in '{s}'"))),
    };
    let bytes = n * mult;
    if !(bytes.is_finite() && bytes >= 1.0) {
        return Err(invalid(format!("size '{s}' must be at least one byte")));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_interval_fills_like_clisops() {
        assert_eq!(
            TimeParam::parse("2085/2120").unwrap(),
            Some(TimeParam::Interval(Some("2085-01-01T00:00:00".into()), Some("2120-12-31T23:59:59".into())))
        );
        assert_eq!(
            TimeParam::parse("2085-01-16/2120-12-16").unwrap(),
            Some(TimeParam::Interval(Some("2085-01-16T00:00:00".into()), Some("2120-12-16T23:59:59".into())))
        );
        assert_eq!(
            TimeParam::parse("2085-01-01T12:00:00Z/").unwrap(),
            Some(TimeParam::Interval(Some("2085-01-01T12:00:00".into()), None))
        );
        assert_eq!(
            TimeParam::parse("2085, 2120").unwrap(),
            Some(TimeParam::Series(vec!["2085-01-01T00:00:00".into(), "2120-01-01T00:00:00".into()]))
        );
        assert_eq!(TimeParam::parse("/").unwrap(), None);
        assert!(TimeParam::parse("a/b").is_err());
        assert!(TimeParam::parse("2000/2001/2002").is_err());
    }

    #[test]
    fn area_errors_are_clisops_texts() {
        let e = AreaParam::parse("1,2,3").unwrap_err().to_string();
        assert!(e.contains("AreaParameter should be of length 4 but is of length 3"), "{e}");
        let e = AreaParam::parse("1,2,x,4").unwrap_err().to_string();
        assert!(e.contains("Values must be valid numbers"), "{e}");
        let a = AreaParam::parse("40,70,-10,30").unwrap().unwrap();
        assert_eq!(a.lon_bnds(), (-10.0, 40.0));
        assert_eq!(a.lat_bnds(), (30.0, 70.0));
    }

    #[test]
    fn level_and_components() {
        assert_eq!(LevelParam::parse("/2000").unwrap(), Some(LevelParam::Interval(None, Some(2000.0))));
        assert_eq!(LevelParam::parse("1000,2000").unwrap(), Some(LevelParam::Series(vec![1000.0, 2000.0])));
        let tc = TimeComponents::parse("year:2021,2022|month:dec,JAN,February").unwrap().unwrap();
        assert_eq!(tc.year, Some(vec![2021, 2022]));
        assert_eq!(tc.month, Some(vec![12, 1, 2]));
        assert!(TimeComponents::parse("month:13").is_err());
        assert!(TimeComponents::parse("day:41").is_err());
        assert!(TimeComponents::parse("week:1").is_err());
        assert!(TimeComponents::parse("day:1..31").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2GB").unwrap(), 2_000_000_000);
        assert_eq!(parse_size("10KB").unwrap(), 10_000);
        assert_eq!(parse_size("1MiB").unwrap(), 1_048_576);
        assert!(parse_size("2XB").is_err());
        assert!(parse_size("0").is_err());
    }
}
