#!/usr/bin/env python3
"""Time-statistics benchmark: rookery vs CDO on the generated daily file(s) of
bench/gen_daily.py (noleap, from 1850-01-01) — monthly and day-of-year climatologies
(`ymonmean`, `ydaymean`), monthly anomalies from a reference period (`ymonsub` with
`ymonmean -selyear`), the 90th percentile over time (`timpctl,90` with its `timmin`/`timmax`
fields) and the standard deviation over time (`timstd`).

    python3 bench/gen_daily.py --out bench/work/tas.nc                 # 10 y, 0.5 deg (3.8 GB raw)
    python3 bench/bench_timestats.py --file nc4=bench/work/tas.nc \\
        --rookery target/release/rookery [--runs 3] [--reference 1851/1855] [--results bench/results_timestats.md]

    # smoke run: python3 bench/gen_daily.py --out /tmp/small.nc --years 3 --nlat 90 --nlon 180

Each command runs once untimed (warm-up; its output is checked against CDO's), then --runs
timed runs under /usr/bin/time -v (median wall time, largest peak RSS). Ratio = tool median /
rookery median for the same operation and file: compare ratios, not absolute times (they
depend on the machine and its load, which the results file records).

The percentiles are not the same computation: rookery's are exact (numpy's `linear` method),
CDO's `timpctl` bins values in a 101-bin histogram between the timmin and timmax fields. The
check for p90 is therefore "within one histogram bin of CDO's" rather than equality.
"""

import argparse
import shutil
import datetime as _dt
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402  (same timing core as the other benchmarks)


def ops(path, reference):
    """name: (rookery args, cdo args before the output, how to check)."""
    return {
        "climatology (month)": (["climatology", "--freq", "month"], ["ymonmean", path], "equal"),
        "climatology (day of year)": (["climatology", "--freq", "day"], ["ydaymean", path], "equal"),
        f"anomaly (month, reference {reference})": (
            ["anomaly", "--reference", reference, "--freq", "month"],
            ["ymonsub", path, "-ymonmean", f"-selyear,{reference}", path],
            "anomaly",
        ),
        "p90 over time": (["stat-time", "--stat", "p90"], ["timpctl,90", path, "-timmin", path, "-timmax", path], "bin"),
        "std over time": (["stat-time", "--stat", "std"], ["timstd", path], "equal"),
    }


def load(path, var="tas"):
    import numpy as np
    import netCDF4
    with netCDF4.Dataset(path) as d:
        return np.ma.filled(d[var][:].astype("f8"), np.nan).ravel()


