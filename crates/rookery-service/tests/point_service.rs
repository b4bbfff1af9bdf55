//! `subset_point` through the service: listed with complete input descriptions in WPS
//! GetCapabilities/DescribeProcess and OGC API /processes, run synchronously (CSV and NetCDF),
//! and a bad point refused as the request's fault.

mod common;
use common::*;
use serde_json::{json, Value};

fn j(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

const TAS: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";

/// The first file URL (`<metaurl>`) of a Metalink document.
fn first_url(meta: &str) -> String {
    let start = meta.find("<metaurl").expect("a url");
    let rest = &meta[start..];
    let open = rest.find('>').expect("url tag") + 1;
    let close = rest.find("</metaurl>").expect("url end");
    unescape(&rest[open..close])
}

#[test]
fn subset_point_is_described_and_runs() {
    let s = start(true);
    let caps = get(&s.url("/wps?service=WPS&request=GetCapabilities")).text();
    assert!(caps.contains("<ows:Identifier>subset_point</ows:Identifier>"), "{caps}");
    let d = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=subset_point")).text();
    for input in [
        "collection",
        "point",
        "points",
        "time",
        "time_components",
        "level",
        "max_distance",
        "nearest_valid",
        "output_format",
    ] {
        assert!(d.contains(&format!("<ows:Identifier>{input}</ows:Identifier>")), "{input} in {d}");
    }
    let p = j(&get(&s.url("/processes/subset_point")));
    assert_eq!(p["inputs"]["point"]["maxOccurs"], 10_000);
    assert_eq!(p["inputs"]["output_format"]["schema"]["default"], "netcdf");
    assert!(p["inputs"]["max_distance"]["description"].as_str().unwrap().contains("km"));
    assert!(p["inputs"]["points"]["schema"].to_string().contains("text/csv"));

    let h = [("Content-Type", "application/json")];
    // CSV: one row per time step and station.
    let body = json!({"inputs": {"collection": data(TAS), "point": ["10,40", "200,-80"], "time": "2010-01/2010-06",
                                 "output_format": "csv"}})
    .to_string();
    let r = request("POST", &s.url("/processes/subset_point/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    let url = first_url(&meta);
    assert!(url.split('?').next().unwrap().ends_with("_points.csv"), "{url}");
    let csv = get(&url).text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 6 * 2, "{csv}");
    assert!(lines[1].starts_with("2010-01-16T00:00:00,P1,P1,10,40,0,35,"), "{}", lines[1]);
    assert!(lines[2].starts_with("2010-01-16T00:00:00,P2,P2,200,-80,187.5,-90,"), "{}", lines[2]);

    // Stations from an inline CSV, NetCDF output.
    let body = json!({"inputs": {"collection": data(TAS), "points": {"value": "id,lon,lat\nX,190,30\n", "mediaType": "text/csv"},
                                 "time": "2010-01/2010-02"}})
    .to_string();
    let r = request("POST", &s.url("/processes/subset_point/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    assert!(first_url(&meta).split('?').next().unwrap().ends_with("_points.nc"), "{meta}");

    // A point beyond the maximum distance is the request's fault.
    let body = json!({"inputs": {"collection": data(TAS), "point": "100,0", "max_distance": 500}}).to_string();
    let r = request("POST", &s.url("/processes/subset_point/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("beyond the maximum distance"), "{}", r.text());
    let body = json!({"inputs": {"collection": data(TAS), "point": "10,95"}}).to_string();
    let r = request("POST", &s.url("/processes/subset_point/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
}
