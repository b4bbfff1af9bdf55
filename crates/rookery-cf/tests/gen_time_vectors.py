#!/usr/bin/env python3
"""Generate the cftime test vectors in crates/rookery-cf/tests/data/cftime_vectors.tsv.

Usage (needs `pip install cftime numpy`; vectors were made with cftime 1.6.x on x86-64):

    python gen_time_vectors.py            # print the table
    python gen_time_vectors.py --write    # (re)write tests/data/cftime_vectors.tsv

The Rust tests (tests/cftime_vectors.rs) read that file and assert exact equality with it.
"""
import math
import os
import random
from datetime import timedelta
from fractions import Fraction
import sys
import warnings

try:
    import cftime
    import numpy as np
    from cftime._cftime import _dateparse
except ImportError:  # only write_tsv is usable without them
    cftime = np = _dateparse = None

warnings.simplefilter("ignore")

CALS = ["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day",
        "all_leap", "366_day", "360_day", "julian"]
CANONICAL = ["standard", "proleptic_gregorian", "noleap", "all_leap", "360_day", "julian"]
ALIASES = ["gregorian", "365_day", "366_day"]


def year_zero_default(cal):
    return cal not in ("standard", "gregorian", "julian")


# Units used for decode vectors. The first FULL ones get the full value list.
DECODE_UNITS = [
    "days since 1850-01-01",
    "hours since 1970-01-01T00:00:00Z",
    "seconds since 1970-1-1 0:0:0",
    "minutes since 2000-01-01 00:00:00+00:00",
    "days since 0001-01-01 00:00:00 UTC",
    "days since 1582-10-01",
    "hours since 2000-01-01 12:00:00",
    "days since -0100-01-01",
    "hours since 2000-03-01 00:00:00+05:30",
    "milliseconds since 1900-01-01 00:00:00.5",
    "microseconds since 2000-02-29",
    "months since 2000-01-01",
    "common_years since 2000-01-01",
    "days since 0000-01-01",
    "Days SINCE 2000-12-31  ",
    "seconds since 1582-10-04 23:59:59-01:00",
    "days since 1850-1-1 00:00:00.0",
]
FULL = 10
ALIAS_UNITS = [0, 5]  # units indices decoded for the alias spellings

# Extra unit strings checked only for parsing (reference date per calendar or error).
PARSE_ONLY_UNITS = [
    "days since 2000-01-01 12",
    "days since 2000-01-01T12Z",
    "days since 2000-1-1garbage",
    "  days   since   2000-01-01   ",
    "days since +2000-01-01",
    "days since 2000-01-01T12:00:00.123456789",
    "hours since 1970-01-01 00:00:00 -05:00",
    "hours since 1970-01-01T00:00:00+0530",
    "days since 2000-01-01 00:00:00 +5",
    "days since 2000-01-01 00:00:00 -05",
    "days since 2000-01-01T00:00:00.Z",
    "days since 1-1-1 00:00",
    "days since 2000-01-01\t00:00:00 UTC",
    "d since 2000-01-01",
    "hrs since 2000-01-01",
    "h since 2000-01-01",
    "hr since 2000-01-01",
    "min since 2000-01-01",
    "mins since 2000-01-01",
    "s since 2000-01-01",
    "sec since 2000-01-01",
    "secs since 2000-01-01",
    "ms since 2000-01-01",
    "msec since 2000-01-01",
    "msecs since 2000-01-01",
    "millisecond since 2000-01-01",
    "millisec since 2000-01-01",
    "microsecs since 2000-01-01",
    "microsec since 2000-01-01",
    "microsecond since 2000-01-01",
    "month since 2000-01-01",
    "common_year since 2000-01-01",
    "fortnights since 2000-01-01",
    "days",
    "days since",
    "days since banana",
    "days after 2000-01-01",
    "",
    "days since 2000",
    "days since 2000-01",
    "days since 2000-13-01",
    "days since 2000-00-01",
    "days since 2000-01-01 25:00:00",
    "days since 2000-01-01 00:60:00",
    "days since 2000-02-30",
    "days since 2001-02-29",
    "days since 1582-10-10",
    "days since 10000-01-01",
    "days since 2147483648-01-01",
    "days since 2000-01-01 00:00:00.9999999999",
    "days since 2000-001-01",
    "days since 2000-01-01T00:00:00-1200",
    "days since 0001-01-01 00:00:00+01:00",
    "days since -0001-12-31 23:00:00-02:00",
    "days since 2000-01-31 00:00:00+00:30",
]

