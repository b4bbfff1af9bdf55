#!/usr/bin/env python3
"""Averaging benchmark: rookery vs CDO (timmean, monmean, fldmean) and clisops on the
generated daily file(s) of bench/gen_daily.py, plus the time to compute polygon weights for
100 polygons on the 0.5 degree grid.

    bench/.venv/bin/python bench/bench_average.py \
        --file classic=bench/work/data_full/..._classic.nc --file nc4=bench/work/data_full/....nc \
        --rookery target/release/rookery [--runs 3] [--no-clisops] [--results bench/results_average.md]

Each command runs once untimed (warm-up; its output is checked against CDO's), then --runs
timed runs under /usr/bin/time -v (median wall time, largest peak RSS). Ratio = tool median /
rookery median for the same operation and file.
"""

import argparse
import datetime as _dt
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402  (same timing core as the subset benchmark)

OPS = {
    # name: (rookery args, cdo operator, clisops call or None, compared variable)
    "time mean": (["average", "--dims", "time"], "timmean", "average_over_dims(ds, dims=['time'])"),
    "monthly means": (["average-time", "--freq", "month"], "monmean", "average_time(ds, freq='month')"),
    "field mean (area-weighted)": (["weighted-average"], "fldmean", None),
}

CLISOPS_SCRIPT = """
import sys, warnings
warnings.filterwarnings("ignore")
from clisops.ops.average import average_over_dims, average_time
ds, out = sys.argv[1], sys.argv[2]
{call_ns}(ds, {args}, output_dir=out, output_type="nc")
"""


def clisops_argv(py, call, infile, outdir):
    name, rest = call.split("(", 1)
    args = rest.rsplit(")", 1)[0].split(",", 1)[1].strip()
    code = CLISOPS_SCRIPT.format(call_ns=name, args=args)
    return [py, "-c", code, infile, outdir]


def compare(ours, ref, var="tas"):
    """max relative difference of `var` (missing values must coincide)."""
    import numpy as np
    import netCDF4
    with netCDF4.Dataset(ours) as a, netCDF4.Dataset(ref) as b:
        x = np.ma.filled(a[var][:].astype("f8"), np.nan).ravel()
        y = np.ma.filled(b[var][:].astype("f8"), np.nan).ravel()
    if x.shape != y.shape:
        return f"shape {x.shape} vs {y.shape}", False
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        return "missing values differ", False
    m = ~np.isnan(x)
    rel = float(np.max(np.abs(x[m] - y[m]) / np.maximum(np.abs(y[m]), 1e-12))) if m.any() else 0.0
    return f"max relative difference {rel:.2e}", rel <= 1e-5


