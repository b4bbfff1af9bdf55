//! `rookery regrid` on the real mini-esgf files and the roocs-grids files: the reference cases
//! 20–23 of roocs.md §7 (clisops tests), conservation of the area integral, CDO (`remapbil`,
//! `remapcon`) as a second implementation on a smooth analytic field, target land/sea masks,
//! the weights cache, and bad input (clisops's texts, exit code 2, nothing written).

mod common;
use common::{cdo, data, dims, rookery_command, run, shared as root, Run};
use std::path::{Path, PathBuf};

fn rookery(cmd: &str, inputs: &[String], args: &[&str], weights: &Path) -> Run {
    let mut c = rookery_command();
    c.env("ROOKERY_GRIDS_DIR", root("grids")).arg(cmd);
    if cmd == "regrid" {
        c.arg("--weights-dir").arg(weights);
    }
    run(c, inputs, args)
}

fn fails(inputs: &[String], args: &[&str], msg: &str) {
    let w = tempfile::tempdir().expect("tmp");
    rookery("regrid", inputs, args, w.path()).assert_fails(2, msg);
}

const MRSOS1: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201.nc";
const MRSOS_DAY: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp45/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp45_r1i1p1_20051201-20151130.nc";
const ZOS: &str = "pool/data/C3SCMIP5/BCC/bcc-csm1-1/rcp85/mon/ocean/Omon/r1i1p1/zos/v20120705/zos_Omon_bcc-csm1-1_rcp85_r1i1p1_200601.nc";
const TOS: &str = "badc/cmip6/data/CMIP6/CMIP/CCCR-IITM/IITM-ESM/1pctCO2/r1i1p1f1/Omon/tos/gn/v20191204/tos_Omon_IITM-ESM_1pctCO2_r1i1p1f1_gn_193001.nc";

fn ok(cmd: &str, inputs: &[String], args: &[&str]) -> Run {
    let w = tempfile::tempdir().expect("tmp");
    let r = rookery(cmd, inputs, args, w.path());
    assert_eq!(r.code, 0, "rookery {cmd} failed: {}", r.stderr);
    r
}

fn values(path: &Path, var: &str) -> Vec<f64> {
    let f = netcdf::open(path).expect("libnetcdf opens the output");
    let v = f.variable(var).expect("variable");
    let fill = v.attribute("_FillValue").and_then(|a| a.value().ok()).and_then(|a| match a {
        netcdf::AttributeValue::Float(x) => Some(f64::from(x)),
        netcdf::AttributeValue::Double(x) => Some(x),
        _ => None,
    });
    v.get_values::<f64, _>(..)
        .expect("values")
        .into_iter()
        .map(|x| if Some(x) == fill || x.abs() >= 1e19 { f64::NAN } else { x })
        .collect()
}

fn gattr(path: &Path, name: &str) -> String {
    let f = netcdf::open(path).expect("open");
    match f.attribute(name).and_then(|a| a.value().ok()) {
        Some(netcdf::AttributeValue::Str(s)) => s,
        other => panic!("global attribute {name}: {other:?}"),
    }
}

// ---------------------------------------------------------------- §7 case 20

#[test]
fn case20_adaptive_grid_and_instructor_names() {
    let r = ok("regrid", &[data(MRSOS1)], &["--method", "nearest_s2d", "--grid", "auto"]);
    assert_eq!(
        r.name(),
        "mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201-20051201_regrid-nearest_s2d-144x192_cells_grid.nc"
    );
    let p = r.only();
    assert_eq!(dims(&p, "mrsos"), vec![("time".to_string(), 1), ("lat".to_string(), 144), ("lon".to_string(), 192)]);
    assert_eq!(gattr(&p, "grid_label"), "gr");
    assert_eq!(gattr(&p, "regrid_operation"), "nearest_s2d_145x192_144x192_peri");
    assert_eq!(gattr(&p, "grid"), "global regular_lat_lon 144x192 (27648 cells) grid.");
    // Nearest neighbour copies source values: every output value occurs in the source.
    let src = values(Path::new(&data(MRSOS1)), "mrsos");
    let out = values(&p, "mrsos");
    let mut known: Vec<u64> = src.iter().filter(|x| x.is_finite()).map(|x| x.to_bits()).collect();
    known.sort_unstable();
    for x in out.iter().filter(|x| x.is_finite()) {
        assert!(known.binary_search(&x.to_bits()).is_ok(), "{x} is not a source value");
    }
    let r = ok("regrid", &[data(MRSOS1)], &["--method", "nearest_s2d", "--grid", "10,20,2,10,20,2"]);
    assert_eq!(r.name(), "mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201-20051201_regrid-nearest_s2d-5x5_cells_grid.nc");
}

