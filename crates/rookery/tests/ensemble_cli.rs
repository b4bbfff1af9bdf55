//! `rookery ensemble`: statistics across members, checked against CDO `ensmean`, `ensstd`,
//! `ensmin`, `ensmax` and numpy (`nanmean`, `nanstd` ddof 0, `nanmin`, `nanmax`,
//! `nanpercentile(..., method="linear")`) on members made from a mini-esgf file with missing
//! values, on the EC-Earth3 hindcast members named by dataset id, and bad input.

mod common;

use common::{data, dims, py, python, raw_values, rookery_command, run, values};
use std::path::{Path, PathBuf};
use std::process::Command;

const EC_R2: &str = "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215/tas_Amon_EC-Earth3_dcppA-hindcast_s1960-r2i1p1f1_gr_196011-196110.nc";
const ID_R2: &str = "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v20201215";
const ID_R6: &str = "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r6i2p1f1.Amon.tas.gr.v20200508";

/// `rookery ensemble`.
fn ensemble() -> Command {
    let mut c = rookery_command();
    c.arg("ensemble");
    c
}

/// Five members made from the EC-Earth3 r2i1p1f1 file (12 steps, 3 x 6 cells): the original
/// plus four perturbed copies with missing values (some cells missing in some members, cell
/// (0, 0) at step 3 missing in all), and the ill-matched files `cal.nc` (another calendar),
/// `var.nc` (another variable), `grid.nc` (one latitude fewer), `lats.nc` (shifted latitudes).
fn members(py_bin: &Path, dir: &Path) -> Vec<PathBuf> {
    py(
        py_bin,
        r#"
import sys, os, numpy as np, xarray as xr
src, out = sys.argv[1], sys.argv[2]
base = xr.open_dataset(src, decode_times=False)
rng = np.random.default_rng(21)
tas = base.tas.values.astype("float64")
for k in range(5):
    ds = base.copy(deep=True)
    v = tas + (0 if k == 0 else rng.normal(0, 1.5 * k, tas.shape))
    if k > 0:
        v[rng.random(tas.shape) < 0.15] = np.nan
    v[3, 0, 0] = np.nan
    ds["tas"] = (base.tas.dims, v.astype("float32"), base.tas.attrs)
    ds.tas.encoding = {"_FillValue": np.float32(1e20), "dtype": "float32"}
    ds.to_netcdf(os.path.join(out, f"m{k}.nc"))
m = xr.open_dataset(os.path.join(out, "m1.nc"), decode_times=False)
c = m.copy(deep=True); c.time.attrs["calendar"] = "360_day"; c.to_netcdf(os.path.join(out, "cal.nc"))
m.rename({"tas": "ts"}).to_netcdf(os.path.join(out, "var.nc"))
m.isel(lat=slice(0, 2)).to_netcdf(os.path.join(out, "grid.nc"))
l = m.copy(deep=True); l["lat"] = l.lat + 0.5; l.to_netcdf(os.path.join(out, "lats.nc"))
"#,
        &[&data(EC_R2), dir.to_str().expect("path")],
    );
    (0..5).map(|k| dir.join(format!("m{k}.nc"))).collect()
}

fn strs(p: &[PathBuf]) -> Vec<String> {
    p.iter().map(|x| x.to_string_lossy().into_owned()).collect()
}

/// Values with the fill value (1e20) as NaN.
fn decoded(path: &Path, var: &str) -> Vec<f64> {
    raw_values(path, var).into_iter().map(|x| if x > 1e19 { f64::NAN } else { x }).collect()
}

fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol;
        assert!(ok, "{what}[{i}]: rookery {x} vs {y}");
    }
}

