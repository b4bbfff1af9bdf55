#!/usr/bin/env python3
"""How an xarray user reads an aggregated daily dataset served on loopback, three ways
(issue 17):

  rookery-zarr   `rookery serve`'s /datasets/<id>/zarr (Zarr 2, chunks passed through)
  rookery-zarr3  `rookery serve`'s /datasets/<id>/zarr3 (Zarr 3, chunks re-encoded)
  rookery-kc     rookery's /datasets/<id>/kerchunk.json?targets=download, targets on a plain
                 static file server
  rookery-kc-node  the same references with the files at rookery's own /datasets/<id>/files/
  rookery-parq   rookery's /datasets/<id>/kerchunk.parq (fsspec's lazy Parquet references),
                 files at rookery's /files/
  python-kc      Python kerchunk (SingleHdf5ToZarr + MultiZarrToZarr), same static server
  xpublish       xpublish + xpublish-zarr (Zarr 3) serving xr.open_mfdataset(files, chunks={"time": 1})

Run in paired rounds (--rounds; each round runs every method, in a rotated order) on a shared
machine: every time is reported as a ratio to rookery-zarr's in the same round (geometric mean
over rounds). For each: time to open; time and bytes moved (server's socket writes, /proc/<pid>/io) to read
(a) one time step of the globe, (b) the whole series at one point, (c) one year of a regional
box; server CPU seconds and peak RSS; whether the values equal a local xr.open_mfdataset read.

Input: yearly files cut from /work/bench-data/tas.nc (bench/gen_daily.py: daily 0.5°, deflate +
shuffle, one chunk per step), written once into WORK/data/bench/day/tas/ (dataset id
bench.day.tas). Needs a release `rookery` binary, .venv-zarr (scripts/setup-pyzarr.sh) and a
venv with xpublish (`--xpublish-python`, e.g. made with `python -m venv .venv-bench &&
.venv-bench/bin/pip install xpublish==0.5.2 xpublish-zarr==0.1.0 netCDF4 dask kerchunk fastparquet
h5py aiohttp`; the client (`--python`) needs dask too, for the local `open_mfdataset`: use the
same venv).

    python bench/bench_serve.py --rookery target/release/rookery --work /tmp/bench-serve \
        --python .venv-bench/bin/python --xpublish-python .venv-bench/bin/python --years 10
"""

import argparse
import json
import os
import subprocess
import sys
import time

from _server import free_port, proc_stats, wait_http

SRC = "/work/bench-data/tas.nc"
ID = "bench.day.tas"


def make_files(work, years):
    import netCDF4
    d = os.path.join(work, "data", "bench", "day", "tas")
    os.makedirs(d, exist_ok=True)
    out = []
    with netCDF4.Dataset(SRC) as src:

        for y in range(years):
            path = os.path.join(d, f"tas_day_bench_{1850 + y}0101-{1850 + y}1231.nc")
            out.append(path)
            if os.path.exists(path):
                continue
            tmp = path + ".tmp"
            with netCDF4.Dataset(tmp, "w") as dst:
                dst.setncatts({k: src.getncattr(k) for k in src.ncattrs()})
                for name, dim in src.dimensions.items():
                    dst.createDimension(name, None if dim.isunlimited() else len(dim))
                sl = slice(365 * y, 365 * (y + 1))
                for name, v in src.variables.items():
                    kw = {}
                    if v.ndim == 3:
                        kw = dict(zlib=True, complevel=1, shuffle=True, chunksizes=(1,) + v.shape[1:])
                    fill = v.getncattr("_FillValue") if "_FillValue" in v.ncattrs() else None
                    nv = dst.createVariable(name, v.dtype, v.dimensions, fill_value=fill, **kw)
                    nv.setncatts({k: v.getncattr(k) for k in v.ncattrs() if k != "_FillValue"})
                    if v.dimensions and v.dimensions[0] == "time":
                        for k in range(sl.start, sl.stop, 73):
                            e = min(k + 73, sl.stop)
                            nv[k - sl.start:e - sl.start] = v[k:e]
                    else:
                        nv[...] = v[...]
            os.rename(tmp, path)
    return out


