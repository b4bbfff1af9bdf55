//! `ensemble_stats` through the service: listed with complete input descriptions in WPS
//! GetCapabilities/DescribeProcess and OGC API /processes, run synchronously on two EC-Earth3
//! hindcast members (the mean checked against the members' values read by CDO), and bad
//! requests (one member, an unknown statistic) refused as the request's fault.

mod common;
use common::*;
use serde_json::{json, Value};
use std::process::Command;

fn j(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

const R2: &str = "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215/tas_Amon_EC-Earth3_dcppA-hindcast_s1960-r2i1p1f1_gr_196011-196110.nc";
const R6: &str = "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r6i2p1f1/Amon/tas/gr/v20200508/tas_Amon_EC-Earth3_dcppA-hindcast_s1960-r6i2p1f1_gr_196011-196012.nc";

/// The first file URL (`<metaurl>`) of a Metalink document.
fn first_url(meta: &str) -> String {
    let start = meta.find("<metaurl").expect("a url");
    let rest = &meta[start..];
    let open = rest.find('>').expect("url tag") + 1;
    let close = rest.find("</metaurl>").expect("url end");
    unescape(&rest[open..close])
}

/// Values printed by `cdo -s outputf,%.6f,1 ARGS`; `None` when CDO is not installed.
fn cdo_values(args: &[&str]) -> Option<Vec<f64>> {
    let o = Command::new("cdo")
        .env("HDF5_USE_FILE_LOCKING", "FALSE")
        .arg("-s")
        .arg("outputf,%.6f,1")
        .args(args)
        .output()
        .ok()?;
    assert!(o.status.success(), "cdo {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).split_whitespace().map(|x| x.parse().expect("number")).collect())
}

#[test]
fn ensemble_stats_is_described_and_runs() {
    let s = start(true);
    let caps = get(&s.url("/wps?service=WPS&request=GetCapabilities")).text();
    assert!(caps.contains("<ows:Identifier>ensemble_stats</ows:Identifier>"), "{caps}");
    let d = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=ensemble_stats")).text();
    for input in
        ["collection", "stat", "time", "time_components", "area", "grid", "method", "pre_checked", "apply_fixes"]
    {
        assert!(d.contains(&format!("<ows:Identifier>{input}</ows:Identifier>")), "{input} in {d}");
    }
    let p = j(&get(&s.url("/processes/ensemble_stats")));
    assert_eq!(p["inputs"]["collection"]["maxOccurs"], 100);
    assert_eq!(p["inputs"]["stat"]["schema"]["default"], "mean,std,min,max");
    assert!(p["inputs"]["grid"]["description"].as_str().unwrap().contains("regrid every member"));
    assert!(p["inputs"]["stat"]["description"].as_str().unwrap().contains("ddof 0"));

    let h = [("Content-Type", "application/json")];
    let body = json!({"inputs": {"collection": [data(R2), data(R6)], "stat": "mean,p90", "time": "1960-11/1960-12"}})
        .to_string();
    let r = request("POST", &s.url("/processes/ensemble_stats/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    let url = first_url(&meta);
    assert!(url.split('?').next().unwrap().ends_with("_19601116-19601216_ens-stats.nc"), "{url}");
    let nc = get(&url);
    assert_eq!(nc.status, 200);
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out.nc");
    std::fs::write(&out, &nc.body).expect("write");
    let out = out.to_string_lossy().into_owned();
    let (a, b) = (data(R2), data(R6));
    if let (Some(mean), Some(x), Some(y)) = (
        cdo_values(&["-selname,tas_mean", &out]),
        cdo_values(&["-seltimestep,1/2", &a]),
        cdo_values(&["-seltimestep,1/2", &b]),
    ) {
        assert_eq!(mean.len(), 2 * 3 * 6);
        assert_eq!(x.len(), mean.len());
        for ((m, x), y) in mean.iter().zip(&x).zip(&y) {
            assert!((m - (x + y) / 2.0).abs() < 1e-3, "{m} vs mean of {x}, {y}");
        }
    } else {
        eprintln!("cdo not found: value check skipped");
    }

    // One member, an unknown statistic: the request's fault.
    let body = json!({"inputs": {"collection": [data(R2)]}}).to_string();
    let r = request("POST", &s.url("/processes/ensemble_stats/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("at least two members"), "{}", r.text());
    let body = json!({"inputs": {"collection": [data(R2), data(R6)], "stat": "mode"}}).to_string();
    let r = request("POST", &s.url("/processes/ensemble_stats/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("unknown statistic 'mode'"), "{}", r.text());
}
