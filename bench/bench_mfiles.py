#!/usr/bin/env python3
"""Many small files: rookery vs CDO (-mergetime / -select) vs xarray open_mfdataset (and
optionally clisops) on the yearly monthly files of bench/gen_monthly.py.

    /work/bench-venv-py/bin/python bench/bench_mfiles.py --dir bench/work/monthly \
        --rookery $CARGO_TARGET_DIR/release/rookery [--baseline-rookery OLD] [--rounds 5] \
        [--clisops] [--results bench/results_mfiles.md]

Operations (all files are given on the command line, as a user would with DIR/*.nc):
  subset 10 yr: box -10,30,40,70 (across 0 degrees) and 1900-01-01..1909-12-31
  subset all:   the same box, all 165 years
  time mean:    mean over time of all 1980 steps

Paired rounds: one untimed warm-up per tool (its output is checked), then --rounds rounds in
which every tool runs once, in turn (order rotated each round), under /usr/bin/time -v.
Ratio = median over rounds of (tool time / rookery time in the same round); peak RSS = the
largest over the rounds. CDO is single-threaded and rookery uses both cores: a loaded machine
understates rookery's ratio (the load average is reported).
"""

import argparse
import datetime as _dt
import glob
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402  (same timing core as the other benchmarks)

BOX = (-10, 30, 40, 70)  # W, S, E, N
T10 = ("1900-01-01", "1909-12-31")

XR_SCRIPT = r"""
import sys, glob, warnings
warnings.filterwarnings("ignore")
import xarray as xr
op, pattern, out, parallel = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
ds = xr.open_mfdataset(sorted(glob.glob(pattern)), combine="by_coords", parallel=parallel,
                       data_vars="minimal", coords="minimal", compat="override")
W, S, E, N = %s
def box(d):
    d = d.sel(lat=slice(S, N))
    return xr.concat([d.sel(lon=slice(360 + W, 360)), d.sel(lon=slice(0, E))], dim="lon")
if op == "subset10":
    r = box(ds.sel(time=slice("%s", "%s")))[["tas"]]
elif op == "subsetall":
    r = box(ds)[["tas"]]
else:
    r = ds[["tas"]].mean("time", keep_attrs=True)
enc = {"tas": {"zlib": True, "complevel": 1, "shuffle": True}}
r.to_netcdf(out, encoding=enc)
""" % (repr(BOX), T10[0], T10[1])

CLISOPS_SCRIPT = r"""
import sys, glob, warnings
warnings.filterwarnings("ignore")
op, pattern, out = sys.argv[1], sys.argv[2], sys.argv[3]
files = sorted(glob.glob(pattern))
if op == "timemean":
    from clisops.ops.average import average_over_dims
    average_over_dims(files, dims=["time"], output_dir=out, output_type="nc")
else:
    from clisops.ops.subset import subset
    t = "%s/%s" if op == "subset10" else None
    subset(ds=files, area=%s, time=t, output_dir=out, output_type="nc")
""" % (T10[0], T10[1], repr(BOX))


def ops(files, a):
    W, S, E, N = BOX
    cdo = [a.cdo, "-s", "-f", "nc4", "-z", "zip_1"]
    box = f"sellonlatbox,{W},{E},{S},{N}"
    return {
        "subset 10 yr": dict(
            rookery=["subset"] + files + ["--area", f"{W},{S},{E},{N}", "--time", f"{T10[0]}/{T10[1]}"],
            cdo_mergetime=cdo + [box, f"-seldate,{T10[0]},{T10[1]}", "-mergetime"] + files,
            cdo_select=cdo + [box, f"-select,name=tas,startdate={T10[0]},enddate={T10[1]}"] + files,
            xr="subset10", clisops="subset10"),
        "subset all years": dict(
            rookery=["subset"] + files + ["--area", f"{W},{S},{E},{N}"],
            cdo_mergetime=cdo + [box, "-mergetime"] + files,
            cdo_select=cdo + [box, "-select,name=tas"] + files,
            xr="subsetall", clisops="subsetall"),
        "time mean": dict(
            rookery=["average", "--dims", "time"] + files,
            cdo_mergetime=cdo + ["timmean", "-mergetime"] + files,
            cdo_select=cdo + ["timmean", "-select,name=tas"] + files,
            xr="timemean", clisops="timemean"),
    }