// ---------------------------------------------------------------- §7 case 21

#[test]
fn case21_bad_requests() {
    let i = [data(MRSOS1)];
    fails(&i, &["--grid", "invalid"], "The grid_id 'invalid' you specified does not exist.");
    fails(&i, &["--grid", "1,2,3,4,5"], "The grid_instructor has to be a tuple of length 1, 2, 3 or 6.");
    fails(&i, &["--mask", "invalid"], "mask must be one of 'land', 'ocean' or None, not 'invalid'.");
    fails(&i, &["--method", "invalid"], "The selected regridding method is not supported. Please choose one of: conservative, patch, nearest_s2d, bilinear.");
    fails(&i, &["--grid", "none"], "xarray.Dataset, grid_id or grid_instructor have to be specified as input.");
    fails(&i, &["--method", "patch"], "'patch' is not available");
    fails(&i, &["--grid", "/nonexistent/grid.nc"], "cannot read grid file");
    let not_grid = root("shapes/meridian.json").to_string_lossy().into_owned();
    fails(&i, &["--grid", &not_grid], "cannot read grid file");
}

// ---------------------------------------------------------------- §7 case 22

#[test]
fn case22_subset_then_conservative_on_curvilinear_ocean_grid() {
    let s = ok("subset", &[data(ZOS)], &["--area", "0,-10.0,20.0,10.0", "--file-namer", "simple"]);
    let sub = s.only().to_string_lossy().into_owned();
    let r = ok("regrid", &[sub], &["--method", "conservative", "--grid", "1deg"]);
    assert_eq!(r.name(), "zos_mon_bcc-csm1-1_rcp85_r1i1p1_20060116-20060116_regrid-conservative-180x360_cells_grid.nc");
    let v = values(&r.only(), "zos");
    assert_eq!(v.len(), 64800);
    let count = v.iter().filter(|x| x.is_finite()).count();
    // clisops (xESMF/ESMF, adaptive masking 0.5) finds 163 valid cells.
    assert_eq!(count, 163, "valid cells (clisops: 163)");
}

// ---------------------------------------------------------------- §7 case 23

#[test]
fn case23_regrid_operation_of_tripolar_source() {
    let r = ok("regrid", &[data(TOS)], &["--method", "bilinear", "--grid", "5", "--adaptive-masking-threshold", "-1"]);
    let p = r.only();
    assert_eq!(gattr(&p, "regrid_operation"), "bilinear_200x360_36x72_peri");
    assert_eq!(dims(&p, "tos"), vec![("time".to_string(), 1), ("lat".to_string(), 36), ("lon".to_string(), 72)]);
    let v = values(&p, "tos");
    let valid: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    assert!(valid.len() > 1000, "ocean cells are mapped: {}", valid.len());
    assert!(valid.iter().all(|x| (-3.0..40.0).contains(x)), "SST range");
    assert_eq!(gattr(&p, "grid_label_original"), "gn");
}

// ---------------------------------------------------------------- conservation

/// A smooth field on a global 2° grid with bounds, written with libnetcdf.
fn analytic_source(dir: &Path) -> PathBuf {
    let p = dir.join("field.nc");
    let (ny, nx) = (90usize, 180usize);
    let lat: Vec<f64> = (0..ny).map(|j| -89.0 + 2.0 * j as f64).collect();
    let lon: Vec<f64> = (0..nx).map(|i| 1.0 + 2.0 * i as f64).collect();
    let mut f = netcdf::create(&p).expect("create");
    f.add_dimension("time", 2).unwrap();
    f.add_dimension("lat", ny).unwrap();
    f.add_dimension("lon", nx).unwrap();
    f.add_dimension("bnds", 2).unwrap();
    let mut t = f.add_variable::<f64>("time", &["time"]).unwrap();
    t.put_attribute("units", "days since 2000-01-01").unwrap();
    t.put_attribute("calendar", "standard").unwrap();
    t.put_attribute("standard_name", "time").unwrap();
    t.put_values(&[0.0, 1.0], ..).unwrap();
    let mut v = f.add_variable::<f64>("lat", &["lat"]).unwrap();
    v.put_attribute("units", "degrees_north").unwrap();
    v.put_attribute("standard_name", "latitude").unwrap();
    v.put_attribute("bounds", "lat_bnds").unwrap();
    v.put_values(&lat, ..).unwrap();
    let mut v = f.add_variable::<f64>("lon", &["lon"]).unwrap();
    v.put_attribute("units", "degrees_east").unwrap();
    v.put_attribute("standard_name", "longitude").unwrap();
    v.put_attribute("bounds", "lon_bnds").unwrap();
    v.put_values(&lon, ..).unwrap();
    let lb: Vec<f64> = lat.iter().flat_map(|y| [y - 1.0, y + 1.0]).collect();
    let ob: Vec<f64> = lon.iter().flat_map(|x| [x - 1.0, x + 1.0]).collect();
    f.add_variable::<f64>("lat_bnds", &["lat", "bnds"]).unwrap().put_values(&lb, ..).unwrap();
    f.add_variable::<f64>("lon_bnds", &["lon", "bnds"]).unwrap().put_values(&ob, ..).unwrap();
    let mut vals = Vec::with_capacity(2 * ny * nx);
    for t in 0..2 {
        for y in &lat {
            for x in &lon {
                let (yr, xr) = (y.to_radians(), x.to_radians());
                vals.push(2.0 + yr.cos().powi(2) * (2.0 * xr).cos() + f64::from(t));
            }
        }
    }
    let mut v = f.add_variable::<f64>("field", &["time", "lat", "lon"]).unwrap();
    v.put_attribute("units", "1").unwrap();
    v.put_values(&vals, ..).unwrap();
    p
}

