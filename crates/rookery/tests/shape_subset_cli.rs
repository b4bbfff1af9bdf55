//! `rookery subset --shape [--min-fraction F]` on real mini-esgf files: the kept and masked
//! cells against an independent point-in-polygon (ray casting with boundaries inclusive, in
//! the test's Python with numpy/xarray or netCDF4), on a rectilinear, a curvilinear and an
//! unstructured grid, polygons across 0° and 180° and the grid's own longitude frame, combined
//! with `--time`; cell fractions on a grid whose answer is known exactly; bad input.

mod common;
use common::{data, dims, python, raw_values, rookery_command, run, shared, Run};
use std::path::Path;
use std::process::Command;

const FGOALS: &str = "badc/cmip6/data/CMIP6/CMIP/CAS/FGOALS-g3/historical/r1i1p1f1/Amon/tas/gn/v20190818/tas_Amon_FGOALS-g3_historical_r1i1p1f1_gn_185001.nc";
const TAS5_ONE: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";
const SICONC: &str = "badc/cmip6/data/CMIP6/CMIP/CCCma/CanESM5/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CanESM5_historical_r1i1p1f1_gn_185001-201412.nc";

fn shapes(name: &str) -> String {
    shared("shapes").join(name).to_string_lossy().into_owned()
}

fn subset(inputs: &[String], args: &[&str]) -> Run {
    let mut c = rookery_command();
    c.arg("subset");
    run(c, inputs, args)
}

fn ok(inputs: &[String], args: &[&str]) -> Run {
    let r = subset(inputs, args);
    assert_eq!(r.code, 0, "rookery subset failed: {}", r.stderr);
    r
}

/// The independent check: every source cell whose centre is in a polygon (ray casting,
/// boundary inclusive, longitudes unwrapped and tried at ±360°) is in the output with its
/// source value bit for bit; every other output cell holds the fill value; the output grid is
/// the tight crop (each edge row/column has a kept cell). Prints `kept N`.
const CHECK: &str = r#"
import sys, json, numpy as np, xarray as xr
src_p, out_p, var, shape_p = sys.argv[1:5]
def rings_of(g):
    t = g["type"]
    if t == "FeatureCollection":
        return [p for f in g["features"] for p in rings_of(f)]
    if t == "Feature":
        return rings_of(g["geometry"])
    if t == "Polygon":
        return [g["coordinates"]]
    if t == "MultiPolygon":
        return list(g["coordinates"])
    raise SystemExit("unsupported " + t)
def unwrap(r):
    out = [list(r[0])]
    for x, y in r[1:]:
        p = out[-1][0]
        while x - p > 180: x -= 360
        while x - p < -180: x += 360
        out.append([x, y])
    return out
polys = []
for rings in rings_of(json.load(open(shape_p))):
    ext = unwrap(rings[0])
    m = np.mean([p[0] for p in ext])
    holes = []
    for h in rings[1:]:
        h = unwrap(h)
        s = round((m - np.mean([p[0] for p in h])) / 360) * 360
        holes.append([[x + s, y] for x, y in h])
    polys.append((ext, holes))
def side(r, x, y):
    n = len(r); inside = False
    for k in range(n):
        (x1, y1), (x2, y2) = r[k], r[(k + 1) % n]
        cr = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cr) <= 1e-9 * max(np.hypot(x2 - x1, y2 - y1), 1e-12) and min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12:
            return 0
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return 1 if inside else -1
def contains(x, y):
    for ext, holes in polys:
        for k in range(-2, 3):
            xs = x + 360 * k
            if side(ext, xs, y) >= 0 and all(side(h, xs, y) < 1 for h in holes):
                return True
    return False
src = xr.open_dataset(src_p, decode_times=False, mask_and_scale=False)
out = xr.open_dataset(out_p, decode_times=False, mask_and_scale=False)
latn = "lat" if "lat" in src else "latitude"
lonn = "lon" if "lon" in src else "longitude"
slat, slon = src[latn].values, src[lonn].values
sv, ov = src[var], out[var]
fill = ov.attrs["_FillValue"]
# time steps of the output in the source
st = list(src["time"].values)
tix = [st.index(t) for t in out["time"].values]
olat, olon = out[latn].values, out[lonn].values
if slat.ndim == 1:
    keep = np.array([[contains(x, y) for x in slon] for y in slat])
    jj = [int(np.where(slat == y)[0][0]) for y in olat]
    ii = [int(np.where(np.isclose(np.mod(slon, 360), np.mod(x, 360), atol=1e-9))[0][0]) for x in olon]
