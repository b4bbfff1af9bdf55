"""Independent check of rookery's OGC API - EDR answers (tests/edr.rs runs it).

usage: edr_check.py BASE_URL SCHEMA ID KIND LON LAT FILE...

KIND: rect (every query type is checked), curv (position only: curvilinear/rotated-pole grid).
Values are compared with xarray on the dataset's files: nearest cell by great-circle distance
(haversine over every cell centre), polygon masks by shapely (boundary included), boxes by
coordinate comparison, radius by haversine. CoverageJSON is validated against the
CoverageJSON 1.0 schema stored in the repository; CSV is read by pandas.
"""
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import numpy as np
import pandas as pd
import shapely
import xarray as xr

base, schema_path, dsid, kind = sys.argv[1:5]
plon, plat = float(sys.argv[5]), float(sys.argv[6])
files = sys.argv[7:]
schema = json.load(open(schema_path))
validator = jsonschema.Draft7Validator(schema)
coder = xr.coders.CFDatetimeCoder(use_cftime=True)
parts = [xr.open_dataset(f, decode_times=coder) for f in files]
ds = xr.concat(parts, dim="time", data_vars="minimal", coords="minimal", compat="override", join="override") if len(parts) > 1 else parts[0]
var = [v for v in ds.data_vars if ds[v].ndim >= 3 and "bnds" not in v and "vertices" not in v][0]
da = ds[var].load()
latn = "lat" if "lat" in ds else "latitude"
lonn = "lon" if "lon" in ds else "longitude"
lat2, lon2 = ds[latn].values, ds[lonn].values
rect = lat2.ndim == 1
if rect:
    lon2, lat2 = np.meshgrid(ds[lonn].values, ds[latn].values)
EARTH = 6371.0


def hav(lon1, lat1, lon2, lat2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def get(query, params, expect=200):
    url = f"{base}/edr/collections/{dsid}/{query}?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            body, status, ctype = r.read(), r.status, r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        body, status, ctype = e.read(), e.code, e.headers.get("Content-Type")
    assert status == expect, f"{url}: {status} {body[:300]!r}"
    return body, ctype


def valid(doc):
    errs = sorted(validator.iter_errors(doc), key=lambda e: e.path)
    assert not errs, f"CoverageJSON schema: {errs[0].message} at {list(errs[0].path)}"


def series_at(j, i):
    """The (time) series of the cell at flat index (j, i)."""
    d = da.values
    return d[:, j, i] if d.ndim == 3 else d[..., j, i]


def nearest(lon, lat):
    dist = hav(lon2, lat2, lon, lat)
    return np.unravel_index(np.nanargmin(dist), dist.shape)


def close(a, b, what):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} vs {b.shape}"
    ok = np.isclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True)
    assert ok.all(), f"{what}: {a[~ok][:5]} vs {b[~ok][:5]}"


def vals(r):
    return np.array([np.nan if v is None else v for v in r["values"]], dtype=float)


# position: one point, CoverageJSON PointSeries.
body, ctype = get("position", {"coords": f"POINT({plon} {plat})"})
assert ctype.startswith("application/prs.coverage+json"), ctype
cov = json.loads(body)
valid(cov)
# With several levels the domain is a Grid (PointSeries takes one z at most).
dtype = "Grid" if da.ndim == 4 else "PointSeries"
assert cov["type"] == "Coverage" and cov["domain"]["domainType"] == dtype, cov["domain"].get("domainType")
j, i = nearest(plon, plat)
close(vals(cov["ranges"][var]), series_at(j, i).ravel(), "position")
ax = cov["domain"]["axes"]
close([ax["x"]["values"][0], ax["y"]["values"][0]], [lon2[j, i], lat2[j, i]], "position cell centre")
assert len(ax["t"]["values"]) == da.shape[0]
print(f"position ok: cell ({j},{i}) of {da.shape}, {len(ax['t']['values'])} steps")

