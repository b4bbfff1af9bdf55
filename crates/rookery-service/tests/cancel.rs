//! Cancelling a running job: `DELETE /jobs/{id}` on a job whose operation runs stops the
//! operation (a cooperative flag the runner sets from the job store, checked by the engine's
//! block loops and the writers) within seconds, and leaves no files.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// Time steps of the synthetic input: its values are never written (chunks not allocated, read
/// as fill values), so the file is small but averaging it reads ~150 GB of values — far longer
/// than the test waits.
const NT: usize = 150_000;

/// A NetCDF-4 file `tas(time, lat, lon)` with coordinates and no data written.
fn long_input(path: &Path) {
    let mut f = netcdf::create(path).expect("create");
    f.add_dimension("time", NT).expect("dim");
    f.add_dimension("lat", 360).expect("dim");
    f.add_dimension("lon", 720).expect("dim");
    f.add_attribute("Conventions", "CF-1.7").expect("attr");
    {
        let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
        t.put_attribute("units", "hours since 2000-01-01 00:00:00").expect("attr");
        t.put_attribute("calendar", "noleap").expect("attr");
        t.put_attribute("standard_name", "time").expect("attr");
        #[allow(clippy::cast_precision_loss)]
        let v: Vec<f64> = (0..NT).map(|i| i as f64).collect();
        t.put_values(&v, ..).expect("put");
    }
    for (name, n, units, first) in [("lat", 360, "degrees_north", -89.75), ("lon", 720, "degrees_east", 0.25)] {
        let mut c = f.add_variable::<f64>(name, &[name]).expect("var");
        c.put_attribute("units", units).expect("attr");
        #[allow(clippy::cast_precision_loss)]
        let v: Vec<f64> = (0..n).map(|i| first + 0.5 * i as f64).collect();
        c.put_values(&v, ..).expect("put");
    }
    let mut v = f.add_variable::<f32>("tas", &["time", "lat", "lon"]).expect("var");
    v.set_chunking(&[1, 360, 720]).expect("chunking");
    v.put_attribute("standard_name", "air_temperature").expect("attr");
    v.put_attribute("units", "K").expect("attr");
    v.set_fill_value(1e20f32).expect("fill");
}

fn status(s: &Server, id: &str, h: &[(&str, &str)]) -> Value {
    let r = get_h(&s.url(&format!("/jobs/{id}")), h);
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

/// The files below `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_dismissed_running_job_stops_within_seconds_and_leaves_no_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let input = data.join("tas_day_synthetic_long.nc");
    long_input(&input);
    let ini = tmp.path().join("roocs.ini");
    std::fs::write(&ini, format!("[rookery]\nallowed_roots = {}\n", data.display())).unwrap();
    std::env::set_var("ROOCS_CONFIG", &ini);
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    // One worker: the job after the dismissed one runs only once the worker is free again.
    let s = start_with(rookery_service::config::Config { workers: 1, ..config(&state, false) });
    let key = s.key("alice", "execute,jobs");
    let auth = format!("Bearer {key}");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Prefer", "respond-async")];
    let body = json!({"inputs": {"collection": [input.to_string_lossy()], "dims": "time"}}).to_string();
    let r = request("POST", &s.url("/processes/average/execution"), &h, body.as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    let id = serde_json::from_slice::<Value>(&r.body).unwrap()["jobID"].as_str().unwrap().to_string();
    let job_dir = state.join("jobs").join(&id);

    // Running, with its output being written (a temporary file in its directory).
    let t0 = Instant::now();
    loop {
        let st = status(&s, &id, &h[..1]);
        assert!(
            st["status"] == "accepted" || st["status"] == "running",
            "the long job ended before it was dismissed: {st}"
        );
        if st["status"] == "running" && !files(&job_dir).is_empty() {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the job never started: {st}");
        std::thread::sleep(Duration::from_millis(100));
    }

    let r = request("DELETE", &s.url(&format!("/jobs/{id}")), &h[..1], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(serde_json::from_slice::<Value>(&r.body).unwrap()["status"], "dismissed");

    // Stopped within 5 s: the runner removes the job's files only once its operation returned.
    let t1 = Instant::now();
    while job_dir.exists() {
        assert!(t1.elapsed() < Duration::from_secs(5), "the dismissed job still runs after 5 s: {:?}", files(&job_dir));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(files(&data), vec![input.clone()], "nothing written next to the input");

    // The worker is free: a small job (one time step) runs and succeeds; the dismissed job
    // stays dismissed.
    let small =
        json!({"inputs": {"collection": [input.to_string_lossy()], "time": "2000-01-01T00:00:00/2000-01-01T00:00:00"}})
            .to_string();
    let r = request("POST", &s.url("/processes/subset/execution"), &h[..2], small.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let st = status(&s, &id, &h[..1]);
    assert!(st["status"] == "dismissed" || st["type"].as_str().is_some_and(|t| t.ends_with("no-such-job")), "{st}");
}
