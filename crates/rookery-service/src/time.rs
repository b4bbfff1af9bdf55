//! Wall-clock helpers: milliseconds since the Unix epoch, ISO 8601 formatting and parsing (UTC).

/// Milliseconds since 1970-01-01T00:00:00Z.
#[must_use]
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a time in ms.
#[must_use]
pub fn iso_seconds(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let r = secs.rem_euclid(86_400);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", r / 3600, (r / 60) % 60, r % 60)
}

/// Parses `YYYY[-MM[-DD[THH[:MM[:SS]]]]][Z]` as UTC; `end` fills missing parts with their
/// maximum (so `2024-06-30` as an end means the whole day). Returns ms.
#[must_use]
pub fn parse_iso(s: &str, end: bool) -> Option<i64> {
    let s = s.trim().trim_end_matches('Z');
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, ""));
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.trim().parse().ok()?;
    let mo: Option<u32> = dp.next().map(|x| x.parse().ok()).unwrap_or(None);
    let d: Option<u32> = dp.next().map(|x| x.parse().ok()).unwrap_or(None);
    let mut tp = time.split(':').filter(|x| !x.is_empty());
    let h: Option<i64> = tp.next().and_then(|x| x.parse().ok());
    let mi: Option<i64> = tp.next().and_then(|x| x.parse().ok());
    let se: Option<i64> = tp.next().and_then(|x| x.split('.').next()?.parse().ok());
    let mo_v = mo.unwrap_or(if end { 12 } else { 1 });
    if !(1..=12).contains(&mo_v) {
        return None;
    }
    let last_day = {
        let next = if mo_v == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, mo_v + 1, 1) };
        u32::try_from(next - days_from_civil(y, mo_v, 1)).ok()?
    };
    let d_v = d.unwrap_or(if end { last_day } else { 1 });
    if d_v < 1 || d_v > last_day {
        return None;
    }
    let secs = days_from_civil(y, mo_v, d_v) * 86_400
        + h.unwrap_or(if end { 23 } else { 0 }) * 3600
        + mi.unwrap_or(if end { 59 } else { 0 }) * 60
        + se.unwrap_or(if end { 59 } else { 0 });
    Some(secs * 1000 + if end { 999 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(iso_seconds(0), "1970-01-01T00:00:00Z");
        let t = parse_iso("2024-02-29T12:30:05Z", false).unwrap();
        assert_eq!(iso_seconds(t), "2024-02-29T12:30:05Z");
        assert_eq!(iso_seconds(parse_iso("2024-06", true).unwrap()), "2024-06-30T23:59:59Z");
        assert!(parse_iso("2023-02-29", false).is_none());
    }
}