BASE_VALUES = [0.0, 0.5, -0.5, 1.0 / 3.0, 59.999999, 60000.25, -60000.25, 730000.123456,
               -700000.75, 1e-7, 123456789.123, 1.07e8, -1e300, 1.0000006, 0.9999994]
SHORT_VALUES = [0.0, 0.5, -1.0, 1.0 / 3.0, 60000.25, 1e300]

# For each of these dates that exists in the calendar, its encoded value v and v + 0.75
# are decoded too (crossing the 1582 gap, year -1/1, leap days, rounding at .5 s).
INTERESTING = [
    (1582, 10, 4, 12, 0, 0, 0),
    (-1, 12, 31, 18, 0, 0, 0),
    (2000, 2, 28, 18, 0, 0, 0),
    (1900, 2, 28, 23, 59, 59, 500000),
]

VALID_DATES = [(2001, 2, 29), (2000, 2, 29), (1900, 2, 29), (2000, 2, 30), (2000, 12, 31),
               (1582, 10, 10), (1582, 10, 4), (1582, 10, 5), (1582, 10, 14), (1582, 10, 15),
               (0, 1, 1), (-1, 12, 31), (-1, 2, 29), (-4, 2, 29), (0, 2, 29), (-5, 2, 29),
               (-100, 2, 29), (-101, 2, 29), (1500, 2, 29), (1700, 2, 29), (100, 2, 29),
               (2000, 1, 31), (2000, 6, 31), (2000, 13, 1), (2000, 0, 1), (2000, 1, 0),
               (1, 1, 1), (2000, 2, 31)]

ORDINAL_DATES = [(2000, 1, 1), (1970, 1, 1), (-4713, 1, 1), (-4712, 1, 1), (-4714, 11, 24),
                 (1582, 10, 4), (1582, 10, 15), (1582, 12, 31), (1, 1, 1), (-1, 12, 31),
                 (0, 1, 1), (0, 12, 31), (1, 3, 1), (100, 3, 1), (1500, 2, 29), (1600, 2, 29),
                 (2000, 12, 30), (2100, 3, 1), (-100, 3, 1), (9999, 12, 30), (-9999, 1, 1),
                 (250000, 6, 15), (-250000, 6, 15)]

LEAP_YEARS = [-401, -400, -101, -100, -5, -4, -1, 0, 1, 4, 100, 400, 1500, 1581, 1582, 1584,
              1600, 1700, 1900, 2000, 2001, 2004, 2100]

DIM_CASES = [(1582, 10), (1500, 2), (1700, 2), (2000, 2), (2001, 2), (-1, 2), (0, 2),
             (-4, 2), (2000, 12), (2000, 4)]


