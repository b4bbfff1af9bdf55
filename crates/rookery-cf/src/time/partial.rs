//! [`PartialDateTime`]: partial ISO date strings such as `"2000-03"` (clisops/xarray time
//! parameters) with the start/end semantics of xarray's partial-string indexing in any
//! calendar.

use super::{Calendar, DateTime, TimeError};

/// A possibly-partial ISO date such as "2000", "2000-03", "2000-03-01", "2000-03-01T12",
/// "2000-03-01T12:30", "2000-03-01 12:30:00", "2085-01-01T12:00:00Z" (trailing Z stripped),
/// with 1-2 digit fields accepted ("2000-3-1").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDateTime {
    /// Year (optionally signed).
    pub year: i64,
    /// Month, 1-12.
    pub month: Option<u32>,
    /// Day, 1-31.
    pub day: Option<u32>,
    /// Hour, 0-23.
    pub hour: Option<u32>,
    /// Minute, 0-59.
    pub minute: Option<u32>,
    /// Second, 0-59.
    pub second: Option<u32>,
}

impl PartialDateTime {
    /// Parses a partial ISO date. Fields must appear in order without gaps; the
    /// date/time separator is `T` or a space; a fraction of a second is accepted only if
    /// it is zero (`"...:00.000"`). Checks plain ranges (month 1-12, day 1-31, hour 0-23,
    /// minute and second 0-59) but not calendar validity.
    pub fn parse(s: &str) -> Result<PartialDateTime, TimeError> {
        let err = |reason: &str| TimeError::InvalidDateString { input: s.to_string(), reason: reason.to_string() };
        let t = s.trim();
        let t = t.strip_suffix('Z').unwrap_or(t);
        let b = t.as_bytes();
        let mut p = 0;
        let negative = matches!(b.first(), Some(b'-'));
        if matches!(b.first(), Some(b'-') | Some(b'+')) {
            p = 1;
        }
        let start = p;
        while b.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        if p == start {
            return Err(err("expected a year"));
        }
        let year = t[start..p]
            .parse::<i64>()
            .ok()
            .map(|y| if negative { -y } else { y })
            .filter(|y| *y >= i64::from(i32::MIN) && *y <= i64::from(i32::MAX))
            .ok_or_else(|| err("year out of range"))?;
        // 1-2 digit field after `sep`, if `sep` is next.
        let field = |p: &mut usize, seps: &[u8], name: &str| -> Result<Option<u32>, TimeError> {
            match b.get(*p) {
                Some(c) if seps.contains(c) => {}
                _ => return Ok(None),
            }
            let s0 = *p + 1;
            let mut e = s0;
            while b.get(e).is_some_and(u8::is_ascii_digit) && e - s0 < 2 {
                e += 1;
            }
            if e == s0 {
                return Err(err(&format!("expected 1-2 digit {name}")));
            }
            *p = e;
            Ok(t[s0..e].parse::<u32>().ok())
        };
        let month = field(&mut p, b"-", "month")?;
        let day = if month.is_some() { field(&mut p, b"-", "day")? } else { None };
        let hour = if day.is_some() { field(&mut p, b"T ", "hour")? } else { None };
        let minute = if hour.is_some() { field(&mut p, b":", "minute")? } else { None };
        let second = if minute.is_some() { field(&mut p, b":", "second")? } else { None };
        if second.is_some() && matches!(b.get(p), Some(b'.') | Some(b',')) {
            let s0 = p + 1;
            let mut e = s0;
            while b.get(e).is_some_and(u8::is_ascii_digit) {
                e += 1;
            }
            if e == s0 {
                return Err(err("expected digits after the decimal point"));
            }
            if b[s0..e].iter().any(|c| *c != b'0') {
                return Err(err("fractional seconds are not supported"));
            }
            p = e;
        }
        if p != b.len() {
            return Err(err("unexpected text after the date"));
        }
        let check = |v: Option<u32>, lo: u32, hi: u32, name: &str| -> Result<(), TimeError> {
            match v {
                Some(x) if x < lo || x > hi => Err(err(&format!("{name} {x} out of range {lo}-{hi}"))),
                _ => Ok(()),
            }
        };
        check(month, 1, 12, "month")?;
        check(day, 1, 31, "day")?;
        check(hour, 0, 23, "hour")?;
        check(minute, 0, 59, "minute")?;
        check(second, 0, 59, "second")?;
        Ok(PartialDateTime { year, month, day, hour, minute, second })
    }

    /// Start of the period: missing fields take their minimum (month 1, day 1, 00:00:00.000000).
    pub fn first(&self) -> DateTime {
        DateTime {
            year: self.year,
            month: self.month.unwrap_or(1),
            day: self.day.unwrap_or(1),
            hour: self.hour.unwrap_or(0),
            minute: self.minute.unwrap_or(0),
            second: self.second.unwrap_or(0),
            microsecond: 0,
        }
    }

