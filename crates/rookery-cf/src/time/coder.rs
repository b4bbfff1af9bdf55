//! [`TimeCoder`]: converting numeric CF time values to dates (`cftime.num2date`) and back
//! (`cftime.date2num`), bit for bit like cftime on x86-64: decoding emulates its
//! `np.longdouble` scaling and rounding rules, encoding returns the correctly rounded
//! quotient exactly as Python's `timedelta / timedelta`.

use super::{Calendar, DateTime, TimeError, TimeUnit, TimeUnits};

/// Rounding of `value` × `factor` to integer microseconds exactly as cftime 1.6
/// `num2date` does on x86-64: the product is formed in `np.longdouble` (64-bit
/// significand, round-half-even), range-checked against int64, rounded with `np.rint`;
/// for units of a second or longer a result ending in ...000001 µs is replaced by the
/// floor and one ending in ...999999 µs by the ceiling (cftime issue #187).
/// Returns `None` when cftime raises (out of int64 range, or NaT).
fn cftime_scaled_micros(value: f64, factor: i64, snap_to_seconds: bool) -> Option<i64> {
    if !value.is_finite() || factor <= 0 {
        return None;
    }
    let bits = value.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let frac_bits = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if exp_bits == 0 { (frac_bits, -1074) } else { (frac_bits | (1u64 << 52), exp_bits - 1075) };
    if mant == 0 {
        return Some(0);
    }
    // Exact product, then round to a 64-bit significand (x87 extended precision).
    let product = u128::from(mant) * factor as u128;
    let bitlen = 128 - product.leading_zeros() as i32;
    let (mut q, mut e) = (product, exp);
    if bitlen > 64 {
        let sh = (bitlen - 64) as u32;
        let rem = product & ((1u128 << sh) - 1);
        let half = 1u128 << (sh - 1);
        q = product >> sh;
        e += sh as i32;
        if rem > half || (rem == half && q & 1 == 1) {
            q += 1;
            if q == 1u128 << 64 {
                q >>= 1;
                e += 1;
            }
        }
    }
    // |x| = q * 2^e: split into integer part and a fraction classification.
    #[derive(PartialEq)]
    enum Frac {
        Zero,
        Below,
        Half,
        Above,
    }
    let (int_part, frac) = if e >= 0 {
        if e >= 64 {
            return None; // >= 2^64: outside int64
        }
        (q << e, Frac::Zero)
    } else {
        let k = -e;
        if k >= 128 {
            (0, Frac::Below)
        } else {
            let k = k as u32;
            let mask = (1u128 << k) - 1;
            let f = q & mask;
            let half = 1u128 << (k - 1);
            let class = if f == 0 {
                Frac::Zero
            } else if f < half {
                Frac::Below
            } else if f == half {
                Frac::Half
            } else {
                Frac::Above
            };
            (q >> k, class)
        }
    };
    // cftime: raise if num < INT64_MIN or num > INT64_MAX (exact longdouble comparison).
    let limit: u128 = if negative { 1u128 << 63 } else { (1u128 << 63) - 1 };
    if int_part > limit || (int_part == limit && frac != Frac::Zero) {
        return None;
    }
    let ip = int_part as i128;
    let has_frac = i128::from(frac != Frac::Zero);
    let rint_mag = ip + i128::from(frac == Frac::Above || (frac == Frac::Half && ip & 1 == 1));
    let (rint, floor, ceil) = if negative { (-rint_mag, -(ip + has_frac), -ip) } else { (rint_mag, ip, ip + has_frac) };
    let mut r = rint;
    if snap_to_seconds {
        if r.rem_euclid(1_000_000) == 1 {
            r = floor;
        }
        if r.rem_euclid(1_000_000) == 999_999 {
            r = ceil;
        }
    }
    // A value of INT64_MIN is NaT in numpy's timedelta64 and cannot be decoded.
    i64::try_from(r).ok().filter(|v| *v != i64::MIN)
}

/// Correctly rounded (round-half-even) `num / den` as `f64`, for `den > 0`; this is what
/// Python's `timedelta / timedelta` (and `int / int`) returns.
fn div_round_f64(num: i128, den: i128) -> f64 {
    if num == 0 || den <= 0 {
        return 0.0;
    }
    let negative = num < 0;
    let n = num.unsigned_abs();
    let d = den.unsigned_abs();
    let nb = 128 - n.leading_zeros() as i32;
    let db = 128 - d.leading_zeros() as i32;
    // Scale so that the integer quotient has 55 or 56 bits.
    let s = 55 - (nb - db);
    let (nn, dd) = if s >= 0 {
        match n.checked_shl(s as u32).filter(|v| v >> s == n) {
            Some(v) => (v, d),
            None => return if negative { f64::MIN } else { f64::MAX },
        }
    } else {
        match d.checked_shl((-s) as u32).filter(|v| v >> (-s) == d) {
            Some(v) => (n, v),
            None => return if negative { f64::MIN } else { f64::MAX },
        }
    };
    let mut q = nn / dd;
    let sticky = nn % dd != 0;
    let qb = 128 - q.leading_zeros() as i32;
    let mut extra = qb - 53;
    let mut shift_exp = extra - s;
    if extra > 0 {
        let rem = q & ((1u128 << extra) - 1);
        let half = 1u128 << (extra - 1);
        let mut m = q >> extra;
        if rem > half || (rem == half && (sticky || m & 1 == 1)) {
            m += 1;
            if m == 1u128 << 53 {
                m >>= 1;
                extra += 1;
                shift_exp = extra - s;
            }
        }
        q = m;
    }
    let mag = (q as f64) * pow2(shift_exp);
    if negative {
        -mag
    } else {
        mag
    }
}

