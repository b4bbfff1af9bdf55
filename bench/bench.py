#!/usr/bin/env python3
"""Timing, peak-RSS, table and correctness-check core of the rookery benchmark.

Normally called by bench/run.sh, which sets up the venv, CDO, the rookery
build and the data. Can be run alone:

    bench/.venv/bin/python bench/bench.py --file nc4=work/data/x.nc \
        --file classic=work/data/x_classic.nc --rookery target/release/rookery

Each tool is run once untimed (warm-up: pulls the input into the page cache;
its output is the one checked for correctness), then --runs times timed under
`/usr/bin/time -v`. Reported: median wall time (measured around the process
with a monotonic clock), ratio tool_time / rookery_time, and the largest
"Maximum resident set size" seen over the timed runs.
"""

import argparse
import datetime as _dt
import glob
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIME_BIN = "/usr/bin/time"

FILE_LABELS = {
    "nc4": "NetCDF-4, deflate level 1 + shuffle, one chunk per time step",
    "classic": "NetCDF classic CDF-2 (64-bit offset), uncompressed",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    """Run a command, return (rc, stdout, stderr); never raises on failure."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, **kw)
        return p.returncode, p.stdout, p.stderr
    except (OSError, subprocess.SubprocessError) as e:
        return 127, "", str(e)


# --------------------------------------------------------------------------
# tools
# --------------------------------------------------------------------------

def tool_commands(a, infile, outdir):
    """name -> (argv, how-to-find-outputs). Order is the table order."""
    W, S, E, N = a.area_vals
    t0, t1 = a.time.split("/")
    out_nc = os.path.join(outdir, "out.nc")
    cdo_box = f"sellonlatbox,{W:g},{E:g},{S:g},{N:g}"
    cdo_date = f"-seldate,{t0},{t1}"
    tools = {}
    if a.rookery:
        tools["rookery"] = [a.rookery, "subset", infile, "--area", a.area,
                            "--time", a.time, "--output-dir", outdir]
    tools["cdo -f nc4 -z zip_1"] = [a.cdo, "-s", "-f", "nc4", "-z", "zip_1",
                                   cdo_box, cdo_date, infile, out_nc]
    tools["cdo (plain)"] = [a.cdo, "-s", cdo_box, cdo_date, infile, out_nc]
    if a.clisops_python:
        tools["clisops"] = [a.clisops_python, os.path.join(HERE, "clisops_subset.py"),
                            infile, f"--area={a.area}", "--time", a.time,
                            "--output-dir", outdir]
    return tools


def parse_time_v(path):
    rss_kb = None
    try:
        with open(path) as f:
            for line in f:
                m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", line)
                if m:
                    rss_kb = int(m.group(1))
    except OSError:
        pass
    return rss_kb


def drop_page_cache():
    """Drop the page cache (needs root and a writable /proc/sys). True on success."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return True
    except OSError as e:
        log(f"WARNING: could not drop the page cache: {e}")
        return False


def run_once(argv, outdir, timeout, cold=False):
    """One run under /usr/bin/time -v in a fresh outdir.

    Returns dict(ok, wall, rss_mb, stdout, stderr, rc, outputs)."""
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    tfile = outdir.rstrip("/") + ".time"
    if cold:
        drop_page_cache()
    full = [TIME_BIN, "-v", "-o", tfile] + argv
    t0 = time.perf_counter()
    try:
        p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        rc, so, se = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, so, se = -9, e.stdout or "", f"timed out after {timeout} s"
        if isinstance(so, bytes):
            so = so.decode(errors="replace")
    except OSError as e:
        rc, so, se = 127, "", str(e)
    wall = time.perf_counter() - t0
    rss = parse_time_v(tfile)
    outputs = sorted(glob.glob(os.path.join(outdir, "**", "*.nc"), recursive=True))
    ok = rc == 0 and len(outputs) > 0
    if rc == 0 and not outputs:
        se = (se or "") + "\n(exit 0 but no .nc file in the output directory)"
    return dict(ok=ok, wall=wall, rss_mb=(rss / 1024.0 if rss else None), rc=rc,
                stdout=so, stderr=se, outputs=outputs)


# --------------------------------------------------------------------------
# correctness
# --------------------------------------------------------------------------

def compare_outputs(test_paths, ref_path, test_name="rookery", ref_name="cdo"):
    """Compare `tas`, time and lat/lon of test output(s) with a reference file.

    Returns (passed: bool, lines: list[str])."""
    import numpy as np
    import netCDF4
    import cftime

    lines = []
    ok = True
    if not test_paths:
        return False, [f"{test_name}: no output file"]
    if len(test_paths) > 1:
        lines.append(f"{test_name} wrote {len(test_paths)} files; comparing them "
                     "concatenated along time")

    def load(paths):
        tas, times, lat, lon = [], [], None, None
        for p in paths:
            with netCDF4.Dataset(p) as ds:
                v = ds.variables["tas"]
                v.set_auto_maskandscale(False)
                dims = v.dimensions
                tas.append(np.asarray(v[:]))
                tv = ds.variables["time"]
                cal = getattr(tv, "calendar", "standard")
                tdates = cftime.num2date(tv[:], tv.units, calendar=cal)
                times.append((np.asarray(tv[:]), tv.units, cal, tdates))
                lat = np.asarray(ds.variables["lat"][:])
                lon = np.asarray(ds.variables["lon"][:])
        return dict(tas=np.concatenate(tas, axis=0), dims=dims,
                    tval=np.concatenate([t[0] for t in times]),
                    tunits={t[1] for t in times}, tcal={t[2] for t in times},
                    tdates=[d for t in times for d in t[3]], lat=lat, lon=lon)

    try:
        t = load(test_paths)
        r = load([ref_path])
    except Exception as e:  # noqa: BLE001
        return False, [f"could not read outputs: {type(e).__name__}: {e}"]

    # shape
    if t["tas"].shape != r["tas"].shape:
        ok = False
        lines.append(f"shape: {test_name} {t['tas'].shape} != {ref_name} {r['tas'].shape}  FAIL")
    else:
        lines.append(f"shape: {t['tas'].shape} {t['dims']}  ok")
        a_ = t["tas"].astype(np.float64)
        b_ = r["tas"].astype(np.float64)
        same_nan = np.isnan(a_) == np.isnan(b_)
        diff = np.where(np.isnan(a_) & np.isnan(b_), 0.0, np.abs(a_ - b_))
        mad = float(np.nanmax(diff)) if diff.size else 0.0
        if not same_nan.all():
            mad = float("inf")
        good = mad == 0.0
        ok &= good
        lines.append(f"tas: max |{test_name} - {ref_name}| = {mad:g}  {'ok' if good else 'FAIL'}")

    # time
    if len(t["tval"]) != len(r["tval"]):
        ok = False
        lines.append(f"time: {len(t['tval'])} vs {len(r['tval'])} steps  FAIL")
    else:
        same_units = t["tunits"] == r["tunits"]
        raw_equal = same_units and bool(np.array_equal(t["tval"], r["tval"]))
        dates_equal = [d.strftime("%Y-%m-%d %H:%M:%S") for d in t["tdates"]] == \
                      [d.strftime("%Y-%m-%d %H:%M:%S") for d in r["tdates"]]
        alias = {"noleap": "365_day", "all_leap": "366_day", "gregorian": "standard"}
        norm = lambda cals: {alias.get(c.lower(), c.lower()) for c in cals}  # noqa: E731
        same_cal = norm(t["tcal"]) == norm(r["tcal"])
        good = dates_equal and same_cal and (raw_equal or not same_units)
        ok &= good
        first = t["tdates"][0].strftime("%Y-%m-%d %H:%M") if t["tdates"] else "-"
        last = t["tdates"][-1].strftime("%Y-%m-%d %H:%M") if t["tdates"] else "-"
        note = "raw values equal" if raw_equal else (
            f"units differ ({sorted(t['tunits'])} vs {sorted(r['tunits'])}), dates compared"
            if not same_units else "raw values DIFFER")
        lines.append(f"time: {len(t['tval'])} steps {first} .. {last}, {note}, "
                     f"calendar {sorted(t['tcal'])} vs {sorted(r['tcal'])}  "
                     f"{'ok' if good else 'FAIL'}")

    # coordinates (informational unless they differ)
    for c in ("lat", "lon"):
        x, y = t[c], r[c]
        if x.shape != y.shape:
            ok = False
            lines.append(f"{c}: {x.shape} vs {y.shape}  FAIL")
            continue
        if c == "lon":
            d = np.abs(((x - y) + 180.0) % 360.0 - 180.0)
            exact = np.array_equal(x, y)
        else:
            d = np.abs(x - y)
            exact = np.array_equal(x, y)
        good = bool(np.all(d < 1e-9))
        ok &= good
        rng = f"{x.min():g}..{x.max():g}" if x.size else "empty"
        lines.append(f"{c}: {x.size} values {rng}"
                     f"{'' if exact else ' (equal modulo 360)' if good else ''}"
                     f"  {'ok' if good else 'FAIL'}")
    return ok, lines


# --------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------

def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return dict(nproc=os.cpu_count(), cpu=cpu, mem=mem,
                os=f"{platform.system()} {platform.release()}",
                load=os.getloadavg())


def versions(a):
    v = {}
    rc, so, se = sh([a.cdo, "--version"])
    v["cdo"] = ((so or se).strip().splitlines() or ["?"])[0] if rc in (0, 1) else "not available"
    if a.clisops_python:
        rc, so, se = sh([a.clisops_python, "-c",
                         "import clisops, xarray, dask; "
                         "print(f'clisops {clisops.__version__} "
                         "(xarray {xarray.__version__}, dask {dask.__version__})')"])
        v["clisops"] = so.strip() if rc == 0 else "failed to import: " + \
            ((se.strip().splitlines() or ["?"])[-1])
    else:
        v["clisops"] = a.clisops_status or "not run"
    if a.rookery:
        rc, so, se = sh([a.rookery, "--version"])
        v["rookery"] = (so.strip() or se.strip()) if rc == 0 else \
            f"`rookery --version` failed (exit {rc})"
    else:
        v["rookery"] = "failed: " + (a.rookery_status or "not available")
    try:
        import netCDF4
        v["netcdf4-python"] = (f"netCDF4 {netCDF4.__version__} (libnetcdf "
                               f"{netCDF4.__netcdf4libversion__}, HDF5 {netCDF4.__hdf5libversion__})")
    except Exception:  # noqa: BLE001
        pass
    return v


def fmt_table(results, ref_name="rookery"):
    ref = next((r for r in results if r["name"] == ref_name and r["ok"]), None)
    rows = ["| tool | median s | ratio vs rookery | peak RSS MB |",
            "|---|---:|---:|---:|"]
    for r in results:
        if not r["ok"]:
            rows.append(f"| {r['name']} | failed | n/a | n/a |")
            continue
        ratio = f"{r['median'] / ref['median']:.2f}" if ref else "n/a"
        rss = f"{r['peak_rss']:.0f}" if r.get("peak_rss") else "n/a"
        rows.append(f"| {r['name']} | {r['median']:.2f} | {ratio} | {rss} |")
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--file", action="append", required=True,
                   help="KIND=PATH, KIND in nc4|classic (repeatable)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--area", default="-10,30,40,70", help="W,S,E,N")
    p.add_argument("--time", default="1855-01-01/1855-12-31")
    p.add_argument("--rookery", default=None, help="rookery binary (omit if unavailable)")
    p.add_argument("--rookery-status", default=None,
                   help="text to report when --rookery is omitted (e.g. 'build failed')")
    p.add_argument("--clisops-python", default=None,
                   help="python with clisops installed (omit to skip clisops)")
    p.add_argument("--clisops-status", default=None)
    p.add_argument("--cdo", default=shutil.which("cdo") or "cdo")
    p.add_argument("--outroot", default=os.path.join(HERE, "work", "out"))
    p.add_argument("--results", default=os.path.join(HERE, "results.md"))
    p.add_argument("--timeout", type=float, default=3600.0, help="per run, seconds")
    p.add_argument("--cold", action="store_true",
                   help="drop the page cache before every timed run (needs root)")
    p.add_argument("--json", default=None, help="also dump raw results as JSON here")
    a = p.parse_args()

    a.area_vals = [float(x) for x in a.area.split(",")]
    if len(a.area_vals) != 4:
        sys.exit("--area needs W,S,E,N")
    if not os.path.exists(TIME_BIN):
        sys.exit(f"{TIME_BIN} not found (apt-get install time)")

    files = []
    for spec in a.file:
        kind, _, path = spec.partition("=")
        files.append((kind, os.path.abspath(path)))

    mi = machine_info()
    ver = versions(a)
    started = _dt.datetime.now().astimezone()
    log(f"machine: {mi['nproc']} cores, {mi['cpu']}, {mi['mem']}; "
        f"load average at start {mi['load'][0]:.2f}")
    if mi["load"][0] > 0.5:
        log("WARNING: the machine is not idle (load average > 0.5); timings may be noisy.")

    all_res = []
    for kind, path in files:
        label = FILE_LABELS.get(kind, kind)
        log(f"== {os.path.basename(path)} ({label}), "
            f"{os.path.getsize(path) / 1e9:.2f} GB")
        outroot = os.path.join(a.outroot, kind)
        tools = tool_commands(a, path, "OUTDIR")
        results = []
        for name, argv in tools.items():
            slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
            # substitute the per-run output dir lazily
            def argv_for(outdir, argv=argv):
                return [x.replace("OUTDIR", outdir) for x in argv]
            res = bench_tool_dynamic(name, argv_for, outroot, slug, a.runs, a.timeout,
                                     a.cold)
            results.append(res)
        if not a.rookery:
            results.insert(0, dict(name="rookery", ok=False, walls=[], rss=[],
                                   error=a.rookery_status or "not available",
                                   outputs=[], cmd="rookery subset ..."))
        # correctness
        checks = []
        by = {r["name"]: r for r in results}
        cdo_ref = by.get("cdo (plain)") if by.get("cdo (plain)", {}).get("ok") else \
            (by.get("cdo -f nc4 -z zip_1") if by.get("cdo -f nc4 -z zip_1", {}).get("ok") else None)
        for test in ("rookery", "clisops"):
            tr = by.get(test)
            if cdo_ref is None:
                checks.append((test, None, ["no CDO output to compare with"]))
                continue
            if tr is None:
                continue  # not run (e.g. --no-clisops)
            if not tr.get("outputs"):
                checks.append((test, None, [f"{test}: failed / no output, not checked"]))
                continue
            passed, lines = compare_outputs(tr["outputs"], cdo_ref["outputs"][0],
                                            test, "cdo")
            checks.append((test, passed, lines))
        all_res.append(dict(kind=kind, path=path, label=label,
                            size=os.path.getsize(path), results=results, checks=checks))

    mi_end = machine_info()

    # ---------------------------------------------------------------- report
    out = []
    out.append("# rookery benchmark results\n")
    out.append(f"- date: {started.strftime('%Y-%m-%d %H:%M %Z')}")
    out.append(f"- machine: {mi['nproc']} cores (nproc), CPU: {mi['cpu']}, {mi['mem']}, {mi['os']}")
    out.append(f"- load average (1 min) at start / end: {mi['load'][0]:.2f} / {mi_end['load'][0]:.2f}"
               + ("  **(machine was not idle: timings may be noisy)**"
                  if max(mi['load'][0], mi_end['load'][0]) > 0.7 else ""))
    out.append(f"- rookery: {ver.get('rookery')}")
    out.append(f"- cdo: {ver.get('cdo')}")
    out.append(f"- clisops: {ver.get('clisops')}")
    if "netcdf4-python" in ver:
        out.append(f"- checker: {ver['netcdf4-python']}")
    out.append(f"- operation: subset area W,S,E,N = {a.area}, time {a.time}")
    out.append(f"- runs: {a.runs} timed runs per tool (median wall time reported; peak RSS = "
               "largest `Maximum resident set size` of `/usr/bin/time -v` over the timed runs)")
    if a.cold:
        out.append("- cache: **cold** — the page cache was dropped (`/proc/sys/vm/drop_caches`) "
                   "before every timed run, so each run reads the input from disk (the VM's "
                   "host may still cache it). Each tool also had one untimed warm-up run, "
                   "used for the correctness check.")
    else:
        out.append("- cache: the page cache is not dropped; every tool had one untimed "
                   "warm-up run first, so **all timings are warm-cache** "
                   "(input file already in memory).")
    out.append("- ratio = tool median / rookery median (higher = rookery faster).")
    out.append("")
    for fr in all_res:
        out.append(f"## {os.path.basename(fr['path'])}\n")
        out.append(f"{fr['label']}, {fr['size'] / 1e9:.2f} GB on disk\n")
        out.append(fmt_table(fr["results"]))
        out.append("")
        for r in fr["results"]:
            if not r["ok"]:
                err = (r.get("error") or "").strip().splitlines()
                out.append(f"- {r['name']}: failed — " + (err[0] if err else "")
                           + (f" … {err[-1]}" if len(err) > 1 else ""))
        out.append("")
        out.append("Correctness (warm-up outputs vs CDO `sellonlatbox -seldate`):\n")
        for test, passed, lines in fr["checks"]:
            verdict = "PASS" if passed else ("FAIL" if passed is False else "NOT CHECKED")
            out.append(f"- {test} vs cdo: **{verdict}**")
            for l in lines:
                out.append(f"  - {l}")
        out.append("")
        if fr["kind"] == "nc4":
            by = {r["name"]: r for r in fr["results"]}
            rk, cd = by.get("rookery"), by.get("cdo -f nc4 -z zip_1")
            if rk and rk["ok"] and cd and cd["ok"]:
                sp = cd["median"] / rk["median"]
                rss = rk.get("peak_rss") or float("nan")
                cp = by.get("cdo (plain)")
                plain = (f" (vs plain `cdo`, uncompressed output: "
                         f"{cp['median'] / rk['median']:.2f}x)") if cp and cp["ok"] else ""
                out.append(f"Target (compressed file): rookery ≥ 5x faster than "
                           f"`cdo -f nc4 -z zip_1`: {sp:.2f}x → "
                           f"**{'MET' if sp >= 5 else 'NOT MET'}**{plain}; "
                           f"rookery peak RSS < 500 MB: {rss:.0f} MB → "
                           f"**{'MET' if rss < 500 else 'NOT MET'}**\n")
            else:
                out.append("Target (compressed file): not evaluated (rookery or CDO failed)\n")
        out.append("<details><summary>commands and all run times</summary>\n")
        for r in fr["results"]:
            walls = ", ".join(f"{w:.2f}" for w in r.get("walls", []))
            out.append(f"- {r['name']}: `{r['cmd']}`  runs: [{walls}]")
        out.append("\n</details>\n")
    report = "\n".join(out)

    os.makedirs(os.path.dirname(os.path.abspath(a.results)), exist_ok=True)
    with open(a.results, "w") as f:
        f.write(report)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(machine=mi, versions=ver, files=all_res), f, indent=1, default=str)

    # terminal summary
    print()
    print(report)
    print()
    overall = [c[1] for fr in all_res for c in fr["checks"] if c[0] == "rookery"]
    if overall and all(x is True for x in overall):
        print("correctness rookery vs cdo: PASS")
    elif any(x is False for x in overall):
        print("correctness rookery vs cdo: FAIL")
    else:
        print("correctness rookery vs cdo: NOT CHECKED (rookery failed or unavailable)")
    for fr in all_res:
        for r in fr["results"]:
            if r["name"] == "rookery" and not r["ok"]:
                print(f"rookery: failed ({fr['kind']} file) — "
                      + ((r.get("error") or "").strip().splitlines() or [""])[0])
    log(f"results written to {a.results}")
    if any(x is False for x in overall):
        sys.exit(1)


