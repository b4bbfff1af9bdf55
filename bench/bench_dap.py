#!/usr/bin/env python3
"""OPeNDAP DAP2 reads of an aggregated daily dataset served by `rookery serve`, against the
same reads through rookery's Zarr 2 endpoint and from the local files (issue 18):

  dap2     netCDF4-python (netCDF-C's DAP2 client) on /opendap/<id>, hyperslab reads
  zarr     xarray.open_zarr on /datasets/<id>/zarr
  local    xarray.open_mfdataset on the files

Reads: (a) one global time step, (b) the whole time series at one point. Each round reads a
different step / point with every method, in a rotated order (paired runs); the report gives
the median time per method and the median of the per-round ratios dap2/zarr and dap2/local,
and checks that the values are equal.

Input: yearly files cut from /work/bench-data/tas.nc (as bench_serve.py writes them, dataset
id bench.day.tas). Needs a `rookery` binary and .venv-zarr (scripts/setup-pyzarr.sh).

    python bench/bench_dap.py --rookery target/release/rookery --work /tmp/bench-dap --years 3
"""

import argparse
import json
import os
import subprocess
import sys

from _server import start_rookery
from bench_serve import ID, make_files

CLIENT = r'''
import json, sys, time
import numpy as np, xarray as xr, netCDF4
base, rounds, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
dap = netCDF4.Dataset(f"{base}/opendap/bench.day.tas")
zarr = xr.open_dataset(f"{base}/datasets/bench.day.tas/zarr", engine="zarr", consolidated=True, chunks=None, decode_times=False)
parts = [xr.open_dataset(f, decode_times=False) for f in files]
local = parts[0] if len(parts) == 1 else xr.concat(parts, dim="time", data_vars="minimal", coords="minimal", compat="override")
nt, ny, nx = dap["tas"].shape
def reads(k):
    t = (k * 97 + 13) % nt
    y, x = (k * 37 + 100) % ny, (k * 53 + 200) % nx
    return {"a_step": ((t, slice(None), slice(None)), dict(time=t)),
            "b_point": ((slice(None), y, x), dict(lat=y, lon=x))}
methods = {
    "dap2": lambda key, sel: np.ma.filled(dap["tas"][key], np.nan),
    "zarr": lambda key, sel: zarr["tas"].isel(**sel).values,
    "local": lambda key, sel: local["tas"].isel(**sel).values,
}
names = list(methods)
for k in range(rounds):
    for read, (key, sel) in reads(k).items():
        row, vals = {"round": k, "read": read}, {}
        order = names[k % 3:] + names[:k % 3]
        for m in order:
            t0 = time.perf_counter()
            vals[m] = methods[m](key, sel)
            row[m] = time.perf_counter() - t0
        row["equal"] = all(np.array_equal(vals[m], vals["local"], equal_nan=True) for m in names)
        print(json.dumps(row), flush=True)
'''


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--python", default=".venv-zarr/bin/python")
    a = ap.parse_args()
    files = make_files(a.work, a.years)
    root = os.path.join(a.work, "data", "bench")
    ini = os.path.join(a.work, "bench-dap.ini")
    with open(ini, "w") as f:
        f.write(f"[rookery]\nmax_answer_bytes = 4000000000\n\n[project:bench]\nbase_dir = {root}\n")
    rk, base, _ = start_rookery(a.rookery, env=dict(os.environ, ROOCS_CONFIG=ini))
    try:
        out = subprocess.run([a.python, "-c", CLIENT, base, str(a.rounds)] + files,
                             capture_output=True, text=True, check=True).stdout
    finally:
        rk.terminate()
        rk.wait()
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    print(f"dataset {ID}: {a.years} yearly files, {a.rounds} paired rounds\n")
    print("| read | dap2 s | zarr s | local s | dap2/zarr | dap2/local | equal |")
    print("|---|---|---|---|---|---|---|")
    for read in ("a_step", "b_point"):
        r = [x for x in rows if x["read"] == read][1:]  # the first round warms up
        print(f"| {read} | {median([x['dap2'] for x in r]):.3f} | {median([x['zarr'] for x in r]):.3f} | "
              f"{median([x['local'] for x in r]):.3f} | {median([x['dap2'] / x['zarr'] for x in r]):.2f} | "
              f"{median([x['dap2'] / x['local'] for x in r]):.2f} | {all(x['equal'] for x in r)} |")
    sys.exit(0 if all(x["equal"] for x in rows) else 1)


if __name__ == "__main__":
    main()
