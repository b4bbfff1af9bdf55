//! Comparison with CDO (`remapbil`, `remapcon`, `remapnn`) on the analytic field.
//! Skipped (with a printed line) when `cdo` is not on PATH.

mod common;
use common::*;
use rookery_regrid::{compute_weights, Grid, Method, WeightOptions};
use std::path::Path;
use std::process::Command;

fn have_cdo() -> bool {
    Command::new("cdo").arg("-V").output().map(|o| o.status.success() || !o.stderr.is_empty()).unwrap_or(false)
}

fn write_source(path: &Path, g: &Grid, f: &[f64]) {
    let mut nc = netcdf::create(path).unwrap();
    nc.add_dimension("lat", g.nlat()).unwrap();
    nc.add_dimension("lon", g.nlon()).unwrap();
    {
        let mut v = nc.add_variable::<f64>("lat", &["lat"]).unwrap();
        v.put_attribute("units", "degrees_north").unwrap();
        v.put_attribute("standard_name", "latitude").unwrap();
        v.put_values(g.lat(), ..).unwrap();
    }
    {
        let mut v = nc.add_variable::<f64>("lon", &["lon"]).unwrap();
        v.put_attribute("units", "degrees_east").unwrap();
        v.put_attribute("standard_name", "longitude").unwrap();
        v.put_values(g.lon(), ..).unwrap();
    }
    let mut v = nc.add_variable::<f64>("f", &["lat", "lon"]).unwrap();
    v.put_values(f, ..).unwrap();
}

fn run_cdo(op: &str, input: &Path, output: &Path) -> (Grid, Vec<f64>) {
    let st = Command::new("cdo").args(["-s", "-O", "-b", "F64", op]).arg(input).arg(output).status().unwrap();
    assert!(st.success(), "cdo {op} failed");
    let nc = netcdf::open(output).unwrap();
    let lat: Vec<f64> = nc.variable("lat").unwrap().get_values::<f64, _>(..).unwrap();
    let lon: Vec<f64> = nc.variable("lon").unwrap().get_values::<f64, _>(..).unwrap();
    let f: Vec<f64> = nc.variable("f").unwrap().get_values::<f64, _>(..).unwrap();
    (Grid::rectilinear(lat, lon, None, None).unwrap(), f)
}

#[test]
fn matches_cdo() {
    if !have_cdo() {
        println!("cdo not on PATH: skipping the CDO comparison");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lat: Vec<f64> = (0..120).map(|j| -89.25 + 1.5 * j as f64).collect();
    let lon: Vec<f64> = (0..240).map(|i| 1.5 * i as f64).collect();
    let src = Grid::rectilinear(lat, lon, None, None).unwrap();
    let f = sample(&src);
    let input = dir.path().join("src.nc");
    write_source(&input, &src, &f);
    let scale = f.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    for (op, method, tol, lat_lim) in [
        ("remapbil,r72x36", Method::Bilinear, 1e-4, 80.0),
        ("remapcon,r72x36", Method::Conservative, 1e-5, 90.0),
        ("remapbil,r100x50", Method::Bilinear, 1e-4, 80.0),
        ("remapcon,r100x50", Method::Conservative, 1e-5, 90.0),
        ("remapnn,r100x50", Method::NearestS2d, 0.0, 80.0),
    ] {
        let out = dir.path().join("out.nc");
        let (dst, theirs) = run_cdo(op, &input, &out);
        let w = compute_weights(&src, &dst, method, &WeightOptions::default()).unwrap();
        let mut ours = vec![0.0; dst.ncells()];
        w.apply(&f, &mut ours, 1, method == Method::Conservative, 1.0);
        let mut worst = 0.0f64;
        let mut n = 0;
        for d in 0..dst.ncells() {
            let (y, _) = dst.center(d);
            if y.abs() > lat_lim {
                continue;
            }
            if method == Method::NearestS2d && ours[d] != theirs[d] {
                // Only ties (destination exactly between two source rows) may differ.
                let m = (y + 89.25) / 1.5 - 0.5;
                assert!((m - m.round()).abs() < 1e-9, "{op}: cell {d} differs and is no tie");
                continue;
            }
            n += 1;
            worst = worst.max((ours[d] - theirs[d]).abs() / scale);
        }
        println!("{op}: max |ours - cdo| / max|f| = {worst:.3e} over {n} cells");
        assert!(n > 100);
        assert!(worst <= tol, "{op}: {worst}");
    }
}
