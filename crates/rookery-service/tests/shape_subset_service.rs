//! `subset` with a `shape` (and `min_fraction`) through the service: the inputs are described
//! in WPS DescribeProcess and OGC API /processes, a polygon subset runs (cropped, cells outside
//! masked, never the original files), also as steps of an `orchestrate` workflow (the same cells
//! and values as the process), and bad values are refused as the request's fault.

mod common;
use common::outputs::{fetch_values, first_output, json_of as j, urls};
use common::*;
use serde_json::{json, Value};

const FGOALS: &str = "badc/cmip6/data/CMIP6/CMIP/CAS/FGOALS-g3/historical/r1i1p1f1/Amon/tas/gn/v20190818/tas_Amon_FGOALS-g3_historical_r1i1p1f1_gn_185001.nc";

#[test]
fn subset_with_shape_is_described_and_runs() {
    let s = start(true);
    let d = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=subset")).text();
    for input in ["shape", "min_fraction"] {
        assert!(d.contains(&format!("<ows:Identifier>{input}</ows:Identifier>")), "{input} in {d}");
    }
    let p = j(&get(&s.url("/processes/subset")));
    assert!(p["inputs"]["shape"]["schema"].to_string().contains("geo+json"), "{}", p["inputs"]["shape"]);
    assert!(p["inputs"]["min_fraction"]["description"].as_str().unwrap().contains("fraction"));

    let h = [("Content-Type", "application/json")];
    // A triangle across 0° on FGOALS (0..360, 2° columns at even longitudes).
    let tri = json!({"type": "Polygon", "coordinates": [[[-9.0, -9.0], [9.0, -9.0], [-9.0, 9.0], [-9.0, -9.0]]]});
    let body = json!({"inputs": {"collection": data(FGOALS), "shape": {"value": tri}}}).to_string();
    let r = request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(j(&r)["output"]["href"].as_str().unwrap()).text();
    let u = urls(&meta);
    assert_eq!(u.len(), 1, "{meta}");
    assert!(u[0].split('?').next().unwrap().ends_with("_18500116-18500116.nc"), "{}", u[0]);
    let (shape, tas) = fetch_values(&u[0], "tas");
    let (_, lon) = fetch_values(&u[0], "lon");
    let (_, lat) = fetch_values(&u[0], "lat");
    // Columns from -8 in 2° steps (the frame turned to -180..180, contiguous across 0°).
    assert_eq!(lon[0], -8.0, "{lon:?}");
    assert!(lon.windows(2).all(|w| (w[1] - w[0] - 2.0).abs() < 1e-9), "{lon:?}");
    assert_eq!(shape[1..], [lat.len(), lon.len()]);
    // Kept exactly where the centre is inside the triangle (x + y <= 0, boundary included).
    let nx = lon.len();
    for (k, v) in tas.iter().enumerate() {
        let (x, y) = (lon[k % nx], lat[k / nx]);
        let inside = x >= -9.0 && y >= -9.0 && x + y <= 1e-9;
        assert_eq!(*v < 1e19 && v.is_finite(), inside, "cell ({x}, {y}): {v}");
    }

    // min_fraction out of range, and without a shape: the request's fault.
    for inputs in [
        json!({"collection": data(FGOALS), "shape": {"value": tri}, "min_fraction": 1.5}),
        json!({"collection": data(FGOALS), "min_fraction": 0.5}),
    ] {
        let body = json!({ "inputs": inputs }).to_string();
        let r = request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes());
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.text().contains("min_fraction"), "{}", r.text());
    }
    // With min_fraction 1 only cells the triangle covers whole are kept.
    let body =
        json!({"inputs": {"collection": data(FGOALS), "shape": {"value": tri}, "min_fraction": "1"}}).to_string();
    let r = request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let u = urls(&get(j(&r)["output"]["href"].as_str().unwrap()).text());
    let (shape_f, tas_f) = fetch_values(&u[0], "tas");
    let kept = tas_f.iter().filter(|v| **v < 1e19 && v.is_finite()).count();
    let kept_centre = tas.iter().filter(|v| **v < 1e19 && v.is_finite()).count();
    assert!(kept > 0 && kept < kept_centre, "{kept} of {shape_f:?} vs {kept_centre}");
}

#[test]
fn subset_with_shape_in_a_workflow() {
    let s = start(true);
    let h = [("Content-Type", "application/json")];
    let tri = json!({"type": "Polygon", "coordinates": [[[-9.0, -9.0], [9.0, -9.0], [-9.0, 9.0], [-9.0, -9.0]]]});
    let square = json!({"type": "Polygon", "coordinates": [[[-20.0, -20.0], [20.0, -20.0], [20.0, 20.0], [-20.0, 20.0], [-20.0, -20.0]]]});
    let direct = |inputs: Value| {
        let body = json!({ "inputs": inputs }).to_string();
        first_output(&request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes()))
    };
    let orchestrate = |wf: Value| {
        let body = json!({"inputs": {"workflow": wf.to_string()}}).to_string();
        first_output(&request("POST", &s.url("/processes/orchestrate/execution"), &h, body.as_bytes()))
    };
    // Two subset steps, each with its own inline shape (written once per step): a square,
    // then the triangle inside it with min_fraction 1.
    let wf = json!({
        "doc": "polygon subsets",
        "inputs": {"tas": [data(FGOALS)]},
        "outputs": {"output": "tri/output"},
        "steps": {
            "sq": {"run": "subset", "in": {"collection": "inputs/tas", "shape": square, "time": "1850/1850"}},
            "tri": {"run": "subset", "in": {"collection": "sq/output", "shape": tri, "min_fraction": "1"}}
        }
    });
    let w = orchestrate(wf);
    let d = direct(json!({"collection": data(FGOALS), "shape": {"value": tri}, "min_fraction": "1"}));
    for var in ["tas", "lat", "lon"] {
        let (ws, wv) = fetch_values(&w, var);
        let (ds, dv) = fetch_values(&d, var);
        assert_eq!(ws, ds, "{var}");
        assert_eq!(format!("{wv:?}"), format!("{dv:?}"), "{var}");
    }
    let (_, tas) = fetch_values(&w, "tas");
    let kept = tas.iter().filter(|v| **v < 1e19 && v.is_finite()).count();
    assert!(kept > 0 && kept < tas.len(), "{kept} of {}", tas.len());
    // A single step, as the direct subset with the centre rule.
    let wf = json!({
        "doc": "one polygon subset",
        "inputs": {"tas": [data(FGOALS)]},
        "outputs": {"output": "sq/output"},
        "steps": {"sq": {"run": "subset", "in": {"collection": "inputs/tas", "shape": square}}}
    });
    let w = orchestrate(wf);
    let d = direct(json!({"collection": data(FGOALS), "shape": {"value": square}}));
    for var in ["tas", "lat", "lon"] {
        assert_eq!(format!("{:?}", fetch_values(&w, var)), format!("{:?}", fetch_values(&d, var)), "{var}");
    }
}
