#!/usr/bin/env python3
"""Generate a CMIP6-like daily `tas` NetCDF file for the rookery benchmark.

Default output (10 years, 360x720, noleap) is ~3.8 GB of uncompressed data:
    tas(time=3650, lat=360, lon=720) float32

NetCDF-4 (default): deflate level 1 + shuffle, chunks (1, nlat, nlon), i.e. one
chunk per time step, as CMIP6 data written by CMOR usually is.
--classic: NetCDF classic CDF-2 (64-bit offset), uncompressed.

The data are a smooth field (latitude profile + seasonal cycle + a little
zonal structure) plus gaussian noise of 0.5 K, computed one block of time steps
at a time so memory stays low. The random generator is seeded, so the
NetCDF-4 file and the --classic file hold bit-identical values.

Examples:
    python gen_daily.py --out work/tas.nc
    python gen_daily.py --out work/tas_classic.nc --classic
    python gen_daily.py --out /tmp/small.nc --years 1 --nlat 36 --nlon 72
"""

import argparse
import datetime as _dt
import os
import sys
import time as _time
import uuid

import numpy as np
import netCDF4

DAYS_PER_YEAR = 365  # noleap calendar
FILL = np.float32(1.0e20)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output file path")
    p.add_argument("--years", type=int, default=10,
                   help="number of noleap years starting 1850-01-01 (default 10)")
    p.add_argument("--nlat", type=int, default=360, help="latitudes (default 360)")
    p.add_argument("--nlon", type=int, default=720, help="longitudes (default 720)")
    p.add_argument("--classic", action="store_true",
                   help="write NetCDF classic CDF-2 (64-bit offset), uncompressed")
    p.add_argument("--seed", type=int, default=20240101, help="RNG seed")
    p.add_argument("--block", type=int, default=30,
                   help="time steps computed and written per block (memory knob)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def cell_axis(n, lo, hi):
    """Cell centres and bounds of n equal cells spanning [lo, hi]."""
    edges = np.linspace(lo, hi, n + 1, dtype=np.float64)
    centres = 0.5 * (edges[:-1] + edges[1:])
    bnds = np.stack([edges[:-1], edges[1:]], axis=1)
    return centres, bnds


def main(argv=None):
    a = parse_args(argv)
    if a.years < 1 or a.nlat < 1 or a.nlon < 1:
        sys.exit("years, nlat and nlon must be >= 1")

    ntime = a.years * DAYS_PER_YEAR
    lat, lat_bnds = cell_axis(a.nlat, -90.0, 90.0)
    lon, lon_bnds = cell_axis(a.nlon, 0.0, 360.0)
    time = np.arange(ntime, dtype=np.float64) + 0.5
    time_bnds = np.stack([time - 0.5, time + 0.5], axis=1)

    end_year = 1850 + a.years - 1
    fmt = "NETCDF3_64BIT_OFFSET" if a.classic else "NETCDF4"

    out = os.path.abspath(a.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".part"
    if os.path.exists(tmp):
        os.remove(tmp)

    t0 = _time.time()
    ds = netCDF4.Dataset(tmp, "w", format=fmt)
    try:
        ds.set_fill_off()

        ds.createDimension("time", None)
        ds.createDimension("bnds", 2)
        ds.createDimension("lat", a.nlat)
        ds.createDimension("lon", a.nlon)

        nc4 = not a.classic
        kw_small = dict(zlib=True, complevel=1, shuffle=True) if nc4 else {}

        vt = ds.createVariable("time", "f8", ("time",),
                               **(dict(chunksizes=(512,)) if nc4 else {}))
        vt.bounds = "time_bnds"
        vt.units = "days since 1850-01-01"
        vt.calendar = "noleap"
        vt.axis = "T"
        vt.long_name = "time"
        vt.standard_name = "time"

        vtb = ds.createVariable("time_bnds", "f8", ("time", "bnds"),
                                **(dict(chunksizes=(512, 2), **kw_small) if nc4 else {}))

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
            tas_kw.update(zlib=True, complevel=1, shuffle=True,
                          chunksizes=(1, a.nlat, a.nlon))
        vtas = ds.createVariable("tas", "f4", ("time", "lat", "lon"), **tas_kw)
        vtas.standard_name = "air_temperature"
        vtas.long_name = "Near-Surface Air Temperature"
        vtas.comment = "near-surface (usually, 2 meter) air temperature"
        vtas.units = "K"
        vtas.cell_methods = "area: time: mean"
        vtas.missing_value = FILL

        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        g = {
            "Conventions": "CF-1.7 CMIP-6.2",
            "activity_id": "CMIP",
            "creation_date": now,
            "data_specs_version": "01.00.30",
            "experiment": "all-forcing simulation of the recent past",
            "experiment_id": "historical",
            "forcing_index": np.int32(1),
            "frequency": "day",
            "further_info_url": "https://furtherinfo.es-doc.org/CMIP6.BENCH.BENCH-ESM.historical.none.r1i1p1f1",
            "grid": "synthetic regular 0.5x0.5 degree grid" if (a.nlat, a.nlon) == (360, 720)
                    else f"synthetic regular {a.nlat}x{a.nlon} grid",
            "grid_label": "gn",
            "initialization_index": np.int32(1),
            "institution": "rookery benchmark (synthetic data, not a model)",
            "institution_id": "BENCH",
            "license": "Synthetic benchmark data; no restrictions.",
            "mip_era": "CMIP6",
            "nominal_resolution": "50 km",
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
            "table_id": "day",
            "title": "BENCH-ESM output prepared for CMIP6 (synthetic benchmark data)",
            "tracking_id": "hdl:21.14100/" + str(uuid.uuid4()),
            "variable_id": "tas",
            "variant_label": "r1i1p1f1",
            "history": f"{now}: generated by rookery bench/gen_daily.py "
                       f"(years={a.years}, nlat={a.nlat}, nlon={a.nlon}, "
                       f"format={fmt}, seed={a.seed})",
        }
        ds.setncatts(g)

        vlat[:] = lat
        vlatb[:] = lat_bnds
        vlon[:] = lon
        vlonb[:] = lon_bnds

        # Static parts of the field (float64 for the smooth part).
        latr = np.deg2rad(lat)[:, None]
        lonr = np.deg2rad(lon)[None, :]
        base = (250.0 + 40.0 * np.cos(latr)
                + 3.0 * np.cos(latr) * np.sin(2.0 * lonr)
                + 1.5 * np.sin(3.0 * lonr + 2.0 * latr))
        # seasonal amplitude: larger at high latitudes, opposite sign in the south
        seas_amp = 12.0 * np.sin(latr) * np.ones_like(lonr)

        rng = np.random.default_rng(a.seed)
        shape = (a.nlat, a.nlon)
        block = max(1, a.block)
        last_report = _time.time()
        for t0i in range(0, ntime, block):
            t1i = min(ntime, t0i + block)
            nb = t1i - t0i
            buf = np.empty((nb,) + shape, dtype=np.float32)
            for k in range(nb):
                t = time[t0i + k]
                doy = np.fmod(t, DAYS_PER_YEAR)
                # peak of northern summer around day 200
                phase = np.cos(2.0 * np.pi * (doy - 200.0) / DAYS_PER_YEAR)
                noise = rng.standard_normal(shape, dtype=np.float32)
                noise *= np.float32(0.5)
                buf[k] = (base + seas_amp * phase).astype(np.float32) + noise
            vtas[t0i:t1i, :, :] = buf
            vt[t0i:t1i] = time[t0i:t1i]
            vtb[t0i:t1i, :] = time_bnds[t0i:t1i]
            if not a.quiet and (_time.time() - last_report > 10 or t1i == ntime):
                last_report = _time.time()
                el = last_report - t0
                print(f"  {t1i}/{ntime} steps, {el:.0f} s elapsed, "
                      f"~{el / t1i * (ntime - t1i):.0f} s left", file=sys.stderr, flush=True)
    except BaseException:
        ds.close()
        os.remove(tmp)
        raise
    ds.close()
    os.replace(tmp, out)
    if not a.quiet:
        raw = ntime * a.nlat * a.nlon * 4
        size = os.path.getsize(out)
        print(f"wrote {out}: {fmt}, tas {ntime}x{a.nlat}x{a.nlon} "
              f"(1850-01-01..{end_year}-12-31 noleap), "
              f"{size / 1e9:.2f} GB on disk, {raw / 1e9:.2f} GB raw tas, "
              f"ratio {raw / size:.2f}, {_time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
