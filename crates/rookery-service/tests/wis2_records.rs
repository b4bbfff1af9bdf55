//! `/collections/discovery-metadata/items`: the WCMP2 records (roocs.ini `[wis2]`) served as
//! OGC API – Records, public on a server that is not open, JSON and HTML, one by id, an
//! unknown id a one-line JSON 404. (The records themselves pass pywcmp in
//! crates/rookery/tests/wis2_cli.rs.)

mod common;

use common::{get, get_h};
use std::path::Path;

#[test]
fn records_are_served_publicly() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let extra = tmp.join("wis2_records.ini");
    std::fs::write(
        &extra,
        "[wis2]\ncentre_id = xx-rookery-test\nlicence_url = https://creativecommons.org/licenses/by/4.0/\nprojects = cmip5\nscan = 3\n",
    )
    .expect("ini");
    let ini = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mini-esgf.ini");
    std::env::set_var("ROOCS_CONFIG", format!("{}:{}", ini.display(), extra.display()));
    let s = common::start(false);
    let r = get(&s.url("/collections/discovery-metadata/items"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    assert_eq!(v["type"], "FeatureCollection");
    let ids: Vec<&str> = v["features"].as_array().expect("features").iter().filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(&"urn:wmo:md:xx-rookery-test:cmip5"), "{ids:?}");
    assert!(ids.contains(&"urn:wmo:md:xx-rookery-test:process.subset"), "{ids:?}");
    assert_eq!(v["numberReturned"].as_u64(), Some(ids.len() as u64));

    let one = get(&s.url("/collections/discovery-metadata/items/urn:wmo:md:xx-rookery-test:cmip5"));
    assert_eq!(one.status, 200, "{}", one.text());
    let rec: serde_json::Value = serde_json::from_slice(&one.body).expect("JSON");
    assert_eq!(rec["properties"]["type"], "dataset");
    assert!(rec["links"].to_string().contains("/datasets?project=cmip5"));

    let html = get_h(&s.url("/collections/discovery-metadata/items"), &[("Accept", "text/html")]);
    assert_eq!(html.status, 200);
    assert!(html.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    assert!(html.text().contains("urn:wmo:md:xx-rookery-test:process.subset"));

    let missing = get(&s.url("/collections/discovery-metadata/items/urn:wmo:md:xx-rookery-test:nope"));
    assert_eq!(missing.status, 404);
    assert!(missing.text().starts_with("{\"code\":\"NotFound\"") && !missing.text().contains('\n'));
}
