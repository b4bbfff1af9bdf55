//! `rookery climatology`, `anomaly` and `stat-time` on the real mini-esgf files: CDO
//! (`ymonmean`, `yseasmean`, `ydaymean`, `ymonsub`, `ymondiv`, `ydaysub`, `tim*`, `year*`,
//! `mon*`, `seas*`) and numpy/xarray (`np.nanpercentile` linear, `groupby("time.month")`) as
//! second implementations of the numbers, CF climatological metadata, names, every grid type
//! (regular, curvilinear, rotated pole, a time series without grid, 4-D with levels), and bad
//! input (one line, exit 2, nothing written).
//!
//! CDO's `timpctl` bins values in a histogram between the `timmin` and `timmax` fields (101
//! bins) instead of ordering them: percentiles are compared with numpy exactly and with CDO
//! only to within one histogram bin (and where CDO gives a value: it leaves constant series
//! missing).

mod common;
use common::{data, dims, python, raw_values as values, rookery_command, run, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

const TAS5_ONE: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";
const TAS5: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/*.nc";
const MRSOS_DAY: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp45/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp45_r1i1p1_20051201-20151130.nc";
const SICONC: &str = "badc/cmip6/data/CMIP6/CMIP/CCCma/CanESM5/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CanESM5_historical_r1i1p1f1_gn_185001-201412.nc";
const CORDEX: &str = "gws/nopw/j04/cp4cds1_vol1/data/c3s-cordex/output/EUR-11/IPSL/MOHC-HadGEM2-ES/rcp85/r1i1p1/IPSL-WRF381P/v1/day/psl/v20190212/psl_EUR-11_MOHC-HadGEM2-ES_rcp85_r1i1p1_IPSL-WRF381P_v1_day_20060101-20101231.nc";
const ZOSTOGA: &str = "badc/cmip5/data/cmip5/output1/INM/inmcm4/rcp45/mon/ocean/Omon/r1i1p1/latest/zostoga/zostoga_Omon_inmcm4_rcp45_r1i1p1_200601-210012.nc";
const TA: &str = "badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";
const RLDS: &str = "badc/cmip6/data/CMIP6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc";

fn rookery(cmd: &str, inputs: &[String], args: &[&str]) -> Run {
    let mut c = rookery_command();
    c.arg(cmd);
    run(c, inputs, args)
}

fn ok(cmd: &str, inputs: &[String], args: &[&str]) -> Run {
    let r = rookery(cmd, inputs, args);
    assert_eq!(r.code, 0, "rookery {cmd} {args:?} failed: {}", r.stderr);
    r
}

/// `var` of the output of `cdo ARGS OUT`; `None` when CDO is not installed.
fn cdo(args: &[&str], out: &Path, var: &str) -> Option<Vec<f64>> {
    common::cdo(args, out).then(|| values(out, var))
}

fn missing(x: f64) -> bool {
    x.is_nan() || x.abs() >= 1e19
}

/// Largest absolute and relative differences; missing values must coincide.
fn diff(a: &[f64], b: &[f64]) -> (f64, f64) {
    assert_eq!(a.len(), b.len(), "lengths");
    let (mut abs, mut rel) = (0.0f64, 0.0f64);
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        if missing(*x) || missing(*y) {
            assert!(missing(*x) && missing(*y), "missing at {k}: {x} vs {y}");
            continue;
        }
        let d = (x - y).abs();
        abs = abs.max(d);
        if *y != 0.0 {
            rel = rel.max(d / y.abs());
        }
    }
    (abs, rel)
}

fn close(a: &[f64], b: &[f64], max_abs: f64, what: &str) {
    let (abs, rel) = diff(a, b);
    assert!(abs <= max_abs, "{what}: max abs difference {abs:e} > {max_abs:e} (rel {rel:e})");
    eprintln!("{what}: max abs {abs:e}, max rel {rel:e}");
}

fn attr(path: &Path, var: &str, name: &str) -> Option<String> {
    let f = netcdf::open(path).expect("open");
    let v = f.variable(var)?;
    let a = v.attributes().find(|a| a.name() == name)?;
    match a.value().ok()? {
        netcdf::AttributeValue::Str(s) => Some(s),
        other => Some(format!("{other:?}")),
    }
}

/// Runs a numpy/xarray script (`sys.argv[1:]` = `args`) printing numbers separated by
/// whitespace (`nan` for missing); `None` without the venv.
fn numpy(script: &str, args: &[&Path]) -> Option<Vec<f64>> {
    let py = python()?;
    let out = Command::new(py)
        .arg("-c")
        .arg(format!(
            "import sys, warnings\nwarnings.simplefilter('ignore')\nimport numpy as np, xarray as xr\n{script}"
        ))
        .args(args)
        .output()
        .expect("python");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).split_whitespace().map(|s| s.parse::<f64>().expect("number")).collect())
}

fn p(s: &str) -> PathBuf {
    PathBuf::from(data(s))
}

// ---------------------------------------------------------------- climatology

#[test]
fn climatology_month_season_day_match_cdo() {
    let c = tempfile::tempdir().unwrap();
    let r = ok("climatology", &[data(TAS5_ONE)], &[]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20051216-20301116_clim-month.nc");
    let out = r.only();
    assert_eq!(dims(&out, "tas"), vec![("time".into(), 12), ("lat".into(), 2), ("lon".into(), 2)]);
    // CF §7.4: climatological time, bounds, cell methods.
    assert_eq!(attr(&out, "time", "climatology").as_deref(), Some("climatology_bnds"));
    assert_eq!(attr(&out, "time", "bounds"), None);
    assert_eq!(attr(&out, "tas", "cell_methods").as_deref(), Some("time: mean within years time: mean over years"));
    let t = values(&out, "time");
    assert!(t.windows(2).all(|w| w[0] < w[1]), "time increases: {t:?}");
    let b = values(&out, "climatology_bnds");
    for k in 0..12 {
        assert!(b[2 * k] <= t[k] && t[k] < b[2 * k + 1], "time {k} within its bounds");
    }
    // January over 2006..2030 in 360_day days since 1859-12-01: [2006-01-01, 2030-02-01).
    assert_eq!((b[0], b[1]), (146.0 * 360.0 + 30.0, 170.0 * 360.0 + 60.0));
    if let Some(v) = cdo(&["ymonmean", &data(TAS5_ONE)], &c.path().join("m.nc"), "tas") {
        close(&values(&out, "tas"), &v, 0.0, "ymonmean");
    }

    let r = ok("climatology", &[data(TAS5_ONE)], &["--freq", "season", "--years", "2010/2019"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20100116-20191216_clim-season.nc");
    if let Some(v) = cdo(&["yseasmean", "-selyear,2010/2019", &data(TAS5_ONE)], &c.path().join("s.nc"), "tas") {
        close(&values(&r.only(), "tas"), &v, 0.0, "yseasmean");
    }

    let r = ok("climatology", &[data(MRSOS_DAY)], &["--freq", "day"]);
    let out = r.only();
    assert_eq!(dims(&out, "mrsos")[0], ("time".into(), 360), "360_day calendar: 360 days of the year");
    assert_eq!(
        attr(&out, "mrsos", "cell_methods").as_deref(),
        Some("area: mean where land time: mean within years time: mean over years")
    );
    if let Some(v) = cdo(&["ydaymean", &data(MRSOS_DAY)], &c.path().join("d.nc"), "mrsos") {
        close(&values(&out, "mrsos"), &v, 0.0, "ydaymean");
    }
}

#[test]
fn climatology_matches_xarray_groupby() {
    let r = ok("climatology", &[data(TAS5_ONE)], &["--freq", "month", "--years", "2006/2025"]);
    let want = numpy(
        "ds = xr.open_dataset(sys.argv[1], decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))\n\
         x = ds.tas.sel(time=ds.time.dt.year.isin(range(2006, 2026))).astype('float64')\n\
         print(' '.join(map(str, x.groupby('time.month').mean().values.ravel())))",
        &[&p(TAS5_ONE)],
    );
    if let Some(w) = want {
        close(&values(&r.only(), "tas"), &w, 2e-5, "groupby('time.month').mean()");
    }
    let r = ok("climatology", &[data(MRSOS_DAY)], &["--freq", "day"]);
    let want = numpy(
        "ds = xr.open_dataset(sys.argv[1], decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))\n\
         m = ds.mrsos.astype('float64').groupby('time.dayofyear').mean().values.ravel()\n\
         print(' '.join(map(str, m)))",
        &[&p(MRSOS_DAY)],
    );
    if let Some(w) = want {
        close(&values(&r.only(), "mrsos"), &w, 1e-5, "groupby('time.dayofyear').mean()");
    }
}

// ---------------------------------------------------------------- stat-time

#[test]
fn stat_time_matches_cdo() {
    let c = tempfile::tempdir().unwrap();
    for (stat, op) in [
        ("min", "timmin"),
        ("max", "timmax"),
        ("sum", "timsum"),
        ("mean", "timmean"),
        ("std", "timstd"),
        ("var", "timvar"),
    ] {
        let r = ok("stat-time", &[data(MRSOS_DAY)], &["--stat", stat]);
        assert_eq!(r.name(), format!("mrsos_day_HadGEM2-ES_rcp45_r1i1p1_{stat}-t.nc"));
        let out = r.only();
        assert_eq!(dims(&out, "mrsos")[0], ("time".into(), 1));
        if let Some(v) = cdo(&[op, &data(MRSOS_DAY)], &c.path().join(format!("{op}.nc")), "mrsos") {
            close(&values(&out, "mrsos"), &v, 1e-5 * v.iter().fold(1.0f64, |m, x| m.max(x.abs().min(1e6))), op);
        }
    }
    let run_ = ok("stat-time", &[data(MRSOS_DAY)], &["--stat", "var"]);
    let out = run_.only();
    assert_eq!(attr(&out, "mrsos", "units").as_deref(), Some("(kg m-2)2"));
    assert_eq!(attr(&out, "mrsos", "cell_methods").as_deref(), Some("time: mean area: mean where land time: variance"));
    for (stat, freq, op) in [
        ("max", "year", "yearmax"),
        ("std", "month", "monstd"),
        ("min", "season", "seasmin"),
        ("sum", "year", "yearsum"),
    ] {
        let r = ok("stat-time", &[data(MRSOS_DAY)], &["--stat", stat, "--freq", freq]);
        assert!(r.name().ends_with(&format!("_{stat}-{freq}.nc")), "{}", r.name());
        if let Some(v) = cdo(&[op, &data(MRSOS_DAY)], &c.path().join(format!("{op}.nc")), "mrsos") {
            close(&values(&r.only(), "mrsos"), &v, 1e-2, op);
        }
    }
    // Every grid type: curvilinear (CanESM5 ocean), rotated pole (CORDEX), no grid (a global
    // time series), levels (4-D).
    for (file, var, stat, op) in [
        (SICONC, "siconc", "max", "yearmax"),
        (CORDEX, "psl", "std", "seasstd"),
        (ZOSTOGA, "zostoga", "min", "yearmin"),
        (TA, "ta", "var", "monvar"),
    ] {
        let freq = match op {
            "seasstd" => "season",
            "monvar" => "month",
            _ => "year",
        };
        let r = ok("stat-time", &[data(file)], &["--stat", stat, "--freq", freq]);
        if let Some(v) = cdo(&[op, &data(file)], &c.path().join(format!("{var}.nc")), var) {
            let got = values(&r.only(), var);
            let (abs, rel) = diff(&got, &v);
            assert!(rel <= 2e-6 || abs <= 1e-9, "{op} on {var}: abs {abs:e}, rel {rel:e}");
        }
    }
}

#[test]
fn percentiles_match_numpy_linear() {
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (MRSOS_DAY, "mrsos", &["--stat", "p90"], "np.nanpercentile(x.values, 90, axis=0)"),
        (MRSOS_DAY, "mrsos", &["--stat", "median", "--freq", "year"], "x.groupby('time.year').median().values"),
        (
            MRSOS_DAY,
            "mrsos",
            &["--stat", "p2.5", "--freq", "season"],
            "x.resample(time='QS-DEC').quantile(0.025).values",
        ),
        (RLDS, "rlds", &["--stat", "p99.5"], "np.nanpercentile(x.values, 99.5, axis=0)"),
        (TA, "ta", &["--stat", "p10", "--freq", "year"], "x.groupby('time.year').quantile(0.1).values"),
    ];
    for (file, var, args, expr) in cases {
        let r = ok("stat-time", &[data(file)], args);
        let want = numpy(
            &format!(
                "ds = xr.open_dataset(sys.argv[1], decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))\n\
                 x = ds['{var}'].astype('float64')\n\
                 print(' '.join(map(str, np.asarray({expr}).ravel())))"
            ),
            &[&p(file)],
        );
        let Some(w) = want else { return };
        let got = values(&r.only(), var);
        let (abs, rel) = diff(&got, &w);
        // Outputs are float32 as the source: one rounding.
        assert!(rel <= 1.2e-7 || abs == 0.0, "{args:?} on {var}: abs {abs:e}, rel {rel:e}");
        eprintln!("{args:?} on {var}: max abs {abs:e}, max rel {rel:e}");
    }
}

#[test]
fn percentiles_within_one_cdo_histogram_bin() {
    let c = tempfile::tempdir().unwrap();
    let f = data(MRSOS_DAY);
    let run_ = ok("stat-time", std::slice::from_ref(&f), &["--stat", "p90"]);
    let out = run_.only();
    let Some(cdo_p) = cdo(&["timpctl,90", &f, "-timmin", &f, "-timmax", &f], &c.path().join("p.nc"), "mrsos") else {
        return;
    };
    let lo = cdo(&["timmin", &f], &c.path().join("lo.nc"), "mrsos").unwrap();
    let hi = cdo(&["timmax", &f], &c.path().join("hi.nc"), "mrsos").unwrap();
    let got = values(&out, "mrsos");
    let mut compared = 0;
    for k in 0..got.len() {
        if missing(cdo_p[k]) || missing(got[k]) {
            continue;
        }
        let bin = (hi[k] - lo[k]) / 101.0;
        assert!((got[k] - cdo_p[k]).abs() <= bin, "cell {k}: {} vs CDO {} (bin {bin})", got[k], cdo_p[k]);
        compared += 1;
    }
    assert!(compared > 0, "some cell compared");
}

// ---------------------------------------------------------------- anomaly

#[test]
fn anomalies_match_cdo_and_xarray() {
    let c = tempfile::tempdir().unwrap();
    let f = data(TAS5_ONE);
    let r = ok("anomaly", std::slice::from_ref(&f), &["--reference", "2010/2019"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20051216-20301116_anom-month.nc");
    let out = r.only();
    assert_eq!(dims(&out, "tas")[0], ("time".into(), 300));
    assert_eq!(attr(&out, "tas", "anomaly_reference_period").as_deref(), Some("2010/2019"));
    assert_eq!(attr(&out, "tas", "standard_name"), None);
    assert_eq!(values(&out, "time"), values(Path::new(&f), "time"), "time kept");
    // CDO holds the reference means as float32: differences of one float32 rounding of ~300 K.
    if let Some(v) = cdo(&["ymonsub", &f, "-ymonmean", "-selyear,2010/2019", &f], &c.path().join("a.nc"), "tas") {
        close(&values(&out, "tas"), &v, 3.1e-5, "ymonsub");
    }
    let want = numpy(
        "ds = xr.open_dataset(sys.argv[1], decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))\n\
         x = ds.tas.astype('float64')\n\
         ref = x.sel(time=x.time.dt.year.isin(range(2010, 2020))).groupby('time.month').mean()\n\
         print(' '.join(map(str, (x.groupby('time.month') - ref).values.ravel())))",
        &[&p(TAS5_ONE)],
    );
    if let Some(w) = want {
        close(&values(&out, "tas"), &w, 1.6e-5, "xarray groupby('time.month') - reference");
    }

    let run_ = ok("anomaly", std::slice::from_ref(&f), &["--reference", "2010/2019", "--relative"]);
    let out = run_.only();
    assert_eq!(attr(&out, "tas", "units").as_deref(), Some("1"));
    if let Some(v) = cdo(&["ymondiv", &f, "-ymonmean", "-selyear,2010/2019", &f], &c.path().join("r.nc"), "tas") {
        close(&values(&out, "tas"), &v, 2.4e-7, "ymondiv");
    }
    let d = data(MRSOS_DAY);
    let run_ = ok("anomaly", std::slice::from_ref(&d), &["--reference", "2006/2010", "--freq", "day"]);
    let out = run_.only();
    if let Some(v) = cdo(&["ydaysub", &d, "-ydaymean", "-selyear,2006/2010", &d], &c.path().join("d.nc"), "mrsos") {
        close(&values(&out, "mrsos"), &v, 4e-6, "ydaysub");
    }
    let run_ = ok("anomaly", std::slice::from_ref(&f), &["--reference", "2010/2019", "--freq", "season"]);
    let out = run_.only();
    if let Some(v) = cdo(&["yseassub", &f, "-yseasmean", "-selyear,2010/2019", &f], &c.path().join("s.nc"), "tas") {
        close(&values(&out, "tas"), &v, 3.1e-5, "yseassub");
    }
    let z = data(ZOSTOGA);
    let run_ = ok("anomaly", std::slice::from_ref(&z), &["--reference", "2006/2035"]);
    let out = run_.only();
    if let Some(v) = cdo(&["ymonsub", &z, "-ymonmean", "-selyear,2006/2035", &z], &c.path().join("z.nc"), "zostoga") {
        close(&values(&out, "zostoga"), &v, 1e-8, "ymonsub on a time series");
    }
}

#[test]
fn several_files_and_dataset_names() {
    let r = ok("stat-time", &[data(TAS5)], &["--stat", "max", "--freq", "year"]);
    assert_eq!(r.name(), "tas_mon_HadGEM2-ES_rcp85_r1i1p1_20050101-22990101_max-year.nc");
    assert_eq!(dims(&r.only(), "tas")[0], ("time".into(), 295));
    let r = ok("climatology", &[data(TAS5)], &["--years", "2071/2100", "--file-namer", "simple"]);
    assert_eq!(r.name(), "output_001.nc");
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_input_one_line_exit_2_nothing_written() {
    let f = || vec![data(TAS5_ONE)];
    let cases: [(&str, &[&str], &str); 11] = [
        (
            "climatology",
            &["--freq", "year"],
            "Time frequency for climatologies must be one of ['month', 'season', 'day'].",
        ),
        ("climatology", &["--years", "1990-2000"], "Invalid years '1990-2000'"),
        ("climatology", &["--years", "2010/2000"], "the first year is after the last"),
        (
            "climatology",
            &["--years", "1900/1950"],
            "No time steps in the years 1900/1950: the data cover 2005-12-16 to 2030-11-16.",
        ),
        ("anomaly", &[], "A reference period must be provided"),
        ("anomaly", &["--reference", "2100/2120"], "No time steps in the years 2100/2120"),
        ("anomaly", &["--reference", "2010/2019", "--freq", "week"], "Time frequency for climatologies"),
        ("stat-time", &[], "A statistic must be provided"),
        ("stat-time", &["--stat", "mode"], "Unknown statistic 'mode'"),
        ("stat-time", &["--stat", "p101"], "Percentile 'p101' is out of range"),
        ("stat-time", &["--stat", "max", "--freq", "decade"], "Time frequency for statistics must be one of"),
    ];
    for (cmd, args, msg) in cases {
        rookery(cmd, &f(), args).assert_fails(2, msg);
    }
    // A file without time.
    let fx = "badc/cmip6/data/CMIP6/ScenarioMIP/IPSL/IPSL-CM6A-LR/ssp119/r1i1p1f1/fx/mrsofc/gr/v20190410/mrsofc_fx_IPSL-CM6A-LR_ssp119_r1i1p1f1_gr.nc";
    rookery("stat-time", &[data(fx)], &["--stat", "max"]).assert_fails(2, "the dataset has no time coordinate");
    rookery("climatology", &[data(fx)], &[]).assert_fails(2, "Cannot compute a climatology");
}

#[test]
fn help_is_complete() {
    for (cmd, words) in [
        ("climatology", &["--freq", "--years", "ydaymean", "climatology_bnds"][..]),
        ("anomaly", &["--reference", "--relative", "divided by", "--freq"][..]),
        ("stat-time", &["--stat", "p90", "ddof 0", "linear", "--freq", "season"][..]),
    ] {
        let out = rookery_command().args([cmd, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for w in words {
            assert!(text.contains(w), "{cmd} --help mentions {w}: {text}");
        }
    }
}