def load(path, var="tas"):
    import numpy as np
    import netCDF4
    with netCDF4.Dataset(path) as d:
        d.set_auto_mask(False)
        x = d[var][:]
        lon = d["lon"][:] % 360 if "lon" in d.variables else None
    return np.asarray(x, dtype="f8").squeeze(), lon


def compare(ours, ref, exact):
    import numpy as np
    x, lx = load(ours)
    y, ly = load(ref)
    if x.shape != y.shape:
        return f"shape {x.shape} vs {y.shape}", False
    if lx is not None and ly is not None and not np.allclose(lx, ly):
        return "lon differs", False
    d = float(np.max(np.abs(x - y))) if x.size else 0.0
    rel = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-12))) if x.size else 0.0
    good = d == 0.0 if exact else rel <= 1e-6
    return f"max |diff| {d:.3g} (relative {rel:.2e})", good


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="directory of the yearly files")
    ap.add_argument("--label", default=None)
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--baseline-rookery", default=None, help="an older build: outputs must be equal")
    ap.add_argument("--cdo", default="cdo")
    ap.add_argument("--python", default="/work/bench-venv-py/bin/python")
    ap.add_argument("--no-xarray", action="store_true")
    ap.add_argument("--xarray-parallel", type=int, default=0,
                    help="open_mfdataset(parallel=True): crashes (segfault) with netCDF4 + dask threads here")
    ap.add_argument("--clisops", action="store_true", help="also clisops (same venv)")
    ap.add_argument("--ops", default="subset 10 yr,subset all years,time mean")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--slow-rounds", type=int, default=2, help="rounds for xarray/clisops")
    ap.add_argument("--cache-dir", default=os.path.join(HERE, "work", "mfiles_cache"))
    ap.add_argument("--outroot", default=os.path.join(HERE, "work", "out_mfiles"))
    ap.add_argument("--results", default=os.path.join(HERE, "results_mfiles.md"))
    ap.add_argument("--timeout", type=int, default=3600)
    a = ap.parse_args()

    files = sorted(glob.glob(os.path.join(a.dir, "*.nc")))
    label = a.label or os.path.basename(a.dir.rstrip("/"))
    lslug = re.sub(r"\W+", "_", label)
    pattern = os.path.join(os.path.abspath(a.dir), "*.nc")
    os.environ["ROOKERY_CACHE_DIR"] = a.cache_dir
    load0 = os.getloadavg()[0]
    rows, checks = [], []
    wanted = [o.strip() for o in a.ops.split(",")]
    for op, spec in ops(files, a).items():
        if op not in wanted:
            continue
        tools = {"rookery": lambda d, s=spec: [a.rookery] + s["rookery"] + ["--output-dir", d]}
        tools["rookery (no index)"] = lambda d, s=spec: ["env", "ROOKERY_CACHE_SIZE=0", a.rookery] + s["rookery"] + ["--output-dir", d]
        if a.baseline_rookery:
            tools["rookery (baseline)"] = lambda d, s=spec: [a.baseline_rookery] + s["rookery"] + ["--output-dir", d]
        tools["cdo -mergetime"] = lambda d, s=spec: s["cdo_mergetime"] + [os.path.join(d, "out.nc")]
        tools["cdo -select"] = lambda d, s=spec: s["cdo_select"] + [os.path.join(d, "out.nc")]
        if not a.no_xarray:
            tools["xarray"] = lambda d, s=spec: [a.python, "-c", XR_SCRIPT, s["xr"], pattern,
                                                 os.path.join(d, "out.nc"), str(a.xarray_parallel)]
        if a.clisops:
            tools["clisops"] = lambda d, s=spec: [a.python, "-c", CLISOPS_SCRIPT, s["clisops"], pattern, d]
        slow = {"xarray", "clisops"}
        slug = re.sub(r"\W+", "_", op)
        warm, times, rss = {}, {t: [] for t in tools}, {t: [] for t in tools}
        for t, argv in tools.items():
            od = os.path.join(a.outroot, lslug, slug, re.sub(r"\W+", "_", t), "warm")
            log(f"{label} / {op} / {t}: warm-up")
            w = run_once(argv(od), od, a.timeout)
            if not w["ok"]:
                log(f"  FAILED: {w['stderr'][-600:]}")
            warm[t] = w
        names = [t for t in tools if warm[t]["ok"]]
        for k in range(a.rounds):
            order = names[k % len(names):] + names[:k % len(names)]
            for t in order:
                if t in slow and k >= a.slow_rounds:
                    continue
                od = os.path.join(a.outroot, lslug, slug, re.sub(r"\W+", "_", t), "run")
                r = run_once(tools[t](od), od, a.timeout)
                times[t].append(r["wall"] if r["ok"] else float("nan"))
                rss[t].append(r["rss_mb"] or 0)
                log(f"  round {k} {t}: {r['wall']:.2f} s, {r['rss_mb'] or 0:.0f} MB")
        base = times.get("rookery", [])
        for t in tools:
            if not warm[t]["ok"]:
                rows.append((label, op, t, "failed", "", ""))
                continue
            ratios = [x / b for x, b in zip(times[t], base) if b == b and x == x]
            rows.append((label, op, t, f"{statistics.median(times[t]):.3f}",
                         f"{statistics.median(ratios):.1f}", f"{max(rss[t]):.0f}"))
        ref = warm.get("cdo -mergetime")
        if warm["rookery"]["ok"] and ref and ref["ok"]:
            exact = op != "time mean"
            for t in tools:
                if t in ("rookery", "cdo -mergetime") or not warm[t]["ok"]:
                    continue
                msg, good = compare(warm[t]["outputs"][0], ref["outputs"][0], exact)
                checks.append((label, op, f"{t} vs cdo -mergetime", msg, good))
            msg, good = compare(warm["rookery"]["outputs"][0], ref["outputs"][0], exact)
            checks.append((label, op, "rookery vs cdo -mergetime", msg, good))
        if a.baseline_rookery and warm["rookery"]["ok"] and warm["rookery (baseline)"]["ok"]:
            msg, good = compare(warm["rookery"]["outputs"][0], warm["rookery (baseline)"]["outputs"][0], True)
            checks.append((label, op, "rookery vs baseline build (bit-identical)", msg, good))
        subprocess.run(["rm", "-rf", os.path.join(a.outroot, lslug, slug)])

    load1 = os.getloadavg()[0]
    out = [f"## {label}: {len(files)} files\n",
           f"- date: {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
           f"- load average (1 min) at start / end: {load0:.2f} / {load1:.2f}"
           + ("  **(machine not idle: rookery's ratios are understated)**" if max(load0, load1) > 0.7 else ""),
           f"- {a.rounds} paired rounds after one warm-up (xarray/clisops: {a.slow_rounds}); "
           "ratio = median over rounds of tool time / rookery time in the same round",
           "",
           "| files | operation | tool | median s | ratio (× rookery) | peak RSS MB |",
           "|---|---|---|---:|---:|---:|"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    out += ["", "Correctness (warm-up outputs, `tas`; subsets exact, time mean 1e-6 relative):", ""]
    out += [f"- {l} / {o} / {w}: {m} **{'PASS' if g else 'FAIL'}**" for l, o, w, m, g in checks]
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.results, "a") as f:
        f.write(text + "\n")
    return 0 if all(c[-1] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
