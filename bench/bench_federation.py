#!/usr/bin/env python3
"""Federation benchmark (issue 10): bytes moved between nodes for a three-node workflow,
compared with moving the inputs; and job throughput with 1, 2 and 4 PostgreSQL workers.

Part 1 generates two ensemble members (CMIP-like monthly tas, 1 deg global, float32, NetCDF-4,
--years years each; needs numpy + netCDF4, e.g. the .venv-zarr of scripts/setup-pyzarr.sh),
puts each on its own node (B, C), and runs at a coordinator A that holds neither an
`orchestrate` workflow: concat of both members along realization, subset to a region (Europe) and a
quarter of the years. Reported: bytes A fetched from B and C (the files in its job's remote/ directory) vs
the input bytes, and that the result equals the same workflow on one node holding both.

Part 2 (with --pg postgres://...; e.g. from scripts/pg-start.sh) queues --jobs yearly-mean
jobs in a PostgreSQL job store and times `rookery worker` processes (1, 2, 4) draining it.

    .venv-zarr/bin/python bench/bench_federation.py --rookery target/release/rookery [--years 40] [--pg URL]

Not a test: timings depend on the machine; ratios are what to read.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, urllib.error, urllib.request

from _server import free_port, wait_http

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def post(url, doc, headers=None, timeout=3600):
    req = urllib.request.Request(url, data=json.dumps(doc).encode(), headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit(f"{url}: HTTP {e.code}: {e.read().decode(errors='replace')}")


def get(url, timeout=600):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def make_member(path, years, seed):
    import numpy as np
    import netCDF4
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nt, ny, nx = 12 * years, 180, 360
    with netCDF4.Dataset(path, "w") as d:
        d.createDimension("time", None)
        d.createDimension("lat", ny)
        d.createDimension("lon", nx)
        d.createDimension("bnds", 2)
        t = d.createVariable("time", "f8", ("time",))
        t.units, t.calendar, t.standard_name, t.axis = "days since 1850-01-01", "noleap", "time", "T"
        t[:] = np.arange(nt) * 365.0 / 12 + 15
        la = d.createVariable("lat", "f8", ("lat",))
        la.units, la.standard_name, la.axis = "degrees_north", "latitude", "Y"
        la[:] = np.linspace(-89.5, 89.5, ny)
        lo = d.createVariable("lon", "f8", ("lon",))
        lo.units, lo.standard_name, lo.axis = "degrees_east", "longitude", "X"
        lo[:] = np.arange(nx) + 0.5
        v = d.createVariable("tas", "f4", ("time", "lat", "lon"), zlib=True, complevel=1, shuffle=True, chunksizes=(1, ny, nx))
        v.units, v.standard_name = "K", "air_temperature"
        rng = np.random.default_rng(seed)
        base = 288 - 30 * np.cos(np.radians(la[:]))[:, None] ** 0 * np.abs(np.sin(np.radians(la[:])))[:, None]
        for i in range(nt):
            v[i] = (base + rng.normal(0, 2, (ny, nx))).astype("f4")
        d.project_id, d.realization_index, d.variable_id = "bench", seed, "tas"


def start_node(rookery, root, peers, log):
    port = free_port()
    data = tempfile.mkdtemp(prefix="fed-node-")
    ini = os.path.join(data, "roocs.ini")
    with open(ini, "w") as f:
        f.write(f"[rookery]\nallowed_roots = {root}\n")
    env = dict(os.environ, ROOCS_CONFIG=ini, ROOKERY_PEER=peers, RUST_LOG="info")
    p = subprocess.Popen([rookery, "serve", "--open", "--bind", f"127.0.0.1:{port}", "--data-dir", data],
                         env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    wait_http(f"http://127.0.0.1:{port}/", p)
    return p, f"http://127.0.0.1:{port}", data


def run_workflow(base, wf):
    t0 = time.perf_counter()
    st, v = post(f"{base}/processes/orchestrate/execution", {"inputs": {"workflow": {"value": json.dumps(wf)}}})
    dt = time.perf_counter() - t0
    meta = get(v["output"]["href"]).decode()
    urls = [u.split("</metaurl>")[0].replace("&amp;", "&") for u in meta.split('<metaurl mediatype="application/x-netcdf">')[1:]]
    return dt, [get(u) for u in urls]


def values(blobs, work, tag):
    """The tas values of the output files, as a list of float bytes (NaN-safe equality)."""
    import netCDF4
    out = []
    for i, b in enumerate(blobs):
        p = os.path.join(work, f"{tag}{i}.nc")
        with open(p, "wb") as f:
            f.write(b)
        with netCDF4.Dataset(p) as d:
            out.append(d["tas"][:].filled(float("nan")).tobytes())
    return out


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def part1(a):
    work = tempfile.mkdtemp(prefix="fed-bench-")
    root_b, root_c = os.path.join(work, "nodeB"), os.path.join(work, "nodeC")
    span = f"185001-{1850 + a.years - 1}12"
    m1 = os.path.join(root_b, "m1", f"tas_Amon_bench_r1_{span}.nc")
    m2 = os.path.join(root_c, "m2", f"tas_Amon_bench_r2_{span}.nc")
    y0, y1 = 1850 + a.years // 4, 1850 + a.years // 4 + max(1, a.years // 4) - 1
    print(f"generating two members of {a.years} years ...", flush=True)
    make_member(m1, a.years, 1)
    make_member(m2, a.years, 2)
    inputs = os.path.getsize(m1) + os.path.getsize(m2)
    wf = {"doc": "bench", "inputs": {"m": [m1, m2]}, "outputs": {"output": "s/output"},
          "steps": {"c": {"run": "concat", "in": {"collection": "inputs/m", "dims": "realization"}},
                    "s": {"run": "subset", "in": {"collection": "c/output", "time": f"{y0}-01-01/{y1}-12-31", "area": "-10,35,30,70"}}}}
    procs = []
    try:
        pb, ub, _ = start_node(a.rookery, root_b, "", os.path.join(work, "b.log"))
        pc, uc, _ = start_node(a.rookery, root_c, "", os.path.join(work, "c.log"))
        procs += [pb, pc]
        root_a = os.path.join(work, "nodeA")
        os.makedirs(root_a, exist_ok=True)
        pa, ua, data_a = start_node(a.rookery, root_a, f"nodeB {ub} holds={root_b}/*;nodeC {uc} holds={root_c}/*", os.path.join(work, "a.log"))
        procs.append(pa)
        # Reference: one node holding both.
        ps, us, _ = start_node(a.rookery, work, "", os.path.join(work, "single.log"))
        procs.append(ps)
        t_single, ref = run_workflow(us, wf)
        t_fed, got = run_workflow(ua, wf)
        moved = du(os.path.join(data_a, "jobs"))
        same = values(ref, work, "ref") == values(got, work, "got")
        print(f"inputs: {inputs / 1e6:.1f} MB on two nodes; moved to the coordinator: {moved / 1e6:.3f} MB "
              f"({100.0 * moved / inputs:.2f}% of the inputs); tas values equal to one node's: {same}")
        print(f"time: federated {t_fed:.2f} s, one node {t_single:.2f} s (ratio {t_fed / t_single:.2f})")
    finally:
        for p in procs:
            p.kill()
        shutil.rmtree(work, ignore_errors=True)


def part2(a):
    rlds = os.path.join(REPO, "..", "shared", "data", "mini-esgf", "badc", "cmip6", "data", "CMIP6", "CMIP", "IPSL", "IPSL-CM6A-LR",
                        "historical", "r1i1p1f1", "Amon", "rlds", "gr", "v20180803", "rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc")
    env = dict(os.environ, ROOCS_CONFIG=os.path.join(REPO, "config", "mini-esgf.ini"))
    for n in (1, 2, 4):
        data = tempfile.mkdtemp(prefix="pg-bench-")
        port = free_port()
        # A server (no local workers) to queue jobs; workers drain the shared queue.
        srv = subprocess.Popen([a.rookery, "serve", "--open", "--bind", f"127.0.0.1:{port}", "--db", a.pg, "--data-dir", data, "--workers", "1"],
                               env=dict(env, ROOKERY_EXECUTOR="local", ROOKERY_MAX_QUEUED="100000", ROOKERY_RATE_LIMIT="0", ROOKERY_QUOTA_CONCURRENT_JOBS="0"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        ids = []
        for i in range(a.jobs):
            # A job of some weight: yearly means of the whole 165-year series.
            _, v = post(f"http://127.0.0.1:{port}/processes/average_time/execution",
                        {"inputs": {"collection": rlds, "freq": "year"}, "mode": "async"},
                        headers={"Prefer": "respond-async"})
            ids.append(v["jobID"])
        t0 = time.perf_counter()
        workers = [subprocess.Popen([a.rookery, "worker", "--db", a.pg, "--data-dir", data, "--workers", "1"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]
        while True:
            jobs = json.loads(get(f"http://127.0.0.1:{port}/jobs"))["jobs"]
            done = sum(1 for j in jobs if j["jobID"] in ids and j["status"] in ("successful", "failed", "dismissed"))
            if done >= len(ids):
                break
            time.sleep(0.2)
        dt = time.perf_counter() - t0
        print(f"{n} worker(s) + the server's one: {a.jobs} jobs in {dt:.2f} s = {a.jobs / dt:.1f} jobs/s", flush=True)
        for w in workers + [srv]:
            w.kill()
        shutil.rmtree(data, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rookery", default=os.path.join(REPO, "target", "release", "rookery"))
    ap.add_argument("--years", type=int, default=40)
    ap.add_argument("--pg")
    ap.add_argument("--jobs", type=int, default=100)
    a = ap.parse_args()
    part1(a)
    if a.pg:
        part2(a)


if __name__ == "__main__":
    sys.exit(main())
