"""Compares NetCDF-4 files pairwise with independent readers: netCDF4-python (libnetcdf,
masked values), xarray (CF-decoded), h5py (HDF5 itself: raw values, filters, chunk shapes).

usage: compare_nc.py NEW OLD [NEW OLD ...]

For every pair, every variable must have the same dtype, shape, chunking, filters, attributes
and values in all three readers. Prints one line per pair and variable, `direct` when the first
stored chunk's bytes differ (NEW's chunks were compressed by another deflate implementation),
`same` otherwise; exits 1 on the first difference.
"""

import sys

import h5py
import netCDF4
import numpy as np
import xarray as xr


def fail(msg):
    print("DIFFER:", msg)
    sys.exit(1)


def same_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def compare(new, old):
    with netCDF4.Dataset(new) as n, netCDF4.Dataset(old) as o:
        if {k: len(d) for k, d in n.dimensions.items()} != {k: len(d) for k, d in o.dimensions.items()}:
            fail(f"{new}: dimensions")
        if set(n.variables) != set(o.variables):
            fail(f"{new}: variables {sorted(n.variables)} vs {sorted(o.variables)}")
        for name, vn in n.variables.items():
            vo = o.variables[name]
            if vn.dtype != vo.dtype or vn.shape != vo.shape:
                fail(f"{new}:{name}: {vn.dtype}{vn.shape} vs {vo.dtype}{vo.shape}")
            if vn.chunking() != vo.chunking() or vn.filters() != vo.filters():
                fail(f"{new}:{name}: chunks/filters {vn.chunking()} {vn.filters()} vs {vo.chunking()} {vo.filters()}")
            an = {k: vn.getncattr(k) for k in vn.ncattrs()}
            ao = {k: vo.getncattr(k) for k in vo.ncattrs()}
            if repr(an) != repr(ao):
                fail(f"{new}:{name}: attributes {an} vs {ao}")
            mn, mo = vn[:], vo[:]
            if not np.array_equal(np.ma.getmaskarray(mn), np.ma.getmaskarray(mo)):
                fail(f"{new}:{name}: masks differ (netCDF4)")
            if not same_values(np.ma.getdata(mn), np.ma.getdata(mo)):
                fail(f"{new}:{name}: values differ (netCDF4)")
    with xr.open_dataset(new) as xn, xr.open_dataset(old) as xo:
        for name in xo.variables:
            if not same_values(xn[name].values, xo[name].values):
                fail(f"{new}:{name}: values differ (xarray)")
    with h5py.File(new, "r") as hn, h5py.File(old, "r") as ho:
        for name in netCDF4.Dataset(new).variables:
            dn, do = hn[name], ho[name]
            if dn.chunks != do.chunks or dn.compression != do.compression or dn.shuffle != do.shuffle:
                fail(f"{new}:{name}: HDF5 layout {dn.chunks} {dn.compression} {dn.shuffle}")
            if dn.compression_opts != do.compression_opts:
                fail(f"{new}:{name}: deflate level {dn.compression_opts} vs {do.compression_opts}")
            if not same_values(dn[()], do[()]):
                fail(f"{new}:{name}: raw values differ (h5py)")
            how = "same"
            if dn.chunks is not None and dn.size > 0 and dn.id.get_num_chunks() > 0:
                cn = dn.id.read_direct_chunk((0,) * dn.ndim)
                co = do.id.read_direct_chunk((0,) * dn.ndim)
                if cn[0] != 0:
                    fail(f"{new}:{name}: filter mask {cn[0]} (a filter skipped)")
                how = "direct" if cn[1] != co[1] else "same"
            print(f"{new} {name} {how}")


def main():
    args = sys.argv[1:]
    for new, old in zip(args[::2], args[1::2]):
        compare(new, old)
    print("EQUAL")


if __name__ == "__main__":
    main()
