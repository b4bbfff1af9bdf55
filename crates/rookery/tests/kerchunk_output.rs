//! What rookery writes for other tools: Kerchunk references from `rookery kerchunk` and Zarr
//! stores from `--output-format zarr|zarr2` are opened by Python fsspec/xarray/zarr-python
//! (the venv of scripts/setup-pyzarr.sh; set up when `CI` is set, otherwise the Python checks
//! are skipped without it) with the same decoded values as the NetCDF files; rookery reads its
//! own Zarr outputs back with the same values as its NetCDF outputs.

mod common;
use common::{python, values, workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

const TA: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";
const TAS_CLASSIC: &str =
    "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";
/// With a text variable (`type`), which the references embed.
const SICONC_TEXT: &str = "mini-esgf/badc/cmip6/data/CMIP6/CMIP/BCC/BCC-ESM1/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_BCC-ESM1_historical_r1i1p1f1_gn_185001-201412.nc";
/// Curvilinear ocean grid with land cells missing.
const TOS: &str = "mini-esgf/badc/cmip6/data/CMIP6/CMIP/MPI-M/MPI-ESM1-2-LR/historical/r1i1p1f1/Omon/tos/gn/v20190710/tos_Omon_MPI-ESM1-2-LR_historical_r1i1p1f1_gn_185001-186912.nc";
const PSL_CORDEX: &str = "mini-esgf/gws/nopw/j04/cp4cds1_vol1/data/c3s-cordex/output/EUR-11/IPSL/MOHC-HadGEM2-ES/rcp85/r1i1p1/IPSL-WRF381P/v1/day/psl/v20190212";

fn data(rel: &str) -> PathBuf {
    workspace().join("../shared/data").join(rel).canonicalize().expect("shared data")
}

fn rookery(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rookery"))
        .args(args)
        .env("ROOCS_CONFIG", workspace().join("config/mini-esgf.ini"))
        .output()
        .expect("run rookery")
}

fn ok(args: &[&str]) -> String {
    let o = rookery(args);
    assert!(o.status.success(), "rookery {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn check(py: &Path, args: &[&str]) {
    let script = workspace().join("crates/rookery/tests/py/check_outputs.py");
    let o = Command::new(py).arg(script).args(args).output().expect("python");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "check_outputs.py {args:?}: {out}\n{}", String::from_utf8_lossy(&o.stderr));
    eprint!("{out}");
}

fn nc_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nc"))
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn references_written_by_rookery_open_in_fsspec_and_xarray() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = |n: &str| tmp.path().join(n).to_string_lossy().to_string();
    let ta = data(TA).to_string_lossy().to_string();
    let classic = nc_files(&data(TAS_CLASSIC));
    let cordex = nc_files(&data(PSL_CORDEX));
    // One NetCDF-4 file in each reference form; one classic file; two datasets combined.
    let cases: Vec<(String, Vec<String>)> = vec![
        (t("ta.json"), vec![ta.clone()]),
        (t("ta.json.zst"), vec![ta.clone()]),
        (t("ta.parq"), vec![ta.clone()]),
        (t("tas1.json"), vec![classic[0].clone()]),
        (t("siconc.json"), vec![data(SICONC_TEXT).to_string_lossy().to_string()]),
        (t("tas_all.json"), classic.clone()),
        (t("tas_all.parq"), classic.clone()),
        (t("psl_all.json"), cordex.clone()),
    ];
    for (out, inputs) in &cases {
        let mut args = vec!["kerchunk", "--output", out.as_str()];
        args.extend(inputs.iter().map(String::as_str));
        let printed = ok(&args);
        assert_eq!(printed.trim(), out.as_str());
        // rookery reads its references back: `info` lists the combined time range.
        let info = ok(&["info", out.as_str()]);
        assert!(info.contains("variables:"), "{info}");
    }
    // The same subset from the combined references and from the files.
    let a = tmp.path().join("from_refs");
    let b = tmp.path().join("from_files");
    for (input, dir) in [(t("tas_all.parq"), &a), (data(TAS_CLASSIC).to_string_lossy().to_string(), &b)] {
        ok(&[
            "subset",
            &input,
            "--time",
            "2010-01-01/2030-12-30",
            "--area",
            "0,-10,120,40",
            "--output-dir",
            &dir.to_string_lossy(),
            "--file-namer",
            "simple",
        ]);
    }
    assert_eq!(values(&a.join("output_001.nc"), "tas"), values(&b.join("output_001.nc"), "tas"));

    let Some(py) = python() else { return };
    for (out, inputs) in &cases {
        let mut args = vec!["refs", out.as_str()];
        args.extend(inputs.iter().map(String::as_str));
        check(&py, &args);
    }
}