CLIENT = r'''
import json, sys, time
import numpy as np, xarray as xr, fsspec
how, target, files = sys.argv[1], sys.argv[2], sys.argv[3:]
kw = dict(decode_times=False)
t0 = time.perf_counter()
if how == "zarr":
    ds = xr.open_zarr(target, consolidated=True, **kw)
elif how == "zarr3":
    ds = xr.open_zarr(target, zarr_format=3, **kw)
elif how == "refs":
    import zarr
    fs = fsspec.filesystem("reference", fo=target, remote_protocol="http", asynchronous=True,
                           remote_options={"asynchronous": True})
    store = zarr.storage.FsspecStore(fs, read_only=True, path="")
    ds = xr.open_dataset(store, engine="zarr", consolidated=False, chunks={}, **kw)
elif how == "parq":
    # kerchunk's xarray backend: fsspec's LazyReferenceMapper over the directory URL.
    ds = xr.open_dataset(target, engine="kerchunk", open_dataset_options=dict(chunks={}, **kw),
                         storage_options={"remote_protocol": "http", "target_protocol": "http"})
t_open = time.perf_counter() - t0
local = xr.open_mfdataset(files, combine="nested", concat_dim="time", data_vars="minimal",
                          coords="minimal", compat="override", **kw)
nt = ds.sizes["time"]
reads = {"a_step": dict(time=nt // 2), "b_point": dict(lat=180, lon=360),
         "c_box_year": dict(time=slice(0, 365), lat=slice(200, 240), lon=slice(300, 380))}
print(json.dumps({"open": t_open}), flush=True)
for name, sel in reads.items():
    input("")
    t0 = time.perf_counter()
    v = ds["tas"].isel(**sel).values
    dt = time.perf_counter() - t0
    ok = bool(np.array_equal(v, local["tas"].isel(**sel).values, equal_nan=True))
    print(json.dumps({"read": name, "secs": dt, "equal": ok, "shape": list(v.shape)}), flush=True)
'''

XPUBLISH = r'''
import sys, xarray as xr, xpublish
port, files = int(sys.argv[1]), sys.argv[2:]
ds = xr.open_mfdataset(files, combine="nested", concat_dim="time", data_vars="minimal",
                       coords="minimal", compat="override", chunks={"time": 1}, decode_times=False)
ds.rest.serve(host="127.0.0.1", port=port, log_level="warning")
'''

STATIC = r'''
import sys
from aiohttp import web
app = web.Application()
app.router.add_static("/", sys.argv[2])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
'''


