#!/usr/bin/env python3
"""Issue 23's table: two rookery builds (BEFORE, AFTER) and CDO run in turn on the generated
daily file (bench/gen_daily.py), so each triple of runs sees the same machine load.

    python3 bench/bench_speed.py --file /work/bench-data/tas.nc \\
        --before /path/to/old/rookery --after target/release/rookery [--runs 5] \\
        [--ops subset,timmean,monmean,fldmean,regrid] [--perf]

Operations (rookery / CDO, both writing NetCDF-4 deflate 1 for a compressed source):
  subset   one year, box across 0 deg   subset --area -10,30,40,70 --time Y-01-01/Y-12-31
                                        / sellonlatbox,-10,40,30,70 -seldate,...
  timmean  mean over the whole time axis  average --dims time / timmean
  monmean  monthly means                  average-time --freq month / monmean
  fldmean  area-weighted field mean       weighted-average / fldmean
  regrid   bilinear to 1 deg (weights cached after the warm-up run)
                                          regrid --method bilinear --grid 1deg / remapbil,r360x180

Per run, from /usr/bin/time -v: wall, user + sys CPU seconds, peak RSS. Printed per operation:
medians, the median of the pairwise ratios cdo/after and before/after (wall and CPU), the
largest RSS. The warm-up round's outputs of BEFORE and AFTER must be equal value by value
(masks included); AFTER's are compared with CDO's (max relative difference, 1e-5 allowed: the
field mean's cell areas differ, see bench/README.md). `--perf` records AFTER once under
`perf record` and prints its five hottest symbols and the share of libdeflate's inflate, from
which the inflate limit (inflate CPU seconds / cores) and how close the wall time is to it.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TIME = "/usr/bin/time"


def ops(path, year):
    return {
        "subset": (
            ["subset", "--area", "-10,30,40,70", "--time", f"{year}-01-01/{year}-12-31"],
            ["sellonlatbox,-10,40,30,70", f"-seldate,{year}-01-01,{year}-12-31", path],
        ),
        "timmean": (["average", "--dims", "time"], ["timmean", path]),
        "monmean": (["average-time", "--freq", "month"], ["monmean", path]),
        "fldmean": (["weighted-average"], ["fldmean", path]),
        "regrid": (["regrid", "--method", "bilinear", "--grid", "1deg"], ["remapbil,r360x180", path]),
    }


def run(argv, outdir):
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    tfile = outdir.rstrip("/") + ".time"
    t0 = time.perf_counter()
    p = subprocess.run([TIME, "-v", "-o", tfile, *argv], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {p.stderr[-400:]}")
    txt = open(tfile).read()

    def num(key):
        m = re.search(rf"{key}:\s*([0-9.]+)", txt)
        return float(m.group(1)) if m else 0.0

    outs = sorted(os.path.join(d, f) for d, _, fs in os.walk(outdir) for f in fs if f.endswith(".nc"))
    cpu = num(r"User time \(seconds\)") + num(r"System time \(seconds\)")
    return dict(wall=wall, cpu=cpu, rss=num(r"Maximum resident set size \(kbytes\)") / 1024, outs=outs)


def compare(a, b, exact):
    """None when the outputs hold the same values (exactly, or within 1e-5 relative for tas)."""
    import numpy as np
    import netCDF4

    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} files"
    for fa, fb in zip(a, b):
        with netCDF4.Dataset(fa) as da, netCDF4.Dataset(fb) as db:
            names = da.variables if exact else ["tas"]
            for name in names:
                x = np.ma.masked_invalid(np.ma.squeeze(da.variables[name][:]))
                y = np.ma.masked_invalid(np.ma.squeeze(db.variables[name][:]))
                if x.shape != y.shape:
                    return f"{name}: shapes {x.shape} vs {y.shape}"
                if not np.array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y)):
                    return f"{name}: masks differ"
                if exact:
                    if not np.array_equal(np.ma.getdata(x), np.ma.getdata(y)):
                        return f"{name}: values differ"
                else:
                    xd, yd = np.ma.getdata(x).astype("f8"), np.ma.getdata(y).astype("f8")
                    m = ~np.ma.getmaskarray(x)
                    rel = np.abs(xd[m] - yd[m]) / np.maximum(np.abs(yd[m]), 1e-30)
                    if rel.size and rel.max() > 1e-5:
                        return f"{name}: max relative difference {rel.max():.2e}"
    return None


def profile(argv, outdir):
    """The five hottest symbols of one run and the inflate share (None without perf)."""
    if not shutil.which("perf"):
        return None
    data = outdir + ".perf"
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    t0 = time.perf_counter()
    subprocess.run(["perf", "record", "-F", "999", "-o", data, *argv], capture_output=True)
    wall = time.perf_counter() - t0
    rep = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio"], capture_output=True, text=True
    ).stdout
    rows = [(float(m.group(1)), m.group(2).strip()) for m in re.finditer(r"^\s+([0-9.]+)%\s+\[[.k]\]\s+(\S+)", rep, re.M)]
    os.remove(data)
    inflate = sum(p for p, s in rows if s.startswith("deflate_decompress") or s.startswith("adler32"))
    return rows[:5], inflate, wall


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file", required=True)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--ops", default="subset,timmean,monmean,fldmean,regrid")
    p.add_argument("--year", default="1855")
    p.add_argument("--perf", action="store_true")
    p.add_argument("--work", default=None)
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="bench_speed_")
    table = ops(a.file, a.year)
    cores = os.cpu_count() or 1
    load0 = os.getloadavg()[0]
    print(f"file {a.file}, {cores} cores, load {load0:.1f} at start")
    for name in a.ops.split(","):
        rk, cdo = table[name]
        # CDO compresses its output only when asked; rookery follows the source's encoding.
        z = ["-f", "nc4", "-z", "zip_1"] if not a.file.endswith("_classic.nc") else ["-f", "nc4"]
        cmds = {
            "before": lambda d: [a.before, *rk, a.file, "--output-dir", d],
            "after": lambda d: [a.after, *rk, a.file, "--output-dir", d],
            "cdo": lambda d: ["cdo", "-s", *z, *cdo, os.path.join(d, "out.nc")],
        }
        res = {k: [] for k in cmds}
        for i in range(a.runs + 1):
            outs = {}
            for k, argv in cmds.items():
                d = os.path.join(work, k)
                r = run(argv(d), d)
                outs[k] = r["outs"]
                if i > 0:
                    res[k].append(r)
            if i == 0:
                same = compare(outs["after"], outs["before"], exact=True)
                vs_cdo = compare(outs["after"], outs["cdo"], exact=False) if name != "regrid" else "not compared"
                print(f"{name}: before/after outputs {'EQUAL' if same is None else 'DIFFER: ' + same}; "
                      f"vs CDO {'within 1e-5' if vs_cdo is None else vs_cdo}")
            for k in cmds:
                shutil.rmtree(os.path.join(work, k), ignore_errors=True)
        med = {k: statistics.median(r["wall"] for r in v) for k, v in res.items()}
        cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in res.items()}
        rss = {k: max(r["rss"] for r in v) for k, v in res.items()}

        def pair(x, y, key="wall"):
            return statistics.median(s[key] / t[key] for s, t in zip(res[x], res[y]))

        print(
            f"{name}: wall before {med['before']:.2f} s, after {med['after']:.2f} s, cdo {med['cdo']:.2f} s | "
            f"cdo/after {pair('cdo', 'after'):.2f}x (cdo/before {pair('cdo', 'before'):.2f}x), "
            f"before/after {pair('before', 'after'):.2f}x | CPU s before {cpu['before']:.2f}, after {cpu['after']:.2f}, "
            f"cdo {cpu['cdo']:.2f}; cdo/after CPU {pair('cdo', 'after', 'cpu'):.2f}x | "
            f"peak RSS MB before {rss['before']:.0f}, after {rss['after']:.0f}, cdo {rss['cdo']:.0f}"
        )
        if a.perf:
            d = os.path.join(work, "perf")
            prof = profile(cmds["after"](d), d)
            shutil.rmtree(d, ignore_errors=True)
            if prof:
                rows, inflate, _ = prof
                floor = cpu["after"] * inflate / 100 / cores
                print(f"{name}: profile " + "; ".join(f"{pct:.1f}% {sym}" for pct, sym in rows))
                print(f"{name}: inflate {inflate:.1f}% of CPU -> inflate limit {floor:.2f} s on {cores} cores; "
                      f"wall after / limit = {med['after'] / floor:.2f}" if floor > 0 else f"{name}: no inflate")
    print(f"load {os.getloadavg()[0]:.1f} at end")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
