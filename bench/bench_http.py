#!/usr/bin/env python3
"""Remote reads side by side: rookery vs xarray + fsspec (+ Kerchunk references), one
loopback server, one subset.

Serves the benchmark file(s) with a small Range-capable HTTP server in this process
(python's `http.server` alone ignores Range) that counts GETs, HEADs and body bytes, and
reads the subset `--area -10,30,40,70 --time 1850-03-01/1850-05-31` with

  rookery  local file                    `rookery subset FILE ...` (the floor)
  rookery  http, cold                    `rookery subset URL ...`, empty ROOKERY_CACHE_DIR
  rookery  http, warm                    the same, its cache directory kept
  rookery  kerchunk refs, cold / warm    `rookery subset refs.json ...` (targets: the URL)
  xarray   local file                    h5netcdf on the file
  xarray   + fsspec                      h5netcdf on fsspec's HTTPFileSystem file (default
                                         5 MiB readahead cache, as a user gets it)
  xarray   + kerchunk refs               zarr engine on fsspec's reference:// over http

in paired rounds (every tool once per round, `--runs` rounds), and prints a markdown table:
median seconds, ratio to rookery's cold http run, GETs, bytes the server sent, peak RSS.
Every tool's subset values are checked equal to rookery's local output (numpy).

Timing: every tool as a whole process ("process s": rookery starts, opens, reads and writes
its NetCDF output; a peer starts Python, imports xarray, opens and reads into memory), and
the peers also for open + read alone inside the started interpreter ("open+read s", see
`_http_peers.py`), which favours them. Ratios are to rookery's cold http process time. Kerchunk references are generated
once (kerchunk's SingleHdf5ToZarr on the URL) and not timed; their GETs are not counted.

Data: the 1-year daily 0.5 deg NetCDF-4 file (`gen_daily.py --years 1`, made under
bench/work/data_1y when missing); `--long` adds a 2-year file (`--long-file`, default
/work/bench-data/tas2y.nc, else generated) read over 15 months.

Requirements: this script and the xarray peers need numpy, xarray, netCDF4, h5netcdf, h5py,
fsspec, aiohttp (`--py`); the Kerchunk peer also kerchunk and zarr (`--py-kerchunk`).
`--setup` creates bench/.venv-http with them (pip); by default the interpreter running this
script is used for both.

    bench/.venv-http/bin/python bench/bench_http.py --setup   # once
    bench/.venv-http/bin/python bench/bench_http.py --rookery target/release/rookery [--runs 3] [--long]
"""

import argparse
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "work", "data_1y")
FILE = "tas_1y.nc"
AREA = "-10,30,40,70"
TIME = "1850-03-01/1850-05-31"
LONG_TIME = "1850-03-01/1851-05-31"
REQUIREMENTS = ["numpy", "xarray", "netCDF4", "h5netcdf", "h5py", "fsspec", "aiohttp", "requests", "kerchunk", "zarr"]

# Served files: name in the URL → local path.
FILES = {}


class Stats:
    lock = threading.Lock()
    gets = 0
    heads = 0
    bytes = 0

    @classmethod
    def add(cls, get, n):
        with cls.lock:
            if get:
                cls.gets += 1
            else:
                cls.heads += 1
            cls.bytes += n

    @classmethod
    def snapshot(cls):
        with cls.lock:
            return cls.gets, cls.heads, cls.bytes


class RangeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _file(self):
        path = FILES.get(os.path.basename(self.path.split("?")[0]))
        if path is None or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None, 0, ""
        st = os.stat(path)
        etag = '"%x-%x"' % (st.st_size, int(st.st_mtime))
        return path, st.st_size, etag

    def _common(self, size, etag):
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(0))

    def do_HEAD(self):
        path, size, etag = self._file()
        if path is None:
            return
        Stats.add(False, 0)
        self.send_response(200)
        self._common(size, etag)
        self.send_header("Content-Length", str(size))
        self.end_headers()

    def do_GET(self):
        path, size, etag = self._file()
        if path is None:
            return
        m = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if m:
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) else size - 1
            if a >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            b = min(b, size - 1)
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (a, b, size))
        else:
            a, b = 0, size - 1
            self.send_response(200)
        n = b - a + 1
        self._common(size, etag)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(a)
            left = n
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        Stats.add(True, n)


def timed(cmd, env):
    """Runs cmd; returns (wall seconds, peak RSS in MB, stdout). The RSS is measured by
    /usr/bin/time when present (a child forked from this large interpreter would report
    this interpreter's RSS as its own high-water mark)."""
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        fd, rss_file = tempfile.mkstemp(suffix=".rss")
        os.close(fd)
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    rss = float("nan")
    if rss_file:
        with open(rss_file) as f:
            rss = float(f.read().split()[-1]) / 1024.0
        os.remove(rss_file)
    return dt, rss, r.stdout


def setup():
    venv = os.path.join(HERE, ".venv-http")
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q"] + REQUIREMENTS, check=True)
    print("ready: %s/bin/python bench/bench_http.py" % venv)


def rookery_values(path, area):
    """The tas values of rookery's output, ordered like _http_peers.subset."""
    import numpy as np
    import xarray as xr

    sys.path.insert(0, HERE)
    from _http_peers import lon_index

    west, south, east, north = (float(x) for x in area.split(","))
    with xr.open_dataset(path) as ds:
        lat = ds["lat"].values
        li = np.argsort(lat, kind="stable")
        lo = lon_index(ds["lon"].values, west, east)
        return np.asarray(ds["tas"].isel(lat=li, lon=lo).values)