#[test]
fn conservative_keeps_the_area_integral() {
    let d = tempfile::tempdir().expect("tmp");
    let src = analytic_source(d.path()).to_string_lossy().into_owned();
    for grid in ["1deg", "2pt5deg", "0pt75deg"] {
        let r = ok("regrid", std::slice::from_ref(&src), &["--method", "conservative", "--grid", grid]);
        let out = r.only().to_string_lossy().into_owned();
        let a = ok("weighted-average", std::slice::from_ref(&src), &[]);
        let b = ok("weighted-average", &[out], &[]);
        let (ma, mb) = (values(&a.only(), "field"), values(&b.only(), "field"));
        assert_eq!(ma.len(), 2);
        for (x, y) in ma.iter().zip(&mb) {
            assert!(((x - y) / x).abs() < 1e-6, "{grid}: area mean {x} became {y}");
        }
    }
}

// ---------------------------------------------------------------- CDO

#[test]
fn agrees_with_cdo_on_a_smooth_field() {
    let d = tempfile::tempdir().expect("tmp");
    let src = analytic_source(d.path());
    let s = src.to_string_lossy().into_owned();
    let grid_file = root("grids/cmip6_72x144_scrip.20181001.nc").to_string_lossy().into_owned();
    // The issue asks for 1e-4; both agree with CDO to ~1e-14 on this field.
    for (method, op, tol) in [("bilinear", "remapbil", 1e-8), ("conservative", "remapcon", 1e-8)] {
        let cdo_out = d.path().join(format!("cdo_{method}.nc"));
        if !cdo(&[&format!("{op},{grid_file}"), &s], &cdo_out) {
            return;
        }
        let r = ok("regrid", std::slice::from_ref(&s), &["--method", method, "--grid", "2pt5deg"]);
        let ours = values(&r.only(), "field");
        let theirs = values(&cdo_out, "field");
        assert_eq!(ours.len(), theirs.len());
        let (ny, nx) = (72usize, 144usize);
        let mut worst = 0f64;
        for t in 0..2 {
            for j in 4..ny - 4 {
                for i in 0..nx {
                    let k = t * ny * nx + j * nx + i;
                    let rel = ((ours[k] - theirs[k]) / theirs[k]).abs();
                    worst = worst.max(rel);
                }
            }
        }
        eprintln!("{method}: worst relative difference to cdo {op} (|lat| < 80): {worst:e}");
        assert!(worst < tol, "{method} differs from cdo {op} by {worst:e}");
    }
}

// ---------------------------------------------------------------- masks, cache, streaming

#[test]
fn target_land_sea_mask() {
    let d = tempfile::tempdir().expect("tmp");
    let src = analytic_source(d.path()).to_string_lossy().into_owned();
    let land = values(&root("grids/land_sea_mask_2degree_binary.nc4"), "sftlf");
    let r = ok(
        "regrid",
        std::slice::from_ref(&src),
        &["--method", "bilinear", "--grid", "2deg_lsm_binary", "--mask", "land"],
    );
    let v = values(&r.only(), "field");
    let n = land.len();
    assert_eq!(v.len(), 2 * n);
    for k in 0..n {
        assert_eq!(v[k].is_nan(), land[k] >= 0.5, "cell {k}: land {} value {}", land[k], v[k]);
    }
    let r = ok("regrid", &[src], &["--method", "bilinear", "--grid", "2deg_lsm_binary", "--mask", "ocean"]);
    let v = values(&r.only(), "field");
    for k in 0..n {
        assert_eq!(v[k].is_nan(), land[k] < 0.5, "cell {k}");
    }
}

