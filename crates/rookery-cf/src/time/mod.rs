//! CF-convention time handling for every CF calendar, matching Python `cftime` 1.6.x.
//!
//! * [`Calendar`]: the six CF calendars (with their nine CF spellings), leap-year
//!   rules, month lengths, validity and a serial day number.
//! * [`DateTime`]: a calendar-agnostic broken-down date-time (like `cftime.datetime`
//!   without the calendar attached).
//! * [`TimeUnits`] / [`TimeCoder`]: parse `"<unit> since <reference date>"` strings and
//!   convert numeric time values to dates (`cftime.num2date`) and back
//!   (`cftime.date2num`), bit-for-bit like cftime on x86-64 Linux.
//! * [`PartialDateTime`]: partial ISO date strings such as `"2000-03"` with the
//!   start/end semantics of xarray's partial-string indexing.
//!
//! Conventions (cftime >= 1.5 defaults, CF 1.9): `standard` is Julian before
//! 1582-10-05 and Gregorian from 1582-10-15 (the ten days in between do not exist);
//! `standard` and `julian` have no year 0 (year -1 precedes year 1), while
//! `proleptic_gregorian`, `noleap`, `all_leap` and `360_day` do have a year 0.
//! Years are limited to the range of a C `int`, as in cftime.
//!
//! Numeric conversions use exact integer microsecond arithmetic. Decoding emulates
//! cftime's `np.longdouble` (x87 80-bit) scaling and its rounding rules, encoding
//! returns the correctly rounded quotient exactly as Python's `timedelta / timedelta`.
//!
//! Rooms (each re-exported here, so every type is `rookery_cf::time::...`):
//!
//! ```text
//!  calendar.rs  Calendar: calendar names, leap years, month lengths, validity, serial day
//!               numbers and microsecond arithmetic (Julian/Gregorian/idealized rules)
//!  datetime.rs  DateTime: the broken-down date-time and its ISO/file-name formatting
//!  units.rs     TimeUnit / TimeUnits: "<unit> since <reference date>" parsing (cftime's regex)
//!  coder.rs     TimeCoder: num2date / date2num with cftime's exact rounding
//!  partial.rs   PartialDateTime: partial ISO dates ("2000-03") as period starts and ends
//! ```
//!
//! The tests against real cftime read `tests/data/cftime_vectors.tsv` (see
//! `tests/cftime_vectors.rs` and `tests/gen_time_vectors.py`).

mod calendar;
mod coder;
mod datetime;
mod partial;
mod units;

pub use calendar::Calendar;
pub use coder::TimeCoder;
pub use datetime::DateTime;
pub use partial::PartialDateTime;
pub use units::{TimeUnit, TimeUnits};