def bench_tool_dynamic(name, argv_for, outroot, slug, runs, timeout, cold=False):
    """bench_tool, with the output directory substituted per run."""
    res = dict(name=name, cmd=" ".join(shlex.quote(x) for x in argv_for("OUTDIR")),
               ok=False, walls=[], rss=[], error=None, outputs=[], stdout="")
    log(f"  {name}: warm-up ...")
    wdir = os.path.join(outroot, slug + "_warmup")
    w = run_once(argv_for(wdir), wdir, timeout)
    res["outputs"], res["stdout"], res["warmup_wall"] = w["outputs"], w["stdout"], w["wall"]
    if not w["ok"]:
        tail = "\n".join((w["stderr"] or w["stdout"] or "").strip().splitlines()[-15:])
        res["error"] = f"exit code {w['rc']}: {tail}"
        log(f"  {name}: FAILED (exit {w['rc']})\n" +
            "\n".join("      " + l for l in tail.splitlines()))
        return res
    for i in range(runs):
        rdir = os.path.join(outroot, slug + f"_run{i + 1}")
        r = run_once(argv_for(rdir), rdir, timeout, cold=cold)
        if not r["ok"]:
            tail = "\n".join((r["stderr"] or "").strip().splitlines()[-15:])
            res["error"] = f"timed run {i + 1} failed, exit code {r['rc']}: {tail}"
            log(f"  {name}: run {i + 1} FAILED (exit {r['rc']})")
            return res
        res["walls"].append(r["wall"])
        if r["rss_mb"] is not None:
            res["rss"].append(r["rss_mb"])
        log(f"  {name}: run {i + 1}/{runs}: {r['wall']:.2f} s, "
            f"peak RSS {r['rss_mb'] or float('nan'):.0f} MB")
        shutil.rmtree(rdir, ignore_errors=True)
        try:
            os.remove(rdir + ".time")
        except OSError:
            pass
    res["ok"] = True
    res["median"] = statistics.median(res["walls"])
    res["peak_rss"] = max(res["rss"]) if res["rss"] else None
    return res


if __name__ == "__main__":
    main()
