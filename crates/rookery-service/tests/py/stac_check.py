"""Reads a rookery node's /stac with PyPI pystac-client (as another node or a user would) and
checks it against the source files: the collections, an item found by id search with its
time range and bounding box equal to the files' (xarray), its Zarr asset opened by xarray
equal to the files, paging through a collection.

    stac_check.py BASE_URL DATASET_ID FILE...
"""

import sys

import numpy as np
import xarray as xr
from pystac_client import Client

base, ds_id, files = sys.argv[1], sys.argv[2], sys.argv[3:]
project = ds_id.split(".")[0]

cat = Client.open(f"{base}/stac")
cols = {c.id for c in cat.get_collections()}
assert project in cols, cols
print("collections:", sorted(cols))

items = list(cat.search(ids=[ds_id], max_items=5).items())
assert [i.id for i in items] == [ds_id], [i.id for i in items]
it = items[0]
assert it.collection_id == project, it.collection_id
coder = xr.coders.CFDatetimeCoder(use_cftime=True)
src = xr.concat([xr.open_dataset(f, decode_times=coder) for f in files], dim="time", join="override", coords="minimal", compat="override")
t0, t1 = src.time.values[0], src.time.values[-1]
start, end = it.properties["start_datetime"], it.properties["end_datetime"]
assert start.startswith(f"{t0.year:04d}-{t0.month:02d}"), (start, t0)
assert end.startswith(f"{t1.year:04d}-{t1.month:02d}"), (end, t1)
lat = src["lat"].values
assert abs(it.bbox[1] - lat.min()) < 1e-6 and abs(it.bbox[3] - lat.max()) < 1e-6, (it.bbox, lat.min(), lat.max())
assert "subset" in it.properties["rookery:processes"], it.properties
print("item:", it.id, start, end, it.bbox)

z = xr.open_zarr(it.assets["zarr"].href, consolidated=True, chunks=None)
var = it.properties["rookery:variable"]
a, b = z[var].values, src[var].values
assert a.shape == b.shape and np.allclose(a, b, equal_nan=True), (a.shape, b.shape)
print("zarr asset equals the files:", var, a.shape)

# Paging: every item of the collection once, two at a time.
search = cat.search(collections=[project], limit=2)
seen = [i.id for i in search.items()]
assert len(seen) == len(set(seen)) and ds_id in seen, seen
n = search.matched()
assert n is None or n >= len(seen), (n, len(seen))
print("paged items:", len(seen))
