#!/usr/bin/env python3
"""Regridding benchmark: `rookery regrid` vs `cdo remapbil` / `cdo remapcon` on one year of
daily 0.5 degree data (bench/gen_daily.py --years 1), to the roocs-grids `1deg` and
`0pt25deg` grids (the SCRIP files in ../shared/data/grids, which CDO reads too).

    bench/.venv/bin/python bench/bench_regrid.py --file bench/work/data_1y/tas_1y.nc \
        --rookery target/release/rookery --grids ../shared/data/grids [--runs 3]

Both tools compute their weights in every timed run (rookery runs with --no-weights-cache; a
second table shows rookery with a warm weights cache). Each command runs once untimed
(warm-up, output checked against CDO's), then --runs timed runs under /usr/bin/time -v
(median wall time, largest peak RSS). Ratio = CDO median / rookery median.
"""

import argparse
import datetime as _dt
import os
import re
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402

GRIDS = {"1deg": "cmip6_180x360_scrip.20181001.nc", "0pt25deg": "cmip6_720x1440_scrip.20181001.nc"}
METHODS = {"bilinear": "remapbil", "conservative": "remapcon"}


def compare(ours, ref, var="tas"):
    """Largest relative difference away from the polar rows (|lat| < 80), and whether the
    missing cells coincide there."""
    import numpy as np
    import netCDF4
    with netCDF4.Dataset(ours) as a, netCDF4.Dataset(ref) as b:
        x = np.ma.filled(a[var][:].astype("f8"), np.nan)
        y = np.ma.filled(b[var][:].astype("f8"), np.nan)
        lat = np.asarray(a["lat"][:])
    if x.shape != y.shape:
        return f"shape {x.shape} vs {y.shape}", False
    keep = np.abs(lat) < 80
    x, y = x[:, keep, :], y[:, keep, :]
    m = ~np.isnan(x) & ~np.isnan(y)
    rel = float(np.max(np.abs(x[m] - y[m]) / np.maximum(np.abs(y[m]), 1e-12))) if m.any() else 0.0
    same_missing = bool(np.array_equal(np.isnan(x), np.isnan(y)))
    return f"max relative difference {rel:.1e} (|lat|<80), missing cells {'equal' if same_missing else 'differ'}", rel <= 1e-4


def timed(argv_for, od, runs, timeout):
    w = run_once(argv_for(od + "_warm"), od + "_warm", timeout)
    if not w["ok"]:
        log(f"  FAILED: {w['stderr'][-400:]}")
        return dict(ok=False, warm=w)
    times, rss = [], []
    for k in range(runs):
        r = run_once(argv_for(f"{od}_{k}"), f"{od}_{k}", timeout)
        times.append(r["wall"])
        rss.append(r["rss_mb"] or 0)
        log(f"  run {k}: {r['wall']:.2f} s, {r['rss_mb'] or 0:.0f} MB")
    return dict(ok=True, warm=w, median=statistics.median(times), rss=max(rss))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--grids", default=os.path.join(HERE, "..", "..", "shared", "data", "grids"))
    ap.add_argument("--cdo", default="cdo")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--outroot", default=os.path.join(HERE, "work", "out_regrid"))
    ap.add_argument("--results", default=os.path.join(HERE, "results_regrid.md"))
    ap.add_argument("--timeout", type=int, default=3600)
    a = ap.parse_args()
    os.environ["ROOKERY_GRIDS_DIR"] = os.path.abspath(a.grids)
    weights = tempfile.mkdtemp(prefix="rookery-weights-")

    rows, checks = [], []
    load0 = os.getloadavg()[0]
    for grid, gfile in GRIDS.items():
        gpath = os.path.join(os.path.abspath(a.grids), gfile)
        for method, op in METHODS.items():
            label = f"{method} → {grid}"
            od = os.path.join(a.outroot, re.sub(r"\W+", "_", f"{method}_{grid}"))
            base = [a.rookery, "regrid", a.file, "--method", method, "--grid", grid]
            log(f"{label} / rookery (weights computed)")
            r = timed(lambda d: base + ["--no-weights-cache", "--output-dir", d], od + "/rookery", a.runs, a.timeout)
            log(f"{label} / rookery (weights cached)")
            rc = timed(lambda d: base + ["--weights-dir", weights, "--output-dir", d], od + "/rookery_cached", a.runs, a.timeout)
            log(f"{label} / cdo {op}")
            c = timed(lambda d: [a.cdo, "-s", "-f", "nc4", "-z", "zip_1", f"{op},{gpath}", a.file, os.path.join(d, "out.nc")],
                      od + "/cdo", a.runs, a.timeout)
            if r["ok"] and c["ok"]:
                msg, good = compare(r["warm"]["outputs"][0], c["warm"]["outputs"][0])
                checks.append((label, msg, good))
            for tool, res in (("rookery", r), ("rookery, cached weights", rc), (f"cdo -z zip_1 {op}", c)):
                if res.get("ok"):
                    ratio = res["median"] / r["median"] if r.get("ok") else float("nan")
                    rows.append((label, tool, f"{res['median']:.2f}", f"{ratio:.2f}", f"{res['rss']:.0f}"))
                else:
                    rows.append((label, tool, "failed", "", ""))
    load1 = os.getloadavg()[0]
    out = ["# rookery regridding benchmark\n",
           f"- date: {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
           f"- input: `{os.path.basename(a.file)}`",
           f"- load average (1 min) at start / end: {load0:.2f} / {load1:.2f}"
           + ("  **(machine was not idle: timings may be noisy)**" if max(load0, load1) > 0.5 else ""),
           f"- runs: {a.runs} timed runs after one warm-up; ratio = tool median / rookery median "
           "(rookery computing its weights); both write NetCDF-4 deflate 1",
           "",
           "| regrid | tool | median s | ratio vs rookery | peak RSS MB |",
           "|---|---|---:|---:|---:|"]
    out += [f"| {' | '.join(x)} |" for x in rows]
    out += ["", "Correctness (warm-up outputs, rookery vs CDO, `tas`):", ""]
    out += [f"- {l}: {m} {'PASS' if g else 'FAIL'}" for l, m, g in checks]
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.results, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
