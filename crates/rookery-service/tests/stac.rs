//! `/stac` on a real server on loopback over the shared test data, read by PyPI
//! pystac-client (tests/py/stac_check.py: collections, id search, an item's time range and
//! bounding box against xarray on the files, its Zarr asset's values, paging); access as the
//! data API's (no listing without `data:read` on a closed node); STAC documents' shapes.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Rectilinear global 96 x 192, two files of one step each.
const RECT: &str = "cmip6.CMIP.AWI.AWI-ESM-1-1-LR.1pctCO2.r1i1p1f1.Amon.tas.gn.v20200212";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<PathBuf> {
    let py = repo().join(".venv-zarr/bin/python");
    if std::env::var_os("CI").is_some() {
        for s in ["scripts/setup-pyzarr.sh", "scripts/setup-stac.sh"] {
            let st = std::process::Command::new("bash").arg(repo().join(s)).status().unwrap();
            assert!(st.success(), "{s} failed");
        }
    }
    let ok = py.exists()
        && std::process::Command::new(&py)
            .args(["-c", "import pystac_client, xarray, zarr"])
            .status()
            .is_ok_and(|s| s.success());
    ok.then_some(py)
}

fn json(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

#[test]
fn pystac_client_searches_the_index_and_opens_an_asset() {
    let s = start(true);
    let landing = json(&get(&s.url("/stac")));
    assert_eq!(landing["type"], "Catalog");
    assert!(landing["conformsTo"].as_array().unwrap().iter().any(|c| c.as_str().unwrap().ends_with("item-search")));
    let item = json(&get(&s.url(&format!("/stac/collections/cmip6/items/{RECT}"))));
    assert_eq!(item["type"], "Feature", "{item}");
    assert_eq!(item["id"], RECT);
    assert!(item["assets"]["zarr"]["href"].as_str().unwrap().ends_with(&format!("/datasets/{RECT}/zarr")), "{item}");
    // A dataset in another collection, an unknown one, a bad search body: client errors.
    assert_eq!(get(&s.url(&format!("/stac/collections/cmip5/items/{RECT}"))).status, 404);
    assert_eq!(get(&s.url("/stac/collections/nope/items")).status, 404);
    assert_eq!(request("POST", &s.url("/stac/search"), &[("Content-Type", "application/json")], b"[1]").status, 400);
    let found = json(&request(
        "POST",
        &s.url("/stac/search"),
        &[("Content-Type", "application/json")],
        format!("{{\"ids\": [\"{RECT}\"]}}").as_bytes(),
    ));
    assert_eq!(found["features"].as_array().map(Vec::len), Some(1), "{found}");

    let Some(py) = python() else {
        eprintln!(
            "NOTICE: .venv-zarr with pystac-client missing (scripts/setup-stac.sh); pystac-client checks skipped"
        );
        return;
    };
    use_test_projects();
    let d = rookery_daops::Daops::new(rookery_daops::Config::load().unwrap()).unwrap();
    let files = d.datasets(&[RECT.to_string()], None, None).unwrap().remove(0).files;
    let mut cmd = std::process::Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/stac_check.py"))
        .arg(format!("http://{}", s.addr))
        .arg(RECT)
        .args(files);
    let o = output_within(&mut cmd, Duration::from_secs(300));
    assert!(o.status.success(), "{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    eprint!("{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn a_closed_node_lists_nothing_without_data_read() {
    let s = start(false);
    assert_eq!(get(&s.url("/stac/collections")).status, 401);
    assert_eq!(get(&s.url(&format!("/stac/collections/cmip6/items/{RECT}"))).status, 401);
    let key = s.key("reader", "data:read");
    let auth = format!("Bearer {key}");
    let r = get_h(&s.url("/stac/collections"), &[("Authorization", auth.as_str())]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(json(&r)["collections"].as_array().unwrap().iter().any(|c| c["id"] == "cmip6"));
}