def ld_tie_values(factor, count, lo, hi, seed):
    """Values whose product with `factor` (µs per unit) rounds differently in
    np.longdouble (x87, 64-bit significand) than in exact arithmetic: the exact
    product lies within half a long-double ulp of k + 0.5 µs."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        n = rng.randrange(lo, hi)
        v = float(Fraction(2 * n + 1, 2 * factor))
        exact = round(Fraction(v) * factor)  # round half to even
        ld = int(np.rint(np.longdouble(v) * np.longdouble(factor)))
        if exact != ld:
            out.append(v)
    return out


# units index -> values that exercise the long-double rounding of value * factor
LD_TIE_UNITS = {0: 86400 * 10**6, 1: 3600 * 10**6, 2: 10**6}
LD_TIE_VALUES = {}  # filled by main(): units index -> values

# Encode-only vectors: (units index, calendars, dates as (y, m, d, h, mi, s, us)).
ENCODE_UNITS = [0, 2, 8, 10, 3]


def encode_dates(cal, seed):
    rng = random.Random(seed)
    dates = []
    for _ in range(10):
        y = rng.choice([rng.randrange(-150000, 150000), rng.randrange(-3000, 3000)])
        if y == 0 and not year_zero_default(cal):
            y = 1
        dates.append((y, rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
                      rng.randrange(60), rng.randrange(60), rng.randrange(10**6)))
    return dates


def tie_dates(cal):
    """Dates whose date2num in 'milliseconds since 2000-01-01' is an exact tie between
    two doubles (round half to even), and neighbours that are not."""
    base = cftime.datetime(2000, 1, 1, calendar=cal, has_year_zero=year_zero_default(cal))
    out = []
    for us in [(2**53 + 1) * 500, (2**53 + 3) * 500, (2**53 + 1) * 500 + 1, -(2**53 + 1) * 500,
               (2**54 + 2) * 500, (2**54 + 6) * 500 - 1]:
        d = base + timedelta(microseconds=us)
        out.append((d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond))
    return out


def tsv_f64(x):
    """A float as Python's shortest round-trip repr (Rust's str::parse reads it back exactly)."""
    x = float(x)
    assert math.isfinite(x)
    return repr(x)


def tsv_str(s):
    """A string in double quotes with backslash escapes for \\, \", tab and newline."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def tsv_bool(b):
    return "true" if b else "false"


HEADER = """\
# cftime test vectors for rookery-cf (read by tests/cftime_vectors.rs), written by
# tests/gen_time_vectors.py. Do not edit by hand: regenerate with `gen_time_vectors.py --write`.
#
# One record per line: a record kind, then tab-separated fields. Strings are in double quotes
# with backslash escapes (\\\\ \\" \\t \\n); floats are Python reprs; calendars and units are
# 0-based indices into the `cal` and `unit` records (in file order).
#
#   version  cftime version the vectors were generated with
#   cal      calendar name
#   unit     units string
#   epoch    calendar, units, reference date after the UTC-offset shift ("" if cftime rejects it)
#   decode   calendar, units, value, num2date(value).isoformat() ("" if cftime raises),
#            date2num of that date
#   encode   calendar, units, year, month, day, hour, minute, second, microsecond, cftime date2num
#   valid    calendar, year, month, day, cftime.datetime(..., has_year_zero=<calendar default>)
#            succeeds
#   ordinal  calendar, year, month, day, cftime toordinal()
#   leap     calendar, year, cftime.is_leap_year
#   dim      calendar, year, month, cftime daysinmonth
"""


def write_tsv(version, cals, units, epochs, decode, encode, valid, ords, leaps, dims):
    """The whole vector file as one string (tables in the order the tests expect)."""
    out = [HEADER.rstrip("\n")]
    w = lambda *f: out.append("\t".join(str(x) for x in f))  # noqa: E731
    w("version", tsv_str(version))
    for c in cals:
        w("cal", tsv_str(c))
    for u in units:
        w("unit", tsv_str(u))
    for ci, ui, iso in epochs:
        w("epoch", ci, ui, tsv_str(iso))
    for ci, ui, v, iso, back in decode:
        w("decode", ci, ui, tsv_f64(v), tsv_str(iso), tsv_f64(back))
    for ci, ui, t, v in encode:
        w("encode", ci, ui, *t, tsv_f64(v))
    for ci, y, m, d, ok in valid:
        w("valid", ci, y, m, d, tsv_bool(ok))
    for ci, y, m, d, o in ords:
        w("ordinal", ci, y, m, d, o)
    for ci, y, lp in leaps:
        w("leap", ci, y, tsv_bool(lp))
    for ci, y, m, n in dims:
        w("dim", ci, y, m, n)
    return "\n".join(out) + "\n"


def cf_date(t, cal):
    y, m, d, h, mi, s, us = t
    return cftime.datetime(y, m, d, h, mi, s, us, calendar=cal, has_year_zero=year_zero_default(cal))


def try_decode(value, units, cal):
    try:
        d = cftime.num2date(value, units, calendar=cal)
    except Exception:
        return None
    if d is None or not isinstance(d, cftime.datetime) or np.ma.is_masked(d):
        return None
    return d