def run_client(py, how, target, files, server_pid, label):
    p = subprocess.Popen([py, "-c", CLIENT, how, target] + files, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    row = {"method": label}
    w0, c0, _ = proc_stats(server_pid)
    first = json.loads(p.stdout.readline())
    w1, c1, _ = proc_stats(server_pid)
    row["open_s"], row["open_MB"] = first["open"], (w1 - w0) / 1e6
    for _ in range(3):
        w0, _, _ = proc_stats(server_pid)
        p.stdin.write("\n")
        p.stdin.flush()
        r = json.loads(p.stdout.readline())
        w1, _, _ = proc_stats(server_pid)
        row[r["read"] + "_s"] = r["secs"]
        row[r["read"] + "_MB"] = (w1 - w0) / 1e6
        row[r["read"] + "_equal"] = r["equal"]
    p.stdin.close()
    p.wait()
    _, c2, hwm = proc_stats(server_pid)
    row["server_cpu_s"], row["server_peak_rss_MB"] = c2 - c0, hwm
    print(json.dumps(row), flush=True)
    return row


def python_refs(py, files, static_url, out):
    code = r'''
import json, sys, kerchunk.hdf, kerchunk.combine
out, base, files = sys.argv[1], sys.argv[2], sys.argv[3:]
singles = []
for f in files:
    with open(f, "rb") as fh:
        singles.append(kerchunk.hdf.SingleHdf5ToZarr(fh, f, inline_threshold=300).translate())
# Combined from the local files (MultiZarrToZarr reads the time values), then the targets
# moved to the static server.
m = kerchunk.combine.MultiZarrToZarr(singles, concat_dims=["time"], coo_map={"time": "cf:time"}).translate()
for k, v in m["refs"].items():
    if isinstance(v, list) and v and isinstance(v[0], str) and v[0].startswith("/"):
        v[0] = base + "/day/tas/" + v[0].rsplit("/", 1)[1]
json.dump(m, open(out, "w"))
'''
    t0 = time.perf_counter()
    subprocess.run([py, "-c", code, out, static_url] + files, check=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rookery", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--python", default=".venv-zarr/bin/python", help="client Python (xarray, zarr, fsspec, kerchunk)")
    ap.add_argument("--xpublish-python", default=None, help="Python with xpublish (skipped without)")
    ap.add_argument("--out", default=None, help="JSON lines of results")
    ap.add_argument("--rounds", type=int, default=2, help="paired rounds")
    ap.add_argument("--skip", default="", help="comma-separated methods not to run (see above)")
    a = ap.parse_args()
    files = make_files(a.work, a.years)
    root = os.path.join(a.work, "data", "bench")
    procs, rows = [], []
    try:
        sport = free_port()
        static = subprocess.Popen([a.python, "-c", STATIC, str(sport), root])
        procs.append(static)
        static_url = f"http://127.0.0.1:{sport}"
        wait_http(f"{static_url}/day/tas/{os.path.basename(files[0])}", static)
        ini = os.path.join(a.work, "bench.ini")
        # The static server serves base_dir at its root: data_node_root stands for base_dir, so
        # rookery's references point at it for the files' bytes.
        with open(ini, "w") as f:
            f.write(f"[project:bench]\nbase_dir = {root}\ndata_node_root = {static_url}\n")
        rport = free_port()
        env = dict(os.environ, ROOCS_CONFIG=ini)
        rk = subprocess.Popen([a.rookery, "serve", "--open", "--bind", f"127.0.0.1:{rport}",
                               "--data-dir", os.path.join(a.work, "rookery-data")], env=env,
                              stderr=subprocess.DEVNULL)
        procs.append(rk)
        base = f"http://127.0.0.1:{rport}/datasets/{ID}"
        wait_http(f"http://127.0.0.1:{rport}/", rk)
        skip = a.skip.split(",")
        import urllib.request
        rk_refs = os.path.join(a.work, "rookery_refs.json")
        with open(rk_refs, "wb") as f:
            f.write(urllib.request.urlopen(f"{base}/kerchunk.json?targets=download").read())
        rk_node = os.path.join(a.work, "rookery_refs_node.json")
        with open(rk_node, "wb") as f:
            f.write(urllib.request.urlopen(f"{base}/kerchunk.json").read())
        py_refs = os.path.join(a.work, "python_refs.json")
        gen = python_refs(a.python, files, static_url, py_refs)
        print(json.dumps({"python_kerchunk_generation_s": gen}), flush=True)
        methods = [
            ("rookery-zarr", "zarr", f"{base}/zarr", rk),
            ("rookery-zarr3", "zarr3", f"{base}/zarr3", rk),
            ("rookery-kc", "refs", rk_refs, static),
            ("rookery-kc-node", "refs", rk_node, rk),
            ("rookery-parq", "parq", f"{base}/kerchunk.parq", rk),
            ("python-kc", "refs", py_refs, static),
        ]
        if a.xpublish_python:
            xport = free_port()
            xp = subprocess.Popen([a.xpublish_python, "-c", XPUBLISH, str(xport)] + files)
            procs.append(xp)
            wait_http(f"http://127.0.0.1:{xport}/zarr/zarr.json", xp, limit=300)
            methods.append(("xpublish", "zarr3", f"http://127.0.0.1:{xport}/zarr", xp))
        methods = [m for m in methods if m[0] not in skip]
        for rnd in range(a.rounds):
            k = rnd % len(methods)
            for label, how, target, proc in methods[k:] + methods[:k]:
                row = run_client(a.python, how, target, files, proc.pid, label)
                row["round"] = rnd
                rows.append(row)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    if a.out:
        with open(a.out, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    summary(rows)


def summary(rows):
    """Markdown table: each time as the geometric mean over rounds of its ratio to
    rookery-zarr's in the same round; bytes, CPU and RSS as measured (mean over rounds)."""
    import math
    base = {r["round"]: r for r in rows if r["method"] == "rookery-zarr"}
    keys = ["open_s", "a_step_s", "b_point_s", "c_box_year_s"]
    print("| method | open | (a) step | (b) point series | (c) box-year | MB moved a/b/c | server CPU s | "
          "server peak RSS MB | values equal |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in dict.fromkeys(r["method"] for r in rows):
        rs = [r for r in rows if r["method"] == m and r["round"] in base]
        if not rs:
            continue
        ratio = [math.exp(sum(math.log(r[k] / base[r["round"]][k]) for r in rs) / len(rs)) for k in keys]
        mean = lambda k: sum(r[k] for r in rs) / len(rs)
        eq = all(r[f"{x}_equal"] for r in rs for x in ("a_step", "b_point", "c_box_year"))
        print(f"| {m} | " + " | ".join(f"{x:.2f}" for x in ratio)
              + f" | {mean('a_step_MB'):.1f}/{mean('b_point_MB'):.0f}/{mean('c_box_year_MB'):.0f}"
              + f" | {mean('server_cpu_s'):.1f} | {max(r['server_peak_rss_MB'] for r in rs):.0f} | {'yes' if eq else 'NO'} |")


if __name__ == "__main__":
    sys.exit(main())
