//! [`TimeUnit`] and [`TimeUnits`]: parsing CF time units (`"<unit> since <reference date>"`)
//! exactly as cftime does — unit spellings, its ISO 8601 regular expression for the
//! reference date, time-zone offsets — and writing them back.

use super::{Calendar, DateTime, TimeError};
use std::fmt;

/// The unit of a CF time coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// `microseconds`, `microsecond`, `microsec`, `microsecs` (and `usec`, `us`).
    Microseconds,
    /// `milliseconds`, `millisecond`, `millisec`, `millisecs`, `msec`, `msecs`, `ms`.
    Milliseconds,
    /// `seconds`, `second`, `sec`, `secs`, `s`.
    Seconds,
    /// `minutes`, `minute`, `min`, `mins`.
    Minutes,
    /// `hours`, `hour`, `hr`, `hrs`, `h`.
    Hours,
    /// `days`, `day`, `d`.
    Days,
    /// `months`, `month`: exactly 30 days; cftime allows it only with `360_day`.
    Months,
    /// `common_years`, `common_year`: exactly 365 days; cftime allows it only with `noleap`.
    CommonYears,
}

impl TimeUnit {
    /// Parses a unit name (case-insensitive) using cftime's list of spellings, plus
    /// `usec`/`us` (UDUNITS spellings of microseconds that cftime itself rejects).
    pub fn from_cf(name: &str) -> Option<TimeUnit> {
        Some(match name.to_lowercase().as_str() {
            "microseconds" | "microsecond" | "microsec" | "microsecs" | "usec" | "usecs" | "us" => {
                TimeUnit::Microseconds
            }
            "milliseconds" | "millisecond" | "millisec" | "millisecs" | "msec" | "msecs" | "ms" => {
                TimeUnit::Milliseconds
            }
            "seconds" | "second" | "sec" | "secs" | "s" => TimeUnit::Seconds,
            "minutes" | "minute" | "min" | "mins" => TimeUnit::Minutes,
            "hours" | "hour" | "hr" | "hrs" | "h" => TimeUnit::Hours,
            "days" | "day" | "d" => TimeUnit::Days,
            "months" | "month" => TimeUnit::Months,
            "common_years" | "common_year" => TimeUnit::CommonYears,
            _ => return None,
        })
    }

    /// Canonical plural name, e.g. `"days"`.
    pub fn cf_name(self) -> &'static str {
        match self {
            TimeUnit::Microseconds => "microseconds",
            TimeUnit::Milliseconds => "milliseconds",
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
            TimeUnit::Months => "months",
            TimeUnit::CommonYears => "common_years",
        }
    }

    /// Length of one unit in microseconds.
    pub fn microseconds(self) -> i64 {
        match self {
            TimeUnit::Microseconds => 1,
            TimeUnit::Milliseconds => 1_000,
            TimeUnit::Seconds => 1_000_000,
            TimeUnit::Minutes => 60_000_000,
            TimeUnit::Hours => 3_600_000_000,
            TimeUnit::Days => 86_400_000_000,
            TimeUnit::Months => 30 * 86_400_000_000,
            TimeUnit::CommonYears => 365 * 86_400_000_000,
        }
    }

    /// Checks cftime's calendar restriction on `months` and `common_years`.
    pub fn check_calendar(self, calendar: Calendar) -> Result<(), TimeError> {
        match (self, calendar) {
            (TimeUnit::Months, c) if c != Calendar::Day360 => {
                Err(TimeError::UnitNotAllowed { unit: "months", allowed: "360_day", calendar: c.cf_name() })
            }
            (TimeUnit::CommonYears, c) if c != Calendar::NoLeap => Err(TimeError::UnitNotAllowed {
                unit: "common_years",
                allowed: "noleap/365_day",
                calendar: c.cf_name(),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cf_name())
    }
}

/// A parsed `"<unit> since <reference date>"` string.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeUnits {
    /// The unit.
    pub unit: TimeUnit,
    /// The reference date exactly as written (local time of `utc_offset_minutes`).
    pub epoch: DateTime,
    /// Time-zone offset written after the reference date, in minutes (`+05:30` is 330).
    /// cftime subtracts it from the reference date, in the calendar's arithmetic;
    /// see [`TimeUnits::epoch_utc`].
    pub utc_offset_minutes: i32,
}