else:
    keep = np.vectorize(contains)(slon, slat)
    ny, nx = olat.shape
    offs = [(a, b) for a in range(slat.shape[0] - ny + 1) for b in range(slat.shape[1] - nx + 1)
            if np.array_equal(slat[a:a + ny, b:b + nx], olat) and np.array_equal(slon[a:a + ny, b:b + nx], olon)]
    assert len(offs) == 1, offs
    jj = [offs[0][0] + k for k in range(ny)]
    ii = [offs[0][1] + k for k in range(nx)]
assert sv.dims == ov.dims, (sv.dims, ov.dims)
s = sv.values[tix][:, jj][:, :, ii]
o = ov.values
k = keep[np.ix_(jj, ii)]
assert k.sum() == keep.sum(), ("kept cells missing from the output", int(k.sum()), int(keep.sum()))
assert k[0].any() and k[-1].any() and k[:, 0].any() and k[:, -1].any(), "not the tight crop"
kb = np.broadcast_to(k, o.shape)
assert np.array_equal(o[kb], s[kb]), "unmasked values differ from the source"
assert np.all(o[~kb] == fill), "masked cells must hold the fill value"
print("kept", int(keep.sum()), "of", keep.size, "masked", int((~k).sum()))
"#;

/// Runs the independent check; the number of kept cells, `None` without the Python venv.
fn check(src: &str, out: &Path, var: &str, shape: &str) -> Option<usize> {
    let py = python()?;
    let o = Command::new(py).args(["-c", CHECK, src, &out.to_string_lossy(), var, shape]).output().expect("run python");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "independent check failed: {}{}", text, String::from_utf8_lossy(&o.stderr));
    eprintln!("{text}");
    text.split_whitespace().nth(1).and_then(|n| n.parse().ok())
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write shape");
    p.to_string_lossy().into_owned()
}

