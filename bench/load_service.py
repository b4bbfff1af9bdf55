#!/usr/bin/env python3
"""Load test of `rookery serve` (issue 6): N concurrent GetCapabilities and M concurrent async
WPS subset jobs (status documents polled to completion) against a server started here on
loopback. Reports throughput, latency percentiles, failures and the server's peak RSS.

    python3 bench/load_service.py [--rookery target/release/rookery] [--caps 200] [--jobs 20]

Only the standard library is used. Not a test: timings depend on the machine.
"""
import argparse, concurrent.futures as cf, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RLDS = os.path.join(REPO, "..", "shared", "data", "mini-esgf", "badc", "cmip6", "data", "CMIP6", "CMIP", "IPSL",
                    "IPSL-CM6A-LR", "historical", "r1i1p1f1", "Amon", "rlds", "gr", "v20180803",
                    "rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def fetch(url, timeout=120):
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
        status = r.status
    return status, body.decode("utf-8", "replace"), time.perf_counter() - t0


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rookery", default=os.path.join(REPO, "target", "release", "rookery"))
    ap.add_argument("--caps", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="rookery-load-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    srv = subprocess.Popen([a.rookery, "serve", "--open", "--data-dir", data, "--port", str(port),
                            "--workers", str(a.workers), "--rate-limit", "0"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                fetch(f"{base}/wps?service=WPS&request=GetCapabilities", timeout=2)
                break
            except Exception:
                time.sleep(0.1)
        # 1. Concurrent GetCapabilities.
        caps_url = f"{base}/wps?service=WPS&request=GetCapabilities"
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=a.caps) as ex:
            res = list(ex.map(lambda _: _try(caps_url), range(a.caps)))
        wall = time.perf_counter() - t0
        ok = [r for r in res if r[0] == 200 and "wps:Capabilities" in r[1]]
        lat = [r[2] for r in ok]
        print(f"GetCapabilities: {len(ok)}/{a.caps} ok in {wall:.2f} s = {len(ok) / wall:.0f} req/s; "
              f"latency p50 {pct(lat, 50) * 1e3:.0f} ms, p95 {pct(lat, 95) * 1e3:.0f} ms, p99 {pct(lat, 99) * 1e3:.0f} ms")
        # 2. Concurrent async subsets, polled to completion.
        def job(i):
            q = urllib.parse.quote(RLDS, safe="")
            url = (f"{base}/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&storeExecuteResponse=true"
                   f"&status=true&datainputs=collection={q};time=19{50 + i % 40}-01-01/20{10 - i % 10:02d}-12-30;area=0,-90,360,90")
            t = time.perf_counter()
            st, body, _ = _try(url)
            m = re.search(r'statusLocation="([^"]+)"', body)
            if st != 200 or not m:
                return ("submit failed", time.perf_counter() - t)
            loc = m.group(1).replace("&amp;", "&")
            while True:
                st, body, _ = _try(loc)
                if "ProcessSucceeded" in body:
                    return ("ok", time.perf_counter() - t)
                if "ProcessFailed" in body or st != 200:
                    return ("failed", time.perf_counter() - t)
                time.sleep(0.1)
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            jobs = list(ex.map(job, range(a.jobs)))
        wall = time.perf_counter() - t0
        done = [d for s, d in jobs if s == "ok"]
        print(f"async subset jobs: {len(done)}/{a.jobs} succeeded in {wall:.2f} s = {len(done) / wall:.1f} jobs/s; "
              f"completion p50 {pct(done, 50):.2f} s, p95 {pct(done, 95):.2f} s; failures: "
              f"{[s for s, _ in jobs if s != 'ok']}")
        st, body, _ = _try(caps_url)
        print(f"server still up: {st == 200}; server peak RSS {peak_rss_mb(srv.pid):.0f} MB")
        return 0 if len(ok) == a.caps and len(done) == a.jobs and st == 200 else 1
    finally:
        srv.terminate()
        srv.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def _try(url):
    try:
        return fetch(url)
    except Exception as e:  # noqa: BLE001 - a failed request is a result here
        return (0, str(e), 0.0)


if __name__ == "__main__":
    sys.exit(main())
