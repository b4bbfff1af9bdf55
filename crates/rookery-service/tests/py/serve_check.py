"""Reads a dataset served by `rookery serve` with the Python stack and compares it with the
source files (and a `rookery subset` output of the same id).

usage: serve_check.py BASE_URL DATASET_ID SUBSET_NC|- NC [NC ...]

  zarr2     xarray.open_zarr(BASE/datasets/ID/zarr) (consolidated Zarr 2)
  zarr3     xarray.open_zarr(BASE/datasets/ID/zarr3, zarr_format=3) and zarr-python 3's
            open_group reading the main variable's stored values
  kerchunk  fsspec ReferenceFileSystem over BASE/datasets/ID/kerchunk.json (HTTP targets)
  parquet   xarray engine="kerchunk" (fsspec's LazyReferenceMapper) over the Parquet reference
            directory BASE/datasets/ID/kerchunk.parq
Each must hold every variable of the source files (joined along time) with equal decoded
values; with a subset output, every variable of it too. Prints one line per check; exits
non-zero with the difference on any mismatch.
"""

import os
import sys

import fsspec
import netCDF4
import numpy as np
import xarray as xr
import zarr

KW = dict(decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))


def values(v):
    x = np.asarray(v.values)
    if x.dtype.kind == "O":
        # cftime instants of different calendars (a calendar fix) compare by their text.
        return np.array([str(t) for t in x.ravel()]).reshape(x.shape)
    return x


def same(a, b, what, attrs=True):
    """Decoded values and dims of every variable of b are in a (and b's attributes)."""
    for name, vb in b.variables.items():
        if name not in a.variables:
            raise SystemExit(f"{what}: variable {name} missing")
        va = a.variables[name]
        if va.dims != vb.dims or va.shape != vb.shape:
            raise SystemExit(f"{what}: {name} dims {va.dims}{va.shape} != {vb.dims}{vb.shape}")
        x, y = values(va), values(vb)
        if x.dtype.kind in "fc" or y.dtype.kind in "fc":
            ok = np.array_equal(x.astype("f8"), y.astype("f8"), equal_nan=True)
        else:
            ok = np.array_equal(x, y)
        if not ok:
            raise SystemExit(f"{what}: {name} values differ: {x.ravel()[:5]} vs {y.ravel()[:5]}")
        if attrs:
            for k in vb.attrs:
                if k not in va.attrs:
                    raise SystemExit(f"{what}: {name} attribute {k} missing")


def open_nc(paths):
    if len(paths) == 1:
        return xr.open_dataset(paths[0], **KW)
    parts = sorted((xr.open_dataset(p, **KW) for p in paths), key=lambda d: str(d["time"].values[0]))
    return xr.concat(parts, "time", data_vars="minimal", coords="minimal", compat="override",
                     join="override", combine_attrs="override")


def main():
    base, ds_id, subset, ncs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    url = f"{base}/datasets/{ds_id}"
    src = open_nc(ncs).load()
    # Attributes a fix changes are not the files' any more: values and names only then.
    fixed = os.environ.get("FIXED") == "1"
    main_var = [v for v in src.data_vars if len(src[v].dims) >= 3 and "time" in src[v].dims][0]

    z2 = xr.open_zarr(f"{url}/zarr", consolidated=True, **KW).load()
    same(z2, src, "zarr2", attrs=not fixed)
    print(f"zarr2 ok: {dict(z2.sizes)}")

    z3 = xr.open_zarr(f"{url}/zarr3", zarr_format=3, **KW).load()
    same(z3, src, "zarr3", attrs=not fixed)
    g = zarr.open_group(f"{url}/zarr3", mode="r", zarr_format=3)
    order = sorted(ncs, key=lambda p: str(xr.open_dataset(p, **KW)["time"].values[0]))
    raw = []
    for p in order:
        with netCDF4.Dataset(p) as f:
            f.set_auto_maskandscale(False)
            raw.append(np.asarray(f.variables[main_var][:]))
    raw = np.concatenate(raw)
    stored = np.asarray(g[main_var][...])
    if not np.array_equal(raw.astype("f8"), stored.astype("f8"), equal_nan=True):
        raise SystemExit(f"zarr3 (zarr-python): stored {main_var} differs from netCDF4's raw values")
    print(f"zarr3 ok: zarr format {g.metadata.zarr_format}, {main_var} {g[main_var].shape}")

    # zarr-python 3 needs an asynchronous reference filesystem (and HTTP target filesystem).
    fs = fsspec.filesystem("reference", fo=f"{url}/kerchunk.json", remote_protocol="http",
                           asynchronous=True, remote_options={"asynchronous": True})
    store = zarr.storage.FsspecStore(fs, read_only=True, path="")
    k = xr.open_dataset(store, engine="zarr", consolidated=False, **KW).load()
    same(k, src, "kerchunk", attrs=not fixed)
    print(f"kerchunk ok: {len(k.variables)} variables; {k.attrs.get('rookery_references', '')[:80]}")

    so = {"remote_protocol": "http", "target_protocol": "http"}
    p = xr.open_dataset(f"{url}/kerchunk.parq", engine="kerchunk", storage_options=so,
                        open_dataset_options=KW).load()
    same(p, src, "parquet", attrs=not fixed)
    if p.attrs.get("rookery_references") != k.attrs.get("rookery_references"):
        raise SystemExit("parquet: the note differs from kerchunk.json's")
    print(f"parquet ok: {len(p.variables)} variables")

    if subset != "-":
        s = xr.open_dataset(subset, **KW).load()
        for what, d in (("zarr2", z2), ("zarr3", z3), ("kerchunk", k), ("parquet", p)):
            same(d, s, f"{what} vs subset", attrs=False)
        print("subset ok: zarr2, zarr3, kerchunk and parquet equal the rookery subset output")


main()
