"""Real WPS clients (rooki, OWSLib from PyPI) against a running rookery server.

Environment: ROOK_URL (the /wps endpoint), ACCESS_TOKEN (an API key with execute,jobs),
RLDS (a NetCDF file path), OUT (a scratch directory). Prints one line per check and
"N passed, M failed"; exits non-zero on any failure.
"""

import json
import os
import sys
import traceback

URL = os.environ["ROOK_URL"]
TOKEN = os.environ["ACCESS_TOKEN"]
RLDS = os.environ["RLDS"]
OUT = os.environ["OUT"]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}

results = []


def check(name):
    def deco(f):
        try:
            f()
            results.append((name, None))
            print(f"ok   {name}", flush=True)
        except Exception:  # noqa: BLE001
            results.append((name, traceback.format_exc()))
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
        return f

    return deco


# ---------------------------------------------------------------- OWSLib
from owslib.wps import ASYNC, SYNC, WebProcessingService, monitorExecution  # noqa: E402

wps = WebProcessingService(URL, headers=HEADERS, skip_caps=True)


@check("owslib GetCapabilities")
def _():
    wps.getcapabilities()
    ids = [p.identifier for p in wps.processes]
    assert "subset" in ids and "health" in ids, ids
    assert wps.identification.type == "WPS"


@check("owslib DescribeProcess subset")
def _():
    p = wps.describeprocess("subset")
    assert p.storeSupported in (True, "true"), p.storeSupported
    inputs = {i.identifier: i for i in p.dataInputs}
    assert list(inputs) == [
        "collection", "time", "time_components", "area", "level",
        "shape", "min_fraction",  # rookery's polygon subset (README: differences from rook)
        "pre_checked", "apply_fixes", "original_files",
    ], list(inputs)
    assert inputs["collection"].minOccurs == 1
    assert inputs["apply_fixes"].defaultValue is True, inputs["apply_fixes"].defaultValue
    assert inputs["original_files"].defaultValue is False
    assert [o.identifier for o in p.processOutputs] == ["output", "prov", "prov_plot"]


@check("owslib DescribeProcess all")
def _():
    ps = wps.describeprocess("all")
    ps = ps if isinstance(ps, list) else [ps]
    assert {p.identifier for p in ps} >= {"subset", "health"}


@check("owslib Execute health (sync, literal output)")
def _():
    ex = wps.execute("health", inputs=[], mode=SYNC)
    assert ex.isSucceded(), ex.status
    assert ex.processOutputs[0].data == ["ROOK_HEALTH_OK"], ex.processOutputs[0].data


@check("owslib Execute subset sync")
def _():
    ex = wps.execute("subset", inputs=[("collection", RLDS), ("time", "2001-01-01/2002-12-30")],
                     output=[("output", True)], mode=SYNC)
    assert ex.isSucceded(), [e.text for e in ex.errors]
    ref = ex.processOutputs[0].reference
    assert ref and "output.meta4" in ref, ref


@check("owslib Execute subset async + monitor")
def _():
    ex = wps.execute("subset", inputs=[("collection", RLDS), ("area", "20,10,250,90")],
                     output=[("output", True), ("prov", True)], mode=ASYNC)
    assert ex.statusLocation, "async execute has a statusLocation"
    monitorExecution(ex, sleepSecs=1)
    assert ex.isSucceded(), [e.text for e in ex.errors]
    assert ex.percentCompleted == 100


@check("owslib Execute failure carries the process error")
def _():
    ex = wps.execute("subset", inputs=[("collection", RLDS), ("time", "2050-12-31/2021-01-01")], mode=SYNC)
    assert not ex.isSucceded()
    text = " ".join(e.text for e in ex.errors)
    assert text.startswith("Process error: "), text

# ---------------------------------------------------------------- rooki
os.environ["ROOKI_OUTPUT_DIR"] = OUT
from rooki import Rooki  # noqa: E402  (import builds a default client: the server is up)
import requests  # noqa: E402


def rooki_subset(mode):
    r = Rooki(url=URL, mode=mode)
    res = r.subset(collection=RLDS, time="2001-01-01/2002-12-30", area="20,10,250,90")
    assert res.ok, res.status
    assert res.num_files == 1, res.num_files
    assert res.size > 0
    urls = res.download_urls()
    assert len(urls) == 1 and urls[0].split("?")[0].endswith("_20010116-20021216.nc"), urls
    files = res.download()
    assert len(files) == 1 and os.path.getsize(files[0]) == res.size, (files, res.size)
    import netCDF4
    with netCDF4.Dataset(files[0]) as ds:
        assert ds.variables["rlds"].shape == (24, 1, 1), ds.variables["rlds"].shape
    prov = requests.get(res.provenance()).json()
    acts = prov["activity"].values()
    assert any(a.get("roocs:time") == "2001-01-01/2002-12-30" for a in acts), prov
    png = requests.get(res.provenance_image()).content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@check("rooki subset sync with download")
def _():
    rooki_subset("sync")


@check("rooki subset async with download")
def _():
    rooki_subset("async")


