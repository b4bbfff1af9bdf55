//! `rookery average`, `average-time`, `average-shape`, `weighted-average` on the real
//! mini-esgf files: the reference cases 14–19 of roocs.md §7 (clisops/daops tests), CDO as a
//! second implementation of the numbers, a polygon whose exact answer is known analytically,
//! and bad input (one-line errors, exit codes, no partial output).

mod common;
use common::{data, dims, raw_values as values, rookery_command, run, shared, Run};
use std::path::{Path, PathBuf};

fn shapes(name: &str) -> String {
    shared("shapes").join(name).to_string_lossy().into_owned()
}

fn rookery(cmd: &str, inputs: &[String], args: &[&str]) -> Run {
    let mut c = rookery_command();
    c.arg(cmd);
    run(c, inputs, args)
}

fn fails(cmd: &str, inputs: &[String], args: &[&str], code: i32, msg: &str) {
    rookery(cmd, inputs, args).assert_fails(code, msg);
}

/// `var` of the output of `cdo ARGS OUT`; `None` when CDO is not installed.
fn cdo(args: &[&str], out: &Path, var: &str) -> Option<Vec<f64>> {
    common::cdo(args, out).then(|| values(out, var))
}

const TAS5: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/*.nc";
const TAS5_ONE: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";
const MRSOS_DAY: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp45/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp45_r1i1p1_20051201-20151130.nc";
const MRSOS1: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201.nc";
const FGOALS: &str = "badc/cmip6/data/CMIP6/CMIP/CAS/FGOALS-g3/historical/r1i1p1f1/Amon/tas/gn/v20190818/tas_Amon_FGOALS-g3_historical_r1i1p1f1_gn_185001.nc";
const TA: &str = "badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";

fn ok(cmd: &str, inputs: &[String], args: &[&str]) -> Run {
    let r = rookery(cmd, inputs, args);
    assert_eq!(r.code, 0, "rookery {cmd} failed: {}", r.stderr);
    r
}

fn has_var(path: &Path, var: &str) -> bool {
    netcdf::open(path).expect("open").variable(var).is_some()
}

/// Runs `cdo ARGS OUT` and returns `var` of its output; `None` (with a message) when `cdo`
/// is not installed (scripts/setup.sh installs it).
fn close(a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len(), "lengths");
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        if x.is_nan() || y.is_nan() || *x >= 1e19 || *y >= 1e19 {
            assert!((x.is_nan() || *x >= 1e19) && (y.is_nan() || *y >= 1e19), "missing at {k}: {x} vs {y}");
            continue;
        }
        let d = (x - y).abs() / y.abs().max(1e-12);
        assert!(d <= rel, "element {k}: {x} vs {y} (relative {d:e} > {rel:e})");
    }
}

// ---------------------------------------------------------------- §7 case 14

#[test]
fn case14_average_dims_file_names() {
    let r = ok("average", &[data(TAS5)], &["--dims", "time"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_avg-t.nc");
    let p = r.only();
    assert_eq!(dims(&p, "tas"), vec![("lat".to_string(), 2), ("lon".to_string(), 2)]);
    assert!(!has_var(&p, "time"), "time is averaged away");
    assert!(has_var(&p, "height") && has_var(&p, "lat_bnds"), "variables without time pass through");
    let r = ok("average", &[data(TAS5)], &["--dims", "latitude"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20051216-22991216_avg-y.nc");
    assert_eq!(dims(&r.only(), "tas"), vec![("time".to_string(), 3530), ("lon".to_string(), 2)]);
    let r = ok("average", &[data(TAS5)], &["--dims", "time,longitude"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_avg-tx.nc");
    assert_eq!(dims(&r.only(), "tas"), vec![("lat".to_string(), 2)]);
}

// ---------------------------------------------------------------- §7 case 15

#[test]
fn case15_dimension_errors() {
    fails(
        "average",
        &[data(TAS5)],
        &["--dims", "level,time"],
        2,
        "Requested dimensions were not found in input dataset: {'level'}.",
    );
    let r = ok("average", &[data(TAS5)], &["--dims", "level,time", "--ignore-undetected-dims"]);
    let p = r.only();
    assert!(!has_var(&p, "time"));
    assert!(has_var(&p, "height"), "height is kept");
    fails(
        "average",
        &[data(TAS5)],
        &["--dims", "wrong"],
        2,
        "Dimensions for averaging must be one of ['time', 'level', 'latitude', 'longitude', 'realization']",
    );
    fails("average", &[data(TAS5)], &[], 2, "At least one dimension for averaging must be provided");
}

// ---------------------------------------------------------------- §7 case 16

#[test]
fn case16_average_years_360_day() {
    let r = ok("average-time", &[data(TAS5)], &["--freq", "year"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20050101-22990101_avg-year.nc");
    let p = r.only();
    let t = values(&p, "time");
    assert_eq!(t.len(), 295);
    let f = netcdf::open(&p).expect("open");
    let tv = f.variable("time").expect("time");
    let units = tv.attribute_value("units").and_then(Result::ok);
    let Some(netcdf::AttributeValue::Str(units)) = units else { panic!("time units") };
    let coder = rookery_cf::time::TimeCoder::new(&units, Some("360_day")).expect("coder");
    let iso = |x: f64| coder.decode(x).expect("decode").iso();
    assert_eq!(iso(t[0]), "2005-01-01T00:00:00");
    assert_eq!(iso(t[294]), "2299-01-01T00:00:00");
    let b = values(&p, "time_bnds");
    assert_eq!((iso(b[0]), iso(b[1])), ("2005-01-01T00:00:00".into(), "2005-12-30T00:00:00".into()));
    assert_eq!((iso(b[588]), iso(b[589])), ("2299-01-01T00:00:00".into(), "2299-12-30T00:00:00".into()));
    // The first year holds one month (2005-12-16): its mean is that month.
    let tas = values(&p, "tas");
    let src = netcdf::open(data(TAS5_ONE)).expect("open");
    let first: Vec<f64> = src.variable("tas").expect("tas").get_values::<f64, _>((0, .., ..)).expect("values");
    close(&tas[..4], &first, 1e-6);
}

// ---------------------------------------------------------------- §7 case 17

#[test]
fn case17_average_months_daily_360_day() {
    let r = ok("average-time", &[data(MRSOS_DAY)], &["--freq", "month", "--file-namer", "simple"]);
    assert_eq!(r.name(), "output_001.nc");
    let p = r.only();
    let t = values(&p, "time");
    assert_eq!(t.len(), 120);
    let coder = rookery_cf::time::TimeCoder::new("days since 1859-12-01", Some("360_day")).expect("coder");
    let f = netcdf::open(&p).expect("open");
    let Some(netcdf::AttributeValue::Str(units)) =
        f.variable("time").and_then(|v| v.attribute_value("units")).and_then(Result::ok)
    else {
        panic!("units")
    };
    let coder = rookery_cf::time::TimeCoder::new(&units, Some("360_day")).unwrap_or(coder);
    assert_eq!(coder.decode(t[0]).expect("t0").iso(), "2005-12-01T00:00:00");
    assert_eq!(coder.decode(t[119]).expect("t1").iso(), "2015-11-01T00:00:00");
    // CDO monmean as a second implementation.
    let c = tempfile::tempdir().expect("tmp");
    if let Some(v) = cdo(&["monmean", &data(MRSOS_DAY)], &c.path().join("m.nc"), "mrsos") {
        close(&values(&p, "mrsos"), &v, 1e-5);
    }
}

// ---------------------------------------------------------------- §7 case 18

#[test]
fn case18_frequency_errors() {
    fails(
        "average-time",
        &[data(TAS5)],
        &["--freq", "week"],
        2,
        "Time frequency for averaging must be one of ['day', 'month', 'year'].",
    );
    fails("average-time", &[data(TAS5)], &[], 2, "At least one frequency for averaging must be provided");
}

// ---------------------------------------------------------------- §7 case 19

#[test]
fn case19_average_shape() {
    let r = ok("average-shape", &[data(FGOALS)], &["--shape", &shapes("meridian.json")]);
    assert_eq!(r.name(), "tas_Amon_FGOALS-g3_historical_r1i1p1f1_gn_18500116-18500116_avg-shape.nc");
    assert_eq!(dims(&r.only(), "tas"), vec![("time".to_string(), 1), ("geom".to_string(), 1)]);
    let r = ok("average-shape", &[data(FGOALS)], &["--shape", &shapes("multi_regions.json")]);
    let p = r.only();
    assert_eq!(dims(&p, "tas"), vec![("time".to_string(), 1), ("geom".to_string(), 3)]);
    // The polygon attribute becomes a coordinate on geom.
    let f = netcdf::open(&p).expect("open");
    let id = f.variable("id").expect("id coordinate");
    assert_eq!(id.get_string(0).expect("id[0]"), "Québec");
    fails("average-shape", &[data(FGOALS)], &[], 2, "At least one area for averaging must be provided");
}

#[test]
fn shapes_across_meridians_and_frames() {
    // FGOALS longitudes run 0..360; meridian*.json cross 0°, poslons.json is on 0..360.
    for s in ["meridian.json", "meridian_multi.json", "poslons.json", "eastern_canada.json"] {
        let r = ok("average-shape", &[data(FGOALS)], &["--shape", &shapes(s)]);
        let v = values(&r.only(), "tas");
        assert!(v.iter().all(|x| (200.0..320.0).contains(x)), "{s}: {v:?}");
    }
    // The same polygon in the other frame gives the same mean.
    let dir = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(shapes("meridian.json")).expect("read");
    let v: serde_like::Json = serde_like::parse(&text);
    let shifted = serde_like::shift_lons(&v, 360.0);
    let p2 = dir.path().join("meridian360.json");
    std::fs::write(&p2, shifted).expect("write");
    let a = values(&ok("average-shape", &[data(FGOALS)], &["--shape", &shapes("meridian.json")]).only(), "tas");
    let b = values(&ok("average-shape", &[data(FGOALS)], &["--shape", &p2.to_string_lossy()]).only(), "tas");
    close(&a, &b, 1e-7);
}

/// Minimal helpers to move a GeoJSON polygon by 360° without a JSON dependency.
mod serde_like {
    pub(crate) type Json = String;
    pub(crate) fn parse(s: &str) -> Json {
        s.to_string()
    }
    /// Adds `d` to every longitude (the first number of each `[lon, lat]` pair) below 0.
    pub(crate) fn shift_lons(s: &Json, d: f64) -> String {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(k) = rest.find('[') {
            out.push_str(&rest[..=k]);
            rest = &rest[k + 1..];
            let t = rest.trim_start();
            let end = t.find([',', ']']).unwrap_or(0);
            if let Ok(x) = t[..end].trim().parse::<f64>() {
                if t[end..].starts_with(',') {
                    let x = if x < 0.0 { x + d } else { x };
                    out.push_str(&format!("{x}"));
                    rest = &t[end..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

// ---------------------------------------------------------------- analytic polygon

/// A 1° grid 0..8 E × 0..8 N with bounds, values = 100·row + column, and a polygon covering
/// whole cells and half cells; the exact answer follows from the cell areas on the sphere.
#[test]
fn polygon_with_whole_and_half_cells_is_exact() {
    let dir = tempfile::tempdir().expect("tmp");
    let nc = dir.path().join("grid.nc");
    {
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
        let vals: Vec<f32> = (0..64u16).map(|k| f32::from(100 * (k / 8) + k % 8)).collect();
        let mut v = f.add_variable::<f32>("pr", &["time", "lat", "lon"]).expect("var");
        v.put_values(&vals, (0..1, .., ..)).expect("put");
    }
    // Polygon: x 1.5..4, y 2..5 (columns 1 half, 2-3 whole; rows 2-4 whole), hole x 2..3 y 3..4.
    let shape = dir.path().join("p.geojson");
    std::fs::write(
        &shape,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"p","code":7},
        "geometry":{"type":"Polygon","coordinates":[[[1.5,2],[4,2],[4,5],[1.5,5],[1.5,2]],[[2,3],[2,4],[3,4],[3,3],[2,3]]]}}]}"#,
    )
    .expect("write");
    let r = ok(
        "average-shape",
        &[nc.to_string_lossy().into_owned()],
        &["--shape", &shape.to_string_lossy(), "--file-namer", "simple"],
    );
    let got = values(&r.only(), "pr");
    let band = |j: i32| f64::from(j + 1).to_radians().sin() - f64::from(j).to_radians().sin();
    let (mut s, mut w) = (0.0, 0.0);
    for j in 2..5 {
        for (i, frac) in [(1, 0.5), (2, 1.0), (3, 1.0)] {
            if j == 3 && i == 2 {
                continue; // the hole
            }
            let a = band(j) * frac;
            s += a * f64::from(100 * j + i);
            w += a;
        }
    }
    let expect = s / w;
    assert!((got[0] - expect).abs() < 1e-4, "{} vs {expect}", got[0]);
    // Attributes as coordinates.
    assert_eq!(values(&r.only(), "code"), vec![7.0]);
    // A polygon outside the grid.
    let far = dir.path().join("far.json");
    std::fs::write(&far, r#"{"type":"Polygon","coordinates":[[[50,50],[51,50],[51,51],[50,51],[50,50]]]}"#)
        .expect("write");
    fails(
        "average-shape",
        &[nc.to_string_lossy().into_owned()],
        &["--shape", &far.to_string_lossy()],
        2,
        "There were no valid data points found in the requested averaging region. Verify objects overlap.",
    );
}

// ---------------------------------------------------------------- CDO comparisons

#[test]
fn time_and_year_means_match_cdo() {
    let c = tempfile::tempdir().expect("tmp");
    let r = ok("average", &[data(TAS5_ONE)], &["--dims", "time"]);
    if let Some(v) = cdo(&["timmean", &data(TAS5_ONE)], &c.path().join("t.nc"), "tas") {
        close(&values(&r.only(), "tas"), &v, 1e-6);
    }
    let r = ok("average-time", &[data(TAS5_ONE)], &["--freq", "year"]);
    if let Some(v) = cdo(&["yearmean", &data(TAS5_ONE)], &c.path().join("y.nc"), "tas") {
        close(&values(&r.only(), "tas"), &v, 1e-6);
    }
    let r = ok("average-time", &[data(TAS5_ONE)], &["--freq", "month"]);
    if let Some(v) = cdo(&["monmean", &data(TAS5_ONE)], &c.path().join("m.nc"), "tas") {
        close(&values(&r.only(), "tas"), &v, 1e-6);
    }
}

#[test]
fn field_means_match_cdo_fldmean() {
    let c = tempfile::tempdir().expect("tmp");
    // FGOALS: bounds on a 2°x2.25° grid; MRSOS1: land only (missing over the ocean), poles.
    for (file, var) in [(FGOALS, "tas"), (MRSOS1, "mrsos")] {
        let r = ok("weighted-average", &[data(file)], &[]);
        let p = r.only();
        assert!(p.to_string_lossy().ends_with("_w-avg.nc"));
        let out = c.path().join(format!("{var}.nc"));
        if let Some(v) = cdo(&["fldmean", &format!("-selvar,{var}"), &data(file)], &out, var) {
            close(&values(&p, var), &v, 1e-5);
        }
        // The same through `average --dims latitude,longitude --weights area`.
        let r = ok("average", &[data(file)], &["--dims", "latitude,longitude", "--weights", "area"]);
        close(&values(&r.only(), var), &values(&p, var), 1e-7);
    }
}

#[test]
fn level_average_of_4d_data() {
    let r = ok("average", &[data(TA)], &["--dims", "level"]);
    let p = r.only();
    assert!(r.name().ends_with("_avg-z.nc"), "{}", r.name());
    assert_eq!(dims(&p, "ta"), vec![("time".to_string(), 120), ("lat".to_string(), 3), ("lon".to_string(), 6)]);
    let c = tempfile::tempdir().expect("tmp");
    if let Some(v) = cdo(&["vertmean", &data(TA)], &c.path().join("z.nc"), "ta") {
        // CDO vertmean weights by layer thickness when it can; compare only the shape.
        assert_eq!(v.len(), values(&p, "ta").len());
    }
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_shape_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = vec![data(FGOALS)];
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{not json").expect("write");
    fails("average-shape", &input, &["--shape", &bad.to_string_lossy()], 2, "cannot read the shape file");
    let point = dir.path().join("point.json");
    std::fs::write(&point, r#"{"type":"Point","coordinates":[1,2]}"#).expect("write");
    fails("average-shape", &input, &["--shape", &point.to_string_lossy()], 2, "is not a polygon");
    let utm = dir.path().join("utm.json");
    std::fs::write(
        &utm,
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32633"}},"features":[]}"#,
    )
    .expect("write");
    fails("average-shape", &input, &["--shape", &utm.to_string_lossy()], 2, "EPSG:32633 is not supported");
    let zip = dir.path().join("empty.zip");
    // An empty zip archive (end-of-central-directory record only).
    let mut eocd = vec![0x50, 0x4b, 0x05, 0x06];
    eocd.extend([0u8; 18]);
    std::fs::write(&zip, eocd).expect("write");
    fails("average-shape", &input, &["--shape", &zip.to_string_lossy()], 2, "missing .shp, .shx, .dbf");
    let missing = dir.path().join("nope.json");
    fails("average-shape", &input, &["--shape", &missing.to_string_lossy()], 2, "cannot read the shape file");
}

#[test]
fn bad_weights_and_missing_input() {
    fails("weighted-average", &[data(TAS5)], &["--weights", "bogus"], 2, "unknown weights 'bogus'");
    let r = rookery("average", &["/nonexistent/x.nc".to_string()], &["--dims", "time"]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.is_empty());
    assert!(r.files_in_dir().is_empty(), "no output (not even a temporary file) may remain");
}

#[test]
fn classic_output_with_geom_attributes() {
    let r = ok("average-shape", &[data(FGOALS)], &["--shape", &shapes("multi_regions.json"), "--output-format", "nc3"]);
    let p = r.only();
    assert_eq!(dims(&p, "tas"), vec![("time".to_string(), 1), ("geom".to_string(), 3)]);
    assert_eq!(values(&p, "geom"), vec![0.0, 1.0, 2.0]);
}

/// Averaging runs through the data-aware layer like every command: a dataset named by id gets
/// its fixes (the decadal `reftime` coordinate), and `--no-fixes` turns them off (issue 16:
/// `rookery average*` had no `--no-fixes` and always applied them).
#[test]
fn averages_apply_fixes_unless_no_fixes() {
    let id = "c3s-cmip6-decadal.DCPP.MOHC.HadGEM3-GC31-MM.dcppA-hindcast.s1960-r2i1p1f2.day.tasmin.gn.v20200417";
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mini-esgf.ini");
    let run = |extra: &[&str]| {
        let dir = tempfile::tempdir().expect("tmp");
        let out = rookery_command()
            .env("ROOCS_CONFIG", &cfg)
            .args(["average-time", id, "--freq", "year", "--output-dir"])
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("run rookery");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
        (has_var(&path, "reftime"), dir)
    };
    assert!(run(&[]).0, "fixes add reftime");
    assert!(!run(&["--no-fixes"]).0, "--no-fixes leaves the file as it is");
}