fn square(w: f64, s: f64, e: f64, n: f64) -> String {
    format!(r#"{{"type":"Polygon","coordinates":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}"#)
}

#[test]
fn rectilinear_polygons_across_0_and_180() {
    let dir = tempfile::tempdir().expect("tmp");
    // FGOALS runs 0..360; meridian.json crosses 0°, poslons.json is on 0..360.
    for s in [shapes("meridian.json"), shapes("poslons.json"), shapes("multi_regions.json")] {
        let r = ok(&[data(FGOALS)], &["--shape", &s]);
        assert!(r.name().starts_with("tas_Amon_FGOALS-g3_historical_r1i1p1f1_gn_"), "{}", r.name());
        let n = check(&data(FGOALS), &r.only(), "tas", &s);
        assert!(n.is_none_or(|n| n > 0));
    }
    // Across the antimeridian (170..-165), written in -180..180.
    let am = write(dir.path(), "am.json", &square(170.0, -20.0, -165.0, 10.0));
    let r = ok(&[data(FGOALS)], &["--shape", &am]);
    let lons = raw_values(&r.only(), "lon");
    assert!(lons.windows(2).all(|w| w[1] > w[0]) && lons.iter().all(|x| (170.0..=195.0).contains(x)), "{lons:?}");
    // 2° columns: 170..194 → 13 columns; 2.0253° rows inside -20..10.
    assert_eq!(dims(&r.only(), "tas")[2].1, 13);
    check(&data(FGOALS), &r.only(), "tas", &am);
    // With --time on a multi-year file (HadGEM2-ES 0..360, 1.875°×1.25°), across 0°.
    let r = ok(&[data(TAS5_ONE)], &["--shape", &shapes("meridian.json"), "--time", "2010-01/2010-12"]);
    assert_eq!(dims(&r.only(), "tas")[0].1, 12);
    check(&data(TAS5_ONE), &r.only(), "tas", &shapes("meridian.json"));
}

#[test]
fn curvilinear_polygons_and_time() {
    let dir = tempfile::tempdir().expect("tmp");
    // CanESM5 siconc: 3×4 cells on 13.5..273.5 E. Across 180° → one column (173.5), two rows.
    let am = write(dir.path(), "am.json", &square(160.0, -40.0, -170.0, 40.0));
    let r = ok(&[data(SICONC)], &["--shape", &am, "--time", "2000-01/2000-12"]);
    let d = dims(&r.only(), "siconc");
    assert_eq!((d[0].1, d[1].1, d[2].1), (12, 2, 1), "{d:?}");
    assert_eq!(check(&data(SICONC), &r.only(), "siconc", &am), python().map(|_| 2));
    // Across 0° (-20..80): columns 0 (73.5) and 3 (13.5) kept, the two between masked.
    let zero = write(dir.path(), "zero.json", &square(-20.0, -35.0, 80.0, 40.0));
    let r = ok(&[data(SICONC)], &["--shape", &zero, "--time", "2000-01/2000-03"]);
    let d = dims(&r.only(), "siconc");
    assert_eq!((d[1].1, d[2].1), (2, 4), "{d:?}");
    assert_eq!(check(&data(SICONC), &r.only(), "siconc", &zero), python().map(|_| 4));
    // The coordinates keep the grid's frame.
    assert!(raw_values(&r.only(), "longitude").iter().all(|x| *x > 0.0));
}

/// A 1° grid 0..8 E × 0..8 N with bounds, values = 100·row + column.
fn box_grid(dir: &Path) -> String {
    grid_file(dir, false)
}

/// [`box_grid`], `pr` stored (time, lat, lon) or, `lon_first`, (time, lon, lat).
fn grid_file(dir: &Path, lon_first: bool) -> String {
    let nc = dir.join(if lon_first { "grid_lonlat.nc" } else { "grid.nc" });
    let mut f = netcdf::create(&nc).expect("create");
    f.add_dimension("lat", 8).expect("dim");
    f.add_dimension("lon", 8).expect("dim");
    f.add_dimension("bnds", 2).expect("dim");
    f.add_unlimited_dimension("time").expect("dim");
    let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
    t.put_attribute("units", "days since 2000-01-01").expect("attr");
    t.put_attribute("standard_name", "time").expect("attr");
    t.put_values(&[0.0], ..).expect("put");
    let centres: Vec<f64> = (0..8).map(|k| f64::from(k) + 0.5).collect();
    let bounds: Vec<f64> = (0..8).flat_map(|k| [f64::from(k), f64::from(k + 1)]).collect();
    for (n, sn, u) in [("lat", "latitude", "degrees_north"), ("lon", "longitude", "degrees_east")] {
        let mut v = f.add_variable::<f64>(n, &[n]).expect("var");
        v.put_attribute("standard_name", sn).expect("attr");
        v.put_attribute("units", u).expect("attr");
        v.put_attribute("bounds", format!("{n}_bnds")).expect("attr");
        v.put_values(&centres, ..).expect("put");
        let mut b = f.add_variable::<f64>(&format!("{n}_bnds"), &[n, "bnds"]).expect("var");
        b.put_values(&bounds, ..).expect("put");
    }
    // Row j, column i: 100·j + i, at flat index 8·j + i, or 8·i + j with lon first.
    let vals: Vec<f32> = (0..64u16)
        .map(|k| if lon_first { f32::from(100 * (k % 8) + k / 8) } else { f32::from(100 * (k / 8) + k % 8) })
        .collect();
    let dims: &[&str] = if lon_first { &["time", "lon", "lat"] } else { &["time", "lat", "lon"] };
    let mut v = f.add_variable::<f32>("pr", dims).expect("var");
    v.put_attribute("_FillValue", 1e20f32).expect("attr");
    v.put_values(&vals, (0..1, .., ..)).expect("put");
    nc.to_string_lossy().into_owned()
}

#[test]
fn min_fraction_on_cell_edges_and_half_cells() {
    let dir = tempfile::tempdir().expect("tmp");
    let nc = box_grid(dir.path());
    // x 1.5..5, y 1..4: columns 2-4 whole (fraction 1), column 1 half (exactly 0.5 on the
    // sphere: the area is linear in longitude), rows 1-3 whole; a hole x 3..4 y 2..3.
    let p = write(
        dir.path(),
        "p.json",
        r#"{"type":"Polygon","coordinates":[[[1.5,1],[5,1],[5,4],[1.5,4],[1.5,1]],[[3,2],[3,3],[4,3],[4,2],[3,2]]]}"#,
    );
    let got = |args: &[&str]| -> (Vec<usize>, Vec<f64>) {
        let r = ok(std::slice::from_ref(&nc), &[&["--shape", &p, "--file-namer", "simple"], args].concat());
        (dims(&r.only(), "pr").iter().map(|d| d.1).collect(), raw_values(&r.only(), "pr"))
    };
    let expect = |cols: std::ops::Range<u16>| -> Vec<f64> {
        (1..4u16)
            .flat_map(|j| cols.clone().map(move |i| if j == 2 && i == 3 { 1e20 } else { f64::from(100 * j + i) }))
            .collect()
    };
    let close =
        |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-6 * y.abs());
    // Fraction 1: the whole cells only (the hole's cell is 0).
    let (d, v) = got(&["--min-fraction", "1"]);
    assert_eq!(d, vec![1, 3, 3]);
    assert!(close(&v, &expect(2..5)), "{v:?}");
    // 0.5 keeps the half column, 0.6 does not.
    let (d, v) = got(&["--min-fraction", "0.5"]);
    assert_eq!(d, vec![1, 3, 4]);
    assert!(close(&v, &expect(1..5)), "{v:?}");
    let (d, _) = got(&["--min-fraction", "0.6"]);
    assert_eq!(d, vec![1, 3, 3]);
    // Centres: column 1's centre (1.5) is on the boundary and counts as inside; the hole's
    // cell centre (3.5, 2.5) is strictly inside the hole.
    let (d, v) = got(&[]);
    assert_eq!(d, vec![1, 3, 4]);
    assert!(close(&v, &expect(1..5)), "{v:?}");
    let r = ok(std::slice::from_ref(&nc), &["--shape", &p]);
    assert_eq!(check(&nc, &r.only(), "pr", &p), python().map(|_| 11));
}