def main():
    LD_TIE_VALUES.update({ui: ld_tie_values(f, 6, -f * 40000, f * 40000, ui) for ui, f in LD_TIE_UNITS.items()})
    units_all = DECODE_UNITS + PARSE_ONLY_UNITS

    # Reference dates: (calendar, units, cftime _dateparse(...).isoformat() or "" if cftime raises)
    epochs = []
    for ci, cal in enumerate(CALS):
        for ui, u in enumerate(units_all):
            try:
                b = _dateparse(u, cal)
                # num2date must also accept the units (same checks plus unit lookup).
                cftime.num2date(0, u, calendar=cal)
                iso = b.isoformat()
            except Exception:
                iso = ""
            epochs.append((ci, ui, iso))

    # Decode vectors.
    decode = []
    for ci, cal in enumerate(CALS):
        uis = range(len(DECODE_UNITS)) if cal in CANONICAL else ALIAS_UNITS
        for ui in uis:
            u = DECODE_UNITS[ui]
            if epochs[ci * len(units_all) + ui][2] == "":
                continue
            values = list(BASE_VALUES if ui < FULL else SHORT_VALUES)
            for t in (INTERESTING if ui < FULL else []):
                try:
                    v = float(cftime.date2num(cf_date(t, cal), u, calendar=cal))
                except Exception:
                    continue
                values += [v, v + 0.75]
            if ui in LD_TIE_UNITS and cal in ("standard", "360_day"):
                values += LD_TIE_VALUES[ui]
            seen = set()
            for v in values:
                if v in seen:
                    continue
                seen.add(v)
                d = try_decode(v, u, cal)
                if d is None:
                    decode.append((ci, ui, v, "", 0.0))
                    continue
                back = float(cftime.date2num(d, u, calendar=cal))
                decode.append((ci, ui, v, d.isoformat(), back))

    encode = []
    ms_units = "milliseconds since 2000-01-01"
    units_all.append(ms_units)
    ms_ui = len(units_all) - 1
    for ci, cal in enumerate(CALS):
        if cal not in CANONICAL:
            continue
        jobs = [(ui, encode_dates(cal, ci * 100 + ui)) for ui in ENCODE_UNITS]
        jobs.append((ms_ui, tie_dates(cal)))
        for ui, dates in jobs:
            u = units_all[ui]
            for t in dates:
                try:
                    v = float(cftime.date2num(cf_date(t, cal), u, calendar=cal))
                except Exception:
                    continue
                encode.append((ci, ui, t, v))

    valid = []
    for ci, cal in enumerate(CALS):
        for (y, m, d) in VALID_DATES:
            try:
                cf_date((y, m, d, 0, 0, 0, 0), cal)
                ok = True
            except Exception:
                ok = False
            valid.append((ci, y, m, d, ok))

    ords = []
    for ci, cal in enumerate(CALS):
        for (y, m, d) in ORDINAL_DATES:
            try:
                o = cf_date((y, m, d, 0, 0, 0, 0), cal).toordinal()
            except Exception:
                continue
            ords.append((ci, y, m, d, int(o)))

    leaps = []
    for ci, cal in enumerate(CALS):
        for y in LEAP_YEARS:
            try:
                leaps.append((ci, y, bool(cftime.is_leap_year(y, cal))))
            except Exception:
                pass

    dims = []
    for ci, cal in enumerate(CALS):
        for (y, m) in DIM_CASES:
            try:
                dims.append((ci, y, m, int(cf_date((y, m, 1, 0, 0, 0, 0), cal).daysinmonth)))
            except Exception:
                pass

    text = write_tsv(cftime.__version__, CALS, units_all, epochs, decode, encode, valid, ords, leaps, dims)
    if "--write" in sys.argv:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cftime_vectors.tsv")
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {len(epochs)} epochs, {len(decode)} decode, {len(encode)} encode, {len(valid)} valid, "
              f"{len(ords)} ordinals, {len(leaps)} leap, {len(dims)} days-in-month vectors to {path}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