if kind == "levels":
    # z: two pressure levels at a point (a Grid domain: several z), then a cube at one level.
    zn = [d for d in da.dims if d not in ("time", latn, lonn)][0]
    lv = ds[zn].values
    z2 = [float(lv[1]), float(lv[4])]
    cov = json.loads(get("position", {"coords": f"POINT({plon} {plat})", "z": f"{z2[0]},{z2[1]}"})[0])
    valid(cov)
    exp = da.sel({zn: z2}).values[:, :, j, i]
    close(vals(cov["ranges"][var]), exp.ravel(), "position z")
    close(cov["domain"]["axes"]["z"]["values"], z2, "z axis")
    df = pd.read_csv(io.BytesIO(get("position", {"coords": f"POINT({plon} {plat})", "z": str(z2[0]), "f": "csv"})[0]))
    assert list(df.columns) == ["point_id", "datetime", zn, "lon", "lat", var], list(df.columns)
    close(df[var].values, da.sel({zn: z2[0]}).values[:, j, i], "csv z")
    cov = json.loads(get("cube", {"bbox": "-180,-90,180,90", "z": str(z2[1])})[0])
    valid(cov)
    # bbox -180..180: the answer's longitudes are in that frame (rolled), as a subset's are.
    xs = np.array(cov["domain"]["axes"]["x"]["values"]) % 360
    exp = da.sel({zn: [z2[1]], lonn: xs}, method="nearest", tolerance=1e-6).values
    close(vals(cov["ranges"][var]), exp.ravel(), "cube z")
    print("levels ok")
    sys.exit(0)