impl TimeUnits {
    /// Parses CF time units the way cftime does: `"days since 1850-01-01"`,
    /// `"hours since 1970-01-01T00:00:00Z"`, `"seconds since 1970-1-1 0:0:0"`,
    /// `"days since 0001-01-01 00:00:00 UTC"`, `"minutes since 2000-01-01 00:00:00+00:00"`,
    /// any amount of whitespace, case-insensitive unit and `since`. Like cftime's
    /// (unanchored) regular expression, text after a recognised date is ignored, and a
    /// time without minutes (`"2000-01-01 12"`) is ignored too. Only field ranges valid
    /// in every calendar are checked here; [`TimeCoder::new`] checks the calendar.
    pub fn parse(units: &str) -> Result<TimeUnits, TimeError> {
        let err = |reason: &str| TimeError::InvalidUnits { units: units.to_string(), reason: reason.to_string() };
        let (unit_word, since, rest) =
            py_split3(units).ok_or_else(|| err("expected '<unit> since <reference date>'"))?;
        if since.to_lowercase() != "since" {
            return Err(err("no 'since' after the unit"));
        }
        let unit = TimeUnit::from_cf(unit_word).ok_or_else(|| {
            err(&format!(
                "unknown unit '{unit_word}' (expected days, hours, minutes, seconds, milliseconds or microseconds)"
            ))
        })?;
        let raw = parse_cf_date(rest).map_err(|reason| err(&reason))?;
        let epoch = DateTime {
            year: raw.year,
            month: raw.month,
            day: raw.day,
            hour: raw.hour,
            minute: raw.minute,
            second: raw.second,
            microsecond: raw.microsecond,
        };
        if !(1..=12).contains(&epoch.month)
            || !(1..=31).contains(&epoch.day)
            || epoch.hour > 23
            || epoch.minute > 59
            || epoch.second > 59
            || epoch.microsecond > 999_999
        {
            return Err(err(&format!("invalid reference date {}", epoch.iso())));
        }
        Ok(TimeUnits { unit, epoch, utc_offset_minutes: raw.offset_minutes })
    }

    /// The reference date in UTC for `calendar`: checks that the written date exists in
    /// the calendar, then subtracts the time-zone offset (as cftime does, so
    /// `"hours since 2000-03-01 00:00+05:30"` is 2000-02-29T18:30 in `standard` but
    /// 2000-02-28T18:30 in `noleap`).
    pub fn epoch_utc(&self, calendar: Calendar) -> Result<DateTime, TimeError> {
        if !calendar.is_valid(&self.epoch) {
            return Err(TimeError::InvalidDate { date: self.epoch.describe(), calendar: calendar.cf_name() });
        }
        if self.utc_offset_minutes == 0 {
            return Ok(self.epoch);
        }
        let us = calendar.to_microseconds(&self.epoch) - i128::from(self.utc_offset_minutes) * 60_000_000;
        let dt = calendar.from_microseconds(us);
        if dt.year < i64::from(i32::MIN) || dt.year > i64::from(i32::MAX) {
            return Err(TimeError::InvalidDate { date: dt.describe(), calendar: calendar.cf_name() });
        }
        Ok(dt)
    }

    /// Canonical CF string, e.g. `"days since 1850-01-01 00:00:00"` (microseconds and a
    /// `+HH:MM` offset are appended only when non-zero). Parses back to an equal value.
    pub fn to_cf_string(&self) -> String {
        let mut s = format!("{} since {}", self.unit.cf_name(), self.epoch);
        if self.utc_offset_minutes != 0 {
            let sign = if self.utc_offset_minutes < 0 { '-' } else { '+' };
            let abs = self.utc_offset_minutes.unsigned_abs();
            s.push_str(&format!("{}{:02}:{:02}", sign, abs / 60, abs % 60));
        }
        s
    }
}

impl fmt::Display for TimeUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_cf_string())
    }
}

/// Python's `str.isspace()` (Unicode whitespace plus the ASCII separators 0x1C-0x1F).
fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `s.split(None, 2)` when it yields exactly three parts.
fn py_split3(s: &str) -> Option<(&str, &str, &str)> {
    let s = s.trim_start_matches(py_is_space);
    let i = s.find(py_is_space)?;
    let (a, rest) = s.split_at(i);
    let rest = rest.trim_start_matches(py_is_space);
    let j = rest.find(py_is_space)?;
    let (b, rest) = rest.split_at(j);
    let c = rest.trim_start_matches(py_is_space);
    if c.is_empty() {
        None
    } else {
        Some((a, b, c))
    }
}

