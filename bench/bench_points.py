#!/usr/bin/env python3
"""Point-extraction benchmark: rookery `point` vs CDO `remapnn` for 1000 stations on the
generated daily file(s) of bench/gen_daily.py (0.5 degree global, 10 years daily).

    bench/.venv/bin/python bench/bench_points.py \
        --file classic=bench/work/data_full/..._classic.nc --file nc4=bench/work/data_full/....nc \
        --rookery target/release/rookery [--stations 1000] [--runs 3] [--results bench/results_points.md]

The stations are random (seeded) over the globe; CDO gets them as an unstructured target grid
(`remapnn,stations.grid`). Each command runs once untimed (warm-up; rookery's station series
are checked against CDO's: nearest cells must be the same, values identical), then --runs
timed runs under /usr/bin/time -v (median wall time, largest peak RSS). Ratio = tool median /
rookery median for the same file. Also timed: rookery's CSV output of the same request.
"""

import argparse
import datetime as _dt
import os
import random
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402  (same timing core as the subset benchmark)


def stations(n, seed=3):
    rnd = random.Random(seed)
    # Away from exact ties with the 0.5 degree centres (x.25/x.75): draws at 0.001 degree.
    return [(f"S{k:04d}", round(rnd.uniform(-180, 180), 3), round(rnd.uniform(-80, 80), 3)) for k in range(n)]


def write_inputs(wd, sts):
    csv = os.path.join(wd, "stations.csv")
    with open(csv, "w") as f:
        f.write("id,lon,lat\n")
        for s, x, y in sts:
            f.write(f"{s},{x},{y}\n")
    grid = os.path.join(wd, "stations.grid")
    with open(grid, "w") as f:
        f.write(f"gridtype = unstructured\ngridsize = {len(sts)}\n")
        f.write("xvals = " + " ".join(str(x) for _, x, _ in sts) + "\n")
        f.write("yvals = " + " ".join(str(y) for _, _, y in sts) + "\n")
    return csv, grid


def compare(ours, ref, var="tas"):
    """rookery's (time, station) series vs CDO's (time, ncells): identical values."""
    import numpy as np
    import netCDF4
    with netCDF4.Dataset(ours) as a, netCDF4.Dataset(ref) as b:
        x = np.ma.filled(a[var][:].astype("f8"), np.nan)
        y = np.ma.filled(b[var][:].astype("f8"), np.nan).reshape(x.shape)
    same = np.array_equal(x, y, equal_nan=True)
    diff = int(np.sum(np.any(~((x == y) | (np.isnan(x) & np.isnan(y))), axis=0)))
    return f"{x.shape[1]} stations x {x.shape[0]} steps: {diff} station series differ", same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", action="append", required=True, help="label=path")
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--cdo", default="cdo")
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--outroot", default=os.path.join(HERE, "work", "out_points"))
    ap.add_argument("--results", default=os.path.join(HERE, "results_points.md"))
    ap.add_argument("--timeout", type=int, default=3600)
    a = ap.parse_args()

    os.makedirs(a.outroot, exist_ok=True)
    sts = stations(a.stations)
    csv, grid = write_inputs(a.outroot, sts)
    rows, checks = [], []
    load0 = os.getloadavg()[0]
    for spec in a.file:
        label, path = spec.split("=", 1)
        tools = {
            "rookery": lambda d: [a.rookery, "point", path, "--points", csv, "--output-dir", d],
            "rookery (CSV)": lambda d: [a.rookery, "point", path, "--points", csv, "--output-format", "csv",
                                        "--output-dir", d],
            "cdo remapnn": lambda d: [a.cdo, "-s", f"remapnn,{grid}", path, os.path.join(d, "out.nc")],
        }
        res = {}
        for tool, mk in tools.items():
            od = os.path.join(a.outroot, label, tool.replace(" ", "_").replace("(", "").replace(")", ""))
            log(f"{label} / {tool}: warm-up")
            w = run_once(mk(od + "_warm"), od + "_warm", a.timeout)
            # run_once counts .nc outputs; the CSV run has none.
            if tool.endswith("(CSV)"):
                w["ok"] = w["rc"] == 0
            if not w["ok"]:
                log(f"  FAILED: {w['stderr'][-400:]}")
                res[tool] = dict(ok=False)
                continue
            times, rss = [], []
            for k in range(a.runs):
                r = run_once(mk(f"{od}_{k}"), f"{od}_{k}", a.timeout)
                times.append(r["wall"])
                rss.append(r["rss_mb"] or 0)
                log(f"  run {k}: {r['wall']:.2f} s, {r['rss_mb'] or 0:.0f} MB")
            res[tool] = dict(ok=True, warm=w, median=statistics.median(times), rss=max(rss))
        if res.get("rookery", {}).get("ok") and res.get("cdo remapnn", {}).get("ok"):
            msg, good = compare(res["rookery"]["warm"]["outputs"][0], res["cdo remapnn"]["warm"]["outputs"][0])
            checks.append((label, msg, good))
        base = res.get("rookery", {}).get("median")
        for tool, r in res.items():
            if r.get("ok"):
                ratio = r["median"] / base if base else float("nan")
                rows.append((label, tool, f"{r['median']:.2f}", f"{ratio:.2f}", f"{r['rss']:.0f}"))
            else:
                rows.append((label, tool, "failed", "", ""))

    load1 = os.getloadavg()[0]
    out = [f"# rookery point-extraction benchmark ({a.stations} stations)\n",
           f"- date: {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
           f"- load average (1 min) at start / end: {load0:.2f} / {load1:.2f}"
           + ("  **(machine was not idle: timings may be noisy)**" if max(load0, load1) > 0.5 else ""),
           f"- runs: {a.runs} timed runs after one warm-up (warm page cache); ratio = tool median / rookery median",
           "",
           "| file | tool | median s | ratio vs rookery | peak RSS MB |",
           "|---|---|---:|---:|---:|"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    out += ["", "Correctness (warm-up outputs, rookery vs CDO remapnn, `tas`, identical values):", ""]
    out += [f"- {l}: {m} {'PASS' if g else 'FAIL'}" for l, m, g in checks]
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.results, "w") as f:
        f.write(text)
    return 0 if all(g for *_, g in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