/// A variable stored (time, lon, lat) is cropped and masked as the same values stored
/// (time, lat, lon), with both rules.
#[test]
fn longitude_before_latitude_is_masked() {
    let dir = tempfile::tempdir().expect("tmp");
    let (latlon, lonlat) = (grid_file(dir.path(), false), grid_file(dir.path(), true));
    let p = write(
        dir.path(),
        "p.json",
        r#"{"type":"Polygon","coordinates":[[[1.5,1],[5,1],[5,4],[1.5,4],[1.5,1]],[[3,2],[3,3],[4,3],[4,2],[3,2]]]}"#,
    );
    for rule in [&[][..], &["--min-fraction", "1"][..]] {
        let a = ok(std::slice::from_ref(&latlon), &[&["--shape", &p][..], rule].concat());
        let b = ok(std::slice::from_ref(&lonlat), &[&["--shape", &p][..], rule].concat());
        let (da, db) = (dims(&a.only(), "pr"), dims(&b.only(), "pr"));
        assert_eq!(db.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(), ["time", "lon", "lat"]);
        let (ny, nx) = (da[1].1, da[2].1);
        assert_eq!((db[1].1, db[2].1), (nx, ny));
        let (va, vb) = (raw_values(&a.only(), "pr"), raw_values(&b.only(), "pr"));
        let transposed: Vec<f64> =
            (0..nx).flat_map(|i| (0..ny).map(move |j| (j, i))).map(|(j, i)| va[j * nx + i]).collect();
        assert_eq!(vb, transposed, "{rule:?}");
        assert!(vb.iter().any(|v| *v > 1e19) && vb.iter().any(|v| *v < 1e19), "masked and kept cells: {vb:?}");
    }
}