#[test]
fn statistics_match_cdo_and_numpy_with_missing_values() {
    let Some(py_bin) = python() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let m = members(&py_bin, tmp.path());
    let r = run(ensemble(), &strs(&m), &["--stat", "mean,std,min,max,p10,p90,median"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.only();
    assert!(r.name().ends_with("_ens-stats.nc"), "{}", r.name());
    assert_eq!(dims(&out, "tas_p90"), vec![("time".to_string(), 12), ("lat".to_string(), 3), ("lon".to_string(), 6)]);
    // A cell missing in every member stays missing; a cell with one valid member has std 0.
    let mean = decoded(&out, "tas_mean");
    assert!(mean[3 * 18].is_nan());
    assert_eq!(mean.iter().filter(|x| x.is_nan()).count(), 1, "only the cell missing everywhere");
    let f = netcdf::open(&out).expect("open");
    let cm: String =
        f.variable("tas_std").and_then(|v| v.attribute_value("cell_methods")).map_or(String::new(), |a| match a {
            Ok(netcdf::AttributeValue::Str(s)) => s,
            _ => String::new(),
        });
    assert!(cm.ends_with("realization: standard_deviation"), "{cm}");
    drop(f);

    // numpy: every statistic, NaN-skipping, std ddof 0, percentiles method="linear".
    let report = py(
        &py_bin,
        r#"
import sys, numpy as np, netCDF4
out = sys.argv[1]; files = sys.argv[2:]
x = np.stack([netCDF4.Dataset(f).variables["tas"][:].filled(np.nan).astype("float64") for f in files])
o = netCDF4.Dataset(out)
want = {"mean": np.nanmean(x, 0), "std": np.nanstd(x, 0), "min": np.nanmin(x, 0), "max": np.nanmax(x, 0),
        "p10": np.nanpercentile(x, 10, axis=0, method="linear"), "p90": np.nanpercentile(x, 90, axis=0, method="linear"),
        "p50": np.nanpercentile(x, 50, axis=0, method="linear")}
worst = 0.0
for k, w in want.items():
    got = o.variables["tas_" + k][:].filled(np.nan).astype("float64")
    assert np.array_equal(np.isnan(got), np.isnan(w)), k
    d = np.nanmax(np.abs(got - w)); worst = max(worst, d)
    assert d < 1e-4, (k, d)
print(worst)
"#,
        &[&[out.to_string_lossy().into_owned()], strs(&m).as_slice()]
            .concat()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    eprintln!("numpy max abs difference: {}", report.trim());

    // CDO: ensmean, ensstd (ddof 0), ensmin, ensmax skip missing values the same way.
    let args_in: Vec<String> = strs(&m);
    for (op, stat) in [("ensmean", "mean"), ("ensstd", "std"), ("ensmin", "min"), ("ensmax", "max")] {
        let c = tmp.path().join(format!("{op}.nc"));
        let mut args = vec![op.to_string()];
        args.extend(args_in.iter().cloned());
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        if !common::cdo(&a, &c) {
            return;
        }
        let want: Vec<f64> = values(&c, "tas").1.into_iter().map(|x| if x > 1e19 { f64::NAN } else { x }).collect();
        assert_close(op, &decoded(&out, &format!("tas_{stat}")), &want, 1e-4);
    }
}

#[test]
fn dataset_ids_cut_to_a_common_window_and_refused_without_it() {
    let Some(py_bin) = python() else { return };
    let cfg = common::workspace().join("config/mini-esgf.ini");
    let with_cfg = || {
        let mut c = ensemble();
        c.env("ROOCS_CONFIG", &cfg);
        c
    };
    let ids = [ID_R2.to_string(), ID_R6.to_string()];
    let r = run(with_cfg(), &ids, &["--stat", "mean,p90"]);
    r.assert_fails(2, "ensemble members differ in time axis: 24 steps");
    assert!(r.stderr.contains(ID_R2) && r.stderr.contains(ID_R6), "{}", r.stderr);

    let r = run(with_cfg(), &ids, &["--stat", "mean,std,p90", "--time", "1960-11/1961-12"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.name(), "tas_Amon_EC-Earth3_dcppA-hindcast_r2i1p1f1_gr_19601116-19611216_ens-stats.nc");
    let out = r.only();
    let report = py(
        &py_bin,
        r#"
import sys, glob, numpy as np, xarray as xr
out, a, b = sys.argv[1:4]
xs = [xr.concat([xr.open_dataset(f) for f in sorted(glob.glob(d + "/*.nc"))], "time").tas.sel(time=slice("1960-11", "1961-12")).values for d in (a, b)]
x = np.stack(xs).astype("float64")
o = xr.open_dataset(out)
assert o.time.size == 14
for k, w in {"mean": np.nanmean(x, 0), "std": np.nanstd(x, 0), "p90": np.nanpercentile(x, 90, axis=0, method="linear")}.items():
    d = float(np.nanmax(np.abs(o["tas_" + k].values - w)))
    assert d < 1e-4, (k, d)
print("ok")
"#,
        &[
            out.to_str().expect("path"),
            &data("badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215"),
            &data("badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r6i2p1f1/Amon/tas/gr/v20200508"),
        ],
    );
    assert_eq!(report.trim(), "ok");
}

#[test]
fn bad_input_fails_with_one_line_and_writes_nothing() {
    let Some(py_bin) = python() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let m = members(&py_bin, tmp.path());
    let f = |n: &str| tmp.path().join(n).to_string_lossy().into_owned();
    let m0 = m[0].to_string_lossy().into_owned();
    run(ensemble(), std::slice::from_ref(&m0), &[]).assert_fails(2, "need at least two members, got 1");
    run(ensemble(), &[m0.clone(), f("m1.nc")], &["--stat", "mean,mode"]).assert_fails(2, "unknown statistic 'mode'");
    run(ensemble(), &[m0.clone(), f("m1.nc")], &["--stat", "p120"]).assert_fails(2, "between p0 and p100");
    let r = run(ensemble(), &[m0.clone(), f("cal.nc")], &[]);
    r.assert_fails(2, "ensemble members differ in calendar: standard");
    assert!(r.stderr.contains("cal.nc") && r.stderr.contains("m0.nc"), "{}", r.stderr);
    run(ensemble(), &[m0.clone(), f("var.nc")], &[]).assert_fails(2, "ensemble members differ in variable: tas");
    run(ensemble(), &[m0.clone(), f("m1.nc"), f("grid.nc")], &[])
        .assert_fails(2, "ensemble members differ in grid of tas: lat=3,lon=6");
    run(ensemble(), &[m0.clone(), f("lats.nc")], &[]).assert_fails(2, "the values of lat differ");
    run(ensemble(), &[m0, f("m1.nc")], &["--time", "1990/1991"]).assert_fails(2, "");
}

const MRSOS1: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201.nc";

/// `rookery CMD` with the roocs-grids directory and a weights directory.
fn with_grids(cmd: &str, weights: &Path) -> Command {
    let mut c = rookery_command();
    c.env("ROOKERY_GRIDS_DIR", common::shared("grids")).arg(cmd).arg("--weights-dir").arg(weights);
    c
}

/// The mean of two members with missing values skipped (the fill value 1e20 as missing).
fn nan_mean(a: &[f64], b: &[f64]) -> Vec<f64> {
    let m = |x: f64| if x.is_nan() || x > 1e19 { None } else { Some(x) };
    a.iter()
        .zip(b)
        .map(|(x, y)| match (m(*x), m(*y)) {
            (Some(x), Some(y)) => (x + y) / 2.0,
            (Some(v), None) | (None, Some(v)) => v,
            (None, None) => f64::NAN,
        })
        .collect()
}

#[test]
fn members_on_different_grids_are_regridded_with_grid() {
    let w = tempfile::tempdir().expect("weights");
    // A second member on a 5° grid: the HadGEM2-ES file regridded by `rookery regrid`.
    let a = data(MRSOS1);
    let r5 = run(with_grids("regrid", w.path()), std::slice::from_ref(&a), &["--method", "bilinear", "--grid", "5"]);
    assert_eq!(r5.code, 0, "{}", r5.stderr);
    let b = r5.only().to_string_lossy().into_owned();
    let members = [a.clone(), b.clone()];

    // Without --grid: refused, suggesting --grid.
    let mut c = rookery_command();
    c.arg("ensemble");
    run(c, &members, &["--stat", "mean"]).assert_fails(2, "differ in grid of mrsos: lat=145,lon=192");
    let mut c = rookery_command();
    c.arg("ensemble");
    run(c, &members, &["--stat", "mean"]).assert_fails(2, "with --grid");

    // With --grid: the mean of the members each regridded by `rookery regrid`.
    let r = run(
        with_grids("ensemble", w.path()),
        &members,
        &["--stat", "mean,max", "--grid", "2pt5deg", "--method", "bilinear"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.only();
    let left: Vec<_> = std::fs::read_dir(r.dir.path()).expect("dir").map(|e| e.expect("entry").path()).collect();
    assert_eq!(left, vec![out.clone()], "only the output remains (no temporary directory)");
    assert_eq!(
        dims(&out, "mrsos_mean"),
        vec![("time".to_string(), 1), ("lat".to_string(), 72), ("lon".to_string(), 144)]
    );
    let ra =
        run(with_grids("regrid", w.path()), std::slice::from_ref(&a), &["--method", "bilinear", "--grid", "2pt5deg"]);
    let rb =
        run(with_grids("regrid", w.path()), std::slice::from_ref(&b), &["--method", "bilinear", "--grid", "2pt5deg"]);
    assert_eq!((ra.code, rb.code), (0, 0), "{} {}", ra.stderr, rb.stderr);
    let want = nan_mean(&raw_values(&ra.only(), "mrsos"), &raw_values(&rb.only(), "mrsos"));
    let got = decoded(&out, "mrsos_mean");
    assert!(want.iter().filter(|x| !x.is_nan()).count() > 1000, "a land field");
    for (i, (x, y)) in got.iter().zip(&want).enumerate() {
        let ok = (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-6 * y.abs().max(1.0);
        assert!(ok, "mrsos_mean[{i}]: {x} vs {y}");
    }

    // A failure after the regridding (members differing in variable) leaves nothing behind.
    let ec = data(EC_R2);
    run(with_grids("ensemble", w.path()), &[a.clone(), ec], &["--grid", "2pt5deg", "--method", "bilinear"])
        .assert_fails(2, "ensemble members differ in variable: mrsos");
    // A bad regridding request fails before anything is written.
    run(with_grids("ensemble", w.path()), &[a.clone(), b.clone()], &["--grid", "2pt5deg", "--method", "patch"])
        .assert_fails(2, "'patch' is not available");
    run(with_grids("ensemble", w.path()), &[a, b], &["--grid", "nogrid"]).assert_fails(2, "");
}
