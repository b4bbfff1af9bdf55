"""rookery.Client (the Python package's OGC API client) against a real server: discovery, a
subset job downloaded and compared with xarray's own selection on the source file, errors as
ServiceError with the server's one-line message, dismissal, another user's view.

Environment: ROOKERY_URL (base), ACCESS_TOKEN, OTHER_TOKEN (a second user), RLDS (the source
file), RLDS_ID (its dataset id), OUT (a directory). Exits non-zero on the first failed check.
"""

import os
import sys

import numpy as np
import xarray as xr

import rookery
from rookery import Client
from rookery.exceptions import RookeryError, ServiceError

URL, TOKEN, OUT = os.environ["ROOKERY_URL"], os.environ["ACCESS_TOKEN"], os.environ["OUT"]
RLDS, RLDS_ID = os.environ["RLDS"], os.environ["RLDS_ID"]
CFT = xr.coders.CFDatetimeCoder(use_cftime=True)

c = Client(URL + "/wps", token=TOKEN)  # a rook-style URL works too
assert c.url == URL, c.url
procs = c.processes()
assert {"subset", "average", "regrid", "orchestrate"} <= set(procs), procs
desc = c.describe("subset")
assert "collection" in desc["inputs"], desc["inputs"].keys()
ids = c.datasets(q="*IPSL-CM6A-LR*rlds*")
assert RLDS_ID in ids, ids

# A subset: time and area as rooki writes them (a tuple becomes "a,b,c,d").
job = c.subset(collection=RLDS_ID, time="2001-01-01/2002-12-31", area=(0, -90, 100, 40))
assert job.status == "successful" and job.done, job
paths = job.download(OUT)
assert len(paths) == 1 and paths[0].endswith(".nc"), paths
assert not [p for p in os.listdir(OUT) if p.endswith(".part")]
with xr.open_dataset(paths[0], decode_times=CFT) as got, xr.open_dataset(RLDS, decode_times=CFT) as src:
    years = src.time.dt.year
    exp = src.rlds.where((years >= 2001) & (years <= 2002), drop=True)
    exp = exp.sel(lat=slice(-90, 40), lon=slice(0, 100))
    assert exp.shape == (24, 2, 1), exp.shape  # the mini file is 2x2: one longitude is cut
    assert got.rlds.shape == exp.shape, (got.rlds.shape, exp.shape)
    np.testing.assert_array_equal(got.rlds.values, exp.values)
dss = job.open()
assert len(dss) == 1 and dss[0].rlds.shape == exp.shape
print("subset: downloaded and equal to xarray's selection", flush=True)

# Async: submit, then wait; the job is in the user's list.
j2 = c.submit("subset", collection=RLDS_ID, time="2005-01-01/2005-12-31")
assert j2.status in ("accepted", "running", "successful"), j2
j2.wait(timeout=300)
assert j2.id in [j.id for j in c.jobs()]
assert c.job(j2.id).status == "successful"
print("async subset: waited", flush=True)

# A job that fails: the dataset's directory also holds a one-month file on another grid
# (mini-esgf's IPSL rlds), which a whole-dataset average cannot combine.
try:
    c.average(collection=RLDS_ID, dims=("time",))
    raise SystemExit("an average over files on two grids succeeded")
except ServiceError as e:
    assert "cannot combine" in str(e) and "\n" not in str(e), e
    print(f"failed job: {e}", flush=True)

# The server's one-line message travels in the exception.
try:
    c.subset(collection="cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas",
             time="2050-12-31/2021-01-01")
    raise SystemExit("a start after the end was accepted")
except ServiceError as e:
    assert isinstance(e, RookeryError)
    assert e.status is None or 400 <= e.status < 500, e
    assert "is after end date" in str(e) and "\n" not in str(e), repr(e)
    print(f"bad time refused: {e}", flush=True)
try:
    c.execute("no-such-process")
    raise SystemExit("an unknown process was accepted")
except ServiceError as e:
    assert e.status == 404, e
try:
    Client(URL, token="rk_wrong").processes()
    Client(URL, token="rk_wrong").jobs()
    raise SystemExit("a wrong key was accepted")
except ServiceError as e:
    assert e.status == 401, e

# Another user sees neither the job nor its results; dismissal removes the outputs.
other = Client(URL, token=os.environ["OTHER_TOKEN"])
assert job.id not in [j.id for j in other.jobs()]
try:
    other.job(job.id)
    raise SystemExit("another user's job was visible")
except ServiceError as e:
    assert e.status in (403, 404), e
assert job.dismiss().status == "dismissed"
try:
    job.urls()
    raise SystemExit("a dismissed job still has results")
except ServiceError as e:
    assert 400 <= e.status < 500, e
print(f"rookery {rookery.__version__}: Client checks passed", flush=True)
sys.exit(0)