def check(kind, ours, ref, path, cdo, work):
    """(message, ok) comparing rookery's output with CDO's."""
    import numpy as np
    x, y = load(ours), load(ref)
    if x.shape != y.shape:
        return f"shape {x.shape} vs {y.shape}", False
    if kind == "bin":
        lo_f, hi_f = os.path.join(work, "timmin.nc"), os.path.join(work, "timmax.nc")
        for op, f in (("timmin", lo_f), ("timmax", hi_f)):
            if not os.path.exists(f):
                subprocess.run([cdo, "-s", op, path, f], check=True)
        width = (load(hi_f) - load(lo_f)) / 101.0
        m = ~np.isnan(x) & ~np.isnan(y)
        worst = float(np.max(np.abs(x[m] - y[m]) / np.maximum(width[m], 1e-30))) if m.any() else 0.0
        return f"max difference {worst:.2f} histogram bins (CDO missing in {int((~m).sum())} cells)", worst <= 1.0
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        return "missing values differ", False
    m = ~np.isnan(x)
    d = np.abs(x[m] - y[m])
    if kind == "anomaly":
        # CDO holds the reference means as float32: one float32 rounding of the values.
        return f"max abs difference {float(d.max()):.2e} K", float(d.max()) <= 1e-4
    rel = float(np.max(d / np.maximum(np.abs(y[m]), 1e-12))) if m.any() else 0.0
    return f"max relative difference {rel:.2e}", rel <= 1e-5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", action="append", required=True, help="label=path")
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--cdo", default="cdo")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reference", default="1851/1855", help="reference years of the anomalies")
    ap.add_argument("--only", default=None, help="regular expression: run only the matching operations")
    ap.add_argument("--outroot", default=os.path.join(HERE, "work", "out_timestats"))
    ap.add_argument("--results", default=os.path.join(HERE, "results_timestats.md"))
    ap.add_argument("--timeout", type=int, default=3600)
    a = ap.parse_args()

    rows, checks = [], []
    load0 = os.getloadavg()[0]
    for spec in a.file:
        label, path = spec.split("=", 1)
        for op, (rargs, cdo_args, kind) in ops(path, a.reference).items():
            if a.only and not re.search(a.only, op):
                continue
            res = {}
            # rookery compresses its output as the source is (deflate 1 + shuffle here), CDO
            # writes it uncompressed: for the anomalies (an output as large as the input) both
            # are also timed the other way round.
            tools = {"rookery": ([a.rookery] + rargs, None), "cdo": ([a.cdo, "-s"] + cdo_args, None)}
            if kind == "anomaly":
                tools["rookery --output-format nc3 (uncompressed)"] = ([a.rookery] + rargs + ["--output-format", "nc3"], None)
                tools["cdo -z zip_1 (compressed)"] = ([a.cdo, "-s", "-z", "zip_1"] + cdo_args, None)
            for tool, (argv, _) in tools.items():
                od = os.path.join(a.outroot, label, re.sub(r"\W+", "_", op), re.sub(r"\W+", "_", tool))

                def mk(run_dir, tool=tool, argv=argv):
                    if tool.startswith("cdo"):
                        return argv + [os.path.join(run_dir, "out.nc")]
                    return argv + [path, "--output-dir", run_dir]

                log(f"{label} / {op} / {tool}: warm-up")
                w = run_once(mk(od + "_warm"), od + "_warm", a.timeout)
                if not w["ok"]:
                    log(f"  FAILED: {w['stderr'][-400:]}")
                    res[tool] = dict(ok=False, warm=w)
                    continue
                times, rss = [], []
                for k in range(a.runs):
                    r = run_once(mk(f"{od}_{k}"), f"{od}_{k}", a.timeout)
                    # Timed runs' outputs are not kept (an anomaly is as large as the input:
                    # keeping every run's filled a 90 GB disk); the warm-up's is checked below.
                    shutil.rmtree(f"{od}_{k}", ignore_errors=True)
                    times.append(r["wall"])
                    rss.append(r["rss_mb"] or 0)
                    log(f"  run {k}: {r['wall']:.2f} s, {r['rss_mb'] or 0:.0f} MB")
                res[tool] = dict(ok=True, warm=w, median=statistics.median(times), rss=max(rss))
            if res.get("rookery", {}).get("ok") and res.get("cdo", {}).get("ok"):
                msg, good = check(kind, res["rookery"]["warm"]["outputs"][0], res["cdo"]["warm"]["outputs"][0],
                                  path, a.cdo, os.path.join(a.outroot, label))
                checks.append((label, op, msg, good))
            for tool in tools:
                shutil.rmtree(os.path.join(a.outroot, label, re.sub(r"\W+", "_", op), re.sub(r"\W+", "_", tool)) + "_warm",
                              ignore_errors=True)
            base = res.get("rookery", {}).get("median")
            for tool, r in res.items():
                if r.get("ok"):
                    ratio = r["median"] / base if base else float("nan")
                    rows.append((label, op, tool, f"{r['median']:.2f}", f"{ratio:.2f}", f"{r['rss']:.0f}"))
                else:
                    rows.append((label, op, tool, "failed", "", ""))

    load1 = os.getloadavg()[0]
    out = ["# rookery time-statistics benchmark\n",
           f"- date: {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
           f"- files: {', '.join(a.file)}",
           f"- load average (1 min) at start / end: {load0:.2f} / {load1:.2f}"
           + ("  **(machine was not idle: timings may be noisy)**" if max(load0, load1) > 0.5 else ""),
           f"- runs: {a.runs} timed runs after one warm-up (warm page cache); ratio = tool median / rookery median",
           "",
           "| file | operation | tool | median s | ratio vs rookery | peak RSS MB |",
           "|---|---|---|---:|---:|---:|"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    out += ["", "Correctness (warm-up outputs, rookery vs CDO, `tas`):", ""]
    out += [f"- {l} / {o}: {m} {'PASS' if g else 'FAIL'}" for l, o, m, g in checks]
    out += [""]
    text = "\n".join(out)
    print(text)
    with open(a.results, "w") as f:
        f.write(text)
    return 0 if all(g for *_, g in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