    /// End of the period in `cal` (xarray partial-string indexing): missing fields take
    /// their maximum (month 12, last day of the month in that calendar, 23:59:59) and the
    /// microsecond is always 999999. `"2000-02"` in `noleap` ends at 2000-02-28T23:59:59.999999.
    pub fn last(&self, cal: Calendar) -> DateTime {
        let month = self.month.unwrap_or(12);
        let day = self.day.unwrap_or_else(|| cal.days_in_month(self.year, month));
        DateTime {
            year: self.year,
            month,
            day,
            hour: self.hour.unwrap_or(23),
            minute: self.minute.unwrap_or(59),
            second: self.second.unwrap_or(59),
            microsecond: 999_999,
        }
    }

    /// Whether year, month and day are all present.
    pub fn is_complete_date(&self) -> bool {
        self.month.is_some() && self.day.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_datetime() {
        let p = PartialDateTime::parse("2000").unwrap();
        assert_eq!((p.year, p.month, p.day, p.hour), (2000, None, None, None));
        assert!(!p.is_complete_date());
        assert_eq!(p.first(), DateTime::new(2000, 1, 1, 0, 0, 0));
        assert_eq!(p.last(Calendar::Standard), DateTime::new(2000, 12, 31, 23, 59, 59).with_microsecond(999_999));
        assert_eq!(p.last(Calendar::Day360), DateTime::new(2000, 12, 30, 23, 59, 59).with_microsecond(999_999));

        let p = PartialDateTime::parse("2000-02").unwrap();
        let ends = [
            (Calendar::Standard, 29),
            (Calendar::ProlepticGregorian, 29),
            (Calendar::NoLeap, 28),
            (Calendar::AllLeap, 29),
            (Calendar::Day360, 30),
            (Calendar::Julian, 29),
        ];
        for (c, d) in ends {
            assert_eq!(p.first(), DateTime::new(2000, 2, 1, 0, 0, 0));
            assert_eq!(p.last(c), DateTime::new(2000, 2, d, 23, 59, 59).with_microsecond(999_999), "{c}");
        }
        let p = PartialDateTime::parse("1900-2").unwrap();
        assert_eq!(p.last(Calendar::Standard).day, 28);
        assert_eq!(p.last(Calendar::Julian).day, 29);
        assert_eq!(p.last(Calendar::AllLeap).day, 29);

        let p = PartialDateTime::parse("2000-3-1").unwrap();
        assert!(p.is_complete_date());
        assert_eq!(p.first(), DateTime::new(2000, 3, 1, 0, 0, 0));
        assert_eq!(p.last(Calendar::NoLeap), DateTime::new(2000, 3, 1, 23, 59, 59).with_microsecond(999_999));

        let p = PartialDateTime::parse("2000-03-01T12").unwrap();
        assert_eq!(p.first(), DateTime::new(2000, 3, 1, 12, 0, 0));
        assert_eq!(p.last(Calendar::Day360), DateTime::new(2000, 3, 1, 12, 59, 59).with_microsecond(999_999));
        let p = PartialDateTime::parse("2000-03-01T12:30").unwrap();
        assert_eq!(p.last(Calendar::Julian), DateTime::new(2000, 3, 1, 12, 30, 59).with_microsecond(999_999));
        let p = PartialDateTime::parse("2000-03-01 12:30:00").unwrap();
        assert_eq!(p.first(), DateTime::new(2000, 3, 1, 12, 30, 0));
        assert_eq!(p.last(Calendar::AllLeap), DateTime::new(2000, 3, 1, 12, 30, 0).with_microsecond(999_999));
        let p = PartialDateTime::parse(" 2085-01-01T12:00:00Z ").unwrap();
        assert_eq!(p.first(), DateTime::new(2085, 1, 1, 12, 0, 0));
        assert_eq!(PartialDateTime::parse("2085-01-01T12:00:00.000").unwrap(), p);
        // Calendar validity is not checked at parse time.
        let p = PartialDateTime::parse("2000-02-31").unwrap();
        assert_eq!(p.last(Calendar::Day360).day, 31);
        assert!(!Calendar::Standard.is_valid(&p.first()));
        assert!(Calendar::Day360.is_valid(&PartialDateTime::parse("2000-02-30").unwrap().first()));
        let p = PartialDateTime::parse("-0100-06").unwrap();
        assert_eq!((p.year, p.month), (-100, Some(6)));

        for bad in [
            "",
            "Z",
            "abc",
            "2000-",
            "2000-13",
            "2000-00",
            "2000-01-32",
            "2000-01-00",
            "2000-01-01T24",
            "2000-01-01T12:60",
            "2000-01-01T12:00:60",
            "2000-01-01T12:00:00.5",
            "2000-01-01X12",
            "2000/01/01",
            "2000-01-01T",
            "2000-001-01",
            "2000-01-01 12:00 extra",
            "99999999999",
        ] {
            let e = PartialDateTime::parse(bad).expect_err(bad);
            assert!(e.to_string().starts_with(&format!("cannot parse date '{bad}'")), "{e}");
        }
    }
}
