#!/usr/bin/env python3
"""Load test of `rookery serve` (issue 6): N concurrent GetCapabilities and M concurrent async
WPS subset jobs (status documents polled to completion) against a server started here on
loopback. Reports throughput, latency percentiles, failures and the server's peak RSS.

    python3 bench/load_service.py [--rookery target/release/rookery] [--caps 200] [--jobs 20]

With `--soak SECS` (issue 26): `--clients` (200) keep-alive clients send a request mix for SECS
seconds, in `--rounds` (2) rounds with an idle pause between them (GetCapabilities, process
list, OGC API async subsets -- most refused with 503 once the queue is full --, job status,
malformed execute documents). Reports req/s, statuses, whether 503s carry Retry-After, and
the server's RSS: idle before, peak (VmHWM), at the end of each round and after idling.

Only the standard library is used. Not a test: timings depend on the machine.
"""
import argparse, concurrent.futures as cf, os, re, shutil, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

from _server import start_rookery, status_mb as rss_mb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RLDS = os.path.join(REPO, "..", "shared", "data", "mini-esgf", "badc", "cmip6", "data", "CMIP6", "CMIP", "IPSL",
                    "IPSL-CM6A-LR", "historical", "r1i1p1f1", "Amon", "rlds", "gr", "v20180803",
                    "rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc")


def fetch(url, timeout=120):
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
        status = r.status
    return status, body.decode("utf-8", "replace"), time.perf_counter() - t0


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def soak(a, base, pid):
    import http.client, json, threading
    from collections import Counter
    host, port = base.removeprefix("http://").split(":")
    stop = threading.Event()
    stats, lock = Counter(), threading.Lock()
    no_retry_after = [0]
    job_ids = []

    def client(i):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        n = 0
        while not stop.is_set():
            n += 1
            k = (i + n) % 10
            body, hdrs, method = None, {}, "GET"
            if k < 4:
                path = "/wps?service=WPS&request=GetCapabilities"
            elif k < 6:
                path = "/processes"
            elif k < 8:
                method, path = "POST", "/processes/subset/execution"
                hdrs = {"Content-Type": "application/json", "Prefer": "respond-async"}
                body = json.dumps({"inputs": {"collection": RLDS, "time": f"{1900 + n % 100}-01-01/{1900 + n % 100}-12-30"}})
            elif k < 9 and job_ids:
                path = f"/jobs/{job_ids[n % len(job_ids)]}"
            else:
                method, path = "POST", "/processes/subset/execution"
                hdrs, body = {"Content-Type": "application/json"}, '{"inputs": {"collection": '
            try:
                conn.request(method, path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                st = r.status
                if st == 503 and r.getheader("Retry-After") is None:
                    no_retry_after[0] += 1
                if st == 201 and len(job_ids) < 1000:
                    job_ids.append(json.loads(data)["jobID"])
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
            except Exception:  # noqa: BLE001 - counted
                st = 0
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
            with lock:
                stats[st] += 1
        conn.close()

    print(f"idle RSS before: {rss_mb(pid):.0f} MB")
    for rnd in range(1, a.rounds + 1):
        stats.clear()
        no_retry_after[0] = 0
        peak = [0.0]

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(pid))
                time.sleep(0.25)

        stop.clear()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        sampler = threading.Thread(target=sample)
        t0 = time.perf_counter()
        for t in threads + [sampler]:
            t.start()
        time.sleep(a.soak)
        stop.set()
        for t in threads + [sampler]:
            t.join()
        wall = time.perf_counter() - t0
        total = sum(stats.values())
        print(f"round {rnd}: {a.clients} clients, {total} requests in {wall:.0f} s = {total / wall:.0f} req/s; "
              f"statuses {dict(sorted(stats.items()))}; 503 without Retry-After: {no_retry_after[0]}")
        print(f"round {rnd}: RSS peak (sampled) {peak[0]:.0f} MB, VmHWM {rss_mb(pid, 'VmHWM'):.0f} MB, "
              f"at the end {rss_mb(pid):.0f} MB")
        time.sleep(a.idle)
        print(f"round {rnd}: RSS after {a.idle:.0f} s idle {rss_mb(pid):.0f} MB")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rookery", default=os.path.join(REPO, "target", "release", "rookery"))
    ap.add_argument("--caps", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--soak", type=float, default=0, help="seconds of mixed load per round (0: the classic test)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--idle", type=float, default=30, help="seconds idle after each round")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="rookery-load-")
    # The jobs read the shared test file by path: the server may read under its directory.
    ini = os.path.join(data, "roocs.ini")
    with open(ini, "w") as f:
        f.write(f"[rookery]\nallowed_roots = {os.path.dirname(os.path.abspath(RLDS))}\n")
    srv, base, _ = start_rookery(a.rookery, "--workers", str(a.workers), "--rate-limit", "0", data=data,
                                 env=dict(os.environ, ROOCS_CONFIG=ini), stderr=subprocess.PIPE)
    try:
        if a.soak > 0:
            return soak(a, base, srv.pid)
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
        print(f"server still up: {st == 200}; server peak RSS {rss_mb(srv.pid, 'VmHWM'):.0f} MB")
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
