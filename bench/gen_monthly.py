#!/usr/bin/env python3
"""Generate a CMIP6-like monthly `tas` dataset of yearly files for the many-files benchmark.

Default: 165 files, 1850..2014, one per year, 12 monthly steps each:
    tas_Amon_BENCH-ESM_historical_r1i1p1f1_gn_185001-185012.nc ... _201401-201412.nc
    tas(time=12, lat=180, lon=360) float32 (1 degree grid)

NetCDF-4 (default): deflate level 1 + shuffle, chunks (1, nlat, nlon), one chunk per time step,
as CMOR writes; `days since 1850-01-01`, `noleap`, time at mid-month with `time_bnds`, lat/lon
bounds, CMIP6 global attributes (table_id=Amon). --classic: NetCDF classic CDF-2, uncompressed.

Values: 250 + 40 cos(lat), a seasonal cycle, a little zonal structure, a slow warming trend and
gaussian noise of 0.5 K (so deflate gets a realistic ratio). The generator is seeded per year:
the NetCDF-4 and --classic copies hold bit-identical values.

    python bench/gen_monthly.py --out-dir bench/work/monthly
    python bench/gen_monthly.py --out-dir bench/work/monthly_classic --classic
    python bench/gen_monthly.py --out-dir /tmp/m --years 3 --nlat 18 --nlon 36
"""

import argparse
import datetime as _dt
import os
import sys
import time as _time
import uuid

import numpy as np
import netCDF4

MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # noleap
FILL = np.float32(1.0e20)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", required=True, help="output directory")
    p.add_argument("--start-year", type=int, default=1850)
    p.add_argument("--years", type=int, default=165, help="number of yearly files (default 165)")
    p.add_argument("--nlat", type=int, default=180)
    p.add_argument("--nlon", type=int, default=360)
    p.add_argument("--classic", action="store_true",
                   help="write NetCDF classic CDF-2 (64-bit offset), uncompressed")
    p.add_argument("--seed", type=int, default=20240101)
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def cell_axis(n, lo, hi):
    edges = np.linspace(lo, hi, n + 1, dtype=np.float64)
    return 0.5 * (edges[:-1] + edges[1:]), np.stack([edges[:-1], edges[1:]], axis=1)


