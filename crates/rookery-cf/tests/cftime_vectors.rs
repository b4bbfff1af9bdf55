//! rookery-cf's CF time handling against Python cftime: every vector in
//! `tests/data/cftime_vectors.tsv` (written by `tests/gen_time_vectors.py` with real cftime) must
//! be reproduced exactly — reference dates, `num2date`/`date2num` bit for bit, date validity,
//! ordinals, leap years and month lengths in all nine CF calendar spellings.

use rookery_cf::time::{Calendar, DateTime, TimeCoder};

/// Date fields (year, month, day, hour, minute, second, microsecond).
type Ymdhmsu = (i64, u32, u32, u32, u32, u32, u32);

/// The vector tables, read from the data file at run time.
#[derive(Default)]
struct Vectors {
    /// cftime version the vectors were generated with.
    cftime_version: String,
    /// Calendar names (indexed by the other tables).
    cals: Vec<String>,
    /// Units strings (indexed by the other tables).
    units: Vec<String>,
    /// (calendar, units, reference date after the UTC-offset shift, "" if cftime rejects it)
    epochs: Vec<(usize, usize, String)>,
    /// (calendar, units, value, num2date(value).isoformat() or "" if cftime raises, date2num of that date)
    decode: Vec<(usize, usize, f64, String, f64)>,
    /// (calendar, units, (y, m, d, h, mi, s, us), cftime date2num)
    encode: Vec<(usize, usize, Ymdhmsu, f64)>,
    /// (calendar, year, month, day, cftime.datetime(..., has_year_zero=<calendar default>) succeeds)
    valid: Vec<(usize, i64, u32, u32, bool)>,
    /// (calendar, year, month, day, cftime toordinal())
    ordinals: Vec<(usize, i64, u32, u32, i64)>,
    /// (calendar, year, cftime.is_leap_year)
    leap: Vec<(usize, i64, bool)>,
    /// (calendar, year, month, cftime daysinmonth)
    days_in_month: Vec<(usize, i64, u32, u32)>,
}

/// The fields of one record, parsed on demand; panics name the line.
struct Fields<'a> {
    line: usize,
    it: std::str::Split<'a, char>,
}

impl Fields<'_> {
    fn raw(&mut self) -> &str {
        let line = self.line;
        self.it.next().unwrap_or_else(|| panic!("cftime_vectors.tsv:{line}: too few fields"))
    }

    fn num<T: std::str::FromStr>(&mut self) -> T {
        let line = self.line;
        let f = self.raw();
        f.parse().unwrap_or_else(|_| panic!("cftime_vectors.tsv:{line}: bad number {f:?}"))
    }

    fn boolean(&mut self) -> bool {
        let line = self.line;
        match self.raw() {
            "true" => true,
            "false" => false,
            f => panic!("cftime_vectors.tsv:{line}: bad boolean {f:?}"),
        }
    }

    /// A double-quoted string with backslash escapes (`\\`, `\"`, `\t`, `\n`).
    fn string(&mut self) -> String {
        let line = self.line;
        let f = self.raw();
        let inner = f
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or_else(|| panic!("cftime_vectors.tsv:{line}: unquoted string {f:?}"));
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            out.push(match chars.next() {
                Some('\\') => '\\',
                Some('"') => '"',
                Some('t') => '\t',
                Some('n') => '\n',
                other => panic!("cftime_vectors.tsv:{line}: bad escape {other:?} in {f:?}"),
            });
        }
        out
    }

    fn end(mut self) {
        assert!(self.it.next().is_none(), "cftime_vectors.tsv:{}: too many fields", self.line);
    }
}

fn load() -> Vectors {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cftime_vectors.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut v = Vectors::default();
    for (k, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut it = line.split('\t');
        let kind = it.next().unwrap_or_default();
        let mut f = Fields { line: k + 1, it };
        match kind {
            "version" => v.cftime_version = f.string(),
            "cal" => v.cals.push(f.string()),
            "unit" => v.units.push(f.string()),
            "epoch" => v.epochs.push((f.num(), f.num(), f.string())),
            "decode" => v.decode.push((f.num(), f.num(), f.num(), f.string(), f.num())),
            "encode" => {
                let (c, u) = (f.num(), f.num());
                let t = (f.num(), f.num(), f.num(), f.num(), f.num(), f.num(), f.num());
                v.encode.push((c, u, t, f.num()));
            }
            "valid" => v.valid.push((f.num(), f.num(), f.num(), f.num(), f.boolean())),
            "ordinal" => v.ordinals.push((f.num(), f.num(), f.num(), f.num(), f.num())),
            "leap" => v.leap.push((f.num(), f.num(), f.boolean())),
            "dim" => v.days_in_month.push((f.num(), f.num(), f.num(), f.num())),
            other => panic!("cftime_vectors.tsv:{}: unknown record kind {other:?}", k + 1),
        }
        f.end();
    }
    v
}

fn cal(name: &str) -> Calendar {
    Calendar::from_cf(name).expect("calendar name from the vector table")
}

