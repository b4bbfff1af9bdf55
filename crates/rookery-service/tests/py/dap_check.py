"""Reads a dataset served over OPeNDAP (DAP2 and DAP4) with netCDF-C (ncdump, netCDF4-python,
xarray's netcdf4 engine) and pydap, and compares values and attributes with the source files
read locally (netCDF4 + xarray). Prints one line per check; exits non-zero on a mismatch.

usage: dap_check.py BASE_URL ID VAR CONSTRAINT FILE...
  CONSTRAINT: a DAP2 hyperslab of VAR, e.g. "[0:1:2][10:2:20][0:1:5]"
"""

import re
import subprocess
import sys

import netCDF4
import numpy as np
import xarray as xr

base, ds_id, var, slab = sys.argv[1:5]
files = sys.argv[5:]
url2 = f"{base}/opendap/{ds_id}"
url4 = f"{base}/opendap4/{ds_id}"



def open_local(decode):
    parts = [xr.open_dataset(f, decode_times=decode) for f in files]
    if len(parts) == 1:
        return parts[0]
    return xr.concat(parts, dim="time", data_vars="minimal", coords="minimal", compat="override")


local = open_local(False)


def slices(text):
    out = []
    for part in re.findall(r"\[([^\]]*)\]", text):
        p = [int(x) for x in part.split(":")]
        if len(p) == 1:
            out.append(slice(p[0], p[0] + 1))
        elif len(p) == 2:
            out.append(slice(p[0], p[1] + 1))
        else:
            out.append(slice(p[0], p[2] + 1, p[1]))
    return tuple(out)


sel = slices(slab)
want = local[var].values[sel]


def same(name, got, exp):
    got, exp = np.asarray(got), np.asarray(exp)
    if got.shape != exp.shape:
        sys.exit(f"FAIL {name}: shape {got.shape} != {exp.shape}")
    if exp.dtype.kind in "fc":
        ok = np.allclose(np.ma.filled(got.astype("f8"), np.nan), exp, equal_nan=True, rtol=0, atol=0)
    else:
        ok = np.array_equal(got, exp)
    if not ok:
        sys.exit(f"FAIL {name}: values differ\n{got.ravel()[:10]}\n{exp.ravel()[:10]}")
    print(f"ok {name} {got.shape}")


# ncdump -h: the header names the variable, time units and calendar as the files have them.
h = subprocess.run(["ncdump", "-h", url2], capture_output=True, text=True, timeout=120)
if h.returncode != 0:
    sys.exit(f"FAIL ncdump -h: {h.stderr}")
t = local["time"].attrs
for needle in [f" {var}(", f'time:units = "{t["units"]}"', f'time:calendar = "{t["calendar"]}"']:
    if needle not in h.stdout:
        sys.exit(f"FAIL ncdump -h lacks {needle!r}:\n{h.stdout}")
print("ok ncdump -h")

# ncdump -v with a constraint in the URL: the values equal the files'.
d = subprocess.run(["ncdump", "-v", var, "-p", "9,17", f"{url2}?{var}{slab}#log&show=fetch"], capture_output=True, text=True, timeout=120)
if d.returncode != 0:
    sys.exit(f"FAIL ncdump -v: {d.stderr}")
body = d.stdout.split("data:", 1)[1]
vals = re.search(rf"\b{var} =(.*?);", body, re.S).group(1)
got = np.array([float(x) for x in vals.replace("\n", " ").split(",") if x.strip()])
if got.size != want.size:
    sys.exit(f"FAIL ncdump -v: {got.size} values, want {want.size}:\n{d.stderr}\n{d.stdout[:3000]}")
same("ncdump -v constrained", got.astype(want.dtype), want.ravel())

# netCDF4-python on a constrained URL, and on the whole dataset with a strided read.
with netCDF4.Dataset(f"{url2}?{var}{slab}") as nc:
    same("netCDF4 DAP2 constrained", nc[var][:], want)
with netCDF4.Dataset(url2) as nc:
    same("netCDF4 DAP2 strided read", nc[var][sel], want)
    v = nc[var]
    for a in local[var].attrs:
        if a not in v.ncattrs():
            sys.exit(f"FAIL DAP2 attribute {var}:{a} missing")
    print("ok DAP2 attributes")
    if "_FillValue" in local[var].encoding:
        fv = v.getncattr("_FillValue")
        if not np.isclose(fv, local[var].encoding["_FillValue"]):
            sys.exit(f"FAIL _FillValue {fv}")
        print("ok _FillValue", fv)

# xarray with the netcdf4 engine: every variable equal (times decoded alike).
remote = xr.open_dataset(url2, engine="netcdf4", decode_times=False)
for name in local.variables:
    if name in remote.variables:
        r, l = remote[name], local[name]
        if r.size > 1_000_000:  # more than the test server's max_answer_bytes: a part
            r, l = r.isel(time=slice(0, 4)), l.isel(time=slice(0, 4))
        same(f"xarray DAP2 {name}", r.values, l.values)
    else:
        sys.exit(f"FAIL xarray DAP2 lacks {name}")
if remote["time"].attrs.get("calendar") != t["calendar"] or remote["time"].attrs.get("units") != t["units"]:
    sys.exit(f"FAIL time attributes {remote['time'].attrs}")
for k, val in local.attrs.items():
    # (fixes may change other global attributes of a served dataset)
    if k in ("title", "institution", "Conventions", "source") and remote.attrs.get(k) != val:
        sys.exit(f"FAIL global attribute {k}: {remote.attrs.get(k)!r} != {val!r}")
print("ok time units/calendar and string attributes")
dec_l = open_local(True)
dec_r = xr.open_dataset(url2, engine="netcdf4")
if not (dec_l["time"].values == dec_r["time"].values).all() or len(dec_r["time"]) < 2:
    sys.exit("FAIL decoded times differ")
print("ok decoded times")

# DAP4 through netCDF-C (dap4:// URL), whole and constrained.
u4 = url4.replace("http://", "dap4://")
# (netCDF-C reads a variable whole over DAP4: only when below the test server's limit)
whole4 = local[var].size < 1_000_000
with netCDF4.Dataset(u4 if whole4 else f"{u4}?dap4.ce=/time;/{var}[0:1:3][][]") as nc:
    if whole4:
        same("netCDF4 DAP4", nc[var][sel], want)
    if nc["time"].getncattr("calendar") != t["calendar"]:
        sys.exit("FAIL DAP4 calendar")
    print("ok DAP4 calendar")
ce4 = f"/{var}{slab}"
with netCDF4.Dataset(f"{u4}?dap4.ce={ce4}") as nc:
    same("netCDF4 DAP4 constrained", nc[var][:], want)

# pydap, DAP2 and DAP4.
from pydap.client import open_url  # noqa: E402

p2 = open_url(url2, protocol="dap2")
arr = p2[var]
arr = arr.array if hasattr(arr, "array") else arr
same("pydap DAP2", np.asarray(arr[sel].data if hasattr(arr[sel], "data") else arr[sel]), want)
p4 = open_url(url4, protocol="dap4")
a4 = p4[var][sel]
same("pydap DAP4", np.asarray(a4.data if hasattr(a4, "data") else a4), want)
if p4["time"].attributes.get("calendar") != t["calendar"]:
    sys.exit(f"FAIL pydap DAP4 calendar {p4['time'].attributes}")
print("ok pydap attributes")
