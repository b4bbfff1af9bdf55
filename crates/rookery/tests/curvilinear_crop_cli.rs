//! A deliberate difference from clisops (README "Differences from clisops"): on a curvilinear
//! grid whose index dimensions have no coordinate variables, clisops crops the box with
//! `sel()` on the index dimensions, which falls back to positional slicing and drops the last
//! row and column of the box (clisops's own comment in `core/subset.py` says so); rookery
//! keeps every point inside the box. Checked on a synthetic file without `j`/`i` variables
//! against the box computed here from the file's coordinates.

mod common;
use common::{rookery_command, run};
use std::path::{Path, PathBuf};

const NY: usize = 12;
const NX: usize = 18;

fn lat_of(j: usize, i: usize) -> f64 {
    -60.0 + 10.0 * j as f64 + 2.0 * (i as f64 * 0.6).sin()
}

fn lon_of(j: usize, i: usize) -> f64 {
    5.0 + 20.0 * i as f64 + 3.0 * (j as f64 * 0.4).cos()
}

/// A curvilinear `tos(time, j, i)` with 2-D `latitude`/`longitude` and no index variables.
fn curvilinear_without_index_coords(dir: &Path) -> PathBuf {
    let p = dir.join("tos_Omon_SYNTH_historical_r1i1p1f1_gn_200001-200002.nc");
    let mut f = netcdf::create(&p).expect("create");
    f.add_unlimited_dimension("time").expect("time");
    f.add_dimension("j", NY).expect("j");
    f.add_dimension("i", NX).expect("i");
    let mut t = f.add_variable::<f64>("time", &["time"]).expect("time");
    t.put_attribute("units", "days since 2000-01-01").expect("a");
    t.put_attribute("calendar", "standard").expect("a");
    t.put_attribute("standard_name", "time").expect("a");
    t.put_values(&[15.5, 45.0], ..).expect("v");
    let (mut lat, mut lon) = (Vec::new(), Vec::new());
    for j in 0..NY {
        for i in 0..NX {
            lat.push(lat_of(j, i));
            lon.push(lon_of(j, i));
        }
    }
    for (name, std, units, vals) in
        [("latitude", "latitude", "degrees_north", &lat), ("longitude", "longitude", "degrees_east", &lon)]
    {
        let mut v = f.add_variable::<f64>(name, &["j", "i"]).expect("coord");
        v.put_attribute("standard_name", std).expect("a");
        v.put_attribute("units", units).expect("a");
        v.put_values(vals, ..).expect("v");
    }
    let mut v = f.add_variable::<f32>("tos", &["time", "j", "i"]).expect("tos");
    v.put_attribute("_FillValue", 1.0e20f32).expect("a");
    v.put_attribute("units", "degC").expect("a");
    v.put_attribute("coordinates", "latitude longitude").expect("a");
    v.put_values(&vec![1.0f32; 2 * NY * NX], ..).expect("v");
    p
}

#[test]
fn every_point_inside_the_box_is_kept() {
    let d = tempfile::tempdir().expect("tmp");
    let src = curvilinear_without_index_coords(d.path());
    let (w, s, e, n) = (35.0, -25.0, 145.0, 35.0);
    let inside: Vec<(usize, usize)> = (0..NY)
        .flat_map(|j| (0..NX).map(move |i| (j, i)))
        .filter(|&(j, i)| (w..=e).contains(&lon_of(j, i)) && (s..=n).contains(&lat_of(j, i)))
        .collect();
    let (j0, j1) = (inside.iter().map(|p| p.0).min().expect("some"), inside.iter().map(|p| p.0).max().expect("some"));
    let (i0, i1) = (inside.iter().map(|p| p.1).min().expect("some"), inside.iter().map(|p| p.1).max().expect("some"));
    let mut c = rookery_command();
    c.arg("subset");
    let r = run(c, &[src.to_string_lossy().into_owned()], &["--area", "35,-25,145,35"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.only();
    let f = netcdf::open(&out).expect("output");
    let v = f.variable("tos").expect("tos");
    let dims: Vec<usize> = v.dimensions().iter().map(netcdf::Dimension::len).collect();
    // The whole box, its last row and column included (clisops: (j1 - j0) x (i1 - i0)).
    assert_eq!(dims, vec![2, j1 - j0 + 1, i1 - i0 + 1]);
    let vals: Vec<f32> = v.get_values::<f32, _>(..).expect("values");
    let kept = vals.iter().filter(|x| x.abs() < 1e19).count();
    assert_eq!(kept, 2 * inside.len(), "every point inside the box, and only those, keeps its value");
    let lat: Vec<f64> = f.variable("latitude").expect("latitude").get_values::<f64, _>(..).expect("lat");
    assert!((lat[lat.len() - 1] - lat_of(j1, i1)).abs() < 1e-12, "the last row and column are the box's");
}
