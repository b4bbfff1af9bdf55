//! `rookery point`: time series at stations, checked against CDO `remapnn,lon=X_lat=Y`,
//! xarray `sel(..., method="nearest")` (rectilinear) and a numpy great-circle nearest search
//! (curvilinear), plus CSV output and bad input.

mod common;

use common::{data, dims, py, python, raw_values, rookery_command, run, values};
use std::path::{Path, PathBuf};
use std::process::Command;

const TOS: &str = "badc/cmip6/data/CMIP6/CMIP/CCCR-IITM/IITM-ESM/1pctCO2/r1i1p1f1/Omon/tos/gn/v20191204/tos_Omon_IITM-ESM_1pctCO2_r1i1p1f1_gn_193001-193412.nc";
const SICONC: &str = "badc/cmip6/data/CMIP6/CMIP/CCCma/CanESM5/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CanESM5_historical_r1i1p1f1_gn_185001-201412.nc";
const TAS: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";

/// `rookery point`.
fn point() -> Command {
    let mut c = rookery_command();
    c.arg("point");
    c
}

/// A global 2.5° x 2° monthly file (lon 0..357.5), float32, with a block of missing cells
/// ("land") at 20..40E, 0..20N, written by xarray.
fn regular_file(py_bin: &Path, dir: &Path) -> PathBuf {
    let f = dir.join("tas_regular.nc");
    py(
        py_bin,
        r#"
import sys, numpy as np, xarray as xr
lon = np.arange(0, 360, 2.5); lat = np.arange(-89, 90, 2.0)
rng = np.random.default_rng(7)
v = (250 + 40 * rng.random((24, lat.size, lon.size))).astype("float32")
land = (lat[:, None] >= 0) & (lat[:, None] <= 20) & (lon[None, :] >= 20) & (lon[None, :] <= 40)
v[:, land] = np.nan
time = xr.date_range("2000-01-16", periods=24, freq="MS", calendar="noleap") 
ds = xr.Dataset({"tas": (("time", "lat", "lon"), v, {"units": "K", "standard_name": "air_temperature"})},
                coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude", "axis": "Y"}),
                        "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude", "axis": "X"})})
ds.tas.encoding["_FillValue"] = np.float32(1e20)
ds.to_netcdf(sys.argv[1])
"#,
        &[f.to_str().expect("path")],
    );
    f
}

/// Values of `var` at station `s` (the last dimension), one per time step.
fn series(path: &Path, var: &str, s: usize) -> Vec<f64> {
    let (shape, v) = values(path, var);
    let n = *shape.last().expect("station dim");
    v.iter().skip(s).step_by(n).copied().collect()
}

