#!/usr/bin/env python3
"""Benchmark `rookery subset` on a NetCDF-4 file read over HTTP with the block cache.

Serves bench/work/data_1y (generated with `gen_daily.py --years 1` when missing) with a
small Range-capable HTTP server in this process (python's `http.server` alone ignores
Range), counting requests and bytes, then runs

    rookery subset URL --area -10,30,40,70 --time 1850-03-01/1850-05-31 --output-dir DIR

cold (empty cache directory), warm (the same cache directory, several runs) and on the
local file, and reports bytes fetched vs the file size and the warm-cache / local time
ratio. Prints a markdown table (paste into bench/README.md).

    python3 bench/bench_http.py --rookery target/release/rookery [--runs 3]
"""

import argparse
import http.server
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
        path = os.path.join(DATA, os.path.basename(self.path.split("?")[0]))
        if not os.path.isfile(path):
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


def run(cmd, env):
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    return dt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rookery", default=os.path.join(HERE, "..", "target", "release", "rookery"))
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    local = os.path.join(DATA, FILE)
    if not os.path.exists(local):
        os.makedirs(DATA, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_daily.py"), "--years", "1", "--out", local], check=True)
    size = os.path.getsize(local)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/%s" % (srv.server_address[1], FILE)

    work = tempfile.mkdtemp(prefix="bench_http_")
    cache = os.path.join(work, "cache")
    env = dict(os.environ, ROOKERY_CACHE_DIR=cache)
    env.pop("ROOKERY_LOG", None)

    def subset(src):
        out = tempfile.mkdtemp(dir=work)
        dt = run([a.rookery, "subset", src, "--area", AREA, "--time", TIME, "--output-dir", out], env)
        shutil.rmtree(out)
        return dt

    subset(local)  # warm the page cache for both the local and the served file
    locals_ = [subset(local) for _ in range(a.runs)]

    colds, cold_bytes, cold_gets = [], [], []
    for _ in range(a.runs):
        shutil.rmtree(cache, ignore_errors=True)
        g0, _, b0 = Stats.snapshot()
        colds.append(subset(url))
        g1, _, b1 = Stats.snapshot()
        cold_gets.append(g1 - g0)
        cold_bytes.append(b1 - b0)

    g0, h0, b0 = Stats.snapshot()
    warms = [subset(url) for _ in range(a.runs)]
    g1, h1, b1 = Stats.snapshot()
    srv.shutdown()
    shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    print("file: %s, %d bytes (%.1f MB)" % (FILE, size, size / 1e6))
    print("request: subset --area %s --time %s" % (AREA, TIME))
    print()
    print("| run | median s | range GETs | bytes fetched | of file |")
    print("|---|---|---|---|---|")
    print("| local file | %.2f | - | - | - |" % med(locals_))
    print("| HTTP, cold cache | %.2f | %d | %d (%.1f MB) | %.1f%% |"
          % (med(colds), med(cold_gets), med(cold_bytes), med(cold_bytes) / 1e6, 100.0 * med(cold_bytes) / size))
    print("| HTTP, warm cache | %.2f | %d | %d | %.1f%% |"
          % (med(warms), (g1 - g0) // a.runs, (b1 - b0) // a.runs, 100.0 * (b1 - b0) / a.runs / size))
    print()
    print("warm / local = %.2f (target <= 1.5); HEAD requests per warm run: %d"
          % (med(warms) / med(locals_), (h1 - h0) // a.runs))


if __name__ == "__main__":
    main()
