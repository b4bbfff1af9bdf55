//! Real archive files whose cell bounds are bad (issue 20): a curvilinear sea-ice file whose
//! `vertices_latitude` hold fill-like values (as CMIP6 ACCESS-ESM1-5 `SImon/siconc`), and a
//! regular file whose latitude bounds overshoot the poles by half a cell (as ERA5 ATLAS
//! `psl`, `-90.125`). Every method regrids them (bad bounds dropped and, for conservative,
//! computed from the centres; polar overshoot clipped), the output's `history` says what was
//! done, and `rookery check` passes on them. The files are written here with libnetcdf.

mod common;
use common::{rookery_command, run, Run};
use std::path::{Path, PathBuf};

/// The value of the constant field (plus the time index), which every method must keep.
const FIELD: f64 = 5.0;

fn coord(f: &mut netcdf::FileMut, name: &str, dims: &[&str], attrs: &[(&str, &str)], vals: &[f64]) {
    let mut v = f.add_variable::<f64>(name, dims).expect("variable");
    for (k, a) in attrs {
        v.put_attribute(k, *a).expect("attribute");
    }
    v.put_values(vals, ..).expect("values");
}

fn time_axis(f: &mut netcdf::FileMut) {
    f.add_unlimited_dimension("time").expect("time");
    coord(
        f,
        "time",
        &["time"],
        &[("units", "days since 1850-01-01"), ("calendar", "365_day"), ("standard_name", "time"), ("axis", "T")],
        &[15.5, 45.0],
    );
}

fn field(f: &mut netcdf::FileMut, name: &str, dims: &[&str], per_step: usize, extra: &[(&str, &str)]) {
    let vals: Vec<f32> = (0..2).flat_map(|t| std::iter::repeat_n((FIELD + t as f64) as f32, per_step)).collect();
    let mut v = f.add_variable::<f32>(name, dims).expect("variable");
    v.put_attribute("units", "1").expect("units");
    v.put_attribute("_FillValue", 1.0e20f32).expect("fill");
    for (k, a) in extra {
        v.put_attribute(k, *a).expect("attribute");
    }
    v.put_values(&vals, ..).expect("values");
}

/// A curvilinear 12x18 grid without index coordinate variables whose `vertices_latitude`
/// hold -4355.04443359375 in some cells.
fn curvilinear_fill_vertices(dir: &Path) -> PathBuf {
    let p = dir.join("siconc_SImon_SYNTH-ESM_historical_r1i1p1f1_gn_185001-185002.nc");
    let (ny, nx) = (12usize, 18usize);
    let mut f = netcdf::create(&p).expect("create");
    f.add_attribute("Conventions", "CF-1.7").expect("attr");
    time_axis(&mut f);
    f.add_dimension("j", ny).expect("j");
    f.add_dimension("i", nx).expect("i");
    f.add_dimension("vertices", 4).expect("vertices");
    let lat_of = |j: f64, i: f64| -77.0 + 14.0 * j + 0.8 * (i * 0.7).sin();
    let lon_of = |j: f64, i: f64| 10.0 + 20.0 * i + 1.5 * (j * 0.5).cos();
    let (mut lat, mut lon, mut vlat, mut vlon) = (vec![], vec![], vec![], vec![]);
    for j in 0..ny {
        for i in 0..nx {
            let (y, x) = (j as f64, i as f64);
            lat.push(lat_of(y, x));
            lon.push(lon_of(y, x));
            for (dy, dx) in [(-0.5, -0.5), (-0.5, 0.5), (0.5, 0.5), (0.5, -0.5)] {
                vlat.push(lat_of(y + dy, x + dx).clamp(-90.0, 90.0));
                vlon.push(lon_of(y + dy, x + dx));
            }
        }
    }
    for k in [32 * 4 + 1, 100 * 4 + 2, 101 * 4, 200 * 4 + 3] {
        vlat[k] = -4355.04443359375;
    }
    let lat_a = [("standard_name", "latitude"), ("units", "degrees_north"), ("bounds", "vertices_latitude")];
    let lon_a = [("standard_name", "longitude"), ("units", "degrees_east"), ("bounds", "vertices_longitude")];
    coord(&mut f, "latitude", &["j", "i"], &lat_a, &lat);
    coord(&mut f, "longitude", &["j", "i"], &lon_a, &lon);
    coord(&mut f, "vertices_latitude", &["j", "i", "vertices"], &[("units", "degrees_north")], &vlat);
    coord(&mut f, "vertices_longitude", &["j", "i", "vertices"], &[("units", "degrees_east")], &vlon);
    field(&mut f, "siconc", &["time", "j", "i"], ny * nx, &[("coordinates", "latitude longitude")]);
    p
}

