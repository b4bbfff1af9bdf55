//! The Slurm executor end to end on a one-node Slurm cluster (scripts/slurm-start.sh, started
//! by scripts/test.sh, which sets ROOKERY_TEST_SLURM=1): `rookery serve` with
//! `executor = slurm` runs each job as a batch job (`rookery run-job`); a job Slurm refuses and
//! a batch job that dies without a result fail with the reason. Skipped without the cluster.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn slurm_ready() -> bool {
    if std::env::var_os("ROOKERY_TEST_SLURM").is_none() {
        eprintln!("slurm tests skipped: no Slurm cluster (run scripts/slurm-start.sh and set ROOKERY_TEST_SLURM=1)");
        return false;
    }
    true
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rlds() -> String {
    repo()
        .join("../shared/data/mini-esgf/badc/cmip6/data/CMIP6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc")
        .canonicalize()
        .expect("test data")
        .to_string_lossy()
        .into_owned()
}

struct Serve {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(env: &[(&str, &str)]) -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut c = Command::new(env!("CARGO_BIN_EXE_rookery"));
    c.args(["serve", "--open", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.path())
        .env("ROOCS_CONFIG", repo().join("config/mini-esgf.ini"))
        .env("ROOKERY_EXECUTOR", "slurm")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("serve.log")).unwrap());
    for (k, v) in env {
        c.env(k, v);
    }
    let child = c.spawn().expect("rookery serve");
    let base = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(30), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Serve { child, base, dir }
}

/// One HTTP request; (status, body).
fn http(method: &str, url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = TcpStream::connect(host).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn submit(s: &Serve, time: &str) -> String {
    let body = serde_json::json!({"inputs": {"collection": rlds(), "time": time}}).to_string();
    let (st, b) =
        http("POST", &format!("{}/processes/subset/execution", s.base), &body, &[("Prefer", "respond-async")]);
    assert_eq!(st, 201, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    v["jobID"].as_str().unwrap().to_string()
}

fn wait(s: &Serve, id: &str) -> serde_json::Value {
    let t0 = Instant::now();
    loop {
        let (_, b) = http("GET", &format!("{}/jobs/{id}", s.base), "", &[]);
        let v: serde_json::Value = serde_json::from_str(&b).unwrap_or_default();
        if matches!(v["status"].as_str(), Some("successful" | "failed" | "dismissed")) {
            return v;
        }
        assert!(t0.elapsed() < Duration::from_secs(180), "job {id} did not end: {v}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn jobs_run_as_slurm_batch_jobs() {
    if !slurm_ready() {
        return;
    }
    let s = serve(&[]);
    let ids: Vec<String> = ["2001-01-01/2001-12-30", "2002-01-01/2002-12-30", "2003-01-01/2003-12-30"]
        .iter()
        .map(|t| submit(&s, t))
        .collect();
    for id in &ids {
        let v = wait(&s, id);
        assert_eq!(v["status"], "successful", "{v}");
        let (st, b) = http("GET", &format!("{}/jobs/{id}/results", s.base), "", &[]);
        assert_eq!(st, 200, "{b}");
        let r: serde_json::Value = serde_json::from_str(&b).unwrap();
        let (_, meta) = http("GET", r["output"]["href"].as_str().unwrap(), "", &[]);
        assert_eq!(meta.matches("<file ").count(), 1, "{meta}");
        // Each ran as its own Slurm batch job, whose log is kept.
        let logs: Vec<_> = std::fs::read_dir(s.dir.path().join("slurm"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(id.as_str()))
            .collect();
        assert_eq!(logs.len(), 1, "no Slurm log for job {id}");
        let log = std::fs::read_to_string(logs[0].path()).unwrap();
        assert!(log.contains(&format!("running job {id}")), "{log}");
    }
}

#[test]
fn refused_and_dead_batch_jobs_fail_with_the_reason() {
    if !slurm_ready() {
        return;
    }
    let s = serve(&[("ROOKERY_SLURM_OPTIONS", "--partition=no-such-partition")]);
    let v = wait(&s, &submit(&s, "2001-01-01/2001-12-30"));
    assert_eq!(v["status"], "failed", "{v}");
    let m = v["message"].as_str().unwrap_or_default();
    assert!(m.contains("Slurm refused the job") && m.to_lowercase().contains("partition"), "{m}");
    // A batch job that exits without running the job.
    let s = serve(&[("ROOKERY_SLURM_PROGRAM", "/bin/false")]);
    let v = wait(&s, &submit(&s, "2001-01-01/2001-12-30"));
    assert_eq!(v["status"], "failed", "{v}");
    let m = v["message"].as_str().unwrap_or_default();
    assert!(m.contains("ended without a result"), "{m}");
    // The server still answers.
    assert_eq!(http("GET", &format!("{}/processes", s.base), "", &[]).0, 200);
}
