//! [`Calendar`]: the six CF calendars and their arithmetic — names, leap-year rules, month
//! lengths, date validity, serial day numbers (cftime's `toordinal()` origins) and exact
//! microsecond offsets, including the 1582 Julian/Gregorian switch of `standard` and the
//! missing year 0 of `standard`/`julian`.

use super::{DateTime, TimeError};
use std::fmt;

/// Microseconds per day.
const US_PER_DAY: i128 = 86_400_000_000;
/// Julian day number of 1582-10-15 (Gregorian), the first Gregorian day of `standard`.
const GREGORIAN_START_JDN: i128 = 2_299_161;
/// Offset that turns a March-based Julian-calendar day count into a Julian day number.
const JULIAN_JDN_OFFSET: i128 = 1_721_118;
/// Julian day number of 1970-01-01 (Gregorian).
const UNIX_EPOCH_JDN: i128 = 2_440_588;

const CUM_DAYS: [i128; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const CUM_DAYS_LEAP: [i128; 13] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];
const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_DAYS_LEAP: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// A CF calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Calendar {
    /// Mixed Julian/Gregorian (`standard`, `gregorian`), no year 0.
    Standard,
    /// Gregorian rules for all dates, with year 0 (`proleptic_gregorian`).
    ProlepticGregorian,
    /// 365 days every year (`noleap`, `365_day`).
    NoLeap,
    /// 366 days every year (`all_leap`, `366_day`).
    AllLeap,
    /// Twelve 30-day months (`360_day`).
    Day360,
    /// Julian rules for all dates, no year 0 (`julian`).
    Julian,
}

impl Calendar {
    /// All calendars, in declaration order.
    pub const ALL: [Calendar; 6] = [
        Calendar::Standard,
        Calendar::ProlepticGregorian,
        Calendar::NoLeap,
        Calendar::AllLeap,
        Calendar::Day360,
        Calendar::Julian,
    ];

    /// Parses a CF `calendar` attribute (case-insensitive, surrounding whitespace ignored):
    /// `standard`, `gregorian`, `proleptic_gregorian`, `noleap`, `365_day`, `all_leap`,
    /// `366_day`, `360_day` or `julian`.
    pub fn from_cf(name: &str) -> Result<Calendar, TimeError> {
        match name.trim().to_lowercase().as_str() {
            "standard" | "gregorian" => Ok(Calendar::Standard),
            "proleptic_gregorian" => Ok(Calendar::ProlepticGregorian),
            "noleap" | "365_day" => Ok(Calendar::NoLeap),
            "all_leap" | "366_day" => Ok(Calendar::AllLeap),
            "360_day" => Ok(Calendar::Day360),
            "julian" => Ok(Calendar::Julian),
            _ => Err(TimeError::UnsupportedCalendar(name.to_string())),
        }
    }

