#!/usr/bin/env python3
"""Reference for rookery-regrid's clisops-compatible grid hash, without numpy.

clisops: md5(str(np.around(coord, 6).astype(float64).tobytes()).encode("utf-8")) for each of
lat, lon, lat_bnds, lon_bnds, mask (md5(b"undefined") when absent), then md5 of the
concatenated hex digests. np.around(x, 6) == rint(x * 1e6) / 1e6 (round half to even).
"""
import hashlib
import struct


def part(values):
    if values is None:
        return hashlib.md5(b"undefined").hexdigest()
    b = b"".join(struct.pack("<d", round(v * 1e6) / 1e6) for v in values)
    return hashlib.md5(str(b).encode("utf-8")).hexdigest()


def grid_hash(lat, lon, lat_bnds=None, lon_bnds=None, mask=None):
    parts = [part(lat), part(lon), part(lat_bnds), part(lon_bnds)]
    if mask is None:
        parts.append(hashlib.md5(b"undefined").hexdigest())
    else:
        b = b"".join(struct.pack("<i", int(m)) for m in mask)
        parts.append(hashlib.md5(str(b).encode("utf-8")).hexdigest())
    return hashlib.md5("".join(parts).encode("utf-8")).hexdigest()


if __name__ == "__main__":
    print(grid_hash([-45.0, 45.0], [0.0, 90.0, 180.0, 270.0]), end="")
