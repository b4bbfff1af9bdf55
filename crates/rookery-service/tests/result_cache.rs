//! The result cache: a second identical request — from another user — is answered with the
//! first job's outputs (linked, not recomputed: the cache's hit counter and the file's inode
//! say so), its own job record and provenance naming the first job; touching an input file
//! misses the cache.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EC_EARTH: &str = "gws/nopw/j04/cp4cds1_vol1/data/c3s-cmip5/output1/ICHEC/EC-EARTH/historical/day/atmos/day/r1i1p1/tas/v20131231/tas_day_EC-EARTH_historical_r1i1p1_19600101-19691231.nc";

fn submit(s: &Server, key: &str, body: &Value) -> String {
    let auth = format!("Bearer {key}");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Prefer", "respond-async")];
    let r = request("POST", &s.url("/processes/subset/execution"), &h, body.to_string().as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    serde_json::from_slice::<Value>(&r.body).unwrap()["jobID"].as_str().unwrap().to_string()
}

fn finished(s: &Server, key: &str, id: &str) -> Value {
    let auth = format!("Bearer {key}");
    let t0 = Instant::now();
    loop {
        let r = get_h(&s.url(&format!("/jobs/{id}")), &[("Authorization", auth.as_str())]);
        let st: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        if st["status"] == "successful" || st["status"] == "failed" {
            assert_eq!(st["status"], "successful", "{st}");
            return st;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "job {id} did not finish: {st}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The NetCDF outputs of a job.
fn outputs(state: &Path, id: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(state.join("jobs").join(id))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nc"))
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap())
}

#[test]
fn an_identical_request_is_answered_from_the_cache_and_a_touched_input_misses() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let input = data.join("tas_day_EC-EARTH_historical_r1i1p1_19600101-19691231.nc");
    std::fs::copy(Path::new(&common::data("")).join(EC_EARTH), &input).unwrap();
    let ini = tmp.path().join("roocs.ini");
    std::fs::write(&ini, format!("[rookery]\nallowed_roots = {}\n", data.display())).unwrap();
    std::env::set_var("ROOCS_CONFIG", &ini);
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let s = start_with(config(&state, false));
    let (alice, bob) = (s.key("alice", "execute,jobs"), s.key("bob", "execute,jobs"));
    let body = json!({"inputs": {"collection": [input.to_string_lossy()], "time": "1961-01-01/1962-12-31", "area": "0,-90,180,90"}});
    let cache = rookery_service::jobs::ResultCache::new(&state, 5_000_000_000, None);

    let first = submit(&s, &alice, &body);
    let st = finished(&s, &alice, &first);
    assert!(st.get("cachedFrom").is_none(), "{st}");
    let (h, e) = (cache.stats().unwrap().hits, cache.stats().unwrap().entries);
    assert_eq!((h, e), (0, 1), "the first result is kept");

    // Bob asks the same: his own job, answered with Alice's outputs, no engine work.
    let second = submit(&s, &bob, &body);
    let st = finished(&s, &bob, &second);
    assert_ne!(second, first);
    assert_eq!(st["cachedFrom"], first.as_str(), "{st}");
    assert_eq!(cache.stats().unwrap().hits, 1);
    let (a, b) = (outputs(&state, &first), outputs(&state, &second));
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(
        a.iter().map(|p| p.file_name()).collect::<Vec<_>>(),
        b.iter().map(|p| p.file_name()).collect::<Vec<_>>()
    );
    #[cfg(unix)]
    assert_eq!(inode(&a[0]), inode(&b[0]), "the cached file is linked, not written again");
    let prov = std::fs::read_to_string(state.join("jobs").join(&second).join("provenance.json")).unwrap();
    assert!(prov.contains(&format!("\"roocs:cached_from_job\": \"{first}\"")), "{prov}");
    // Bob downloads it through his own job.
    let auth = format!("Bearer {bob}");
    let meta = get_h(&s.url(&format!("/jobs/{second}/results")), &[("Authorization", auth.as_str())]);
    assert_eq!(meta.status, 200, "{}", meta.text());

    // Another request (another time range) is computed.
    let other = json!({"inputs": {"collection": [input.to_string_lossy()], "time": "1963-01-01/1963-12-31"}});
    let third = submit(&s, &alice, &other);
    assert!(finished(&s, &alice, &third).get("cachedFrom").is_none());
    assert_eq!(cache.stats().unwrap().entries, 2);

    // The input file changes (its modification time): the first request is computed again.
    let f = std::fs::File::options().write(true).open(&input).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(60)).unwrap();
    drop(f);
    let fourth = submit(&s, &bob, &body);
    let st = finished(&s, &bob, &fourth);
    assert!(st.get("cachedFrom").is_none(), "a touched input must miss the cache: {st}");
    #[cfg(unix)]
    assert_ne!(inode(&outputs(&state, &fourth)[0]), inode(&a[0]));
    assert_eq!(cache.stats().unwrap().hits, 1);
    assert_eq!(cache.stats().unwrap().entries, 3);

    // Cleared: the jobs' own outputs stay.
    assert_eq!(cache.clear().unwrap(), 3);
    assert!(outputs(&state, &second)[0].exists());
}