/// A global 2.5° regular grid whose polar latitude bounds reach ±91.25 (half a cell beyond);
/// `south` replaces the first (southernmost) bound.
fn regular_polar_overshoot(dir: &Path, south: f64) -> PathBuf {
    let p = dir.join("psl_SYNTH-ERA5_mon_185001-185002.nc");
    let lat: Vec<f64> = (0..73).map(|j| -90.0 + 2.5 * j as f64).collect();
    let lon: Vec<f64> = (0..144).map(|i| 2.5 * i as f64).collect();
    let mut f = netcdf::create(&p).expect("create");
    time_axis(&mut f);
    f.add_dimension("lat", lat.len()).expect("lat");
    f.add_dimension("lon", lon.len()).expect("lon");
    f.add_dimension("bnds", 2).expect("bnds");
    let lat_a = [("standard_name", "latitude"), ("units", "degrees_north"), ("axis", "Y"), ("bounds", "lat_bnds")];
    let lon_a = [("standard_name", "longitude"), ("units", "degrees_east"), ("axis", "X"), ("bounds", "lon_bnds")];
    coord(&mut f, "lat", &["lat"], &lat_a, &lat);
    coord(&mut f, "lon", &["lon"], &lon_a, &lon);
    let mut lb: Vec<f64> = lat.iter().flat_map(|y| [y - 1.25, y + 1.25]).collect();
    lb[0] = south;
    let ob: Vec<f64> = lon.iter().flat_map(|x| [x - 1.25, x + 1.25]).collect();
    coord(&mut f, "lat_bnds", &["lat", "bnds"], &[], &lb);
    coord(&mut f, "lon_bnds", &["lon", "bnds"], &[], &ob);
    field(&mut f, "psl", &["time", "lat", "lon"], lat.len() * lon.len(), &[]);
    p
}

fn regrid(input: &Path, method: &str, grid: &str) -> Run {
    let w = tempfile::tempdir().expect("tmp");
    let mut c = rookery_command();
    c.arg("regrid").arg("--weights-dir").arg(w.path());
    let r = run(c, &[input.to_string_lossy().into_owned()], &["--method", method, "--grid", grid]);
    assert_eq!(r.code, 0, "regrid {method} of {} failed: {}", input.display(), r.stderr);
    r
}

fn history(p: &Path) -> String {
    let f = netcdf::open(p).expect("open");
    match f.attribute("history").and_then(|a| a.value().ok()) {
        Some(netcdf::AttributeValue::Str(s)) => s,
        other => panic!("history: {other:?}"),
    }
}

/// Every finite output value is the constant field of its time step, and most cells have one.
fn keeps_the_field(p: &Path, var: &str) {
    let (shape, vals) = common::values(p, var);
    let per_step = vals.len() / shape[0];
    let mut finite = 0usize;
    for (k, x) in vals.iter().enumerate() {
        if x.abs() < 1e19 && x.is_finite() {
            finite += 1;
            let want = FIELD + (k / per_step) as f64;
            assert!((x - want).abs() < 1e-4, "{var}[{k}] = {x}, want {want} ({})", p.display());
        }
    }
    assert!(finite * 2 > vals.len(), "only {finite} of {} values of {var} are set", vals.len());
}

#[test]
fn fill_values_in_curvilinear_vertices_are_dropped_for_every_method() {
    let d = tempfile::tempdir().expect("tmp");
    let src = curvilinear_fill_vertices(d.path());
    for method in ["nearest_s2d", "bilinear", "conservative"] {
        for grid in ["auto", "10"] {
            let r = regrid(&src, method, grid);
            let out = r.only();
            keeps_the_field(&out, "siconc");
            let h = history(&out);
            assert!(
                h.contains("source grid: cell bounds dropped (corner latitude value -4355.04443359375 at index 129"),
                "{h}"
            );
            assert_eq!(
                h.contains("source grid: cell bounds computed from the cell centres"),
                method == "conservative",
                "{h}"
            );
        }
    }
}

#[test]
fn polar_bounds_overshooting_by_less_than_a_cell_are_clipped_for_every_method() {
    let d = tempfile::tempdir().expect("tmp");
    let src = regular_polar_overshoot(d.path(), -91.25);
    for method in ["nearest_s2d", "bilinear", "conservative"] {
        let r = regrid(&src, method, "5");
        let out = r.only();
        keeps_the_field(&out, "psl");
        let h = history(&out);
        assert!(
            h.contains("source grid: 2 latitude bounds beyond the poles (by up to 1.25 degrees) clipped to [-90, 90]"),
            "{h}"
        );
        assert!(!h.contains("dropped"), "{h}");
    }
}

#[test]
fn bounds_far_beyond_a_pole_are_dropped() {
    let d = tempfile::tempdir().expect("tmp");
    let src = regular_polar_overshoot(d.path(), -95.0);
    let r = regrid(&src, "conservative", "5");
    let out = r.only();
    keeps_the_field(&out, "psl");
    let h = history(&out);
    assert!(h.contains("cell bounds dropped (latitude bounds value -95 at index 0 is outside [-90, 90])"), "{h}");
    assert!(h.contains("computed from the cell centres"), "{h}");
}

#[test]
fn rookery_check_passes_on_bad_bounds() {
    let d = tempfile::tempdir().expect("tmp");
    let pool = d.path().join("pool");
    std::fs::create_dir(&pool).expect("pool");
    curvilinear_fill_vertices(&pool);
    regular_polar_overshoot(&pool, -91.25);
    let db = d.path().join("check.db");
    let o = rookery_command()
        .args(["check", "--site", "t", "--seed", "1", "--requests-per-dataset", "3", "--db"])
        .arg(&db)
        .arg(&pool)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "rookery check failed: {}\n{err}", String::from_utf8_lossy(&o.stdout));
}