/// 2^k as f64 (exact for the exponents used here).
fn pow2(k: i32) -> f64 {
    if k > 1023 {
        f64::INFINITY
    } else if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        // Subnormal range: two steps keep it exact where representable.
        f64::from_bits(1u64 << 52) * pow2(k + 1022)
    }
}

/// Converts numeric CF time values to dates and back, for one units string and calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeCoder {
    /// Parsed units.
    pub units: TimeUnits,
    /// Calendar.
    pub calendar: Calendar,
}

impl TimeCoder {
    /// Builds a coder from a CF `units` attribute and optional `calendar` attribute
    /// (`None` means `standard`, the CF default). Fails like cftime on unknown calendars
    /// or units, `months` outside `360_day`, `common_years` outside `noleap`, and
    /// reference dates that do not exist in the calendar (year 0 in `standard`/`julian`,
    /// 02-29 in `noleap`, day 31 in `360_day`, ...).
    pub fn new(units: &str, calendar: Option<&str>) -> Result<TimeCoder, TimeError> {
        let calendar = match calendar {
            Some(name) => Calendar::from_cf(name)?,
            None => Calendar::Standard,
        };
        let units = TimeUnits::parse(units)?;
        units.unit.check_calendar(calendar)?;
        units.epoch_utc(calendar)?;
        Ok(TimeCoder { units, calendar })
    }

    /// The reference date in UTC (time-zone offset applied), see [`TimeUnits::epoch_utc`].
    pub fn epoch_utc(&self) -> Result<DateTime, TimeError> {
        self.units.epoch_utc(self.calendar)
    }

    /// Decodes one value like `cftime.num2date(value, units, calendar)`, rounded to the
    /// microsecond exactly as cftime does. NaN/infinite values and values whose offset
    /// from the reference date does not fit in 64-bit microseconds are errors.
    pub fn decode(&self, value: f64) -> Result<DateTime, TimeError> {
        if !value.is_finite() {
            return Err(TimeError::NonFinite(value));
        }
        self.units.unit.check_calendar(self.calendar)?;
        let epoch = self.epoch_utc()?;
        let unit = self.units.unit;
        let snap = !matches!(unit, TimeUnit::Microseconds | TimeUnit::Milliseconds);
        let out_of_range = || TimeError::OutOfRange { value, units: self.units_string() };
        let delta = cftime_scaled_micros(value, unit.microseconds(), snap).ok_or_else(out_of_range)?;
        let dt = self.calendar.from_microseconds(self.calendar.to_microseconds(&epoch) + i128::from(delta));
        if dt.year < i64::from(i32::MIN) || dt.year > i64::from(i32::MAX) {
            return Err(out_of_range());
        }
        Ok(dt)
    }

    /// Decodes many values (see [`TimeCoder::decode`]); stops at the first error.
    pub fn decode_all(&self, values: &[f64]) -> Result<Vec<DateTime>, TimeError> {
        values.iter().map(|v| self.decode(*v)).collect()
    }

    /// Encodes a date like `cftime.date2num(dt, units, calendar)`: the elapsed time since
    /// the reference date divided by the unit, correctly rounded to `f64`. Fails if `dt`
    /// does not exist in the calendar.
    pub fn encode(&self, dt: &DateTime) -> Result<f64, TimeError> {
        self.units.unit.check_calendar(self.calendar)?;
        if !self.calendar.is_valid(dt) {
            return Err(TimeError::InvalidDate { date: dt.describe(), calendar: self.calendar.cf_name() });
        }
        let epoch = self.epoch_utc()?;
        let elapsed = self.calendar.to_microseconds(dt) - self.calendar.to_microseconds(&epoch);
        Ok(div_round_f64(elapsed, i128::from(self.units.unit.microseconds())))
    }