fn bits_eq(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a == 0.0 && b == 0.0)
}

/// The file holds every table, with the sizes it was generated with.
#[test]
fn vector_file_is_complete() {
    let v = load();
    assert_eq!(v.cftime_version, "1.6.6.1");
    let sizes = [
        ("cals", v.cals.len(), 9),
        ("units", v.units.len(), 73),
        ("epochs", v.epochs.len(), 648),
        ("decode", v.decode.len(), 1699),
        ("encode", v.encode.len(), 326),
        ("valid", v.valid.len(), 252),
        ("ordinals", v.ordinals.len(), 193),
        ("leap", v.leap.len(), 204),
        ("days_in_month", v.days_in_month.len(), 87),
    ];
    for (name, got, want) in sizes {
        assert_eq!(got, want, "number of {name} vectors");
    }
}

#[test]
fn cftime_reference_dates() {
    let v = load();
    let mut checked = 0;
    for (ci, ui, iso) in &v.epochs {
        let (c, u) = (&v.cals[*ci], &v.units[*ui]);
        let got = TimeCoder::new(u, Some(c)).and_then(|tc| tc.epoch_utc());
        if iso.is_empty() {
            assert!(got.is_err(), "cftime rejects {u:?} with {c}, we gave {got:?}");
        } else {
            let dt = got.unwrap_or_else(|e| panic!("{u:?} with {c}: {e}"));
            assert_eq!(dt.iso(), *iso, "{u:?} with {c}");
        }
        checked += 1;
    }
    assert_eq!(checked, v.epochs.len());
    assert!(!v.cftime_version.is_empty());
}

#[test]
fn cftime_num2date_date2num() {
    let v = load();
    let mut failures = Vec::new();
    for &(ci, ui, value, ref iso, back) in &v.decode {
        let (c, u) = (&v.cals[ci], &v.units[ui]);
        let coder = TimeCoder::new(u, Some(c)).unwrap_or_else(|e| panic!("{u:?} with {c}: {e}"));
        match coder.decode(value) {
            Err(e) if !iso.is_empty() => failures.push(format!("{c} {u:?} {value:?}: error {e}, want {iso}")),
            Ok(dt) if iso.is_empty() => failures.push(format!("{c} {u:?} {value:?}: got {}, want error", dt.iso())),
            Err(_) => {}
            Ok(dt) => {
                if dt.iso() != *iso {
                    failures.push(format!("{c} {u:?} {value:?}: got {}, want {iso}", dt.iso()));
                }
                match coder.encode(&dt) {
                    Ok(v) if bits_eq(v, back) => {}
                    other => failures.push(format!("{c} {u:?} encode {iso}: got {other:?}, want {back:?}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn cftime_date2num() {
    let v = load();
    for &(ci, ui, (y, m, d, h, mi, sec, us), want) in &v.encode {
        let (c, u) = (&v.cals[ci], &v.units[ui]);
        let coder = TimeCoder::new(u, Some(c)).unwrap_or_else(|e| panic!("{u:?} with {c}: {e}"));
        let dt = DateTime::new(y, m, d, h, mi, sec).with_microsecond(us);
        let got = coder.encode(&dt).unwrap_or_else(|e| panic!("{c} {u:?} {dt}: {e}"));
        assert!(bits_eq(got, want), "{c} {u:?} {dt}: got {got:?}, want {want:?}");
        // Decoding the encoded value gives the date back to within cftime's rounding.
        if let Ok(back) = coder.decode(got) {
            let diff = coder.calendar.to_microseconds(&back) - coder.calendar.to_microseconds(&dt);
            let tol = (got.abs() * coder.units.unit.microseconds() as f64 * 1e-15) as i128 + 2;
            assert!(diff.abs() <= tol, "{c} {u:?} {dt}: decoded {back}");
        }
    }
}

#[test]
fn cftime_validity() {
    let v = load();
    for &(ci, y, m, d, ok) in &v.valid {
        let c = cal(&v.cals[ci]);
        assert_eq!(c.is_valid(&DateTime::new(y, m, d, 0, 0, 0)), ok, "{y}-{m}-{d} in {c}");
    }
}

#[test]
fn cftime_ordinals() {
    let v = load();
    for &(ci, y, m, d, ord) in &v.ordinals {
        let c = cal(&v.cals[ci]);
        assert_eq!(c.day_number(y, m, d), ord, "{y}-{m}-{d} in {c}");
        assert_eq!(c.from_day_number(ord), (y, m, d), "{ord} in {c}");
    }
}

#[test]
fn cftime_leap_years_and_month_lengths() {
    let v = load();
    for &(ci, y, leap) in &v.leap {
        let c = cal(&v.cals[ci]);
        assert_eq!(c.is_leap(y), leap, "{y} in {c}");
    }
    for &(ci, y, m, n) in &v.days_in_month {
        let c = cal(&v.cals[ci]);
        assert_eq!(c.days_in_month(y, m), n, "{y}-{m} in {c}");
    }
}