    /// Canonical CF name (the one cftime reports as `datetime.calendar`).
    pub fn cf_name(self) -> &'static str {
        match self {
            Calendar::Standard => "standard",
            Calendar::ProlepticGregorian => "proleptic_gregorian",
            Calendar::NoLeap => "noleap",
            Calendar::AllLeap => "all_leap",
            Calendar::Day360 => "360_day",
            Calendar::Julian => "julian",
        }
    }

    /// Whether the calendar has a year 0 (cftime's `has_year_zero` default).
    pub fn has_year_zero(self) -> bool {
        !matches!(self, Calendar::Standard | Calendar::Julian)
    }

    /// Whether `year` is a leap year (like `cftime.is_leap_year`). In `standard` the
    /// Julian rule applies up to 1581 and the Gregorian rule from 1582 on; without a
    /// year 0, years -1, -5, -9, ... are leap years. Year 0 of `standard`/`julian`
    /// does not exist and is reported as not leap. `360_day` has no leap years.
    pub fn is_leap(self, year: i64) -> bool {
        match self {
            Calendar::ProlepticGregorian => gregorian_leap(i128::from(year)),
            Calendar::Julian => year != 0 && julian_leap(astronomical(year)),
            Calendar::Standard => {
                if year > 1581 {
                    gregorian_leap(i128::from(year))
                } else {
                    year != 0 && julian_leap(astronomical(year))
                }
            }
            Calendar::AllLeap => true,
            Calendar::NoLeap | Calendar::Day360 => false,
        }
    }

    /// Number of the last day of `month` (1-12) in `year`, like cftime's `daysinmonth`;
    /// 0 for a month outside 1-12. (October 1582 of `standard` reports 31 although
    /// only 21 of its days exist.)
    pub fn days_in_month(self, year: i64, month: u32) -> u32 {
        if !(1..=12).contains(&month) {
            return 0;
        }
        let idx = (month - 1) as usize;
        match self {
            Calendar::Day360 => 30,
            _ if self.is_leap(year) => MONTH_DAYS_LEAP[idx],
            _ => MONTH_DAYS[idx],
        }
    }

    /// Number of days that exist in `year`: 360, 365 or 366, and 355 for 1582 in
    /// `standard` (the ten skipped days are not counted).
    pub fn days_in_year(self, year: i64) -> u32 {
        match self {
            Calendar::Day360 => 360,
            Calendar::Standard if year == 1582 => 355,
            _ if self.is_leap(year) => 366,
            _ => 365,
        }
    }

    /// Whether `dt` exists in this calendar, with cftime's rules: year within a C `int`,
    /// no year 0 in `standard`/`julian`, month 1-12, day within the month (no
    /// 1582-10-05..14 in `standard`), hour 0-23, minute and second 0-59,
    /// microsecond 0-999999.
    pub fn is_valid(self, dt: &DateTime) -> bool {
        if dt.year < i64::from(i32::MIN) || dt.year > i64::from(i32::MAX) {
            return false;
        }
        if dt.year == 0 && !self.has_year_zero() {
            return false;
        }
        if !(1..=12).contains(&dt.month) || dt.day < 1 || dt.day > self.days_in_month(dt.year, dt.month) {
            return false;
        }
        if self == Calendar::Standard && dt.year == 1582 && dt.month == 10 && (5..=14).contains(&dt.day) {
            return false;
        }
        dt.hour < 24 && dt.minute < 60 && dt.second < 60 && dt.microsecond < 1_000_000
    }

    /// Serial day number of a date: consecutive days differ by exactly 1. The origin is
    /// cftime's `toordinal()`: the Julian day number for `standard`, `julian` and
    /// `proleptic_gregorian`, and days since 0000-01-01 for the idealized calendars.
    /// Only meaningful for valid dates; out-of-range months and days are extrapolated
    /// (month 13 is January of the next year, day 0 the day before day 1). Saturates at
    /// the `i64` limits.
    pub fn day_number(self, year: i64, month: u32, day: u32) -> i64 {
        saturate_i64(self.day_number_wide(i128::from(year), month, day))
    }

    /// Inverse of [`Calendar::day_number`]: `(year, month, day)` of a serial day number.
    pub fn from_day_number(self, n: i64) -> (i64, u32, u32) {
        let (y, m, d) = self.ymd_of_day_number(i128::from(n));
        (saturate_i64(y), m, d)
    }

    /// Adds a number of days to `dt` (time of day unchanged), skipping the days that
    /// do not exist in this calendar. Saturates at the extremes of the year range.
    pub fn add_days(self, dt: &DateTime, days: i64) -> DateTime {
        let n = self.day_number_wide(i128::from(dt.year), dt.month, dt.day) + i128::from(days);
        let (y, m, d) = self.ymd_of_day_number(n);
        DateTime { year: saturate_i64(y), month: m, day: d, ..*dt }
    }

    /// Adds a (possibly negative) number of microseconds to `dt`, like
    /// `cftime.datetime + timedelta`. Saturates at the extremes of the year range.
    pub fn add_microseconds(self, dt: &DateTime, microseconds: i64) -> DateTime {
        self.from_microseconds(self.to_microseconds(dt) + i128::from(microseconds))
    }

    /// Microseconds since the origin of [`Calendar::day_number`] (00:00 of day 0).
    /// The difference of two such values is the exact elapsed time between two dates.
    pub fn to_microseconds(self, dt: &DateTime) -> i128 {
        let days = self.day_number_wide(i128::from(dt.year), dt.month, dt.day);
        let tod = ((i128::from(dt.hour) * 60 + i128::from(dt.minute)) * 60 + i128::from(dt.second)) * 1_000_000
            + i128::from(dt.microsecond);
        days * US_PER_DAY + tod
    }

    /// Inverse of [`Calendar::to_microseconds`]. Saturates at the extremes of the year range.
    pub fn from_microseconds(self, microseconds: i128) -> DateTime {
        let days = microseconds.div_euclid(US_PER_DAY);
        let tod = microseconds.rem_euclid(US_PER_DAY);
        let (y, m, d) = self.ymd_of_day_number(days);
        let secs = tod / 1_000_000;
        DateTime {
            year: saturate_i64(y),
            month: m,
            day: d,
            hour: (secs / 3600) as u32,
            minute: (secs / 60 % 60) as u32,
            second: (secs % 60) as u32,
            microsecond: (tod % 1_000_000) as u32,
        }
    }

    fn day_number_wide(self, year: i128, month: u32, day: u32) -> i128 {
        let mi = i128::from(month) - 1;
        let y = year + mi.div_euclid(12);
        let m = (mi.rem_euclid(12) + 1) as u32;
        let idx = (m - 1) as usize;
        let d = i128::from(day);
        match self {
            Calendar::Day360 => y * 360 + i128::from(m - 1) * 30 + d - 1,
            Calendar::NoLeap => y * 365 + CUM_DAYS[idx] + d - 1,
            Calendar::AllLeap => y * 366 + CUM_DAYS_LEAP[idx] + d - 1,
            Calendar::ProlepticGregorian => gregorian_jdn(y, m, d),
            Calendar::Julian => julian_jdn(astronomical_wide(y), m, d),
            Calendar::Standard => {
                let a = astronomical_wide(y);
                let j = julian_jdn(a, m, d);
                if j < GREGORIAN_START_JDN {
                    j
                } else {
                    gregorian_jdn(a, m, d)
                }
            }
        }
    }

    fn ymd_of_day_number(self, n: i128) -> (i128, u32, u32) {
        match self {
            Calendar::Day360 => {
                let y = n.div_euclid(360);
                let doy = n.rem_euclid(360);
                (y, (doy / 30 + 1) as u32, (doy % 30 + 1) as u32)
            }
            Calendar::NoLeap => {
                let (m, d) = month_day_from_doy(n.rem_euclid(365), &CUM_DAYS);
                (n.div_euclid(365), m, d)
            }
            Calendar::AllLeap => {
                let (m, d) = month_day_from_doy(n.rem_euclid(366), &CUM_DAYS_LEAP);
                (n.div_euclid(366), m, d)
            }
            Calendar::ProlepticGregorian => gregorian_from_jdn(n),
            Calendar::Julian => {
                let (y, m, d) = julian_from_jdn(n);
                (historic(y), m, d)
            }
            Calendar::Standard => {
                let (y, m, d) = if n < GREGORIAN_START_JDN { julian_from_jdn(n) } else { gregorian_from_jdn(n) };
                (historic(y), m, d)
            }
        }
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cf_name())
    }
}