/// With `--min-fraction`, polygons of a multi-polygon shape that overlap no cell are left out
/// (the others give the subset); only when none overlaps is the request refused.
#[test]
fn min_fraction_with_polygons_outside_the_grid() {
    let dir = tempfile::tempdir().expect("tmp");
    let nc = box_grid(dir.path());
    let feature = |g: &str| format!(r#"{{"type":"Feature","properties":{{}},"geometry":{g}}}"#);
    let collection = |gs: &[String]| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            gs.iter().map(|g| feature(g)).collect::<Vec<_>>().join(",")
        )
    };
    let inside = square(1.0, 1.0, 4.0, 3.0);
    let (out1, out2) = (square(20.0, 20.0, 30.0, 30.0), square(-40.0, -30.0, -35.0, -20.0));
    let one = write(dir.path(), "one.json", &collection(std::slice::from_ref(&inside)));
    let mixed = write(dir.path(), "mixed.json", &collection(&[out1.clone(), inside, out2.clone()]));
    let a = ok(std::slice::from_ref(&nc), &["--shape", &one, "--min-fraction", "0.5"]);
    let b = ok(std::slice::from_ref(&nc), &["--shape", &mixed, "--min-fraction", "0.5"]);
    assert_eq!(dims(&b.only(), "pr"), dims(&a.only(), "pr"));
    assert_eq!(raw_values(&b.only(), "pr"), raw_values(&a.only(), "pr"));
    assert_eq!(dims(&b.only(), "pr").iter().map(|d| d.1).collect::<Vec<_>>(), [1, 2, 3]);
    let none = write(dir.path(), "none.json", &collection(&[out1, out2]));
    subset(std::slice::from_ref(&nc), &["--shape", &none, "--min-fraction", "0.5"]).assert_fails(
        2,
        "no grid cell covered enough by the polygons of the shape file: There were no valid data points found in the requested polygons.",
    );
}

#[test]
fn bad_input_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = data(FGOALS);
    let m = shapes("meridian.json");
    for x in ["0", "1.5", "-0.1", "abc"] {
        subset(std::slice::from_ref(&f), &["--shape", &m, "--min-fraction", x])
            .assert_fails(2, "min_fraction must be a number");
    }
    let missing = dir.path().join("nope.geojson").to_string_lossy().into_owned();
    subset(std::slice::from_ref(&f), &["--shape", &missing]).assert_fails(2, "cannot read the shape file");
    let junk = write(dir.path(), "junk.geojson", "{\"type\": \"Point\", \"coordinates\": [1, 2]}");
    subset(std::slice::from_ref(&f), &["--shape", &junk]).assert_fails(2, "cannot read the shape file");
    // A polygon between cell centres (FGOALS: 2° columns at even longitudes).
    let tiny = write(dir.path(), "tiny.json", &square(0.2, 0.2, 0.4, 0.4));
    subset(std::slice::from_ref(&f), &["--shape", &tiny])
        .assert_fails(2, "no grid cell with its centre in the polygons");
    subset(std::slice::from_ref(&f), &["--shape", &tiny, "--min-fraction", "0.5"])
        .assert_fails(2, "no grid cell covered enough by the polygons");
    let far = write(dir.path(), "far.json", &square(10.0, 100.0, 20.0, 110.0));
    subset(std::slice::from_ref(&f), &["--shape", &far]).assert_fails(2, "latitude lies outside");
    subset(&[f], &["--shape", &m, "--area", "0,0,10,10"]).assert_fails(2, "either an area or a shape");
}

/// An unstructured grid, written by the test's Python: `ncells` cells with 1-D `lat(ncells)`,
/// `lon(ncells)` (0..360, 5°×10° spacing, bounds as 4 vertices) and `tas(time, ncells)` =
/// 1000·time + cell; `make <path>`. `check <src> <out> <shape>`: the output holds exactly the
/// source cells whose centre is inside a polygon (ray casting, boundaries inside, longitudes
/// tried at ±360°), in the source's order, with their coordinates, bounds and values; prints
/// `kept N`.
const UNSTRUCTURED: &str = r#"
import sys, json, numpy as np, netCDF4
if sys.argv[1] == "make":
    lon = np.array([x for y in range(-20, 21, 10) for x in range(0, 360, 5)], dtype="f8")
    lat = np.array([y for y in range(-20, 21, 10) for x in range(0, 360, 5)], dtype="f8")
    n = lon.size
    with netCDF4.Dataset(sys.argv[2], "w") as f:
        f.createDimension("time", None); f.createDimension("ncells", n); f.createDimension("nv", 4)
        t = f.createVariable("time", "f8", ("time",)); t.units = "days since 2000-01-01"
        t.standard_name = "time"; t.calendar = "standard"; t[:] = [0.0, 31.0]
        for name, c, sn, u, d in [("lat", lat, "latitude", "degrees_north", 5.0), ("lon", lon, "longitude", "degrees_east", 2.5)]:
            v = f.createVariable(name, "f8", ("ncells",)); v.standard_name = sn; v.units = u
            v.bounds = name + "_bnds"; v[:] = c
            b = f.createVariable(name + "_bnds", "f8", ("ncells", "nv"))
            off = [-d, -d, d, d] if name == "lat" else [-d, d, d, -d]
            b[:] = c[:, None] + np.array(off)[None, :]
        v = f.createVariable("tas", "f4", ("time", "ncells"), fill_value=np.float32(1e20))
        v.coordinates = "lat lon"; v.standard_name = "air_temperature"; v.units = "K"
        v[:] = np.array([[1000.0 * k + i for i in range(n)] for k in range(2)], dtype="f4")
    sys.exit(0)
