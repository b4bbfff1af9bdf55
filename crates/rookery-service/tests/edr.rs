//! OGC API – EDR on a real server on loopback over the shared test data: answers checked
//! independently by xarray/shapely/pandas and the CoverageJSON schema (tests/py/edr_check.py)
//! on a rectilinear, a curvilinear and a rotated-pole dataset; the 413 size limit; the
//! conformance classes claimed against the routes that answer; the OpenAPI document.

mod common;

use common::{get, Server};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Rectilinear, classic NetCDF, several files.
const TAS5: &str = "cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas";
/// Rectilinear global 96 x 192, two files of one step each.
const RECT: &str = "cmip6.CMIP.AWI.AWI-ESM-1-1-LR.1pctCO2.r1i1p1f1.Amon.tas.gn.v20200212";
/// Pressure levels (plev, 19), gregorian.
const LEV: &str = "cmip6.ScenarioMIP.MIROC.MIROC6.ssp119.r1i1p1f1.Amon.ta.gn.files.d20190807";
/// Curvilinear ocean grid (j, i) with 2-D latitude/longitude.
const TOS: &str = "cmip6.ScenarioMIP.HAMMOZ-Consortium.MPI-ESM-1-2-HAM.ssp370.r1i1p1f1.Omon.tos.gn.v20190628";
/// Rotated-pole grid (rlat, rlon).
const ROT: &str = "cordex.output.ANT-44.KNMI.ECMWF-ERAINT.evaluation.r1i1p1.DMI-HIRHAM5.v1.day.tas.v20201001";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json(r: &common::Resp) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

/// The Python of .venv-zarr with jsonschema/shapely/pandas (scripts/setup-edr.sh in CI).
fn python() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        let py = repo().join(".venv-zarr/bin/python");
        if std::env::var_os("CI").is_some() {
            for s in ["scripts/setup-pyzarr.sh", "scripts/setup-edr.sh"] {
                let st = std::process::Command::new("bash").arg(repo().join(s)).status().unwrap();
                assert!(st.success(), "{s} failed");
            }
        }
        let ok = py.exists()
            && std::process::Command::new(&py)
                .args(["-c", "import jsonschema, shapely, pandas, xarray"])
                .status()
                .is_ok_and(|s| s.success());
        ok.then_some(py)
    })
    .clone()
}

fn source_files(id: &str) -> Vec<PathBuf> {
    common::use_test_projects();
    let d = rookery_daops::Daops::new(rookery_daops::Config::load().unwrap()).unwrap();
    d.datasets(&[id.to_string()], None, None).unwrap().remove(0).files
}

fn check(s: &Server, id: &str, kind: &str, lon: f64, lat: f64) {
    let Some(py) = python() else {
        eprintln!(
            "NOTICE: .venv-zarr with jsonschema/shapely missing (scripts/setup-edr.sh); EDR answer checks skipped"
        );
        return;
    };
    let mut cmd = std::process::Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/edr_check.py"))
        .arg(format!("http://{}", s.addr))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edr/coveragejson.schema.json"))
        .arg(id)
        .arg(kind)
        .arg(lon.to_string())
        .arg(lat.to_string())
        .args(source_files(id));
    let o = common::output_within(&mut cmd, Duration::from_secs(300));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{id}: {out}\n{}", String::from_utf8_lossy(&o.stderr));
    eprint!("{out}");
}

#[test]
fn rectilinear_answers_match_xarray() {
    let s = common::start(true);
    check(&s, RECT, "rect", 1.0, 51.0);
    check(&s, LEV, "levels", 10.0, 0.0);
}

#[test]
fn curvilinear_and_rotated_pole_positions() {
    let s = common::start(true);
    check(&s, TOS, "curv", -30.0, 40.0);
    check(&s, ROT, "curv", 0.0, -75.0);
}

