#!/usr/bin/env python3
"""The same notebook calls through clisops.ops and rookery.ops, side by side, in one Python
process (the venv scripts/setup-pypkg.sh makes as .venv-clisops has both; for timings install a
release wheel: maturin build --release -m crates/rookery-py/Cargo.toml --auditwheel skip).

    python bench/gen_daily.py --out work/tas2y.nc --years 2
    .venv-clisops/bin/python bench/bench_python.py work/tas2y.nc [--runs 3] [--results FILE]

clisops (xarray + dask) needs minutes per call on the 10-year file, so the default input is a
2-year file; the subset takes the file's last year and a box across 0°.

Each call runs once untimed per library (warm-up; the two outputs are compared), then --runs
paired runs: clisops then rookery, alternating, each writing NetCDF to a fresh directory that
is removed afterwards. Reported: the median of the paired ratios clisops time / rookery time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import warnings

CALLS = {
    # name: (module path of the clisops function, keyword arguments)
    "subset last year+area": ("subset", {"area": (-20.0, 30.0, 40.0, 70.0)}),
    # The same box east of 0°: clisops rolls the longitude for a box across 0°, which is its
    # slow path; this row shows its ordinary one.
    "subset last year+area east of 0": ("subset", {"area": (10.0, 30.0, 40.0, 70.0)}),
    "average over time": ("average_over_dims", {"dims": ["time"]}),
    "monthly means": ("average_time", {"freq": "month"}),
}


def functions(name: str):
    import importlib

    # Modules by name: `clisops.ops.subset` as an attribute is the function (the package
    # imports it), not the module.
    ca = importlib.import_module("clisops.ops.average")
    cs = importlib.import_module("clisops.ops.subset")

    import rookery.ops as ro

    clisops_fn = getattr(cs if name == "subset" else ca, name)
    return clisops_fn, getattr(ro, name)


def run(fn, path: str, kwargs: dict) -> tuple[float, str, list[str]]:
    out = tempfile.mkdtemp(prefix="bench-python-")
    t0 = time.perf_counter()
    paths = fn(path, output_dir=out, output_type="nc", file_namer="simple", **kwargs)
    return time.perf_counter() - t0, out, [str(p) for p in paths]


def max_diff(a: list[str], b: list[str], var: str = "tas") -> float:
    import numpy as np
    import xarray as xr

    with xr.open_mfdataset(a) as x, xr.open_mfdataset(b) as y:
        u = x[var].values.astype("f8")
        v = y[var].values.astype("f8")
    if u.shape != v.shape:
        return float("inf")
    return float(np.nanmax(np.abs(u - v)))


def last_year(path: str) -> int:
    import xarray as xr

    with xr.open_dataset(path, use_cftime=True) as ds:
        return int(ds.time.values[-1].year)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--results")
    p.add_argument("--only", action="append", help="run only this call (repeatable)")
    a = p.parse_args()
    warnings.simplefilter("ignore")
    last = last_year(a.file)
    for k in ("subset last year+area", "subset last year+area east of 0"):
        CALLS[k][1]["time"] = f"{last}-01-01/{last}-12-31"
    lines = ["| call | clisops median (s) | rookery median (s) | paired ratio (median) | max abs diff |", "|---|---|---|---|---|"]
    for label, (name, kwargs) in CALLS.items():
        if a.only and label not in a.only:
            continue
        c_fn, r_fn = functions(name)
        _, c_out, c_paths = run(c_fn, a.file, kwargs)
        _, r_out, r_paths = run(r_fn, a.file, kwargs)
        diff = max_diff(c_paths, r_paths)
        shutil.rmtree(c_out)
        shutil.rmtree(r_out)
        ct, rt, ratios = [], [], []
        for _ in range(a.runs):
            t1, d1, _ = run(c_fn, a.file, kwargs)
            shutil.rmtree(d1)
            t2, d2, _ = run(r_fn, a.file, kwargs)
            shutil.rmtree(d2)
            ct.append(t1)
            rt.append(t2)
            ratios.append(t1 / t2)
        line = (
            f"| {label} | {statistics.median(ct):.2f} | {statistics.median(rt):.2f} | "
            f"{statistics.median(ratios):.1f} | {diff:.3g} |"
        )
        print(line, flush=True)
        lines.append(line)
    if a.results:
        with open(a.results, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
