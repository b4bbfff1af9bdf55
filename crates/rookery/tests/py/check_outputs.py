"""Checks rookery's outputs with the Python stack (fsspec, xarray, zarr-python).

usage:
  check_outputs.py refs REFS NC [NC ...]   fsspec ReferenceFileSystem + xarray open the
                                           references (JSON, .json.zst or Parquet directory);
                                           the dataset equals xarray's view of the NetCDF
                                           file(s) (several: combined by coordinates)
  check_outputs.py zarr STORE NC           xarray.open_zarr of the store equals the NetCDF file;
                                           zarr-python opens it and reports its format

Prints one line per check; exits non-zero with the difference on any mismatch.
"""

import sys

import fsspec
import numpy as np
import xarray as xr
import zarr


def same(a, b, what):
    """Decoded values, dims, attributes (except encodings) of every variable of b are in a."""
    for name, vb in b.variables.items():
        if name not in a.variables:
            raise SystemExit(f"{what}: variable {name} missing")
        va = a.variables[name]
        if va.dims != vb.dims or va.shape != vb.shape:
            raise SystemExit(f"{what}: {name} dims {va.dims}{va.shape} != {vb.dims}{vb.shape}")
        x, y = np.asarray(va.values), np.asarray(vb.values)
        if x.dtype.kind in "fc" or y.dtype.kind in "fc":
            ok = np.array_equal(x.astype("f8"), y.astype("f8"), equal_nan=True)
        else:
            ok = np.array_equal(x, y)
        if not ok:
            raise SystemExit(f"{what}: {name} values differ: {x.ravel()[:5]} vs {y.ravel()[:5]}")
        for k, v in vb.attrs.items():
            if k not in va.attrs:
                raise SystemExit(f"{what}: {name} attribute {k} missing")
    for k in b.attrs:
        if k not in a.attrs:
            raise SystemExit(f"{what}: global attribute {k} missing")


def open_nc(paths):
    kw = dict(decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))
    if len(paths) == 1:
        return xr.open_dataset(paths[0], **kw)
    parts = sorted((xr.open_dataset(p, **kw) for p in paths), key=lambda d: d["time"].values[0])
    return xr.concat(parts, "time", data_vars="minimal", coords="minimal", compat="override",
                     join="override", combine_attrs="override")


def main():
    mode, target, ncs = sys.argv[1], sys.argv[2], sys.argv[3:]
    nc = open_nc(ncs).load()
    kw = dict(decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))
    if mode == "refs":
        opts = {}
        if target.endswith(".zst"):
            opts["target_options"] = {"compression": "zstd"}
        fs = fsspec.filesystem("reference", fo=target, **opts)
        ds = xr.open_dataset(fs.get_mapper(""), engine="zarr", consolidated=False, **kw).load()
        same(ds, nc, target)
        print(f"refs ok: {target}: {len(ds.variables)} variables, {dict(ds.sizes)}")
    elif mode == "zarr":
        g = zarr.open_group(target, mode="r")
        ds = xr.open_zarr(target, **kw).load()
        same(ds, nc, target)
        print(f"zarr ok: {target}: zarr format {g.metadata.zarr_format}, {len(ds.variables)} variables, {dict(ds.sizes)}")
    else:
        raise SystemExit(f"unknown mode {mode}")


main()
