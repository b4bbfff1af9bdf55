//! WMO WIS 2.0 documents: `rookery wis2 records` writes WCMP2 records (the cmip5 project of
//! the shared data and every process) that the WMO's own test suite, PyPI `pywcmp`
//! (`pywcmp ets validate`, offline bundle ../shared/data/pywcmp-bundle), passes, with the
//! extents of the data; `rookery wis2 notify` writes a WIS2 Notification Message that PyPI
//! `pywis-pubsub` (`pywis-pubsub ets validate`, offline schema
//! ../shared/data/pywis-pubsub-bundle) passes, whose sha512 is the file's (checked with
//! Python's hashlib). The validators come from scripts/setup-wis2.sh: set up when `CI` is set,
//! otherwise the test is skipped (loudly) without them.

mod common;
use common::{shared, workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

const TAS: &str = "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";

/// The venv's python with pywcmp and pywis-pubsub, or `None` (skip).
fn validators() -> Option<PathBuf> {
    let ws = workspace();
    if std::env::var_os("CI").is_some() {
        for s in ["scripts/setup-pyzarr.sh", "scripts/setup-wis2.sh"] {
            let st = Command::new("bash").arg(ws.join(s)).status().expect(s);
            assert!(st.success(), "{s} failed");
        }
    }
    let py = ws.join(".venv-zarr/bin/python");
    let ok = py.exists()
        && Command::new(&py).args(["-c", "import pywcmp, pywis_pubsub"]).status().is_ok_and(|s| s.success());
    if ok {
        Some(py)
    } else {
        assert!(std::env::var_os("CI").is_none(), "pywcmp / pywis-pubsub missing in .venv-zarr under CI");
        eprintln!("NOTICE: pywcmp / pywis-pubsub missing (run scripts/setup-wis2.sh); WIS2 test skipped");
        None
    }
}

/// A HOME holding the validators' offline bundles.
fn home(dir: &Path) -> PathBuf {
    let h = dir.join("home");
    std::fs::create_dir_all(&h).expect("home");
    for (from, to) in [("pywcmp-bundle", ".pywcmp"), ("pywis-pubsub-bundle", ".pywis-pubsub")] {
        let st = Command::new("cp").arg("-r").arg(shared(from)).arg(h.join(to)).status().expect("cp");
        assert!(st.success());
    }
    h
}

fn config(dir: &Path) -> PathBuf {
    let base = shared("mini-esgf/badc/cmip5/data/cmip5").canonicalize().expect("shared data");
    let p = dir.join("roocs.ini");
    std::fs::write(
        &p,
        format!(
            "[project:cmip5]\nbase_dir = {}\n\n[wis2]\ncentre_id = xx-rookery-test\nbase_url = https://rookery.example.org/\n\
             licence_url = https://creativecommons.org/licenses/by/4.0/\ncontact_email = data@example.org\n\
             broker = mqtts://broker.example.org\nprojects = cmip5\nscan = 50\n",
            base.display()
        ),
    )
    .expect("config");
    p
}

fn rookery(cfg: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rookery"))
        .args(args)
        .env("ROOCS_CONFIG", cfg)
        .env_remove("ROOKERY_WIS2_CENTRE_ID")
        .output()
        .expect("run rookery")
}

/// Runs a validator's `ets validate` on `file`; its report must count no failure.
fn validate(py: &Path, home: &Path, tool: &str, file: &Path) {
    let exe = py.parent().expect("bin").join(tool);
    let o = Command::new(exe).args(["ets", "validate"]).arg(file).env("HOME", home).output().expect(tool);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{tool} ets validate {}: {out}\n{}",
        file.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let json = &out[out.find('{').expect("report")..];
    let v: serde_json::Value = serde_json::from_str(json).expect("report JSON");
    let summary = v.get("ets-report").map_or(&v["summary"], |r| &r["summary"]);
    assert_eq!(summary["FAILED"], 0, "{tool} {}: {out}", file.display());
    assert!(summary["PASSED"].as_u64().unwrap_or(0) > 3, "{tool}: {out}");
}

#[test]
fn records_and_notifications_pass_the_wmo_test_suites() {
    let Some(py) = validators() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path());
    let home = home(dir.path());
    let out = dir.path().join("records");
    let o = rookery(&cfg, &["wis2", "records", "--output", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out).expect("records").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() > 5, "{files:?}");
    for f in &files {
        validate(&py, &home, "pywcmp", f);
    }
    // The project's record: extents from the data, the CF standard names, the licence link.
    let rec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("urn_wmo_md_xx-rookery-test_cmip5.json")).expect("cmip5 record"),
    )
    .expect("json");
    assert_eq!(rec["properties"]["type"], "dataset");
    assert_eq!(rec["properties"]["wmo:dataPolicy"], "recommended");
    // The 15 cmip5 datasets of the shared data span 1850-01 (historical) to 2300-12 (rcp85
    // tas); monthly and other frequencies mixed: no single resolution.
    assert_eq!(rec["time"]["interval"], serde_json::json!(["1850-01-16", "2300-12-16"]));
    assert!(rec["time"].get("resolution").is_none(), "{}", rec["time"]);
    assert_eq!(rec["geometry"]["coordinates"][0][2], serde_json::json!([180.0, 90.0]));
    assert_eq!(rec["geometry"]["coordinates"][0][0], serde_json::json!([-180.0, -90.0]));
    assert!(rec["properties"]["description"].as_str().expect("description").starts_with("15 datasets"));
    let themes = rec["properties"]["themes"].to_string();
    assert!(themes.contains("air_temperature") && themes.contains("climate"), "{themes}");
    let links = rec["links"].to_string();
    assert!(links.contains("https://rookery.example.org/datasets?project=cmip5"), "{links}");
    assert!(
        links.contains("\"license\"")
            && links.contains("origin/a/wis2/xx-rookery-test/data/recommended/climate/experimental"),
        "{links}"
    );
    // A process record.
    let sub: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("urn_wmo_md_xx-rookery-test_process.subset.json")).expect("subset record"),
    )
    .expect("json");
    assert_eq!(sub["properties"]["type"], "process");
    assert!(sub["links"].to_string().contains("https://rookery.example.org/processes/subset"));

    // A notification for a product file.
    let file = shared(TAS).join("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc");
    let o = rookery(
        &cfg,
        &[
            "wis2",
            "notify",
            file.to_str().expect("utf8"),
            "--product",
            "tas-monthly",
            "--url",
            "https://rookery.example.org/outputs/x/tas.nc",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("notify JSON");
    assert_eq!(v["topic"], "origin/a/wis2/xx-rookery-test/data/recommended/climate/experimental/tas-monthly");
    let msg = dir.path().join("message.json");
    std::fs::write(&msg, v["message"].to_string()).expect("message");
    validate(&py, &home, "pywis-pubsub", &msg);
    let m = &v["message"];
    assert_eq!(m["properties"]["metadata_id"], "urn:wmo:md:xx-rookery-test:tas-monthly");
    assert_eq!(m["links"][0]["rel"], "canonical");
    assert!(m["properties"]["start_datetime"].as_str().expect("start").ends_with('Z'));
    let o = Command::new(&py)
        .args(["-c", "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],'rb').read()).digest()).decode())"])
        .arg(&file)
        .output()
        .expect("python");
    assert_eq!(m["properties"]["integrity"]["value"].as_str(), Some(String::from_utf8_lossy(&o.stdout).trim()));
    assert_eq!(m["properties"]["integrity"]["method"], "sha512");

    // Configuration mistakes are one-line request errors.
    std::fs::write(dir.path().join("bad.ini"), "[wis2]\ncentre_id = Not Valid\n").expect("bad");
    let o = rookery(&dir.path().join("bad.ini"), &["wis2", "records", "--output", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("centre_id 'Not Valid'"));
}