def write_year(path, year, a, lat, lat_bnds, lon, lon_bnds, base, seas_amp):
    fmt = "NETCDF3_64BIT_OFFSET" if a.classic else "NETCDF4"
    nc4 = not a.classic
    # time: days since 1850-01-01 (noleap), bounds at month edges, values mid-month
    edges = (year - 1850) * 365 + np.concatenate([[0], np.cumsum(MONTH_DAYS)]).astype(np.float64)
    tb = np.stack([edges[:-1], edges[1:]], axis=1)
    t = tb.mean(axis=1)
    tmp = path + ".part"
    ds = netCDF4.Dataset(tmp, "w", format=fmt)
    try:
        ds.set_fill_off()
        ds.createDimension("time", None)
        ds.createDimension("bnds", 2)
        ds.createDimension("lat", a.nlat)
        ds.createDimension("lon", a.nlon)
        kw = dict(zlib=True, complevel=1, shuffle=True) if nc4 else {}
        vt = ds.createVariable("time", "f8", ("time",), **(dict(chunksizes=(512,)) if nc4 else {}))
        vt.bounds = "time_bnds"
        vt.units = "days since 1850-01-01"
        vt.calendar = "noleap"
        vt.axis = "T"
        vt.long_name = "time"
        vt.standard_name = "time"
        vtb = ds.createVariable("time_bnds", "f8", ("time", "bnds"),
                                **(dict(chunksizes=(1, 2), **kw) if nc4 else {}))
        vlat = ds.createVariable("lat", "f8", ("lat",))
        vlat.bounds = "lat_bnds"
        vlat.units = "degrees_north"
        vlat.axis = "Y"
        vlat.long_name = "Latitude"
        vlat.standard_name = "latitude"
        vlatb = ds.createVariable("lat_bnds", "f8", ("lat", "bnds"))
        vlon = ds.createVariable("lon", "f8", ("lon",))
        vlon.bounds = "lon_bnds"
        vlon.units = "degrees_east"
        vlon.axis = "X"
        vlon.long_name = "Longitude"
        vlon.standard_name = "longitude"
        vlonb = ds.createVariable("lon_bnds", "f8", ("lon", "bnds"))
        tas_kw = dict(fill_value=FILL)
        if nc4:
            tas_kw.update(chunksizes=(1, a.nlat, a.nlon), **kw)
        vtas = ds.createVariable("tas", "f4", ("time", "lat", "lon"), **tas_kw)
        vtas.standard_name = "air_temperature"
        vtas.long_name = "Near-Surface Air Temperature"
        vtas.comment = "near-surface (usually, 2 meter) air temperature"
        vtas.units = "K"
        vtas.cell_methods = "area: time: mean"
        vtas.cell_measures = "area: areacella"
        vtas.missing_value = FILL
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        ds.setncatts({
            "Conventions": "CF-1.7 CMIP-6.2",
            "activity_id": "CMIP",
            "creation_date": now,
            "data_specs_version": "01.00.30",
            "experiment": "all-forcing simulation of the recent past",
            "experiment_id": "historical",
            "forcing_index": np.int32(1),
            "frequency": "mon",
            "further_info_url": "https://furtherinfo.es-doc.org/CMIP6.BENCH.BENCH-ESM.historical.none.r1i1p1f1",
            "grid": f"synthetic regular {a.nlat}x{a.nlon} grid",
            "grid_label": "gn",
            "initialization_index": np.int32(1),
            "institution": "rookery benchmark (synthetic data, not a model)",
            "institution_id": "BENCH",
            "license": "Synthetic benchmark data; no restrictions.",
            "mip_era": "CMIP6",
            "nominal_resolution": "100 km",
            "parent_activity_id": "CMIP",
            "parent_experiment_id": "piControl",
            "physics_index": np.int32(1),
            "product": "model-output",
            "realization_index": np.int32(1),
            "realm": "atmos",
            "source": "BENCH-ESM: synthetic smooth field plus gaussian noise",
            "source_id": "BENCH-ESM",
            "source_type": "AOGCM",
            "sub_experiment": "none",
            "sub_experiment_id": "none",
            "table_id": "Amon",
            "title": "BENCH-ESM output prepared for CMIP6 (synthetic benchmark data)",
            "tracking_id": "hdl:21.14100/" + str(uuid.UUID(int=(a.seed * 10007 + year) % (1 << 128))),
            "variable_id": "tas",
            "variant_label": "r1i1p1f1",
            "history": f"{now}: generated by rookery bench/gen_monthly.py "
                       f"(year={year}, nlat={a.nlat}, nlon={a.nlon}, format={fmt}, seed={a.seed})",
        })
        vlat[:] = lat
        vlatb[:] = lat_bnds
        vlon[:] = lon
        vlonb[:] = lon_bnds
        rng = np.random.default_rng([a.seed, year])
        shape = (a.nlat, a.nlon)
        buf = np.empty((12,) + shape, dtype=np.float32)
        trend = 0.008 * (year - 1850)
        for m in range(12):
            phase = np.cos(2.0 * np.pi * (t[m] % 365 - 200.0) / 365.0)
            noise = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.5)
            buf[m] = (base + trend + seas_amp * phase).astype(np.float32) + noise
        vtas[:, :, :] = buf
        vt[:] = t
        vtb[:, :] = tb
    except BaseException:
        ds.close()
        os.remove(tmp)
        raise
    ds.close()
    os.replace(tmp, path)


def main(argv=None):
    a = parse_args(argv)
    if a.years < 1 or a.nlat < 1 or a.nlon < 1:
        sys.exit("years, nlat and nlon must be >= 1")
    os.makedirs(a.out_dir, exist_ok=True)
    lat, lat_bnds = cell_axis(a.nlat, -90.0, 90.0)
    lon, lon_bnds = cell_axis(a.nlon, 0.0, 360.0)
    latr = np.deg2rad(lat)[:, None]
    lonr = np.deg2rad(lon)[None, :]
    base = (250.0 + 40.0 * np.cos(latr) + 3.0 * np.cos(latr) * np.sin(2.0 * lonr)
            + 1.5 * np.sin(3.0 * lonr + 2.0 * latr))
    seas_amp = 12.0 * np.sin(latr) * np.ones_like(lonr)
    t0 = _time.time()
    total = 0
    for year in range(a.start_year, a.start_year + a.years):
        name = f"tas_Amon_BENCH-ESM_historical_r1i1p1f1_gn_{year}01-{year}12.nc"
        path = os.path.join(a.out_dir, name)
        write_year(path, year, a, lat, lat_bnds, lon, lon_bnds, base, seas_amp)
        total += os.path.getsize(path)
    if not a.quiet:
        print(f"wrote {a.years} files to {a.out_dir}: {total / 1e6:.0f} MB on disk, "
              f"{a.years * 12 * a.nlat * a.nlon * 4 / 1e6:.0f} MB raw tas, "
              f"{_time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