#[test]
fn url_prefix_and_bad_requests() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ta = data(TA).to_string_lossy().to_string();
    let out = tmp.path().join("r.json").to_string_lossy().to_string();
    ok(&[
        "kerchunk",
        &ta,
        "--output",
        &out,
        "--url-prefix",
        "https://node.example/thredds/fileServer/cmip6/",
        "--inline-threshold",
        "0",
    ]);
    let text = std::fs::read_to_string(&out).expect("refs");
    assert!(
        text.contains(
            "https://node.example/thredds/fileServer/cmip6/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc"
        ),
        "{}",
        &text[..text.len().min(400)]
    );
    assert!(!text.contains("/work/"), "local paths leaked into prefixed references");
    // Bad requests: one line, exit code 2 for the request, nothing written.
    let bad = [
        vec!["kerchunk", ta.as_str(), "--output", "refs.txt"],
        vec!["kerchunk", "/nonexistent/x.nc", "--output", "/tmp/never.json"],
        vec!["kerchunk", "http://127.0.0.1:9/x.nc", "--output", "/tmp/never.json"],
    ];
    for args in bad {
        let o = rookery(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!Path::new("/tmp/never.json").exists());
}

#[test]
fn zarr_outputs_equal_netcdf_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ta = data(TA).to_string_lossy().to_string();
    let classic = data(TAS_CLASSIC).to_string_lossy().to_string();
    let mut checks: Vec<(String, String)> = Vec::new();
    // subset (NetCDF-4 input, levels and area; curvilinear with missing cells), average-time
    // and weighted-average (classic input).
    let tos = data(TOS).to_string_lossy().to_string();
    let ops: Vec<Vec<String>> = vec![
        vec!["subset".into(), tos, "--time".into(), "1850-01-01/1851-12-30".into()],
        vec![
            "subset".into(),
            ta.clone(),
            "--time".into(),
            "2016-03-01/2019-02-28".into(),
            "--area".into(),
            "0,-90,200,90".into(),
            "--level".into(),
            "100000/50000".into(),
        ],
        vec!["average-time".into(), classic.clone(), "--freq".into(), "year".into()],
        vec!["weighted-average".into(), classic],
    ];
    for (i, op) in ops.iter().enumerate() {
        let mut outs = Vec::new();
        for fmt in ["nc", "zarr", "zarr2"] {
            let dir = tmp.path().join(format!("{i}_{fmt}"));
            let mut args: Vec<&str> = op.iter().map(String::as_str).collect();
            let d = dir.to_string_lossy().to_string();
            args.extend(["--output-dir", &d, "--output-format", fmt]);
            let printed = ok(&args);
            let files: Vec<String> = printed.lines().map(str::to_string).collect();
            assert_eq!(files.len(), 1, "{op:?} {fmt}: {printed}");
            let ext = if fmt == "nc" { ".nc" } else { ".zarr" };
            assert!(files[0].ends_with(ext), "{}", files[0]);
            assert!(Path::new(&files[0]).exists());
            // No temporary directories left beside the output.
            let entries = std::fs::read_dir(&dir).expect("dir").count();
            assert_eq!(entries, 1, "{fmt}: leftovers in {}", dir.display());
            outs.push(files[0].clone());
        }
        // rookery reads its Zarr stores back: the same subset of every form is identical.
        let main = ["tos", "ta", "tas", "tas"][i];
        let mut back = Vec::new();
        for (j, o) in outs.iter().enumerate() {
            let dir = tmp.path().join(format!("{i}_back{j}"));
            ok(&["subset", o, "--output-dir", &dir.to_string_lossy(), "--file-namer", "simple"]);
            back.push(values(&dir.join("output_001.nc"), main));
            if i == 0 {
                let (_, v) = back.last().expect("values");
                assert!(v.iter().any(|x| *x > 1e19), "{o}: the land cells are no longer missing");
            }
        }
        assert_eq!(back[0], back[1], "{op:?}: zarr v3 differs from NetCDF");
        assert_eq!(back[0], back[2], "{op:?}: zarr v2 differs from NetCDF");
        checks.push((outs[1].clone(), outs[0].clone()));
        checks.push((outs[2].clone(), outs[0].clone()));
    }
    let Some(py) = python() else { return };
    for (store, nc) in &checks {
        check(&py, &["zarr", store, nc]);
    }
}
