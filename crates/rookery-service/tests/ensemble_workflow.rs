//! `ensemble_stats` as a step of an `orchestrate` workflow on the workflow's members: the same
//! statistics, coordinates and time as the direct `rookery ensemble` (the conductor call the
//! command line makes, run here in-process).

mod common;
use common::outputs::{fetch_values, file_values, first_output};
use common::*;
use serde_json::{json, Value};

const R2: &str = "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215/tas_Amon_EC-Earth3_dcppA-hindcast_s1960-r2i1p1f1_gr_196011-196110.nc";
const R6: &str = "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r6i2p1f1/Amon/tas/gr/v20200508/tas_Amon_EC-Earth3_dcppA-hindcast_s1960-r6i2p1f1_gr_196011-196012.nc";

/// The output of `rookery ensemble MEMBERS --stat STAT --time TIME` in `dir`.
fn direct(members: &[String], stat: &str, time: &str, area: &str, dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("output dir");
    let daops = rookery_daops::Daops::new(rookery_daops::Config::load().expect("config")).expect("daops");
    let stats = rookery_ops::ensemble::parse_stats(stat).expect("stats");
    let req = rookery_ops::SubsetRequest {
        time: rookery_ops::TimeParam::parse(time).expect("time"),
        area: rookery_ops::AreaParam::parse(area).expect("area"),
        level: None,
        time_components: None,
        shape: None,
    };
    let opts = rookery_daops::RunOptions {
        output: rookery_ops::OutputSpec {
            dir: dir.to_path_buf(),
            format: rookery_io::OutputFormat::Nc4,
            size_limit: rookery_ops::params::parse_size("2GB").expect("size"),
            extra: String::new(),
            history: String::new(),
            cancel: Default::default(),
        },
        namer: rookery_ops::naming::NamerKind::Standard,
        apply_fixes: true,
        original_files: rookery_daops::OriginalFiles::Never,
        progress: rookery_daops::Progress::default(),
        join_paths: true,
    };
    let rs = daops.ensemble(members, &stats, &req, None, &opts).expect("direct ensemble");
    let files = rs.file_uris();
    assert_eq!(files.len(), 1, "{files:?}");
    std::path::PathBuf::from(&files[0])
}

/// The same variables (shapes and values, missing values included) in the workflow's output
/// (a URL) and the direct output (a file).
fn assert_same(url: &str, file: &std::path::Path, vars: &[&str]) {
    for var in vars {
        let (ws, wv) = fetch_values(url, var);
        let (ds, dv) = file_values(file, var);
        assert_eq!(ws, ds, "{var}");
        assert_eq!(format!("{wv:?}"), format!("{dv:?}"), "{var}");
    }
}

#[test]
fn ensemble_stats_as_a_workflow_step() {
    let s = start(true);
    let h = [("Content-Type", "application/json")];
    let orchestrate = |wf: Value| {
        let body = json!({"inputs": {"workflow": wf.to_string()}}).to_string();
        first_output(&request("POST", &s.url("/processes/orchestrate/execution"), &h, body.as_bytes()))
    };
    let members = vec![data(R2), data(R6)];
    let tmp = tempfile::tempdir().expect("tmp");
    let vars = ["tas_mean", "tas_std", "tas_p90", "time", "lat", "lon"];

    // One step on the workflow's members.
    let wf = json!({
        "doc": "ensemble statistics",
        "inputs": {"members": members},
        "outputs": {"output": "ens/output"},
        "steps": {"ens": {"run": "ensemble_stats", "in": {
            "collection": "inputs/members", "stat": "mean,std,p90", "time": "1960-11/1960-12"}}}
    });
    let w = orchestrate(wf);
    assert!(w.split('?').next().unwrap().ends_with("_19601116-19601216_ens-stats.nc"), "{w}");
    let d = direct(&members, "mean,std,p90", "1960-11/1960-12", "", &tmp.path().join("one"));
    assert_same(&w, &d, &vars);
    let (shape, mean) = fetch_values(&w, "tas_mean");
    assert_eq!(shape, [2, 3, 6]);
    assert!(mean.iter().all(|v| v.is_finite() && (150.0..350.0).contains(v)), "{mean:?}");

    // Two steps: a subset of each member (area and time), then the statistics of the subsets:
    // each subset output is one member, as the direct ensemble with the same selection.
    let wf = json!({
        "doc": "ensemble statistics of subsets",
        "inputs": {"members": members},
        "outputs": {"output": "ens/output"},
        "steps": {
            "cut": {"run": "subset", "in": {
                "collection": "inputs/members", "time": "1960-11/1960-12", "area": "0,-30,150,60"}},
            "ens": {"run": "ensemble_stats", "in": {"collection": "cut/output", "stat": "mean,std,p90"}}
        }
    });
    let w = orchestrate(wf);
    let d = direct(&members, "mean,std,p90", "1960-11/1960-12", "0,-30,150,60", &tmp.path().join("two"));
    assert_same(&w, &d, &vars);
    let (shape, _) = fetch_values(&w, "tas_mean");
    assert_eq!(shape, [2, 2, 3], "two months, the area's 2 latitudes and 3 longitudes");
}
