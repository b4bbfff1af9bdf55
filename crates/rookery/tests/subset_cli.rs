//! `rookery subset` on the real mini-esgf files: the subset and file-namer reference cases of
//! roocs.md §7 (clisops/daops tests), bad input, and outputs read back by libnetcdf.

use rookery_cf::time::TimeCoder;
use std::path::Path;
use std::process::Command;

mod common;
use common::{data, raw_values as values, rookery_command, run, Run};

fn subset(inputs: &[String], args: &[&str]) -> Run {
    let mut c = rookery_command();
    c.arg("subset");
    run(c, inputs, args)
}

const TA: &str = "badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";
const RLDS: &str = "badc/cmip6/data/CMIP6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc";
const RLDS1: &str = "badc/cmip6/data/CMIP6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001.nc";
const TAS5: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/*.nc";
const TAS5_DIR: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";
const SICONC: &str = "badc/cmip6/data/CMIP6/CMIP/CCCma/CanESM5/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CanESM5_historical_r1i1p1f1_gn_185001-201412.nc";
const MRSOS: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp45/day/land/day/r1i1p1/latest/mrsos/*.nc";
const ZOSTOGA: &str = "badc/cmip5/data/cmip5/output1/INM/inmcm4/rcp45/mon/ocean/Omon/r1i1p1/latest/zostoga/zostoga_Omon_inmcm4_rcp45_r1i1p1_200601-210012.nc";

fn ok(inputs: &[String], args: &[&str]) -> Run {
    let r = subset(inputs, args);
    assert_eq!(r.code, 0, "rookery failed: {}", r.stderr);
    r
}

fn shape(path: &Path, var: &str) -> Vec<usize> {
    let f = netcdf::open(path).expect("libnetcdf opens the output");
    let v = f.variable(var).expect("variable");
    v.dimensions().iter().map(netcdf::Dimension::len).collect()
}

fn times(path: &Path) -> Vec<String> {
    let f = netcdf::open(path).expect("open");
    let v = f.variable("time").expect("time");
    let units = match v.attribute_value("units") {
        Some(Ok(netcdf::AttributeValue::Str(s))) => s,
        _ => panic!("time units"),
    };
    let cal = match v.attribute_value("calendar") {
        Some(Ok(netcdf::AttributeValue::Str(s))) => Some(s),
        _ => None,
    };
    let c = TimeCoder::new(&units, cal.as_deref()).expect("coder");
    v.get_values::<f64, _>(..).expect("values").into_iter().map(|x| c.decode(x).expect("decode").iso()).collect()
}

fn name(p: &Path) -> String {
    p.file_name().expect("name").to_string_lossy().into_owned()
}

// §7 #1
#[test]
fn ta_all_argument_permutations() {
    let ta = vec![data(TA)];
    let t = ["--time", "2022-01-01/2022-06-01"];
    let l = ["--level", "1000/1000"];
    let a = ["--area", "0.0,-80,170.0,65.0"];
    assert_eq!(shape(&ok(&ta, &[]).only(), "ta"), [120, 19, 3, 6]);
    let r = ok(&ta, &t);
    assert_eq!(shape(&r.only(), "ta"), [5, 19, 3, 6]);
    let tt = times(&r.only());
    assert_eq!((tt[0].as_str(), tt[4].as_str()), ("2022-01-16T12:00:00", "2022-05-16T12:00:00"));
    let r = ok(&ta, &l);
    assert_eq!(shape(&r.only(), "ta"), [120, 1, 3, 6]);
    assert_eq!(values(&r.only(), "plev"), [1000.0]);
    let r = ok(&ta, &a);
    assert_eq!(shape(&r.only(), "ta"), [120, 19, 2, 3]);
    let lat = values(&r.only(), "lat");
    assert!((lat[0] + 25.914_186_151_846_7).abs() < 1e-9 && (lat[1] - 37.120_294_310_978_8).abs() < 1e-9);
    assert_eq!(values(&r.only(), "lon"), [0.0, 63.28125, 126.5625]);
    let all: Vec<&str> = t.iter().chain(&l).chain(&a).copied().collect();
    let r = ok(&ta, &all);
    let out = r.only();
    assert_eq!(shape(&out, "ta"), [5, 1, 2, 3]);
    // Values equal the input's at the selected indices (time 84..89, plev index 16 = 1000 Pa, lat 1..3, lon 0..3).
    let input = netcdf::open(data(TA)).expect("open input");
    let src: Vec<f64> =
        input.variable("ta").expect("ta").get_values::<f64, _>([84..89, 16..17, 1..3, 0..3]).expect("input values");
    assert_eq!(values(&out, "ta"), src);
    assert_eq!(values(&out, "lat_bnds").len(), 4);
}

// §7 #2
#[test]
fn roll_positive_mini_data() {
    let r = ok(&[data(TA)], &["--area", "-180.0,-90.0,120.0,90.0"]);
    assert_eq!(values(&r.only(), "lon"), [-170.15625, -106.875, -43.59375, 0.0, 63.28125]);
    // Data follows its longitude: the first output column is input column 3 (189.84375°).
    let input = netcdf::open(data(TA)).expect("open");
    let col3: Vec<f64> = input.variable("ta").expect("ta").get_values::<f64, _>([0..1, 0..1, 0..3, 3..4]).expect("v");
    let out: Vec<f64> = netcdf::open(r.only())
        .expect("o")
        .variable("ta")
        .expect("ta")
        .get_values::<f64, _>([0..1, 0..1, 0..3, 0..1])
        .expect("v");
    assert_eq!(col3, out);
    let bnds = values(&r.only(), "lon_bnds");
    assert!(bnds[0] < -170.0 && bnds[1] < -140.0, "lon_bnds shifted too: {bnds:?}");
}

// §7 #3, #4
#[test]
fn area_within_area_subset_cmip6() {
    let r = ok(&[data(RLDS)], &["--time", "2001-01-01T00:00:00/2002-12-30T00:00:00", "--area", "20.0,10.0,250.0,90.0"]);
    let out = r.only();
    assert_eq!(values(&out, "lon"), [250.0]);
    assert!((values(&out, "lat")[0] - 36.76056).abs() < 1e-4);
    let tt = times(&out);
    assert_eq!(tt.len(), 24);
    assert_eq!((tt[0].as_str(), tt[23].as_str()), ("2001-01-16T12:00:00", "2002-12-16T12:00:00"));
    // Subsetting the output again with the same request keeps the single point.
    let again = ok(
        &[out.to_string_lossy().into_owned()],
        &["--time", "2001-01-01T00:00:00/2002-12-30T00:00:00", "--area", "20.0,10.0,250.0,90.0"],
    );
    assert_eq!(shape(&again.only(), "rlds"), [24, 1, 1]);
}

// §7 #5
#[test]
fn no_lon_or_lat_in_range() {
    let msg = "There were no valid data points found in the requested subset. Please expand the area covered by the bounding box, the time period or the level range you have selected.";
    for area in ["8.37,-90,8.56,90", "0,39.12,360,39.26", "8.37,39.12,8.56,39.26"] {
        let r = subset(&[data(RLDS1)], &["--area", area, "--time", "2006-01-01T00:00:00/2099-12-30T00:00:00"]);
        assert_eq!(r.code, 2, "{area}: {}", r.stderr);
        let r = subset(&[data(RLDS1)], &["--area", area]);
        assert_eq!(r.code, 2, "{area}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
        assert!(r.files_in_dir().is_empty(), "no output left: {:?}", r.files_in_dir());
    }
}

// §7 #6
#[test]
fn reverse_time_bounds() {
    let r = ok(&[data(TAS5)], &["--time", "2021-01-01/2050-12-31"]);
    assert_eq!(shape(&r.only(), "tas")[0], 360);
    let r = subset(&[data(TAS5)], &["--time", "2050-12-31/2021-01-01"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(r#"Start date ("2051-01-16T00:00:00") is after end date ("2020-12-16T00:00:00")."#),
        "{}",
        r.stderr
    );
}

// §7 #7, #8
#[test]
fn dates_nudged_in_noleap() {
    let r = ok(&[data(SICONC)], &["--area", "20,30.0,150,70.0", "--time", "2000-01-01T12:00:00/2012-02-29T12:00:00"]);
    assert_eq!(times(&r.only()).last().map(String::as_str), Some("2012-02-15T00:00:00"));
    let r = ok(&[data(SICONC)], &["--area", "20,30.0,150,70.0", "--time", "2012-02-29T12:00:00/2014-07-29T12:00:00"]);
    assert_eq!(times(&r.only()).first().map(String::as_str), Some("2012-03-16T12:00:00"));
}

// Curvilinear: cropped to the cells in the area, the rest masked with the fill value,
// coordinates and cell bounds left intact.
#[test]
fn curvilinear_mask() {
    let r = ok(&[data(SICONC)], &["--area", "20,30.0,150,70.0", "--time", "2000-01-01/2000-12-31"]);
    let out = r.only();
    let s = shape(&out, "siconc");
    let lat = values(&out, "latitude");
    let lon = values(&out, "longitude");
    let v = values(&out, "siconc");
    let cells = s[1] * s[2];
    assert_eq!(lat.len(), cells);
    let inside: Vec<bool> =
        lat.iter().zip(&lon).map(|(y, x)| (30.0..=70.0).contains(y) && (20.0..=150.0).contains(x)).collect();
    assert!(inside.iter().any(|&b| b));
    for (i, x) in v.iter().enumerate() {
        if !inside[i % cells] {
            assert_eq!(*x, 1e20, "cell {} outside the area must be missing", i % cells);
        }
    }
    assert!(values(&out, "vertices_latitude").iter().all(|x| x.abs() <= 90.0));
}

// §7 #9
#[test]
fn time_components_year_month() {
    for months in ["dec,jan,feb", "12,1,2"] {
        let tc = format!("year:2021,2022|month:{months}");
        let r = ok(&[data(TA)], &["--time-components", &tc]);
        let tt = times(&r.only());
        let got: Vec<&str> = tt.iter().map(|t| &t[..7]).collect();
        assert_eq!(got, ["2021-01", "2021-02", "2021-12", "2022-01", "2022-02", "2022-12"]);
    }
}

// §7 #10
#[test]
fn time_components_empty() {
    let r = subset(&[data(TAS5)], &["--time-components", "month:12,1,2|day:1,2,3,4,5"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("No timesteps are matching the selection criteria."), "{}", r.stderr);
    assert!(r.files_in_dir().is_empty());
}

// §7 #11
#[test]
fn level_by_values_in_any_order() {
    let lv = "60000,50000,40000,30000,25000,20000,15000,10000,7000,5000";
    let rev = "5000,7000,10000,15000,20000,25000,30000,40000,50000,60000";
    let a = ok(&[data(TA)], &["--level", lv]);
    let b = ok(&[data(TA)], &["--level", "60000/5000"]);
    let c = ok(&[data(TA)], &["--level", rev]);
    let want: Vec<f64> = lv.split(',').map(|x| x.parse().expect("num")).collect();
    for r in [&a, &b, &c] {
        assert_eq!(values(&r.only(), "plev"), want);
    }
    assert_eq!(values(&a.only(), "ta"), values(&b.only(), "ta"));
    assert_eq!(values(&a.only(), "ta"), values(&c.only(), "ta"));
    let r = subset(&[data(TA)], &["--level", "60000,12345"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Requested levels include some not found in the dataset"), "{}", r.stderr);
}

// §7 #12: day 31 does not exist in 360_day; asking for it changes nothing.
#[test]
fn time_components_31_days_360_day() {
    let d30: String = (1..=30).map(|d| d.to_string()).collect::<Vec<_>>().join(",");
    let d31 = format!("{d30},31");
    let a = ok(&[data(MRSOS)], &["--time-components", &format!("month:12,1,2|day:{d30}")]);
    let b = ok(&[data(MRSOS)], &["--time-components", &format!("month:12,1,2|day:{d31}")]);
    let (ta, tb) = (times(&a.only()), times(&b.only()));
    assert_eq!(ta.len(), 8490);
    assert_eq!(ta, tb);
}

// §7 #13, #25 and the simple namer
#[test]
fn file_namers() {
    let r = ok(&[data(TAS5)], &[]);
    assert_eq!(name(&r.only()), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20051216-22991216.nc");
    assert_eq!(shape(&r.only(), "tas")[0], 3530);
    let r = ok(&[data(SICONC)], &[]);
    assert_eq!(name(&r.only()), "siconc_SImon_CanESM5_historical_r1i1p1f1_gn_18500116-20141216.nc");
    let r = ok(&[data(SICONC)], &["--file-namer", "simple"]);
    assert_eq!(name(&r.only()), "output_001.nc");
    let two = vec![
        data(&format!("{TAS5_DIR}/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc")),
        data(&format!("{TAS5_DIR}/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_203012-205511.nc")),
    ];
    let r = ok(&two, &["--time", "2008-01-16/2028-12-16"]);
    assert_eq!(name(&r.only()), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20080116-20281216.nc");
}

// §7 #24 (daops): end beyond the data is clipped.
#[test]
fn zostoga_end_clipped() {
    let r = ok(&[data(ZOSTOGA)], &["--time", "2085-01-16/2120-12-16", "--file-namer", "simple"]);
    assert_eq!(name(&r.only()), "output_001.nc");
    assert_eq!(shape(&r.only(), "zostoga"), [192, 1]);
}

#[test]
fn split_by_size_and_directory_input() {
    let r = ok(&[data(TAS5_DIR)], &["--file-size-limit", "10KB"]);
    let outs = r.outputs();
    assert!(outs.len() > 1);
    let total: usize = outs.iter().map(|p| shape(p, "tas")[0]).sum();
    assert_eq!(total, 3530);
    assert_eq!(name(&outs[0]), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20051216-20571216.nc");
    // Consecutive files continue where the previous stopped.
    let last_of_first = times(&outs[0]).last().cloned().expect("t");
    let first_of_second = times(&outs[1]).first().cloned().expect("t");
    assert!(last_of_first < first_of_second);
}

#[test]
fn classic_output_reads_back() {
    let r = ok(&[data(TA)], &["--output-format", "nc3", "--time", "2022/2022", "--level", "1000/1000"]);
    let out = r.only();
    let bytes = std::fs::read(&out).expect("read");
    assert_eq!(&bytes[..4], b"CDF\x02");
    assert_eq!(shape(&out, "ta"), [12, 1, 3, 6]);
    let nc4 = ok(&[data(TA)], &["--time", "2022/2022", "--level", "1000/1000"]);
    assert_eq!(values(&out, "ta"), values(&nc4.only(), "ta"));
}

#[test]
fn output_hygiene() {
    let r = ok(&[data(TA)], &["--time", "2022-01/2022-02"]);
    let f = netcdf::open(r.only()).expect("open");
    // Coordinates and bounds without a fill value get none.
    for v in ["lat", "lon", "time", "time_bnds", "lat_bnds", "plev"] {
        let var = f.variable(v).expect("var");
        assert!(var.attribute("_FillValue").is_none(), "{v} has _FillValue");
        assert!(var.attribute("coordinates").is_none() || !v.contains("bnds"), "{v} has coordinates");
    }
    let ta = f.variable("ta").expect("ta");
    let fv: f32 = ta.attribute_value("_FillValue").expect("fv").expect("fv").try_into().expect("f32");
    let mv: f32 = ta.attribute_value("missing_value").expect("mv").expect("mv").try_into().expect("f32");
    assert_eq!(fv, mv);
    assert_eq!(ta.chunking().expect("chunking"), Some(vec![1, 19, 3, 6]));
    match f.attribute("history").expect("history").value().expect("value") {
        netcdf::AttributeValue::Str(h) => assert!(h.contains("rookery") && h.contains("CMOR"), "{h}"),
        other => panic!("history is {other:?}"),
    }
}

#[test]
fn bad_input_is_one_line_and_leaves_nothing() {
    let cases: Vec<(Vec<String>, Vec<&str>, i32, &str)> = vec![
        (vec![data("does/not/exist.nc")], vec![], 1, "no such file"),
        (vec![data(TA)], vec!["--area", "1,2,3"], 2, "AreaParameter should be of length 4 but is of length 3"),
        (vec![data(TA)], vec!["--area", "a,b,c,d"], 2, "Values must be valid numbers"),
        (vec![data(TA)], vec!["--time", "2020-13-45/2021"], 2, "Unable to parse the time values entered"),
        (vec![data(TA)], vec!["--time", "2100/2200"], 2, "No files found in given time range for"),
        (vec![data(TA)], vec!["--time", "2024-12-20/2024-12-31"], 2, "No time steps found between"),
        (vec![data(TA)], vec!["--time-components", "month:13"], 2, "Cannot create TimeComponentsParameter"),
        (vec![data(TA)], vec!["--level", "5/6"], 2, "no valid data points"),
        (vec![data(TA)], vec!["--file-size-limit", "12XB"], 2, "unknown size unit"),
        (
            vec![data(TA)],
            vec!["--time", "2015-01-16T12:00:00,2015-01-01"],
            2,
            "Requested datetimes include some not found in the dataset",
        ),
        (vec![data(RLDS1)], vec!["--file-size-limit", "10"], 2, "Unable to calculate slice length"),
    ];
    for (inputs, args, code, msg) in cases {
        let r = subset(&inputs, &args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
        assert!(r.files_in_dir().is_empty(), "{args:?} left {:?}", r.files_in_dir());
    }
    // Not NetCDF, and a truncated file.
    let dir = tempfile::tempdir().expect("tmp");
    let junk = dir.path().join("junk.nc");
    std::fs::write(&junk, b"not a netcdf file").expect("w");
    let r = subset(&[junk.to_string_lossy().into_owned()], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not a NetCDF file"), "{}", r.stderr);
    let bytes = std::fs::read(data(TA)).expect("read");
    let trunc = dir.path().join("trunc.nc");
    std::fs::write(&trunc, &bytes[..bytes.len() / 2]).expect("w");
    let r = subset(&[trunc.to_string_lossy().into_owned()], &["--time", "2022"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.files_in_dir().is_empty(), "left {:?}", r.files_in_dir());
}

#[test]
fn info_describes_roles() {
    let out = rookery_command().args(["info", &data(SICONC)]).output().expect("run");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for want in [
        "main variable: siconc",
        "grid: curvilinear",
        "calendar: 365_day",
        "latitude: latitude",
        "time range: 1850-01-16T12:00:00 .. 2014-12-16T12:00:00 (1980 steps)",
    ] {
        assert!(s.contains(want), "missing '{want}' in\n{s}");
    }
}

// CESM2's 2-D longitudes hold fill values where the ocean grid has no cell: they must neither
// match an area nor be shifted when the frame changes.
#[test]
fn fill_values_in_coordinates() {
    let f = data("badc/cmip6/data/CMIP6/CMIP/NCAR/CESM2/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CESM2_historical_r1i1p1f1_gn_185001-201412.nc");
    let input = values(Path::new(&f), "lon");
    let fill = input.iter().copied().fold(f64::MIN, f64::max);
    assert!(fill > 1e30, "the file has fill values in lon");
    let r = ok(&[f], &["--area=-180,-90,180,90", "--time", "2000/2000"]);
    let lon = values(&r.only(), "lon");
    assert!(lon.contains(&fill));
    assert!(lon.iter().all(|&x| x == fill || (-180.0..=180.0).contains(&x)), "{lon:?}");
}

// Unstructured grid (cells with 1-D lat/lon on one dimension): clisops selects cells strictly
// inside the box.
#[test]
fn unstructured_area() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("icon.nc");
    {
        let mut f = netcdf::create(&p).expect("create");
        f.add_unlimited_dimension("time").expect("dim");
        f.add_dimension("ncells", 5).expect("dim");
        let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
        t.put_attribute("units", "days since 2000-01-01").expect("a");
        t.put_attribute("calendar", "proleptic_gregorian").expect("a");
        t.put_values(&[0.0, 1.0], 0..2).expect("put");
        let mut la = f.add_variable::<f64>("clat", &["ncells"]).expect("var");
        la.put_attribute("standard_name", "latitude").expect("a");
        la.put_attribute("units", "degrees_north").expect("a");
        la.put_values(&[0.0, 10.0, 20.0, 30.0, 40.0], ..).expect("put");
        let mut lo = f.add_variable::<f64>("clon", &["ncells"]).expect("var");
        lo.put_attribute("standard_name", "longitude").expect("a");
        lo.put_attribute("units", "degrees_east").expect("a");
        lo.put_values(&[0.0, 10.0, 20.0, 30.0, 40.0], ..).expect("put");
        let mut v = f.add_variable::<f32>("tas", &["time", "ncells"]).expect("var");
        v.put_attribute("coordinates", "clat clon").expect("a");
        v.put_values(&(0..10).map(|x| x as f32).collect::<Vec<_>>(), [0..2, 0..5]).expect("put");
    }
    let r = ok(&[p.to_string_lossy().into_owned()], &["--area", "10,10,30,30"]);
    assert_eq!(values(&r.only(), "clat"), [20.0]);
    assert_eq!(values(&r.only(), "tas"), [2.0, 7.0]);
}

/// A classic (64-bit offset) copy of the one-month rlds file whose global attribute `name` is
/// `value` (classic attributes keep NUL bytes as they are; HDF5 strings stop at the first).
fn with_attribute(name: &str, value: &str) -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path().join("rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001.nc");
    let st = Command::new("nccopy").args(["-k", "64-bit offset"]).arg(data(RLDS1)).arg(&p).status().expect("nccopy");
    assert!(st.success(), "nccopy failed");
    let mut f = netcdf::append(&p).expect("append");
    f.redef().expect("define mode");
    f.add_attribute(name, value).expect("attribute");
    f.close().expect("close");
    let s = p.to_string_lossy().into_owned();
    (d, s)
}

#[test]
fn nul_bytes_in_a_naming_attribute_give_a_clean_name_and_no_leftovers() {
    let (_d, input) = with_attribute("experiment_id", "rcp60\0\0x");
    let r = ok(&[input], &[]);
    let out = name(&r.only());
    assert_eq!(out, "rlds_Amon_IPSL-CM6A-LR_rcp60x_r1i1p1f1_gr_18500116-18500116.nc");
    assert_eq!(r.files_in_dir(), vec![out], "no hidden temporary file");
    assert!(!r.stderr.contains('\0'));
    // Other control characters and separators.
    let (_d, input) = with_attribute("experiment_id", "hist/\torical\n");
    let r = ok(&[input], &[]);
    assert_eq!(name(&r.only()), "rlds_Amon_IPSL-CM6A-LR_hist--orical_r1i1p1f1_gr_18500116-18500116.nc");
}

#[test]
fn a_failing_write_leaves_no_file_and_a_clean_one_line_message() {
    // A name too long for the file system.
    let (_d, input) = with_attribute("experiment_id", &format!("\0{}", "x".repeat(300)));
    let r = subset(&[input], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.files_in_dir(), Vec::<String>::new(), "nothing left in the output directory");
    let line = r.stderr.lines().find(|l| l.starts_with("rookery: error:")).expect("error line");
    assert!(line.contains("too long") && !line.contains('\0'), "{line}");
}