    /// Canonical units string to write back, e.g. `"days since 1850-01-01 00:00:00"`
    /// (see [`TimeUnits::to_cf_string`]). Callers that need byte-identical output should
    /// keep the original attribute text.
    pub fn units_string(&self) -> String {
        self.units.to_cf_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coder_basics() {
        let c = TimeCoder::new("days since 1850-01-01", None).unwrap();
        assert_eq!(c.calendar, Calendar::Standard);
        assert_eq!(c.units_string(), "days since 1850-01-01 00:00:00");
        assert_eq!(c.decode(0.5).unwrap(), DateTime::new(1850, 1, 1, 12, 0, 0));
        assert_eq!(c.encode(&DateTime::new(1850, 1, 2, 0, 0, 0)), Ok(1.0));
        assert!(matches!(c.decode(f64::NAN), Err(TimeError::NonFinite(_))));
        assert!(matches!(c.decode(f64::INFINITY), Err(TimeError::NonFinite(_))));
        assert!(matches!(c.decode(1e300), Err(TimeError::OutOfRange { .. })));
        assert_eq!(
            c.decode(1e300).unwrap_err().to_string(),
            "time value 1e300 days since 1850-01-01 00:00:00 is out of range"
        );
        assert_eq!(c.decode_all(&[0.0, 31.0]).unwrap()[1], DateTime::new(1850, 2, 1, 0, 0, 0));
        let nl = TimeCoder::new("days since 2000-01-01", Some("noleap")).unwrap();
        assert_eq!(
            nl.encode(&DateTime::new(2001, 2, 29, 0, 0, 0)).unwrap_err().to_string(),
            "date 2001-02-29 does not exist in the noleap calendar"
        );
        assert_eq!(
            TimeCoder::new("days since 2000-12-31", Some("360_day")).unwrap_err().to_string(),
            "date 2000-12-31 does not exist in the 360_day calendar"
        );
        assert!(matches!(
            TimeCoder::new("months since 2000-01-01", Some("noleap")),
            Err(TimeError::UnitNotAllowed { .. })
        ));
        assert!(TimeCoder::new("months since 2000-01-01", Some("360_day")).is_ok());
        assert!(TimeCoder::new("common_years since 2000-01-01", Some("365_day")).is_ok());
        assert!(TimeCoder::new("days since 0000-01-01", Some("standard")).is_err());
        assert!(TimeCoder::new("days since 2000-01-01", Some("foo")).is_err());
        // Exactness for large values: integer microsecond arithmetic.
        let us = TimeCoder::new("microseconds since 1970-01-01", Some("proleptic_gregorian")).unwrap();
        let dt = us.decode(4_102_444_800_000_001.0).unwrap();
        assert_eq!(dt, DateTime::new(2100, 1, 1, 0, 0, 0).with_microsecond(1));
        assert_eq!(us.encode(&dt), Ok(4_102_444_800_000_001.0));
        // Time-zone offsets are applied in the calendar's own arithmetic.
        let tz = "hours since 2000-03-01 00:00:00+05:30";
        assert_eq!(
            TimeCoder::new(tz, Some("standard")).unwrap().epoch_utc().unwrap(),
            DateTime::new(2000, 2, 29, 18, 30, 0)
        );
        assert_eq!(
            TimeCoder::new(tz, Some("noleap")).unwrap().epoch_utc().unwrap(),
            DateTime::new(2000, 2, 28, 18, 30, 0)
        );
        assert_eq!(TimeCoder::new(tz, None).unwrap().units_string(), "hours since 2000-03-01 00:00:00+05:30");
    }

    #[test]
    fn rounding_helpers() {
        assert_eq!(div_round_f64(1, 3), 1.0 / 3.0);
        assert_eq!(div_round_f64(-2, 3), -2.0 / 3.0);
        assert_eq!(div_round_f64((1i128 << 60) + 1, 1), (1u64 << 60) as f64);
        // Ties to even beyond 2^53.
        assert_eq!(div_round_f64((1i128 << 53) + 1, 1), (1u64 << 53) as f64);
        assert_eq!(div_round_f64((1i128 << 53) + 3, 1), ((1u64 << 53) + 4) as f64);
        assert_eq!(div_round_f64(i128::MAX, 1), 2f64.powi(127));
        assert_eq!(cftime_scaled_micros(0.5e-6, 1_000_000, true), Some(0));
        assert_eq!(cftime_scaled_micros(1.5e-6, 1_000_000, true), Some(2));
        assert_eq!(cftime_scaled_micros(-1.5e-6, 1_000_000, true), Some(-2));
        assert_eq!(cftime_scaled_micros(1.0000006, 1_000_000, true), Some(1_000_000));
        assert_eq!(cftime_scaled_micros(1.0000006, 1_000_000, false), Some(1_000_001));
        assert_eq!(cftime_scaled_micros(9.2e18, 1, false), Some(9_200_000_000_000_000_000));
        assert_eq!(cftime_scaled_micros(-9_223_372_036_854_775_808.0, 1, false), None);
        assert_eq!(cftime_scaled_micros(9_223_372_036_854_775_808.0, 1, false), None);
        assert_eq!(cftime_scaled_micros(f64::MIN_POSITIVE, 86_400_000_000, true), Some(0));
    }
}