#[test]
fn weights_are_cached_and_reused() {
    let w = tempfile::tempdir().expect("tmp");
    let args = ["--method", "conservative", "--grid", "2pt5deg"];
    let a = rookery("regrid", &[data(MRSOS1)], &args, w.path());
    assert_eq!(a.code, 0, "{}", a.stderr);
    let cached: Vec<String> = std::fs::read_dir(w.path())
        .expect("weights dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert!(cached.iter().any(|n| n.starts_with("weights_") && n.ends_with(".nc")), "cache files: {cached:?}");
    let b = rookery("regrid", &[data(MRSOS1)], &args, w.path());
    assert_eq!(b.code, 0, "{}", b.stderr);
    let bits = |p: &Path| values(p, "mrsos").iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
    assert!(bits(&a.only()) == bits(&b.only()), "cached weights give the same values");
    assert_eq!(gattr(&a.only(), "regrid_weights_uid"), gattr(&b.only(), "regrid_weights_uid"));
}

#[test]
fn streams_many_steps_like_one() {
    let all = ok("regrid", &[data(MRSOS_DAY)], &["--method", "bilinear", "--grid", "2pt5deg"]);
    let day = ok("subset", &[data(MRSOS_DAY)], &["--time", "2005-12-01/2005-12-01", "--file-namer", "simple"]);
    let one =
        ok("regrid", &[day.only().to_string_lossy().into_owned()], &["--method", "bilinear", "--grid", "2pt5deg"]);
    let p = all.only();
    let d = dims(&p, "mrsos");
    assert_eq!(d[1..], [("lat".to_string(), 72), ("lon".to_string(), 144)]);
    assert!(d[0].1 > 1000, "all days: {d:?}");
    let a = values(&p, "mrsos");
    let b = values(&one.only(), "mrsos");
    let first: Vec<f64> = a[..b.len()].to_vec();
    for (x, y) in first.iter().zip(&b) {
        assert!((x.is_nan() && y.is_nan()) || x == y, "{x} vs {y}");
    }
}

// ---------------------------------------------------------------- regional, same grid

const CORDEX: &str = "gws/nopw/j04/cp4cds1_vol1/data/c3s-cordex/output/EUR-11/IPSL/MOHC-HadGEM2-ES/rcp85/r1i1p1/IPSL-WRF381P/v1/day/psl/v20190212/psl_EUR-11_MOHC-HadGEM2-ES_rcp85_r1i1p1_IPSL-WRF381P_v1_day_20060101-20101231.nc";

#[test]
fn cordex_rotated_pole_to_regular() {
    let src = values(Path::new(&data(CORDEX)), "psl");
    let n_src = 25;
    // The mini-esgf file keeps 5x5 scattered cells of the EUR-11 grid with their own small
    // bounds, so conservative cells are mostly uncovered: adaptive masking is turned up to 1
    // (a target is missing only when nothing valid overlaps it).
    for method in ["conservative", "bilinear", "nearest_s2d"] {
        let r =
            ok("regrid", &[data(CORDEX)], &["--method", method, "--grid", "auto", "--adaptive-masking-threshold", "1"]);
        let p = r.only();
        let d = dims(&p, "psl");
        assert_eq!(d[0].0, "time");
        assert_eq!((d[1].0.as_str(), d[2].0.as_str()), ("lat", "lon"));
        let out = values(&p, "psl");
        let n_out = d[1].1 * d[2].1;
        let mut valid = 0;
        for t in 0..3 {
            let s = &src[t * n_src..(t + 1) * n_src];
            let (lo, hi) = s.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
            for x in out[t * n_out..(t + 1) * n_out].iter().filter(|x| x.is_finite()) {
                // Every method gives convex combinations of source values.
                assert!(*x >= lo - 1e-3 && *x <= hi + 1e-3, "{method}: {x} outside [{lo}, {hi}]");
                valid += 1;
            }
        }
        assert!(valid > 0, "{method}: no valid target cell");
    }
}

#[test]
fn same_grid_passes_through() {
    let d = tempfile::tempdir().expect("tmp");
    let src = analytic_source(d.path()).to_string_lossy().into_owned();
    let first = ok("regrid", &[src], &["--method", "bilinear", "--grid", "2pt5deg"]);
    let out = first.only().to_string_lossy().into_owned();
    let again = ok("regrid", std::slice::from_ref(&out), &["--method", "conservative", "--grid", "2pt5deg"]);
    assert!(again.stderr.contains("The selected source and target grids are the same"), "{}", again.stderr);
    let a: Vec<u64> = values(Path::new(&out), "field").iter().map(|x| x.to_bits()).collect();
    let b: Vec<u64> = values(&again.only(), "field").iter().map(|x| x.to_bits()).collect();
    assert!(a == b, "values pass through unchanged");
}