impl std::str::FromStr for Calendar {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Calendar, TimeError> {
        Calendar::from_cf(s)
    }
}

fn saturate_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

fn gregorian_leap(y: i128) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn julian_leap(astro_year: i128) -> bool {
    astro_year % 4 == 0
}

/// Historic year (no year 0) to astronomical year (year 0 = 1 BC).
fn astronomical(year: i64) -> i128 {
    astronomical_wide(i128::from(year))
}

fn astronomical_wide(year: i128) -> i128 {
    if year < 0 {
        year + 1
    } else {
        year
    }
}

/// Astronomical year to historic year (no year 0).
fn historic(astro_year: i128) -> i128 {
    if astro_year <= 0 {
        astro_year - 1
    } else {
        astro_year
    }
}

fn month_day_from_doy(doy: i128, cum: &[i128; 13]) -> (u32, u32) {
    for m in 1..=12usize {
        if doy < cum[m] {
            return (m as u32, (doy - cum[m - 1] + 1) as u32);
        }
    }
    (12, (doy - cum[11] + 1) as u32)
}

/// Day of a March-based year (March 1 = 0) for month `m` (1-12) and day `d`.
fn march_doy(m: u32, d: i128) -> i128 {
    let mp = (i128::from(m) + 9) % 12;
    (153 * mp + 2) / 5 + d - 1
}