def polygons_geojson(path, n=100, seed=1):
    """n star-shaped polygons (60-200 vertices, radius 2-12 degrees) scattered over the globe."""
    rnd = random.Random(seed)
    feats = []
    for k in range(n):
        cx, cy = rnd.uniform(-180, 180), rnd.uniform(-60, 60)
        r0 = rnd.uniform(2, 12)
        nv = rnd.randint(60, 200)
        ring = []
        for i in range(nv):
            a = 2 * math.pi * i / nv
            r = r0 * rnd.uniform(0.6, 1.0)
            ring.append([cx + r * math.cos(a), max(-89.0, min(89.0, cy + r * math.sin(a)))])
        ring.append(ring[0])
        feats.append({"type": "Feature", "properties": {"id": k},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", action="append", required=True, help="label=path")
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--cdo", default="cdo")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clisops-python", default=None)
    ap.add_argument("--outroot", default=os.path.join(HERE, "work", "out_average"))
    ap.add_argument("--results", default=os.path.join(HERE, "results_average.md"))
    ap.add_argument("--timeout", type=int, default=3600)
    a = ap.parse_args()

    rows, checks = [], []
    load0 = os.getloadavg()[0]
    for spec in a.file:
        label, path = spec.split("=", 1)
        for op, (rargs, cdo_op, cl_call) in OPS.items():
            tools = {
                "rookery": [a.rookery] + rargs + [path, "--output-dir", None],
                "cdo": [a.cdo, "-s", cdo_op, path, None],
            }
            if a.clisops_python and cl_call:
                tools["clisops"] = ("clisops", cl_call)
            res = {}
            for tool, argv in tools.items():
                od = os.path.join(a.outroot, label, re.sub(r"\W+", "_", op), tool)
                def mk(run_dir):
                    if tool == "clisops":
                        return clisops_argv(a.clisops_python, cl_call, path, run_dir)
                    if tool == "cdo":
                        return argv[:-1] + [os.path.join(run_dir, "out.nc")]
                    return argv[:-1] + [run_dir]
                log(f"{label} / {op} / {tool}: warm-up")
                w = run_once(mk(od + "_warm"), od + "_warm", a.timeout)
                if not w["ok"]:
                    log(f"  FAILED: {w['stderr'][-400:]}")
                    res[tool] = dict(ok=False, warm=w)
                    continue
                times, rss = [], []
                for k in range(a.runs):
                    r = run_once(mk(f"{od}_{k}"), f"{od}_{k}", a.timeout)
                    times.append(r["wall"])
                    rss.append(r["rss_mb"] or 0)
                    log(f"  run {k}: {r['wall']:.2f} s, {r['rss_mb'] or 0:.0f} MB")
                res[tool] = dict(ok=True, warm=w, median=statistics.median(times), rss=max(rss))
            if res.get("rookery", {}).get("ok") and res.get("cdo", {}).get("ok"):
                msg, good = compare(res["rookery"]["warm"]["outputs"][0], res["cdo"]["warm"]["outputs"][0])
                checks.append((label, op, msg, good))
            base = res.get("rookery", {}).get("median")
            for tool, r in res.items():
                if r.get("ok"):
                    ratio = r["median"] / base if base else float("nan")
                    rows.append((label, op, tool, f"{r['median']:.2f}", f"{ratio:.2f}", f"{r['rss']:.0f}"))
                else:
                    rows.append((label, op, tool, "failed", "", ""))

    # Polygon weights: 100 polygons on the 0.5 degree grid (one time step, so the run is the
    # weight computation; the time is rookery's own log line).
    poly_line = "not measured"
    first = a.file[0].split("=", 1)[1]
    wd = os.path.join(a.outroot, "polygons")
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    gj = os.path.join(wd, "polygons100.geojson")
    polygons_geojson(gj)
    one = subprocess.run([a.rookery, "subset", first, "--time", "1850-01-01/1850-01-01",
                          "--output-dir", wd, "--file-namer", "simple"], capture_output=True, text=True)
    if one.returncode == 0:
        step = one.stdout.strip().splitlines()[0]
        env = dict(os.environ, ROOKERY_LOG="info")
        p = subprocess.run([a.rookery, "average-shape", step, "--shape", gj, "--output-dir",
                            os.path.join(wd, "out"), "--file-namer", "simple"],
                           capture_output=True, text=True, env=env)
        m = re.search(r"polygon weights: (\d+) polygons on (\d+) cells in ([0-9.]+) s", p.stderr)
        poly_line = (f"{m.group(1)} polygons (60-200 vertices, 2-12 degrees) on {m.group(2)} cells: "
                     f"**{m.group(3)} s**" if m else f"failed: {p.stderr[-300:]}")

    load1 = os.getloadavg()[0]
    out = [f"# rookery averaging benchmark\n",
           f"- date: {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
           f"- load average (1 min) at start / end: {load0:.2f} / {load1:.2f}"
           + ("  **(machine was not idle: timings may be noisy)**" if max(load0, load1) > 0.5 else ""),
           f"- runs: {a.runs} timed runs after one warm-up (warm page cache); ratio = tool median / rookery median",
           "",
           "| file | operation | tool | median s | ratio vs rookery | peak RSS MB |",
           "|---|---|---|---:|---:|---:|"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    out += ["", "Correctness (warm-up outputs, rookery vs CDO, `tas`, 1e-5 relative):", ""]
    out += [f"- {l} / {o}: {m} {'PASS' if g else 'FAIL'}" for l, o, m, g in checks]
    out += ["", f"Polygon weights: {poly_line}", ""]
    text = "\n".join(out)
    print(text)
    with open(a.results, "w") as f:
        f.write(text)
    return 0 if all(g for *_, g in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
