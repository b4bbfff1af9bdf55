"""Writes a NetCDF-4 file whose variables are each stored as ONE piece of the whole array (the
pathological chunking the data API's size guard re-chunks): tas(time=100, lat=180, lon=360)
float32 contiguous (26 MB) and tasz, the same values deflated as one chunk.

usage: make_onechunk.py DIR
"""

import os
import sys

import netCDF4
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
path = os.path.join(out, "tas_day_onechunk.nc")
if not os.path.exists(path):
    rng = np.random.default_rng(3)
    nt, ny, nx = 100, 180, 360
    with netCDF4.Dataset(path + ".tmp", "w") as f:
        f.setncattr("title", "rookery data API test: one chunk per variable")
        f.createDimension("time", nt)
        f.createDimension("lat", ny)
        f.createDimension("lon", nx)
        t = f.createVariable("time", "f8", ("time",))
        t.units, t.calendar, t.standard_name, t.axis = "days since 2000-01-01", "noleap", "time", "T"
        t[:] = np.arange(nt) + 0.5
        la = f.createVariable("lat", "f8", ("lat",))
        la.units, la.standard_name = "degrees_north", "latitude"
        la[:] = np.linspace(-89.5, 89.5, ny)
        lo = f.createVariable("lon", "f8", ("lon",))
        lo.units, lo.standard_name = "degrees_east", "longitude"
        lo[:] = np.linspace(0.5, 359.5, nx)
        data = (280 + 10 * rng.standard_normal((nt, ny, nx))).astype("f4")
        v = f.createVariable("tas", "f4", ("time", "lat", "lon"), contiguous=True)
        v.units, v.standard_name = "K", "air_temperature"
        v[:] = data
        z = f.createVariable("tasz", "f4", ("time", "lat", "lon"), zlib=True, complevel=1,
                             chunksizes=(nt, ny, nx))
        z.units, z.standard_name = "K", "air_temperature"
        z[:] = data
    os.rename(path + ".tmp", path)
