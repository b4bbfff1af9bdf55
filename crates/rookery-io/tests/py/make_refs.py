"""Generates Kerchunk references and Zarr stores for rookery's zarr tests.

usage: make_refs.py OUT NC4 NC3 [NC3 ...]

Writes into OUT:
  nc4.json            SingleHdf5ToZarr refs of NC4 (version 1)
  nc3.json            NetCDF3ToZarr refs of the first NC3 file
  nc3_<i>.json        NetCDF3ToZarr refs of each NC3 file
  combined.json       MultiZarrToZarr of all NC3 files along time
  combined.json.zst   the same, zstd-compressed
  nc4.parq/           Parquet lazy refs of nc4.json (record_size 100)
  combined.parq/      Parquet lazy refs of combined.json (record_size 100)
  nc4_v2.zarr/        xarray to_zarr, Zarr v2, Blosc compressor
  nc4_v2_zlib.zarr/   xarray to_zarr, Zarr v2, Zlib compressor
  nc4_v3.zarr/        xarray to_zarr, Zarr v3 (default codecs)
  nc3_v2.zarr/        xarray to_zarr of the first NC3 file, Zarr v2 (unconsolidated)
"""

import json
import os
import sys

import numcodecs
import xarray as xr
import zstandard
from kerchunk.combine import MultiZarrToZarr
from kerchunk.df import refs_to_dataframe
from kerchunk.hdf import SingleHdf5ToZarr
from kerchunk.netCDF3 import NetCDF3ToZarr


def dump(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f)


def plain(ds):
    """Drops the NetCDF storage encodings (chunking, compression) xarray would carry over."""
    keep = ("_FillValue", "dtype", "units", "calendar", "missing_value")
    for v in ds.variables.values():
        v.encoding = {k: x for k, x in v.encoding.items() if k in keep}
    return ds


def main():
    out, nc4, nc3s = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)

    r4 = SingleHdf5ToZarr(nc4, inline_threshold=300).translate()
    dump(r4, f"{out}/nc4.json")
    r3s = [NetCDF3ToZarr(p, inline_threshold=100).translate() for p in nc3s]
    dump(r3s[0], f"{out}/nc3.json")
    for i, r in enumerate(r3s):
        dump(r, f"{out}/nc3_{i}.json")
    comb = MultiZarrToZarr(
        r3s,
        concat_dims=["time"],
        identical_dims=["lat", "lon", "height", "lat_bnds", "lon_bnds"],
    ).translate()
    dump(comb, f"{out}/combined.json")
    with open(f"{out}/combined.json.zst", "wb") as f:
        f.write(zstandard.ZstdCompressor().compress(json.dumps(comb).encode()))
    refs_to_dataframe(r4, f"{out}/nc4.parq", record_size=100)
    refs_to_dataframe(comb, f"{out}/combined.parq", record_size=100)

    with xr.open_dataset(nc4) as ds:
        ds = plain(ds.load())
        enc = {v: {"compressors": (numcodecs.Blosc(),)} for v in ds.variables}
        ds.to_zarr(f"{out}/nc4_v2.zarr", mode="w", zarr_format=2, encoding=enc, consolidated=True)
        enc = {v: {"compressors": (numcodecs.Zlib(level=4),)} for v in ds.variables}
        ds.to_zarr(f"{out}/nc4_v2_zlib.zarr", mode="w", zarr_format=2, encoding=enc, consolidated=True)
        ds.to_zarr(f"{out}/nc4_v3.zarr", mode="w", zarr_format=3, consolidated=True)
    with xr.open_dataset(nc3s[0]) as ds:
        plain(ds.load()).to_zarr(f"{out}/nc3_v2.zarr", mode="w", zarr_format=2, consolidated=False)
    print("ok")


if __name__ == "__main__":
    main()