src_p, out_p, shape_p = sys.argv[2:5]
g = json.load(open(shape_p))
geoms = [f["geometry"] for f in g["features"]] if g["type"] == "FeatureCollection" else [g]
polys = [p for q in geoms for p in ([q["coordinates"]] if q["type"] == "Polygon" else q["coordinates"])]
def side(r, x, y):
    n = len(r); inside = False
    for k in range(n):
        (x1, y1), (x2, y2) = r[k], r[(k + 1) % n]
        cr = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cr) <= 1e-9 * max(np.hypot(x2 - x1, y2 - y1), 1e-12) and min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12:
            return 0
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return 1 if inside else -1
def contains(x, y):
    return any(side(p[0], x + 360 * k, y) >= 0 and all(side(h, x + 360 * k, y) < 1 for h in p[1:])
               for p in polys for k in range(-2, 3))
with netCDF4.Dataset(src_p) as s, netCDF4.Dataset(out_p) as o:
    s.set_auto_mask(False); o.set_auto_mask(False)
    keep = np.array([contains(x, y) for x, y in zip(s["lon"][:], s["lat"][:])])
    assert o["tas"].dimensions == ("time", "ncells"), o["tas"].dimensions
    for name in ["lat", "lon", "lat_bnds", "lon_bnds"]:
        assert np.array_equal(o[name][:], s[name][:][keep]), (name, o[name][:], s[name][:][keep])
    assert np.array_equal(o["tas"][:], s["tas"][:][:, keep]), "values differ"
    print("kept", int(keep.sum()), "of", keep.size)
"#;

#[test]
fn unstructured_keeps_the_cells_in_the_polygons() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let nc = dir.path().join("unstructured.nc").to_string_lossy().into_owned();
    let o = Command::new(&py).args(["-c", UNSTRUCTURED, "make", &nc]).output().expect("run python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A square across 0° (written in -180..180 on 0..360 data) whose edges pass through
    // centres (lat -10 and 10, lon 20), and a triangle with a hole at 180° whose edges and
    // apex pass through centres.
    let p = write(
        dir.path(),
        "p.json",
        r#"{"type":"MultiPolygon","coordinates":[
            [[[-12.5,-10],[20,-10],[20,10],[-12.5,10],[-12.5,-10]]],
            [[[170,-20],[190,-20],[180,20],[170,-20]],[[178,-12],[182,-12],[180,-2],[178,-12]]]]}"#,
    );
    let r = ok(std::slice::from_ref(&nc), &["--shape", &p]);
    let o = Command::new(&py)
        .args(["-c", UNSTRUCTURED, "check", &nc, &r.only().to_string_lossy(), &p])
        .output()
        .expect("run python");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "independent check failed: {text}{}", String::from_utf8_lossy(&o.stderr));
    // Square: lon 350, 355, 0..20 (7 columns) × lat -10, 0, 10 = 21; triangle: 170..190 at
    // -20 (5), 175 and 185 at -10 ((180, -10) is in the hole), 175..185 at 0 (3), 180 at 10
    // and at the apex 20 = 12.
    let kept: usize = text.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("kept N");
    assert_eq!(kept, 33, "{text}");
    assert_eq!(dims(&r.only(), "tas"), vec![("time".to_string(), 2), ("ncells".to_string(), kept)]);
    // --time combines with it.
    let r = ok(std::slice::from_ref(&nc), &["--shape", &p, "--time", "2000-02-01/2000-02-28"]);
    assert_eq!(dims(&r.only(), "tas")[0].1, 1);
}