#[test]
fn metadata_and_conformance_against_routes() {
    let s = common::start(true);
    let c = json(&get(&s.url(&format!("/edr/collections/{TAS5}"))));
    assert_eq!(c["id"], TAS5);
    assert!(c["parameter_names"]["tas"]["unit"]["symbol"].as_str() == Some("K"), "{c}");
    assert_eq!(c["parameter_names"]["tas"]["observedProperty"]["label"]["en"], "air_temperature");
    assert_eq!(c["extent"]["spatial"]["bbox"].as_array().unwrap().len(), 1);
    assert!(c["extent"]["temporal"]["interval"][0][0].as_str().unwrap().ends_with('Z'));
    assert_eq!(c["extent"]["temporal"]["calendar"], "360_day");
    for q in ["position", "area", "cube", "radius"] {
        assert!(c["data_queries"][q]["link"]["href"].as_str().unwrap().ends_with(&format!("/{q}")));
    }
    let l = json(&get(&s.url("/edr/collections?limit=2")));
    assert_eq!(l["collections"].as_array().unwrap().len(), 2);
    // The conformance classes claimed, each with what proves it.
    let conf = json(&get(&s.url("/edr/conformance")));
    let claimed: Vec<String> =
        conf["conformsTo"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let pos = format!("/edr/collections/{TAS5}/position?coords=POINT(1%2051)");
    for class in &claimed {
        let tail = class.rsplit("/conf/").next().unwrap();
        let checks: Vec<(String, &str)> = match tail {
            "core" => vec![("/edr".into(), "application/json"), (pos.clone(), "application/prs.coverage+json")],
            "landing-page" => vec![("/edr".into(), "application/json")],
            "collections" => vec![
                ("/edr/collections".into(), "application/json"),
                (format!("/edr/collections/{TAS5}"), "application/json"),
            ],
            "json" => vec![("/edr/conformance".into(), "application/json")],
            "geojson" => vec![(format!("{pos}&f=geojson"), "application/geo+json")],
            "covjson" => vec![(pos.clone(), "application/prs.coverage+json")],
            "oas30" => vec![("/edr/api".into(), "application/vnd.oai.openapi+json")],
            other => panic!("conformance class {class} ({other}) has no check: claimed but not tested"),
        };
        for (path, ct) in checks {
            let r = get(&s.url(&path));
            assert_eq!(r.status, 200, "{class}: {path}: {}", r.text());
            let got = r.header("content-type").unwrap_or_default().to_string();
            assert!(got.starts_with(ct), "{class}: {path}: content type {got}");
        }
    }
    // The OpenAPI document lists exactly the routes that answer.
    let api = json(&get(&s.url("/edr/api")));
    let paths: Vec<String> = api["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(paths.len(), 9, "{paths:?}");
    for p in &paths {
        let url = p.replace("{collectionId}", RECT);
        let q = if url.ends_with("/cube") {
            "?bbox=0,40,10,60"
        } else if url.ends_with("/radius") {
            "?coords=POINT(1%2051)&within=300&within-units=km"
        } else if url.ends_with("/position") {
            "?coords=POINT(1%2051)"
        } else if url.ends_with("/area") {
            "?coords=POLYGON((0%2040,%2010%2040,%2010%2060,%200%2040))"
        } else {
            ""
        };
        let r = get(&s.url(&format!("{url}{q}")));
        assert_eq!(r.status, 200, "{p} is listed: {}", r.text());
    }
    for missing in ["items", "locations", "trajectory", "corridor"] {
        assert!(!paths.iter().any(|p| p.ends_with(missing)));
        let r = get(&s.url(&format!("/edr/collections/{TAS5}/{missing}")));
        assert_eq!(r.status, 404, "{missing}: {}", r.text());
    }
}

#[test]
fn answers_over_the_limit_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = common::config(tmp.path(), true);
    cfg.max_answer_bytes = 1000;
    let s = common::start_with(cfg);
    let r = get(&s.url(&format!("/edr/collections/{TAS5}/cube?bbox=-180,-90,180,90")));
    assert_eq!(r.status, 413, "{}", r.text());
    let e = json(&r);
    assert!(e["description"].as_str().unwrap().contains("max_answer_bytes"), "{e}");
    assert!(e["description"].as_str().unwrap().contains("bytes ("), "{e}");
    // A small answer still fits.
    let r = get(&s.url(&format!("/edr/collections/{TAS5}/position?coords=POINT(1%2051)&datetime=2005-12-16")));
    assert_eq!(r.status, 200, "{}", r.text());
    // Unknown dataset: 404; access rules as the data API: a closed server wants a key.
    assert_eq!(get(&s.url("/edr/collections/cmip5.no.such/position?coords=POINT(1%202)")).status, 404);
    let closed = common::start(false);
    let r = get(&closed.url(&format!("/edr/collections/{TAS5}/position?coords=POINT(1%2051)")));
    assert_eq!(r.status, 401, "{}", r.text());
}