#[test]
fn regular_grid_matches_cdo_remapnn_and_xarray_nearest() {
    let Some(pyb) = python() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let f = regular_file(&pyb, tmp.path());
    let f_s = f.to_string_lossy().into_owned();
    // Not at ties; one west of 0° (the grid is 0..357.5) and one near the date line.
    let pts: [(f64, f64); 5] = [(10.3, 50.2), (-1.1, 40.3), (181.2, -33.7), (300.6, 10.9), (144.9, -70.4)];
    let mut args: Vec<String> = Vec::new();
    for (x, y) in pts {
        args.push("--point".into());
        args.push(format!("{x},{y}"));
    }
    args.push("--time".into());
    args.push("2000-03/2001-06".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(point(), std::slice::from_ref(&f_s), &a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.only();
    assert!(r.name().ends_with(".nc"));
    assert_eq!(dims(&out, "tas"), vec![("time".to_string(), 16), ("station".to_string(), 5)]);
    let nc = netcdf::open(&out).expect("open");
    assert_eq!(nc.attribute("featureType").expect("featureType").value().ok(), Some("timeSeries".to_string().into()));
    // CDO: remapnn to each point, then the same time window.
    let c = tempfile::tempdir().expect("tmp");
    for (k, (x, y)) in pts.iter().enumerate() {
        let o = c.path().join(format!("p{k}.nc"));
        if !common::cdo(&["-seldate,2000-03-01,2001-06-30", &format!("-remapnn,lon={x}_lat={y}"), &f_s], &o) {
            break;
        }
        let want = raw_values(&o, "tas");
        assert_eq!(series(&out, "tas", k), want, "station {k} ({x}, {y}) differs from CDO remapnn");
    }
    // xarray: nearest along each axis (points inside the 0..357.5 frame, away from the poles,
    // where per-axis nearest is the great-circle nearest).
    let check = r#"
import sys, json, numpy as np, xarray as xr
src = xr.open_dataset(sys.argv[1]).sel(time=slice("2000-03", "2001-06"))
out = xr.open_dataset(sys.argv[2])
pts = json.loads(sys.argv[3])
for k, (x, y) in enumerate(pts):
    sel = src.tas.sel(lon=x % 360, lat=y, method="nearest")
    got = out.tas.isel(station=k)
    assert np.array_equal(sel.values, got.values, equal_nan=True), (k, sel.values, got.values)
    assert float(out.lon[k]) == float(sel.lon) and float(out.lat[k]) == float(sel.lat), k
    d = out.distance.values[k]
    lam, phi = np.radians(float(sel.lon) - x), np.radians([y, float(sel.lat)])
    h = np.sin((phi[1]-phi[0])/2)**2 + np.cos(phi[0])*np.cos(phi[1])*np.sin(lam/2)**2
    assert abs(d - 2*6371.0088*np.arcsin(np.sqrt(h))) < 1e-6, (k, d)
assert list(out.station_id.values) == ["P1", "P2", "P3", "P4", "P5"][:len(pts)]
print("ok")
"#;
    let inside: Vec<(f64, f64)> = pts.iter().copied().filter(|p| p.0 >= 0.0).collect();
    let j = format!("[{}]", inside.iter().map(|(x, y)| format!("[{x},{y}]")).collect::<Vec<_>>().join(","));
    let r2 = run(
        point(),
        std::slice::from_ref(&f_s),
        &inside
            .iter()
            .flat_map(|(x, y)| ["--point".to_string(), format!("{x},{y}")])
            .chain(["--time".to_string(), "2000-03/2001-06".to_string()])
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    let o2 = r2.only();
    assert_eq!(py(&pyb, check, &[&f_s, o2.to_str().expect("p"), &j]).trim(), "ok");
}

#[test]
fn curvilinear_grids_match_numpy_great_circle_nearest() {
    let Some(pyb) = python() else { return };
    let check = r#"
import sys, json, numpy as np, xarray as xr
src = xr.open_dataset(sys.argv[1], decode_times=False)
out = xr.open_dataset(sys.argv[2], decode_times=False)
var = sys.argv[3]; pts = json.loads(sys.argv[4])
lat = src.latitude.values.ravel(); lon = src.longitude.values.ravel()
field = src[var].values.reshape(src[var].shape[0], -1)
def gc(x, y):
    p1, p2 = np.radians(y), np.radians(lat)
    h = np.sin((p2-p1)/2)**2 + np.cos(p1)*np.cos(p2)*np.sin(np.radians(lon-x)/2)**2
    return 2*6371.0088*np.arcsin(np.sqrt(h))
for k, (x, y) in enumerate(pts):
    d = gc(x, y); c = int(np.argmin(d))
    assert np.isclose(out.distance.values[k], d[c], atol=1e-6), (k, out.distance.values[k], d[c])
    assert float(out.longitude[k]) == lon[c] and float(out.latitude[k]) == lat[c], (k, c)
    assert np.array_equal(out[var].values[:, k], field[:, c], equal_nan=True), k
    assert int(out.cell_valid[k]) == int(not np.isnan(field[0, c])), k
print("ok")
"#;
    // CanESM5 siconc: a 3x4 tripolar piece, longitudes 0..360.
    let pts_s = [(-60.0, 33.0), (170.0, -30.0), (20.0, -70.0), (100.0, 10.0)];
    // IITM-ESM tos: a 2x4 piece with longitudes -279.5..20.5 and land (missing) cells.
    let pts_t = [(80.5, 2.0), (-170.0, -60.0), (25.0, 3.0)];
    for (file, var, pts) in [(SICONC, "siconc", &pts_s[..]), (TOS, "tos", &pts_t[..])] {
        let mut a: Vec<String> = Vec::new();
        for (x, y) in pts {
            a.push("--point".into());
            a.push(format!("{x},{y}"));
        }
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let r = run(point(), &[data(file)], &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let out = r.only();
        let j = format!("[{}]", pts.iter().map(|(x, y)| format!("[{x},{y}]")).collect::<Vec<_>>().join(","));
        assert_eq!(py(&pyb, check, &[&data(file), out.to_str().expect("p"), var, &j]).trim(), "ok", "{file}");
        if var == "tos" {
            // (-170, -60) and (25, 3) fall on land cells: flagged and reported, not moved.
            assert_eq!(raw_values(&out, "cell_valid"), vec![1.0, 0.0, 0.0]);
            assert!(r.stderr.contains("point 'P2'") && r.stderr.contains("has no data"), "{}", r.stderr);
        }
    }
}

#[test]
fn nearest_valid_takes_the_nearest_cell_with_data() {
    let Some(pyb) = python() else { return };
    let r = run(point(), &[data(TOS)], &["--point", "25,3", "--nearest-valid"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.only();
    assert_eq!(raw_values(&out, "cell_valid"), vec![1.0]);
    let check = r#"
import sys, numpy as np, xarray as xr
src = xr.open_dataset(sys.argv[1], decode_times=False); out = xr.open_dataset(sys.argv[2], decode_times=False)
lat = src.latitude.values.ravel(); lon = src.longitude.values.ravel(); f = src.tos.values.reshape(src.tos.shape[0], -1)
ok = ~np.isnan(f[0])
p1, p2 = np.radians(3.0), np.radians(lat)
d = 2*6371.0088*np.arcsin(np.sqrt(np.sin((p2-p1)/2)**2 + np.cos(p1)*np.cos(p2)*np.sin(np.radians(lon-25.0)/2)**2))
d[~ok] = np.inf
c = int(np.argmin(d))
assert np.array_equal(out.tos.values[:, 0], f[:, c]) and np.isclose(out.distance.values[0], d[c]), c
print("ok")
"#;
    assert_eq!(py(&pyb, check, &[&data(TOS), out.to_str().expect("p")]).trim(), "ok");
}

#[test]
fn csv_output_has_a_row_per_time_and_station() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pts = tmp.path().join("stations.csv");
    std::fs::write(&pts, "id,lon,lat,name\nexe,-3.5,50.7,\"Exeter, UK\"\nsyd,151.2,-33.9,Sydney\n").expect("w");
    let args = ["--points", pts.to_str().expect("p"), "--time", "2006-01/2006-12"];
    let nc = run(point(), &[data(TAS)], &args);
    assert_eq!(nc.code, 0, "{}", nc.stderr);
    let mut a = args.to_vec();
    a.extend(["--output-format", "csv"]);
    let r = run(point(), &[data(TAS)], &a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.name().ends_with("_points.csv"), "{}", r.name());
    let text = std::fs::read_to_string(r.only()).expect("csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "time,station_id,station_name,station_lon,station_lat,lon,lat,distance_km,cell_valid,tas");
    assert_eq!(lines.len(), 1 + 12 * 2);
    assert!(lines[1].starts_with("2006-01-16T00:00:00,exe,\"Exeter, UK\",-3.5,50.7,0,35,"), "{}", lines[1]);
    assert!(lines[2].starts_with("2006-01-16T00:00:00,syd,Sydney,151.2,-33.9,187.5,-90,"), "{}", lines[2]);
    // The CSV values are the NetCDF output's values.
    let want = raw_values(&nc.only(), "tas");
    let got: Vec<f64> = lines[1..].iter().map(|l| l.rsplit(',').next().expect("v").parse().expect("number")).collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= w.abs() * 1e-7, "{g} vs {w}");
    }
}

#[test]
fn geojson_points_and_classic_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = tmp.path().join("pts.geojson");
    std::fs::write(
        &g,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"A","properties":{"name":"Alpha"},"geometry":{"type":"Point","coordinates":[190,-80]}}]}"#,
    )
    .expect("w");
    let r = run(
        point(),
        &[data(TAS)],
        &["--points", g.to_str().expect("p"), "--output-format", "nc3", "--file-namer", "simple"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.name(), "output_001.nc");
    let out = r.only();
    assert_eq!(raw_values(&out, "lon"), vec![187.5]);
    assert_eq!(raw_values(&out, "lat"), vec![-90.0]);
    assert_eq!(dims(&out, "station_id"), vec![("station".to_string(), 1), ("station_id_strlen".to_string(), 1)]);
}

#[test]
fn bad_points_fail_with_one_line_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad_csv = tmp.path().join("bad.csv");
    std::fs::write(&bad_csv, "a,10,20\nb,10\n").expect("w");
    let empty = tmp.path().join("empty.csv");
    std::fs::write(&empty, "id,lon,lat\n").expect("w");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--point".into(), "10,95".into()], "latitude 95 is outside -90..90"),
        (vec!["--point".into(), "ten,5".into()], "'ten' is not a number"),
        (vec!["--points".into(), bad_csv.to_string_lossy().into_owned()], "line 2: expected 3 fields"),
        (vec!["--points".into(), empty.to_string_lossy().into_owned()], "lists no points"),
        (vec![], "At least one point must be provided"),
        // The nearest cell of the 2x2 test grid is far from (100, 0).
        (
            vec!["--point".into(), "100,0".into(), "--max-distance".into(), "500".into()],
            "beyond the maximum distance of 500 km",
        ),
        (
            vec!["--point".into(), "0,0".into(), "--time".into(), "1800/1801".into()],
            "No files found in given time range",
        ),
    ];
    for (args, msg) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(point(), &[data(TAS)], &a);
        r.assert_fails(2, msg);
    }
}