@check("rooki failure status text")
def _():
    r = Rooki(url=URL, mode="sync")
    res = r.subset(collection=RLDS, time="2050-12-31/2021-01-01")
    assert not res.ok
    assert res.status.startswith("Process error: Start date"), res.status


@check("rooki without a key is refused")
def _():
    saved = os.environ.pop("ACCESS_TOKEN")
    try:
        r = Rooki(url=URL, mode="sync")
        try:
            r.subset(collection=RLDS)
        except RuntimeError:
            return
        raise AssertionError("execute without a key succeeded")
    finally:
        os.environ["ACCESS_TOKEN"] = saved


@check("rooki regrid (conservative to 2pt5deg) with download")
def _():
    r = Rooki(url=URL, mode="sync")
    res = r.regrid(collection=RLDS, method="conservative", grid="2pt5deg")
    assert res.ok, res.status
    files = res.download()
    assert len(files) == 1 and "_regrid-conservative-72x144_cells_grid" in files[0], files
    import netCDF4
    with netCDF4.Dataset(files[0]) as ds:
        assert ds.variables["rlds"].shape[1:] == (72, 144), ds.variables["rlds"].shape
        assert ds.getncattr("grid_label") == "gr"


@check("rooki climatology and stat_time (time statistics) with download")
def _():
    r = Rooki(url=URL, mode="sync")
    res = r.climatology(collection=RLDS, freq="season", years="1981/2010")
    assert res.ok, res.status
    files = res.download()
    assert len(files) == 1 and files[0].endswith("_19810116-20101216_clim-season.nc"), files
    import netCDF4
    import numpy as np
    with netCDF4.Dataset(files[0]) as ds:
        assert ds.variables["rlds"].shape[0] == 4, ds.variables["rlds"].shape
        assert ds.variables["time"].climatology == "climatology_bnds"
    res = r.stat_time(collection=RLDS, stat="p90", freq="all")
    assert res.ok, res.status
    files = res.download()
    assert len(files) == 1 and files[0].endswith("_p90-t.nc"), files
    with netCDF4.Dataset(files[0]) as ds, netCDF4.Dataset(RLDS) as src:
        got = ds.variables["rlds"][0].astype("f8")
        want = np.nanpercentile(np.ma.filled(src.variables["rlds"][:].astype("f8"), np.nan), 90, axis=0)
        assert np.allclose(np.ma.filled(got, np.nan), want, rtol=2e-7, equal_nan=True)
    bad = r.stat_time(collection=RLDS, stat="p101")
    assert not bad.ok and "Percentile 'p101' is out of range" in bad.status, bad.status


@check("rooki orchestrate: subset then regrid")
def _():
    os.environ["ROOK_MODE"] = "sync"
    from rooki import operators as ops
    wf = ops.Regrid(ops.Subset(ops.Input("rlds", [RLDS]), time="2001-01-01/2001-12-30"),
                    method="bilinear", grid="custom", custom_grid="10 20 2")
    res = wf.orchestrate()
    assert res.ok, res.status
    files = res.download()
    assert len(files) == 1 and "_regrid-bilinear-5x5_cells_grid" in files[0], files


def rooki_orchestrate(mode):
    os.environ["ROOK_MODE"] = mode
    from rooki import operators as ops

    wf = ops.Subset(
        ops.Subset(ops.Input("rlds", [RLDS]), time="2001-01-01/2005-12-30"),
        time="2002-01-01/2002-12-30",
        area="20,10,250,90",
    )
    res = wf.orchestrate()
    assert res.ok, res.status
    assert res.num_files == 1, res.num_files
    files = res.download()
    assert len(files) == 1, files
    import netCDF4
    with netCDF4.Dataset(files[0]) as ds:
        assert ds.variables["rlds"].shape == (12, 1, 1), ds.variables["rlds"].shape
    prov = requests.get(res.provenance()).json()
    assert len(prov["wasDerivedFrom"]) == 2, prov["wasDerivedFrom"]
    times = sorted(a.get("roocs:time", "") for a in prov["activity"].values())
    assert "2001-01-01/2005-12-30" in times and "2002-01-01/2002-12-30" in times, times


@check("rooki orchestrate sync (workflow of two subsets)")
def _():
    rooki_orchestrate("sync")


@check("rooki orchestrate async")
def _():
    rooki_orchestrate("async")


@check("rooki orchestrate with a cycle is refused with the reason")
def _():
    r = Rooki(url=URL, mode="sync")
    doc = {"doc": "x", "inputs": {"a": [RLDS]}, "outputs": {"output": "s1/output"},
           "steps": {"s1": {"run": "subset", "in": {"collection": "s2/output"}},
                     "s2": {"run": "subset", "in": {"collection": "s1/output"}}}}
    try:
        res = r.orchestrate(workflow=json.dumps(doc))
    except Exception as e:  # noqa: BLE001  (OWSLib raises on an ExceptionReport)
        assert "cycle" in str(e) or "execution failed" in str(e), e
        return
    assert not res.ok and "cycle" in res.status, res.status


passed = sum(1 for _, e in results if e is None)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
