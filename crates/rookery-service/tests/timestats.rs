//! The time-statistics processes (`climatology`, `anomaly`, `stat_time`) through the service:
//! described in WPS and OGC API – Processes with every input, run synchronously (OGC API), as
//! a WPS Execute, as workflow steps, and refused with a one-line reason on bad input.

mod common;
use common::*;
use serde_json::{json, Value};

fn j(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

const PROCESSES: [&str; 3] = ["climatology", "anomaly", "stat_time"];

#[test]
fn described_in_wps_and_ogc_api() {
    let s = start(true);
    let caps = get(&s.url("/wps?service=WPS&request=GetCapabilities")).text();
    for p in PROCESSES {
        assert!(caps.contains(&format!("<ows:Identifier>{p}</ows:Identifier>")), "{p} in GetCapabilities");
    }
    let d = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=stat_time")).text();
    for input in ["collection", "stat", "freq", "pre_checked", "apply_fixes"] {
        assert!(d.contains(&format!("<ows:Identifier>{input}</ows:Identifier>")), "{input}: {d}");
    }
    assert!(d.contains("numpy") && d.contains("ddof 0"), "the statistic is described: {d}");
    let ps = j(&get(&s.url("/processes")));
    let ids: Vec<&str> = ps["processes"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    for p in PROCESSES {
        assert!(ids.contains(&p), "{p} in /processes: {ids:?}");
        let d = j(&get(&s.url(&format!("/processes/{p}"))));
        let inputs = d["inputs"].as_object().unwrap();
        assert!(inputs.len() >= 4, "{p}: {inputs:?}");
        for (id, i) in inputs {
            assert!(!i["title"].as_str().unwrap_or_default().is_empty(), "{p}.{id} has a title");
            assert!(!i["description"].as_str().unwrap_or_default().is_empty(), "{p}.{id} has a description");
        }
    }
    let a = j(&get(&s.url("/processes/anomaly")));
    assert_eq!(a["inputs"]["reference"]["minOccurs"], 1);
    assert_eq!(a["inputs"]["freq"]["schema"]["enum"], json!(["month", "season", "day"]));
    assert_eq!(a["inputs"]["relative"]["schema"]["default"], false);
    let t = j(&get(&s.url("/processes/stat_time")));
    assert_eq!(t["inputs"]["freq"]["schema"]["default"], "all");
}

#[test]
fn run_through_ogc_api_and_wps() {
    let s = start(true);
    let h = [("Content-Type", "application/json")];
    let run = |p: &str, inputs: Value| {
        request(
            "POST",
            &s.url(&format!("/processes/{p}/execution")),
            &h,
            json!({ "inputs": inputs }).to_string().as_bytes(),
        )
    };
    let r = run("stat_time", json!({"collection": rlds(), "stat": "p90", "freq": "all"}));
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    assert!(meta.contains("rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_p90-t.nc"), "{meta}");
    let r = run("climatology", json!({"collection": rlds(), "freq": "season", "years": "1981/2010"}));
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    assert!(meta.contains("_19810116-20101216_clim-season.nc"), "{meta}");
    // The file itself: four seasons, a climatological time.
    let url =
        meta.split("<metaurl").nth(1).and_then(|m| between(m, ">", "</metaurl>")).map(unescape).expect("a file URL");
    let nc = get(&url);
    assert_eq!(nc.status, 200);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("c.nc");
    std::fs::write(&path, &nc.body).unwrap();
    let remote = rookery_io::Remote::new(
        rookery_io::HttpOptions::default(),
        rookery_io::CacheConfig { dir: None, ..rookery_io::CacheConfig::default() },
    );
    let src = rookery_io::NcSource::open(&rookery_io::IoContext::new(remote), &path).unwrap();
    use rookery_io::Source;
    let ds = src.dataset();
    assert_eq!(ds.dim("time").unwrap().len, 4);
    assert_eq!(ds.var("time").unwrap().attrs.get_str("climatology"), Some("climatology_bnds"));
    assert_eq!(ds.var("climatology_bnds").unwrap().shape, vec![4, 2]);

    // WPS Execute (KVP) with the raw output.
    let q = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=anomaly&DataInputs={}&RawDataOutput=output",
        enc(&format!("collection={};reference=1981/2010;freq=month;relative=true", rlds()))
    );
    let r = get(&s.url(&q));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("_anomrel-month.nc"), "{}", r.text());

    // Bad input: one line naming what is wrong, the request's fault.
    let r = run("stat_time", json!({"collection": rlds(), "stat": "p200"}));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("Percentile 'p200' is out of range"), "{}", r.text());
    let r = run("anomaly", json!({"collection": rlds(), "reference": "2500/2510"}));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("No time steps in the years 2500/2510"), "{}", r.text());
    let r = run("climatology", json!({"collection": rlds(), "freq": "hour"}));
    assert_eq!(r.status, 400, "{}", r.text());
}

#[test]
fn workflow_steps() {
    let s = start(true);
    let wf = json!({
        "doc": "subset then climatology, and a yearly maximum",
        "inputs": {"rlds": [rlds()]},
        "outputs": {"output": "clim/output"},
        "steps": {
            "sub": {"run": "subset", "in": {"collection": "inputs/rlds", "time": "1991-01-01/2000-12-30", "area": "20,10,250,90"}},
            "yearly": {"run": "stat_time", "in": {"collection": "sub/output", "stat": "max", "freq": "year"}},
            "clim": {"run": "climatology", "in": {"collection": "yearly/output", "freq": "month"}}
        }
    });
    let h = [("Content-Type", "application/json")];
    let r = request(
        "POST",
        &s.url("/processes/orchestrate/execution"),
        &h,
        json!({"inputs": {"workflow": wf.to_string()}}).to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    assert_eq!(meta.matches("<file ").count(), 1, "{meta}");
    assert!(meta.contains("_clim-month.nc"), "{meta}");
}
