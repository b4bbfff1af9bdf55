"""Writes a small multi-file daily dataset whose chunks rookery serves as they are: three
NetCDF-4 files of 4 steps each, tas(time, lat=256, lon=1024) float32, deflate 1 + shuffle,
one 1 MiB chunk per step (as CMOR writes daily fields).

usage: make_served.py DIR
"""

import os
import sys

import netCDF4
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(17)
for k in range(3):
    path = os.path.join(out, f"tas_day_gen_{k}.nc")
    if os.path.exists(path):
        continue
    with netCDF4.Dataset(path + ".tmp", "w") as f:
        f.setncattr("title", "rookery data API test")
        f.createDimension("time", None)
        f.createDimension("lat", 256)
        f.createDimension("lon", 1024)
        t = f.createVariable("time", "f8", ("time",))
        t.units, t.calendar, t.standard_name, t.axis = "days since 2000-01-01", "noleap", "time", "T"
        t[:] = np.arange(4 * k, 4 * k + 4) + 0.5
        la = f.createVariable("lat", "f8", ("lat",))
        la.units, la.standard_name = "degrees_north", "latitude"
        la[:] = np.linspace(-89.5, 89.5, 256)
        lo = f.createVariable("lon", "f8", ("lon",))
        lo.units, lo.standard_name = "degrees_east", "longitude"
        lo[:] = np.linspace(0, 360, 1024, endpoint=False)
        v = f.createVariable("tas", "f4", ("time", "lat", "lon"), zlib=True, complevel=1, shuffle=True,
                             chunksizes=(1, 256, 1024), fill_value=np.float32(1e20))
        v.units, v.standard_name = "K", "air_temperature"
        data = (280 + 10 * rng.standard_normal((4, 256, 1024))).astype("f4")
        data[:, :3, :5] = 1e20  # missing values
        v[:] = np.ma.masked_equal(data, np.float32(1e20))
    os.rename(path + ".tmp", path)
