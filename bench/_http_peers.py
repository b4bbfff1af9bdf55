#!/usr/bin/env python3
"""One run of a Python peer of bench_http.py: open a NetCDF-4 file (local path, http URL
through fsspec, or Kerchunk references) with xarray, read the subset the bench asks rookery
for, save its values (.npy) and print the seconds spent opening + reading (imports and
interpreter start excluded, which favours the peers).

    _http_peers.py MODE SRC AREA TIME OUT.npy [REFS.json]
    MODE: local (h5netcdf on the file) | fsspec (h5netcdf on fsspec's HTTPFileSystem file:
          its default block size and readahead cache, as a user gets them) | kerchunk
          (xarray's zarr engine on fsspec's reference:// filesystem over http)
    MODE refs: write Kerchunk JSON references of SRC (SingleHdf5ToZarr) to OUT (not timed)
"""

import json
import sys
import time

import numpy as np


def lon_index(lon, west, east):
    """Indices of lon in [west, east] (degrees, across 0 when west < 0), ordered by the
    longitude normalised to [-180, 180)."""
    norm = (np.asarray(lon) + 180.0) % 360.0 - 180.0
    sel = np.where((norm >= west) & (norm <= east))[0]
    return sel[np.argsort(norm[sel], kind="stable")]


def subset(ds, area, trange):
    west, south, east, north = (float(x) for x in area.split(","))
    t0, t1 = trange.split("/")
    lat = ds["lat"].values
    li = np.where((lat >= south) & (lat <= north))[0]
    lo = lon_index(ds["lon"].values, west, east)
    tas = ds["tas"].sel(time=slice(t0, t1 + "T23:59:59"))
    return np.asarray(tas.isel(lat=li, lon=lo).values)


def main():
    mode, src, area, trange, out = sys.argv[1:6]
    if mode == "refs":
        import fsspec
        from kerchunk.hdf import SingleHdf5ToZarr

        with fsspec.open(src, "rb") as f:
            refs = SingleHdf5ToZarr(f, src, inline_threshold=300).translate()
        with open(out, "w") as f:
            json.dump(refs, f)
        return
    import xarray as xr

    t = time.perf_counter()
    if mode == "local":
        ds = xr.open_dataset(src, engine="h5netcdf")
        v = subset(ds, area, trange)
    elif mode == "fsspec":
        import fsspec

        fs = fsspec.filesystem("http")
        with fs.open(src, "rb") as f:
            ds = xr.open_dataset(f, engine="h5netcdf")
            v = subset(ds, area, trange)
    elif mode == "kerchunk":
        refs = sys.argv[6]
        ds = xr.open_dataset(
            "reference://",
            engine="zarr",
            backend_kwargs={
                "consolidated": False,
                "storage_options": {
                    "fo": refs,
                    "remote_protocol": "http",
                    "asynchronous": True,
                    "remote_options": {"asynchronous": True},
                },
            },
        )
        v = subset(ds, area, trange)
    else:
        sys.exit("unknown mode " + mode)
    dt = time.perf_counter() - t
    np.save(out, v)
    print(json.dumps({"seconds": dt, "shape": list(v.shape)}))


if __name__ == "__main__":
    main()
