//! OGC API – Processes 1.0 with plain HTTP: landing, conformance, OpenAPI, processes, sync and
//! async execution, jobs (list, status, results, dismiss), owners and bad input.

mod common;
use common::*;
use serde_json::{json, Value};

fn j(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

#[test]
fn discovery_documents() {
    let s = start(false);
    let l = j(&get(&s.url("/")));
    assert!(l["links"].as_array().unwrap().iter().any(|x| x["rel"] == "service-desc"));
    let c = j(&get(&s.url("/conformance")));
    let conf: Vec<&str> = c["conformsTo"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for k in ["core", "ogc-process-description", "json", "html", "oas30", "job-list", "dismiss"] {
        assert!(conf.iter().any(|u| u.ends_with(&format!("/conf/{k}"))), "{k}");
    }
    let api = j(&get(&s.url("/api")));
    assert!(api["openapi"].as_str().unwrap().starts_with("3.0"));
    assert!(api["paths"]["/processes/subset/execution"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["properties"]["inputs"]["properties"]["time"]
        .is_object());
    let ps = j(&get(&s.url("/processes")));
    let ids: Vec<&str> = ps["processes"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![
            "health",
            "usage",
            "dashboard",
            "subset",
            "average_time",
            "average",
            "average_shape",
            "weighted_average",
            "concat",
            "regrid",
            "subset_point",
            "ensemble_stats",
            "orchestrate",
            "climatology",
            "anomaly",
            "stat_time",
            "estimate"
        ]
    );
    let d = j(&get(&s.url("/processes/subset")));
    assert_eq!(d["inputs"]["collection"]["minOccurs"], 1);
    assert_eq!(d["inputs"]["apply_fixes"]["schema"]["default"], true);
    assert_eq!(d["outputs"]["output"]["schema"]["contentMediaType"], "application/metalink+xml; version=4.0");
    let r = get(&s.url("/processes/nope"));
    assert_eq!(r.status, 404);
    assert!(j(&r)["type"].as_str().unwrap().ends_with("no-such-process"));
    let html = get_h(&s.url("/"), &[("Accept", "text/html")]);
    assert!(html.header("content-type").unwrap().starts_with("text/html"));
}

#[test]
fn regrid_process() {
    std::env::set_var(
        "ROOKERY_GRIDS_DIR",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/grids"),
    );
    let s = start(true);
    let h = [("Content-Type", "application/json")];
    let run = |inputs: Value| {
        request("POST", &s.url("/processes/regrid/execution"), &h, json!({ "inputs": inputs }).to_string().as_bytes())
    };
    let r = run(json!({"collection": rlds(), "method": "conservative", "grid": "2pt5deg"}));
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    assert!(meta.contains("_regrid-conservative-72x144_cells_grid.nc"), "{meta}");
    let r = run(json!({"collection": rlds(), "method": "bilinear", "grid": "custom", "custom_grid": "10 20 2"}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(get(j(&r)["output"]["href"].as_str().unwrap()).text().contains("_regrid-bilinear-5x5_cells_grid.nc"));
    let r = run(json!({"collection": rlds(), "grid": "custom"}));
    assert!(r.text().contains("Parameter 'custom_grid' is required when grid='custom'"), "{}", r.text());
    let r = run(json!({"collection": rlds(), "grid": "custom", "custom_grid": "1 2 3 4"}));
    assert!(r.text().contains("Invalid custom_grid format: expected 1, 2, 3, or 6 values, got 4"), "{}", r.text());
    let r = run(json!({"collection": rlds(), "grid": "7deg"}));
    assert_eq!(r.status, 400, "{}", r.text());
}

#[test]
fn execute_sync_async_jobs_and_dismiss() {
    let s = start(false);
    let alice = s.key("alice", "execute,jobs");
    let bob = s.key("bob", "execute,jobs");
    let ah = [("Authorization", format!("Bearer {alice}")), ("Content-Type", "application/json".to_string())];
    let ah: Vec<(&str, &str)> = ah.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body =
        json!({"inputs": {"collection": rlds(), "time": "2001-01-01/2002-12-30", "area": {"value": "20,10,250,90"}}})
            .to_string();

    // Sync: results document.
    let r = request("POST", &s.url("/processes/subset/execution"), &ah, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let res = j(&r);
    let meta = get(res["output"]["href"].as_str().unwrap()).text();
    assert_eq!(meta.matches("<file ").count(), 1);

    // Async: 201 + Location, then status and results.
    let mut h = ah.clone();
    h.push(("Prefer", "respond-async"));
    let r = request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    let loc = r.header("location").unwrap().to_string();
    let id = j(&r)["jobID"].as_str().unwrap().to_string();
    assert!(loc.ends_with(&format!("/jobs/{id}")));
    let mut status = String::new();
    for _ in 0..300 {
        status = j(&get_h(&loc, &ah))["status"].as_str().unwrap().to_string();
        if status == "successful" || status == "failed" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status, "successful");
    let res = j(&get_h(&format!("{loc}/results"), &ah));
    assert!(res["prov"]["href"].as_str().unwrap().contains("provenance.json"));
    let list = j(&get_h(&s.url("/jobs"), &ah));
    assert_eq!(list["jobs"].as_array().unwrap().len(), 2);

    // Bob sees none of it.
    let bh = [("X-API-Key", bob.as_str())];
    assert_eq!(j(&get_h(&s.url("/jobs"), &bh))["jobs"].as_array().unwrap().len(), 0);
    let r = get_h(&loc, &bh);
    assert_eq!(r.status, 404);
    assert!(j(&r)["type"].as_str().unwrap().ends_with("no-such-job"));
    assert_eq!(request("DELETE", &loc, &bh, b"").status, 404);
    assert_eq!(get(&loc).status, 401);

    // Dismiss removes the outputs.
    let r = request("DELETE", &loc, &ah, b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(j(&r)["status"], "dismissed");
    assert!(!s.dir.join("jobs").join(&id).exists());
    assert_eq!(get_h(&format!("{loc}/results"), &ah).status, 404);
    assert_eq!(get_h(&s.url("/jobs/no-such-id"), &ah).status, 404);

    // A key without the `jobs` scope may execute synchronously, but an asynchronous job it
    // could never read is refused at submission, with the reason.
    let carol = s.key("carol", "execute");
    let ch = [("X-API-Key", carol.as_str()), ("Content-Type", "application/json")];
    assert_eq!(request("POST", &s.url("/processes/subset/execution"), &ch, body.as_bytes()).status, 200);
    let mut h = ch.to_vec();
    h.push(("Prefer", "respond-async"));
    let r = request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("lacks the 'jobs' scope") && r.text().contains("execute,jobs"), "{}", r.text());
}

#[test]
fn bad_execution_requests() {
    let s = start(true);
    let post = |p: &str, b: &str| request("POST", &s.url(p), &[("Content-Type", "application/json")], b.as_bytes());
    let r = post("/processes/subset/execution", "{\"inputs\": ");
    assert_eq!(r.status, 400);
    assert!(j(&r)["detail"].as_str().unwrap().contains("Malformed JSON"));
    let r = post("/processes/subset/execution", "{\"inputs\": {\"time\": \"2000/2001\"}}");
    assert_eq!(r.status, 400);
    assert!(j(&r)["detail"].as_str().unwrap().contains("Required input \"collection\""));
    let r = post("/processes/subset/execution", "{\"inputs\": {\"collection\": \"x\", \"colour\": \"red\"}}");
    assert!(j(&r)["detail"].as_str().unwrap().contains("Unknown input \"colour\""));
    let r = post("/processes/nope/execution", "{}");
    assert_eq!(r.status, 404);
    let wf = json!({"inputs": {"workflow": {"doc": "d", "inputs": {"a": ["x"]}, "outputs": {"output": "s1/output"},
        "steps": {"s1": {"run": "subset", "in": {"collection": "s2/output"}}, "s2": {"run": "subset", "in": {"collection": "s1/output"}}}}}});
    let r = post("/processes/orchestrate/execution", &wf.to_string());
    assert_eq!(r.status, 400);
    assert!(j(&r)["detail"].as_str().unwrap().contains("cycle"));
    // A job failing on the request's fault: the process error as a 400 problem document.
    let r = post(
        "/processes/subset/execution",
        &json!({"inputs": {"collection": rlds(), "time": "2050-12-31/2021-01-01"}}).to_string(),
    );
    assert_eq!(r.status, 400);
    assert!(j(&r)["type"].as_str().unwrap().ends_with("/invalid-parameter"));
    assert!(j(&r)["detail"].as_str().unwrap().starts_with("Process error: Start date"));
    // Health without a key, the orchestrate workflow as an object.
    assert_eq!(j(&post("/processes/health/execution", "{}"))["status"], "ROOK_HEALTH_OK");
    let wf = json!({"inputs": {"workflow": {"doc": "d", "inputs": {"a": [rlds()]}, "outputs": {"output": "s1/output"},
        "steps": {"s1": {"run": "subset", "in": {"collection": "inputs/a", "time": "2001-01-01/2001-12-30"}}}}}});
    let r = post("/processes/orchestrate/execution", &wf.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
}
