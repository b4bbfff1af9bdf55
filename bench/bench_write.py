#!/usr/bin/env python3
"""Output-compression benchmark: two rookery builds (BEFORE, AFTER) and CDO, run in turn
(before, after, cdo, before, after, cdo, ...) so that each pair of runs sees the same machine
load, on operations whose time goes into writing a large compressed output: monthly means,
monthly anomalies and a bilinear regrid of the generated daily file (bench/gen_daily.py).

    python3 bench/bench_write.py --file /work/bench-data/tas.nc \\
        --before /path/to/old/rookery --after target/release/rookery [--runs 3] [--ops means,anomaly,regrid]

Per run: wall time and peak RSS under /usr/bin/time -v. Printed per operation: the median of
the pairwise ratios before/after and cdo/after, medians and the largest peak RSS. The first
round's outputs of BEFORE and AFTER are compared value by value (netCDF4-python: same masks,
same values); outputs are deleted after every run.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import run_once, log  # noqa: E402


def ops(path, reference):
    """name: (rookery args, cdo args before the output)."""
    return {
        "means": (["average-time", "--freq", "month"], ["monmean", path]),
        "anomaly": (
            ["anomaly", "--freq", "month", "--reference", reference],
            ["ymonsub", path, "-ymonmean", f"-selyear,{reference}", path],
        ),
        "regrid": (["regrid", "--method", "bilinear", "--grid", "1deg"], ["remapbil,r360x180", path]),
    }


def same_outputs(a, b):
    import numpy as np
    import netCDF4

    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} files"
    for fa, fb in zip(a, b):
        with netCDF4.Dataset(fa) as da, netCDF4.Dataset(fb) as db:
            for name, va in da.variables.items():
                x, y = va[:], db.variables[name][:]
                if not np.array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y)):
                    return f"{name}: masks differ"
                if not np.array_equal(np.ma.getdata(x), np.ma.getdata(y)):
                    return f"{name}: values differ"
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file", required=True)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--ops", default="means,anomaly,regrid")
    p.add_argument("--reference", default="1851/1855")
    p.add_argument("--work", default=None, help="output directory (default: a temporary one)")
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="bench_write_")
    table = ops(a.file, a.reference)
    for name in a.ops.split(","):
        rk, cdo = table[name]
        cmds = {
            "before": [a.before, *rk, a.file, "--output-dir"],
            "after": [a.after, *rk, a.file, "--output-dir"],
            "cdo": ["cdo", "-s", "-f", "nc4", "-z", "zip_1", *cdo],
        }
        res = {k: [] for k in cmds}
        for i in range(a.runs + 1):
            outs = {}
            for k, argv in cmds.items():
                d = os.path.join(work, k)
                full = argv + [d] if k != "cdo" else argv + [os.path.join(d, "out.nc")]
                if k == "cdo":
                    os.makedirs(d, exist_ok=True)
                r = run_once(full, d, timeout=1800)
                if not r["ok"]:
                    log(f"{name} {k} failed: {r['stderr'][-400:]}")
                    sys.exit(1)
                outs[k] = r["outputs"]
                if i > 0:
                    res[k].append(r)
                log(f"{name} {k} run {i}: {r['wall']:.2f} s, {r['rss_mb']:.0f} MB")
            if i == 0:
                diff = same_outputs(outs["after"], outs["before"])
                print(f"{name}: outputs before/after {'EQUAL' if diff is None else 'DIFFER: ' + diff}")
            for k in cmds:
                shutil.rmtree(os.path.join(work, k), ignore_errors=True)
        med = {k: statistics.median(r["wall"] for r in v) for k, v in res.items()}
        rss = {k: max(r["rss_mb"] for r in v) for k, v in res.items()}
        rb = statistics.median(b["wall"] / f["wall"] for b, f in zip(res["before"], res["after"]))
        rc = statistics.median(c["wall"] / f["wall"] for c, f in zip(res["cdo"], res["after"]))
        rc0 = statistics.median(c["wall"] / b["wall"] for c, b in zip(res["cdo"], res["before"]))
        print(
            f"{name}: before {med['before']:.2f} s ({rss['before']:.0f} MB), after {med['after']:.2f} s "
            f"({rss['after']:.0f} MB), cdo {med['cdo']:.2f} s; before/after {rb:.2f}x, "
            f"cdo/after {rc:.2f}x (cdo/before {rc0:.2f}x)"
        )
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
