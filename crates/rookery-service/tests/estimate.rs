//! Pre-flight estimates: `dry_run=true` answers the estimate of a request without queueing
//! it; with `max_read_bytes` set, a request estimated over it is refused at submission (413,
//! the estimate in the message, nothing queued, audited) and one under it runs.

mod common;
use common::*;
use serde_json::{json, Value};

const EC_EARTH: &str = "gws/nopw/j04/cp4cds1_vol1/data/c3s-cmip5/output1/ICHEC/EC-EARTH/historical/day/atmos/day/r1i1p1/tas/v20131231/tas_day_EC-EARTH_historical_r1i1p1_19600101-19691231.nc";

#[test]
fn dry_run_estimates_and_an_oversize_request_is_refused_before_queueing() {
    // The whole file decodes to about 0.2 MB: a limit of 100 kB refuses it, a one-year
    // subset (about 12 kB) passes.
    let s = start_configured(false, |c| c.max_read_bytes = 100_000);
    let key = s.key("alice", "execute,jobs");
    let auth = format!("Bearer {key}");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let file = data(EC_EARTH);
    let whole = json!({"inputs": {"collection": [file], "dims": "time"}}).to_string();
    let year = json!({"inputs": {"collection": [file], "time": "1961-01-01/1961-12-31"}}).to_string();

    let r = request("POST", &s.url("/processes/average/execution?dry_run=true"), &h, whole.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let e = &v["estimate"];
    assert_eq!(e["files"], 1, "{v}");
    let read = e["readBytes"].as_u64().unwrap();
    assert!(read > 100_000 && e["outputBytes"].as_u64().unwrap() < read, "{v}");
    assert_eq!(v["withinLimits"], false, "{v}");
    // Run time from the node's throughput: the default until a job has been measured.
    assert_eq!(e["throughput"]["measuredJobs"], 0, "{v}");
    assert!(e["seconds"].as_f64().is_some_and(|s| s > 0.0), "{v}");

    let r = request("POST", &s.url("/processes/subset/execution?dry_run=true"), &h, year.as_bytes());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["withinLimits"], true, "{v}");
    let small = v["estimate"]["readBytes"].as_u64().unwrap();
    assert!(small < read / 5, "{v}");

    // Nothing was queued by the dry runs.
    let jobs = |s: &Server| {
        let r = get_h(&s.url("/jobs"), &h[..1]);
        serde_json::from_slice::<Value>(&r.body).unwrap()["jobs"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(jobs(&s), 0);

    // Over the limit: refused at submission with the estimate, nothing queued.
    let r = request("POST", &s.url("/processes/average/execution"), &h, whole.as_bytes());
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("max_read_bytes") && r.text().contains("would read about"), "{}", r.text());
    assert_eq!(jobs(&s), 0);
    // WPS says the same.
    let q = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=average&datainputs=collection={};dims=time",
        enc(&file)
    );
    let r = get_h(&s.url(&q), &h[..1]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("FileSizeExceeded") && r.text().contains("max_read_bytes"), "{}", r.text());

    // Under it: runs, its status carrying the estimate.
    let r = request("POST", &s.url("/processes/subset/execution"), &h, year.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(jobs(&s), 1);
    let list: Value = serde_json::from_slice(&get_h(&s.url("/jobs"), &h[..1]).body).unwrap();
    let id = list["jobs"][0]["jobID"].as_str().unwrap().to_string();
    let st: Value = serde_json::from_slice(&get_h(&s.url(&format!("/jobs/{id}")), &h[..1]).body).unwrap();
    assert_eq!(st["estimate"]["readBytes"].as_u64(), Some(small), "{st}");

    // The `estimate` process (WPS, and OGC API alike) answers the same estimate.
    let q = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=estimate&datainputs=process=subset;collection={};time=1961-01-01/1961-12-31&RawDataOutput=estimate",
        enc(&file)
    );
    let r = get_h(&s.url(&q), &h[..1]);
    assert_eq!(r.status, 200, "{}", r.text());
    let w: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    assert_eq!(w["readBytes"].as_u64(), Some(small), "{w}");
    let body = json!({"inputs": {"process": "average", "collection": [file], "dims": "time"}}).to_string();
    let r = request("POST", &s.url("/processes/estimate/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let o: Value = serde_json::from_slice(&r.body).unwrap();
    let v: Value = serde_json::from_str(o["estimate"].as_str().unwrap_or_else(|| panic!("{o}"))).unwrap();
    assert_eq!(v["readBytes"].as_u64(), Some(read), "{v}");

    // A bad request's dry run is the same client error the job would give.
    let bad = json!({"inputs": {"collection": [file], "time": "1961-13-01/1961-12-31"}}).to_string();
    let r = request("POST", &s.url("/processes/subset/execution?dry_run=true"), &h, bad.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
}