if kind == "curv":
    # Several points on the grid: MULTIPOINT -> CoverageCollection.
    pts = [(lon2[a, b], lat2[a, b]) for a, b in [(lat2.shape[0] // 3, lat2.shape[1] // 2), (lat2.shape[0] // 2, lat2.shape[1] // 3)]]
    pts = [(float(x) + 0.01, float(y) - 0.01) for x, y in pts]
    wkt = "MULTIPOINT(" + ", ".join(f"({x} {y})" for x, y in pts) + ")"
    col = json.loads(get("position", {"coords": wkt})[0])
    valid(col)
    assert col["type"] == "CoverageCollection" and len(col["coverages"]) == 2
    for c, (x, y) in zip(col["coverages"], pts):
        jj, ii = nearest(x, y)
        close(vals(c["ranges"][var]), series_at(jj, ii), "multipoint")
    print("multipoint ok")
    sys.exit(0)

lon1, lat1 = ds[lonn].values, ds[latn].values
times = ds["time"].values
# datetime interval and parameter-name.
t0, t1 = times[1], times[min(3, len(times) - 1)]
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
cov = json.loads(get("position", {"coords": f"POINT({plon} {plat})", "datetime": f"{iso(t0)}/{iso(t1)}", "parameter-name": var})[0])
valid(cov)
sel = (times >= t0) & (times <= t1)
close(vals(cov["ranges"][var]), series_at(j, i)[sel], "position datetime")
cov = json.loads(get("position", {"coords": f"POINT({plon} {plat})", "datetime": f"../{iso(t0)}"})[0])
assert len(cov["domain"]["axes"]["t"]["values"]) == int((times <= t0).sum())
print("datetime ok")

# MULTIPOINT: a CoverageCollection; CSV in pandas.
pts = [(plon, plat), (lon1[0] + 0.3, lat1[-1] - 0.2), (lon1[-1], lat1[0])]
wkt = "MULTIPOINT(" + ", ".join(f"({x} {y})" for x, y in pts) + ")"
col = json.loads(get("position", {"coords": wkt})[0])
valid(col)
assert col["type"] == "CoverageCollection" and len(col["coverages"]) == 3
for c, (x, y) in zip(col["coverages"], pts):
    jj, ii = nearest(x, y)
    close(vals(c["ranges"][var]), series_at(jj, ii), "multipoint")
body, ctype = get("position", {"coords": wkt, "f": "csv"})
assert ctype.startswith("text/csv"), ctype
df = pd.read_csv(io.BytesIO(body))
assert list(df.columns) == ["point_id", "datetime", "lon", "lat", var], list(df.columns)
assert len(df) == 3 * len(times)
for k, (x, y) in enumerate(pts):
    jj, ii = nearest(x, y)
    close(df[df.point_id == f"P{k + 1}"][var].values, series_at(jj, ii), "csv")
print("multipoint, csv ok")

# area: cells whose centres are inside the polygon (shapely covers: boundary included).
# A triangle over a few cells, its corners off the cell centres.
w, e = float(lon1[2]) + 0.3, float(lon1[12]) + 0.3
s, n = float(lat1[len(lat1) // 2]) + 0.2, float(lat1[len(lat1) // 2 + 10]) + 0.2
poly = f"POLYGON(({w} {s}, {e} {s}, {(w + e) / 2} {n}, {w} {s}))"
cov = json.loads(get("area", {"coords": poly})[0])
valid(cov)
assert cov["domain"]["domainType"] == "Grid"
xs, ys = np.array(cov["domain"]["axes"]["x"]["values"]), np.array(cov["domain"]["axes"]["y"]["values"])
shape = shapely.from_wkt(poly)
sub = da.sel({lonn: xs, latn: ys}).values
gx, gy = np.meshgrid(xs, ys)
inside = shapely.covers(shape, shapely.points(gx, gy))
got = vals(cov["ranges"][var]).reshape(sub.shape)
close(got[:, inside], sub[:, inside], "area inside")
assert np.isnan(got[:, ~inside]).all(), "area: cells outside the polygon have values"
allin = shapely.covers(shape, shapely.points(lon2, lat2))
assert allin.sum() == inside.sum(), f"area: {inside.sum()} cells answered, {allin.sum()} inside"
print(f"area ok: {inside.sum()} cells")

# cube: a box.
bbox = [float(lon1[0]), float(lat1[0]), float(lon1[min(2, len(lon1) - 1)]), float(lat1[min(2, len(lat1) - 1)])]
cov = json.loads(get("cube", {"bbox": ",".join(map(str, bbox))})[0])
valid(cov)
xs, ys = np.array(cov["domain"]["axes"]["x"]["values"]), np.array(cov["domain"]["axes"]["y"]["values"])
expect = da.where((da[lonn] >= bbox[0]) & (da[lonn] <= bbox[2]) & (da[latn] >= bbox[1]) & (da[latn] <= bbox[3]), drop=True)
close(xs, expect[lonn].values, "cube x")
close(ys, expect[latn].values, "cube y")
close(vals(cov["ranges"][var]), expect.values.ravel(), "cube")
print("cube ok")

# radius.
km = 400.0
cov = json.loads(get("radius", {"coords": f"POINT({plon} {plat})", "within": str(km * 1000), "within-units": "m"})[0])
valid(cov)
xs, ys = np.array(cov["domain"]["axes"]["x"]["values"]), np.array(cov["domain"]["axes"]["y"]["values"])
gx, gy = np.meshgrid(xs, ys)
near = hav(gx, gy, plon, plat) <= km
got = vals(cov["ranges"][var]).reshape((len(times), len(ys), len(xs)))
# Across the 0 meridian the answer's longitudes run -1.875, 0, ... (rookery's subset shift).
sub = da.sel({lonn: np.where(xs < lon1.min(), xs + 360, xs), latn: ys}, method="nearest", tolerance=1e-6).values
close(got[:, near], sub[:, near], "radius inside")
assert np.isnan(got[:, ~near]).all()
assert near.sum() == (hav(lon2, lat2, plon, plat) <= km).sum()
print(f"radius ok: {near.sum()} cells")

# GeoJSON and NetCDF answers.
body, ctype = get("radius", {"coords": f"POINT({plon} {plat})", "within": str(km), "within-units": "km", "f": "geojson"})
g = json.loads(body)
assert ctype.startswith("application/geo+json") and g["type"] == "FeatureCollection"
assert len(g["features"]) == len(xs) * len(ys)
body, ctype = get("position", {"coords": f"POINT({plon} {plat})", "f": "netcdf"})
assert body[:3] == b"\x89HD" or body[:3] == b"CDF", body[:8]
import tempfile

with tempfile.NamedTemporaryFile(suffix=".nc") as tf:
    tf.write(body)
    tf.flush()
    nc = xr.open_dataset(tf.name, engine="netcdf4").load()
close(nc[var].values[:, 0], series_at(j, i), "netcdf")
print("geojson, netcdf ok")

# Client mistakes: 400 with a one-line JSON error.
for q, p in [
    ("position", {"coords": "POINT(1)"}),
    ("position", {"coords": "POINT(1 2)", "datetime": "not-a-date"}),
    ("position", {"coords": "POINT(1 2)", "parameter-name": "nope"}),
    ("position", {"coords": "POINT(1 2)", "crs": "EPSG:3857"}),
    ("area", {"coords": "POLYGON((0 0, 1 0))"}),
    ("radius", {"coords": "POINT(1 2)", "within": "5", "within-units": "parsec"}),
]:
    body, _ = get(q, p, 400)
    err = json.loads(body)
    assert err["code"] == "BadRequest" and "\n" not in err["description"], err
print("errors ok")