def bench_case(a, name, local, trange, work):
    """Runs every tool `a.runs` times on one file; returns the table rows."""
    import numpy as np

    FILES[os.path.basename(local)] = local
    url = "http://127.0.0.1:%d/%s" % (SERVER.server_address[1], os.path.basename(local))
    refs = os.path.join(work, name + ".refs.json")
    subprocess.run([a.py_kerchunk, os.path.join(HERE, "_http_peers.py"), "refs", url, "", "", refs], check=True)
    peers = os.path.join(HERE, "_http_peers.py")

    def rookery(src, cache, fresh):
        if fresh:
            shutil.rmtree(cache, ignore_errors=True)
        out = tempfile.mkdtemp(dir=work)
        env = dict(os.environ, ROOKERY_CACHE_DIR=cache)
        env.pop("ROOKERY_LOG", None)
        dt, rss, _ = timed([a.rookery, "subset", src, "--area", AREA, "--time", trange, "--output-dir", out], env)
        files = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".nc")]
        vals = rookery_values(files[0], AREA) if len(files) == 1 else None
        shutil.rmtree(out)
        return dt, None, rss, vals

    def python(py, mode, src, extra=()):
        npy = os.path.join(work, "peer.npy")
        dt, rss, out = timed([py, peers, mode, src, AREA, trange, npy] + list(extra), dict(os.environ))
        v = np.load(npy)
        os.remove(npy)
        return dt, json.loads(out)["seconds"], rss, v

    ca, cb = os.path.join(work, "cache-nc"), os.path.join(work, "cache-refs")
    tools = [
        ("rookery", "local file", lambda: rookery(local, ca, False)),
        ("xarray (h5netcdf)", "local file", lambda: python(a.py, "local", local)),
        ("rookery", "http, cold", lambda: rookery(url, ca, True)),
        ("rookery", "http, warm", lambda: rookery(url, ca, False)),
        ("rookery", "kerchunk refs, cold", lambda: rookery(refs, cb, True)),
        ("rookery", "kerchunk refs, warm", lambda: rookery(refs, cb, False)),
        ("xarray + fsspec (h5netcdf)", "http", lambda: python(a.py, "fsspec", url)),
        ("xarray + fsspec kerchunk refs", "http", lambda: python(a.py_kerchunk, "kerchunk", url, [refs])),
    ]
    rookery(local, ca, False)  # page cache warm for the local and the served file
    ref = rookery(local, ca, False)[3]
    res = {i: [] for i in range(len(tools))}
    for _ in range(a.runs):
        for i, (_, _, f) in enumerate(tools):
            g0, h0, b0 = Stats.snapshot()
            dt, inproc, rss, vals = f()
            g1, h1, b1 = Stats.snapshot()
            same = vals is not None and vals.shape == ref.shape and np.array_equal(vals, ref, equal_nan=True)
            res[i].append((dt, inproc, rss, g1 - g0, h1 - h0, b1 - b0, same))
    med = statistics.median
    cold = med(r[0] for r in res[2])
    rows = []
    for i, (tool, run, _) in enumerate(tools):
        r = res[i]
        t = med(x[0] for x in r)
        inproc = "-" if r[0][1] is None else "%.2f (%.1fx)" % (med(x[1] for x in r), med(x[1] for x in r) / cold)
        rows.append(
            "| %s | %s | %.2f | %.2f | %s | %d | %d | %.1f MB | %.0f MB | %s |"
            % (
                tool,
                run,
                t,
                t / cold,
                inproc,
                med(x[3] for x in r),
                med(x[4] for x in r),
                med(x[5] for x in r) / 1e6,
                max(x[2] for x in r),
                "yes" if all(x[6] for x in r) else "NO",
            )
        )
    shape = tuple(ref.shape)
    size = os.path.getsize(local)
    head = [
        "%s: `%s` (%.1f MB), subset --area %s --time %s -> tas%s, %d runs (paired rounds)"
        % (name, os.path.basename(local), size / 1e6, AREA, trange, shape, a.runs),
        "",
        "| tool | run | process s | / rookery cold | open+read s (/ rookery cold) | GETs | HEADs | bytes sent | peak RSS | values = rookery |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    return head + rows


SERVER = None


def main():
    global SERVER
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rookery", default=os.path.join(HERE, "..", "target", "release", "rookery"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--py", default=sys.executable, help="python with xarray, h5netcdf, fsspec, aiohttp")
    p.add_argument("--py-kerchunk", default=sys.executable, help="python with kerchunk, zarr, xarray, fsspec")
    p.add_argument("--long", action="store_true", help="also a 2-year file read over 15 months")
    p.add_argument("--long-file", default="/work/bench-data/tas2y.nc")
    p.add_argument("--setup", action="store_true", help="create bench/.venv-http with the requirements")
    a = p.parse_args()
    if a.setup:
        setup()
        return
    local = os.path.join(DATA, FILE)
    if not os.path.exists(local):
        os.makedirs(DATA, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_daily.py"), "--years", "1", "--out", local], check=True)
    SERVER = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    threading.Thread(target=SERVER.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="bench_http_")
    try:
        lines = bench_case(a, "1 year", local, TIME, work)
        if a.long:
            long_file = a.long_file
            if not os.path.exists(long_file):
                long_file = os.path.join(HERE, "work", "data_2y", "tas_2y.nc")
                if not os.path.exists(long_file):
                    os.makedirs(os.path.dirname(long_file), exist_ok=True)
                    subprocess.run(
                        [sys.executable, os.path.join(HERE, "gen_daily.py"), "--years", "2", "--out", long_file],
                        check=True,
                    )
            lines += [""] + bench_case(a, "2 years", long_file, LONG_TIME, work)
    finally:
        SERVER.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print("load average at the end (1, 5, 15 min): %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