/// Fields of a reference date as cftime's `_parse_date` returns them.
struct RawDate {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    microsecond: u32,
    offset_minutes: i32,
}

/// Emulates cftime's `_parse_date`, i.e. `ISO8601_REGEX.match()` (anchored at the start
/// only, greedy optional groups) followed by `_parse_timezone`:
///
/// ```text
/// year [+-]?[0-9]+ ( -month{1,2} ( -day{1,2} ( (. hour{1,2} : minute{1,2} (: second{1,2} (\. fraction+)? )? )?
///                                             ( .? (Z | [+-]hh ( :mm | mm )?) )? )? )? )?
/// ```
fn parse_cf_date(s: &str) -> Result<RawDate, String> {
    let c: Vec<char> = s.trim_matches(py_is_space).chars().collect();
    let bad = || format!("unable to parse reference date '{}'", s.trim_matches(py_is_space));
    let digit_at = |i: usize| c.get(i).is_some_and(|ch| ch.is_ascii_digit());
    // 1-2 digit number at i: (value, next index).
    let num12 = |i: usize| -> Option<(u32, usize)> {
        if !digit_at(i) {
            return None;
        }
        let mut v = c[i].to_digit(10)?;
        let mut j = i + 1;
        if digit_at(j) {
            v = v * 10 + c[j].to_digit(10)?;
            j += 1;
        }
        Some((v, j))
    };
    let mut p = 0;
    let mut negative = false;
    if matches!(c.first(), Some('+') | Some('-')) && digit_at(1) {
        negative = c[0] == '-';
        p = 1;
    }
    let start = p;
    while digit_at(p) {
        p += 1;
    }
    if p == start {
        return Err(bad());
    }
    let digits: String = c[start..p].iter().collect();
    let year = digits
        .parse::<i64>()
        .ok()
        .map(|y| if negative { -y } else { y })
        .filter(|y| *y >= i64::from(i32::MIN) && *y <= i64::from(i32::MAX))
        .ok_or_else(|| format!("year {}{} is out of range", if negative { "-" } else { "" }, digits))?;

    let dash_num = |i: usize| {
        if c.get(i) == Some(&'-') {
            num12(i + 1)
        } else {
            None
        }
    };
    let (month, p) = dash_num(p).ok_or_else(|| format!("{}: missing month", bad()))?;
    let (day, mut p) = dash_num(p).ok_or_else(|| format!("{}: missing day", bad()))?;

    let (mut hour, mut minute, mut second, mut microsecond) = (0, 0, 0, 0);
    // Time group: any separator (not a newline), hour ':' minute [':' second ['.' fraction]].
    let time = (|| {
        if c.get(p).is_none_or(|ch| *ch == '\n') {
            return None;
        }
        let (h, q) = num12(p + 1)?;
        if c.get(q) != Some(&':') {
            return None;
        }
        let (mi, mut q) = num12(q + 1)?;
        let mut sec = 0;
        let mut frac = 0;
        if c.get(q) == Some(&':') {
            if let Some((sv, q2)) = num12(q + 1) {
                sec = sv;
                q = q2;
                if c.get(q) == Some(&'.') && digit_at(q + 1) {
                    let mut e = q + 1;
                    while digit_at(e) {
                        e += 1;
                    }
                    let text = format!("0.{}", c[q + 1..e].iter().collect::<String>());
                    // cftime: int(float("0.%s" % fraction) * 1e6), truncating.
                    frac = (text.parse::<f64>().ok()? * 1e6) as u32;
                    q = e;
                }
            }
        }
        Some((h, mi, sec, frac, q))
    })();
    if let Some((h, mi, sec, frac, q)) = time {
        (hour, minute, second, microsecond) = (h, mi, sec, frac);
        p = q;
    }
    // Time-zone group: an optional single separator character, then Z or [+-]hh[[:]mm].
    let tz_at = |i: usize| -> Option<i32> {
        match c.get(i)? {
            'Z' => Some(0),
            sign @ ('+' | '-') => {
                if !(digit_at(i + 1) && digit_at(i + 2)) {
                    return None;
                }
                let hh = c[i + 1].to_digit(10)? * 10 + c[i + 2].to_digit(10)?;
                let mm = if c.get(i + 3) == Some(&':') && digit_at(i + 4) && digit_at(i + 5) {
                    c[i + 4].to_digit(10)? * 10 + c[i + 5].to_digit(10)?
                } else if digit_at(i + 3) && digit_at(i + 4) {
                    c[i + 3].to_digit(10)? * 10 + c[i + 4].to_digit(10)?
                } else {
                    0
                };
                let total = (hh * 60 + mm) as i32;
                Some(if *sign == '-' { -total } else { total })
            }
            _ => None,
        }
    };
    let with_sep = if c.get(p).is_some_and(|ch| *ch != '\n') { tz_at(p + 1) } else { None };
    let offset_minutes = with_sep.or_else(|| tz_at(p)).unwrap_or(0);
    Ok(RawDate { year, month, day, hour, minute, second, microsecond, offset_minutes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_parsing() {
        let ok = [
            ("days since 1850-01-01", TimeUnit::Days, DateTime::new(1850, 1, 1, 0, 0, 0), 0),
            ("hours since 1970-01-01T00:00:00Z", TimeUnit::Hours, DateTime::new(1970, 1, 1, 0, 0, 0), 0),
            ("seconds since 1970-1-1 0:0:0", TimeUnit::Seconds, DateTime::new(1970, 1, 1, 0, 0, 0), 0),
            ("days since 1850-1-1 00:00:00.0", TimeUnit::Days, DateTime::new(1850, 1, 1, 0, 0, 0), 0),
            ("days since 0001-01-01 00:00:00 UTC", TimeUnit::Days, DateTime::new(1, 1, 1, 0, 0, 0), 0),
            ("minutes since 2000-01-01 00:00:00+00:00", TimeUnit::Minutes, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("minutes since 2000-01-01 00:00:00+05:30", TimeUnit::Minutes, DateTime::new(2000, 1, 1, 0, 0, 0), 330),
            (
                "  DAYS   Since  2000-01-01 12:30:15.25  ",
                TimeUnit::Days,
                DateTime::new(2000, 1, 1, 12, 30, 15).with_microsecond(250_000),
                0,
            ),
            ("d since -0100-01-01", TimeUnit::Days, DateTime::new(-100, 1, 1, 0, 0, 0), 0),
            ("day since 2000-01-01", TimeUnit::Days, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("hr since 2000-01-01", TimeUnit::Hours, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("h since 2000-01-01T06:00-03", TimeUnit::Hours, DateTime::new(2000, 1, 1, 6, 0, 0), -180),
            ("minute since 2000-01-01", TimeUnit::Minutes, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("min since 2000-01-01", TimeUnit::Minutes, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("second since 2000-01-01", TimeUnit::Seconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("sec since 2000-01-01", TimeUnit::Seconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("s since 2000-01-01", TimeUnit::Seconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("millisecond since 2000-01-01", TimeUnit::Milliseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("msec since 2000-01-01", TimeUnit::Milliseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("ms since 2000-01-01", TimeUnit::Milliseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("microseconds since 2000-01-01", TimeUnit::Microseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("usec since 2000-01-01", TimeUnit::Microseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("us since 2000-01-01", TimeUnit::Microseconds, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
            ("months since 2000-01-01", TimeUnit::Months, DateTime::new(2000, 1, 1, 0, 0, 0), 0),
        ];
        for (s, unit, epoch, off) in ok {
            let u = TimeUnits::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!((u.unit, u.epoch, u.utc_offset_minutes), (unit, epoch, off), "{s:?}");
            assert_eq!(TimeUnits::parse(&u.to_cf_string()).as_ref(), Ok(&u), "{s:?}");
        }
        for bad in [
            "days",
            "fortnights since 2000-01-01",
            "days since banana",
            "days since",
            "days after 2000-01-01",
            "",
            "days since 2000",
            "days since 2000-13-01",
            "days since 2000-01-32",
            "days since 99999999999-01-01",
        ] {
            let e = TimeUnits::parse(bad).expect_err(bad);
            assert!(e.to_string().starts_with(&format!("cannot parse time units '{bad}'")), "{e}");
        }
        assert_eq!(
            TimeUnits::parse("xyz").unwrap_err().to_string(),
            "cannot parse time units 'xyz': expected '<unit> since <reference date>'"
        );
    }
}