/// Errors raised by CF time handling. Every message is a single line naming the bad input.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum TimeError {
    /// The calendar attribute is not one of the CF calendar names.
    #[error("unsupported calendar '{0}'")]
    UnsupportedCalendar(String),
    /// A `"<unit> since <date>"` string could not be parsed.
    #[error("cannot parse time units '{units}': {reason}")]
    InvalidUnits {
        /// The units string as given.
        units: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A unit that cftime only allows with one calendar (`months`, `common_years`).
    #[error("time unit '{unit}' is only allowed with the {allowed} calendar, not {calendar}")]
    UnitNotAllowed {
        /// The unit (`months` or `common_years`).
        unit: &'static str,
        /// The calendar(s) that allow it.
        allowed: &'static str,
        /// The calendar that was requested.
        calendar: &'static str,
    },
    /// A date that does not exist in the calendar (e.g. 2001-02-29, or 2000-12-31 in 360_day).
    #[error("date {date} does not exist in the {calendar} calendar")]
    InvalidDate {
        /// The offending date, ISO formatted.
        date: String,
        /// Canonical CF name of the calendar.
        calendar: &'static str,
    },
    /// A (partial) date string could not be parsed.
    #[error("cannot parse date '{input}': {reason}")]
    InvalidDateString {
        /// The string as given.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// NaN or infinite time value.
    #[error("cannot decode non-finite time value {0:?}")]
    NonFinite(f64),
    /// A time value whose date is outside the representable range (cftime: 64-bit
    /// microseconds from the reference date, years within a C `int`).
    #[error("time value {value:?} {units} is out of range")]
    OutOfRange {
        /// The numeric value.
        value: f64,
        /// The units string it was interpreted in.
        units: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nine CF calendar spellings.
    const CALS: [&str; 9] = [
        "standard",
        "gregorian",
        "proleptic_gregorian",
        "noleap",
        "365_day",
        "all_leap",
        "366_day",
        "360_day",
        "julian",
    ];

    #[test]
    fn no_panics_on_garbage() {
        let strings = [
            "",
            " ",
            "since",
            "days since",
            "days since -",
            "days since +",
            "days since --1-1-1",
            "days since 1-",
            "days since 1-1-",
            "days since 1-1-1T",
            "days since 1-1-1T1:",
            "days since 1-1-1 1:1:",
            "days since 1-1-1 1:1:1.",
            "days since 1-1-1 1:1:1.x",
            "days since 1-1-1+",
            "days since 1-1-1+1",
            "days since 1-1-1\n12:00",
            "days since 1-1-1 12:00\n+01:00",
            "days since ९९९९-01-01",
            "days since 2000-01-01T00:00:00.99999999999999999999",
            "days since 2147483647-12-31 23:59:59+99:99",
            "days since -2147483648-01-01 00:00:00-99:99",
            "days since 00000000000000000000000000000001-1-1",
            "ünïcödé since ☃",
            "days\u{1c}since\u{1f}2000-01-01",
            "d s 1-1-1",
            "days since 1-1-1 99:99:99",
        ];
        let values = [
            0.0,
            -0.0,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9.2e18,
            -9.2e18,
            1.06e8,
            -1.06e8,
            2.5e7,
            123.456,
        ];
        for s in strings {
            let _ = TimeUnits::parse(s);
            let _ = PartialDateTime::parse(s);
            for c in CALS {
                if let Ok(coder) = TimeCoder::new(s, Some(c)) {
                    for v in values {
                        if let Ok(dt) = coder.decode(v) {
                            let back = coder.encode(&dt).expect("decoded dates encode");
                            assert!(back.is_finite());
                        }
                    }
                }
            }
        }
        for c in Calendar::ALL {
            for unit in ["microseconds", "seconds", "days", "months", "common_years"] {
                for epoch in ["2147483647-12-30 23:59:59", "-2147483648-01-01", "0001-01-01"] {
                    if let Ok(coder) = TimeCoder::new(&format!("{unit} since {epoch}"), Some(c.cf_name())) {
                        for v in values {
                            let _ = coder.decode(v);
                        }
                    }
                }
            }
            for y in [i64::MIN, i64::MAX, 0, -1] {
                for m in [0, 1, 13, u32::MAX] {
                    for d in [0, 1, 31, u32::MAX] {
                        let dt = DateTime {
                            year: y,
                            month: m,
                            day: d,
                            hour: u32::MAX,
                            minute: u32::MAX,
                            second: u32::MAX,
                            microsecond: u32::MAX,
                        };
                        let _ = c.is_valid(&dt);
                        let _ = c.day_number(y, m, d);
                        let _ = c.add_days(&dt, i64::MAX);
                        let _ = c.add_days(&dt, i64::MIN);
                        let _ = c.add_microseconds(&dt, i64::MIN);
                        let _ = c.to_microseconds(&dt);
                        let _ = c.days_in_month(y, m);
                        let _ = c.days_in_year(y);
                        let _ = c.is_leap(y);
                        let _ = dt.iso();
                        let coder = TimeCoder {
                            units: TimeUnits { unit: TimeUnit::Days, epoch: dt, utc_offset_minutes: i32::MIN },
                            calendar: c,
                        };
                        let _ = coder.decode(1.0);
                        let _ = coder.encode(&dt);
                        let _ = coder.units_string();
                    }
                }
            }
            for n in [i64::MIN, i64::MAX, 0, -1] {
                let _ = c.from_day_number(n);
            }
            let _ = c.from_microseconds(i128::MIN);
            let _ = c.from_microseconds(i128::MAX);
        }
    }
}
