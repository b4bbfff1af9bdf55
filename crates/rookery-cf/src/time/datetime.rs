//! [`DateTime`]: a calendar-agnostic broken-down date-time (like `cftime.datetime` without the
//! calendar attached) and its formatting: cftime's `isoformat()`, `str()`, dates for file
//! names and for error messages.

use std::fmt;

/// A broken-down date and time without time zone, interpreted in some [`Calendar`].
/// Field order makes the derived ordering chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    /// Year (negative years allowed; see the calendar for year-0 rules).
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
    /// Hour, 0-23.
    pub hour: u32,
    /// Minute, 0-59.
    pub minute: u32,
    /// Second, 0-59.
    pub second: u32,
    /// Microsecond, 0-999999.
    pub microsecond: u32,
}

impl DateTime {
    /// Creates a date-time with zero microseconds (no validation; see [`Calendar::is_valid`]).
    pub fn new(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime {
        DateTime { year, month, day, hour, minute, second, microsecond: 0 }
    }

    /// Returns a copy with the microsecond field replaced.
    pub fn with_microsecond(self, microsecond: u32) -> DateTime {
        DateTime { microsecond, ..self }
    }

    /// ISO 8601 like cftime's `isoformat()`: `"2005-12-16T00:00:00"`, `"-0001-01-01T00:00:00"`,
    /// with `".ffffff"` appended only when the microsecond is non-zero.
    pub fn iso(&self) -> String {
        self.isoformat('T')
    }

    /// Date part only: `"2005-12-16"` (`"-0001-01-01"` for negative years).
    pub fn date_string(&self) -> String {
        format!("{}-{:02}-{:02}", self.year_string(), self.month, self.day)
    }

    /// Compact date for file names: `"20051216"`.
    pub fn compact_date(&self) -> String {
        format!("{}{:02}{:02}", self.year_string(), self.month, self.day)
    }

    fn year_string(&self) -> String {
        if self.year < 0 {
            format!("{:05}", self.year)
        } else {
            format!("{:04}", self.year)
        }
    }

    fn isoformat(&self, sep: char) -> String {
        let mut s = format!("{}{}{:02}:{:02}:{:02}", self.date_string(), sep, self.hour, self.minute, self.second);
        if self.microsecond > 0 {
            s.push_str(&format!(".{:06}", self.microsecond));
        }
        s
    }

    /// Date for error messages: date only when the time is midnight, full ISO otherwise.
    pub(super) fn describe(&self) -> String {
        if self.hour == 0 && self.minute == 0 && self.second == 0 && self.microsecond == 0 {
            self.date_string()
        } else {
            self.iso()
        }
    }
}

/// `"2005-12-16 00:00:00"`, like `str(cftime.datetime)`.
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.isoformat(' '))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_formatting() {
        let d = DateTime::new(2005, 12, 16, 0, 0, 0);
        assert_eq!(d.iso(), "2005-12-16T00:00:00");
        assert_eq!(d.to_string(), "2005-12-16 00:00:00");
        assert_eq!(d.compact_date(), "20051216");
        assert_eq!(d.date_string(), "2005-12-16");
        assert_eq!(d.with_microsecond(5).iso(), "2005-12-16T00:00:00.000005");
        assert_eq!(DateTime::new(-1, 1, 2, 3, 4, 5).iso(), "-0001-01-02T03:04:05");
        assert_eq!(DateTime::new(12, 1, 2, 3, 4, 5).to_string(), "0012-01-02 03:04:05");
        assert_eq!(DateTime::new(12345, 1, 2, 3, 4, 5).iso(), "12345-01-02T03:04:05");
        assert!(DateTime::new(2000, 1, 1, 0, 0, 0) < DateTime::new(2000, 1, 1, 0, 0, 1));
        assert!(DateTime::new(-1, 12, 31, 0, 0, 0) < DateTime::new(1, 1, 1, 0, 0, 0));
    }
}