fn gregorian_jdn(y: i128, m: u32, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + march_doy(m, d);
    era * 146_097 + doe - 719_468 + UNIX_EPOCH_JDN
}

fn julian_jdn(y: i128, m: u32, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(4);
    let yoe = y - era * 4;
    era * 1461 + yoe * 365 + march_doy(m, d) + JULIAN_JDN_OFFSET
}

fn month_day_from_march_doy(doy: i128) -> (u32, u32) {
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (m as u32, d as u32)
}

fn gregorian_from_jdn(n: i128) -> (i128, u32, u32) {
    let z = n - UNIX_EPOCH_JDN + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let (m, d) = month_day_from_march_doy(doy);
    (yoe + era * 400 + i128::from(m <= 2), m, d)
}

fn julian_from_jdn(n: i128) -> (i128, u32, u32) {
    let z = n - JULIAN_JDN_OFFSET;
    let era = z.div_euclid(1461);
    let doe = z - era * 1461;
    let yoe = (doe - doe / 1460) / 365;
    let doy = doe - 365 * yoe;
    let (m, d) = month_day_from_march_doy(doy);
    (yoe + era * 4 + i128::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_names() {
        for (name, want) in [
            ("standard", Calendar::Standard),
            ("GREGORIAN", Calendar::Standard),
            (" proleptic_gregorian ", Calendar::ProlepticGregorian),
            ("noleap", Calendar::NoLeap),
            ("365_day", Calendar::NoLeap),
            ("All_Leap", Calendar::AllLeap),
            ("366_day", Calendar::AllLeap),
            ("360_day", Calendar::Day360),
            ("julian\n", Calendar::Julian),
        ] {
            assert_eq!(Calendar::from_cf(name), Ok(want));
            assert_eq!(Calendar::from_cf(want.cf_name()), Ok(want));
            assert_eq!(want.to_string(), want.cf_name());
        }
        for bad in ["foo", "", "none", "tai", "utc", "360"] {
            assert!(Calendar::from_cf(bad).is_err(), "{bad}");
        }
        assert_eq!(Calendar::from_cf("foo").unwrap_err().to_string(), "unsupported calendar 'foo'");
        assert_eq!("noleap".parse::<Calendar>(), Ok(Calendar::NoLeap));
    }

    #[test]
    fn day_numbers_are_consecutive_and_invertible() {
        for c in Calendar::ALL {
            // Windows around year 0, the 1582 reform, century years and far-away dates.
            for (y0, y1) in [
                (-2001, -1995),
                (-405, -395),
                (-6, 6),
                (1499, 1501),
                (1580, 1605),
                (1699, 1701),
                (1896, 1904),
                (1996, 2104),
                (-250_001, -249_999),
                (199_999, 200_001),
            ] {
                let start = c.day_number(y0, 1, 1);
                let end = c.day_number(y1, 1, 1);
                let mut prev = c.from_day_number(start);
                assert_eq!(prev, (y0, 1, 1), "{c}");
                for n in start + 1..end {
                    let ymd = c.from_day_number(n);
                    let dt = DateTime::new(ymd.0, ymd.1, ymd.2, 0, 0, 0);
                    assert!(c.is_valid(&dt), "{c}: {n} -> {ymd:?}");
                    assert_eq!(c.day_number(ymd.0, ymd.1, ymd.2), n, "{c}: {ymd:?}");
                    assert!(ymd > prev, "{c}: {ymd:?} after {prev:?}");
                    assert_eq!(
                        c.add_days(&DateTime::new(prev.0, prev.1, prev.2, 1, 2, 3), 1),
                        DateTime::new(ymd.0, ymd.1, ymd.2, 1, 2, 3)
                    );
                    prev = ymd;
                }
                assert_eq!(c.from_day_number(end), (y1, 1, 1), "{c}");
            }
            // Number of days per year agrees with days_in_year (where the year exists).
            for y in [-5, -4, -1, 1, 4, 100, 1500, 1582, 1583, 1700, 1900, 2000, 2001] {
                if !c.has_year_zero() && y == -1 {
                    assert_eq!(c.day_number(1, 1, 1) - c.day_number(-1, 1, 1), i64::from(c.days_in_year(-1)));
                    continue;
                }
                let next = if y == -1 && !c.has_year_zero() { 1 } else { y + 1 };
                assert_eq!(c.day_number(next, 1, 1) - c.day_number(y, 1, 1), i64::from(c.days_in_year(y)), "{c} {y}");
            }
        }
    }

    #[test]
    fn calendar_rules() {
        let s = Calendar::Standard;
        assert_eq!(s.add_days(&DateTime::new(1582, 10, 4, 6, 0, 0), 1), DateTime::new(1582, 10, 15, 6, 0, 0));
        assert_eq!(s.add_days(&DateTime::new(1582, 10, 15, 0, 0, 0), -1), DateTime::new(1582, 10, 4, 0, 0, 0));
        assert_eq!(s.add_days(&DateTime::new(1, 1, 1, 0, 0, 0), -1), DateTime::new(-1, 12, 31, 0, 0, 0));
        assert_eq!(
            Calendar::ProlepticGregorian.add_days(&DateTime::new(1, 1, 1, 0, 0, 0), -1),
            DateTime::new(0, 12, 31, 0, 0, 0)
        );
        assert_eq!(
            Calendar::Day360.add_days(&DateTime::new(2000, 2, 30, 0, 0, 0), 1),
            DateTime::new(2000, 3, 1, 0, 0, 0)
        );
        assert_eq!(s.days_in_year(1582), 355);
        assert_eq!(s.days_in_month(1582, 10), 31);
        assert_eq!(s.days_in_month(2000, 13), 0);
        assert!(s.is_leap(1500) && !Calendar::ProlepticGregorian.is_leap(1500));
        assert!(Calendar::Julian.is_leap(-1) && !Calendar::ProlepticGregorian.is_leap(-1));
        assert!(!s.is_valid(&DateTime::new(2000, 1, 1, 24, 0, 0)));
        assert!(!s.is_valid(&DateTime::new(2000, 1, 1, 0, 0, 0).with_microsecond(1_000_000)));
        assert!(!s.is_valid(&DateTime::new(i64::from(i32::MAX) + 1, 1, 1, 0, 0, 0)));
        assert_eq!(
            s.add_microseconds(&DateTime::new(1999, 12, 31, 23, 59, 59), 1_000_001),
            DateTime::new(2000, 1, 1, 0, 0, 0).with_microsecond(1)
        );
        let a = DateTime::new(2000, 3, 1, 0, 0, 0);
        let b = DateTime::new(2000, 2, 28, 0, 0, 0);
        assert_eq!(s.to_microseconds(&a) - s.to_microseconds(&b), 2 * US_PER_DAY);
        assert_eq!(Calendar::NoLeap.to_microseconds(&a) - Calendar::NoLeap.to_microseconds(&b), US_PER_DAY);
    }
}
