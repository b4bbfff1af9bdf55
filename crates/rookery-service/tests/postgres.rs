//! The PostgreSQL job store: the store contract (the same checks run against SQLite), two
//! `rookery worker` processes on one queue, `serve` with `--db postgres://…`, crash recovery
//! and reconnection.
//!
//! Needs a server: `ROOKERY_TEST_PG=postgres://user@host:port/db` (scripts/pg-start.sh starts
//! a throwaway one; scripts/test.sh does so around `cargo test`). Without it the tests fail when
//! `CI` is set and are skipped (with a printed line) otherwise. Each test works in a schema of
//! its own (`search_path` in the URL), dropped at the end.

mod common;
use common::*;
use rookery_service::auth::{create_key, Secret};
use rookery_service::jobs::{
    JobRequest, JobResult, JobStatus, JobStore, KeyRecord, NewJob, PgStore, ResultFile, SqliteStore, StoreError,
    UsageRecord,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The test server's URL; `None` (after printing why) when the tests are to be skipped.
fn pg_base() -> Option<String> {
    match std::env::var("ROOKERY_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_string()),
        _ if std::env::var_os("CI").is_some() => panic!(
            "ROOKERY_TEST_PG is not set but CI is: the PostgreSQL job store must be tested in CI. \
             scripts/test.sh starts a server with scripts/pg-start.sh; see its warning above."
        ),
        _ => {
            eprintln!(
                "skipped: ROOKERY_TEST_PG is not set (start a server with: eval \"export $(bash scripts/pg-start.sh)\")"
            );
            None
        }
    }
}

/// A schema of one test, dropped (with its tables) when the test ends.
struct Schema {
    base: String,
    name: String,
    /// The store URL: `base` with the schema as `search_path`.
    url: String,
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

impl Schema {
    fn new() -> Option<Schema> {
        let base = pg_base()?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("test_{}_{nanos}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| {
            panic!("cannot connect to ROOKERY_TEST_PG={base}: {e} ({:?})", std::error::Error::source(&e))
        });
        admin.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{name}&application_name={name}");
        Some(Schema { base, name, url })
    }

    fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.base, postgres::NoTls).unwrap()
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn new_job(id: &str, owner: &str) -> NewJob {
    let mut request = JobRequest::default();
    request.inputs.insert("collection".into(), vec![format!("c3s-cmip6.{id}")]);
    request.outputs = vec!["output".into()];
    request.lineage = true;
    NewJob { id: id.into(), process: "subset".into(), owner: owner.into(), request }
}

fn now() -> i64 {
    rookery_service::time::now_ms()
}

/// The behaviour every [`JobStore`] has; run against SQLite and PostgreSQL alike.
fn contract(s: &dyn JobStore) {
    // Queue limit.
    s.submit(&new_job("a", "k1"), 2).unwrap();
    std::thread::sleep(Duration::from_millis(2));
    s.submit(&new_job("b", "k1"), 2).unwrap();
    assert!(matches!(s.submit(&new_job("c", "k2"), 2), Err(StoreError::Busy(_))));
    assert!(s.get("c").unwrap().is_none());
    assert_eq!(s.count(JobStatus::Accepted).unwrap(), 2);
    let a = s.get("a").unwrap().unwrap();
    assert_eq!((a.status, a.attempts, a.worker.as_deref(), a.progress), (JobStatus::Accepted, 0, None, 0));
    assert_eq!(a.request.inputs["collection"], vec!["c3s-cmip6.a".to_string()]);
    assert!(a.request.lineage && a.result.is_none() && a.started.is_none());

    // Claims take the oldest first, with a lease; a finished job stays finished.
    let a = s.claim("w1", i64::MAX).unwrap().unwrap();
    assert_eq!((a.id.as_str(), a.status, a.attempts, a.worker.as_deref()), ("a", JobStatus::Running, 1, Some("w1")));
    assert!(a.started.is_some());
    assert!(s.renew("a", "w1", i64::MAX).unwrap());
    assert!(!s.renew("a", "w2", i64::MAX).unwrap(), "only the holder renews");
    assert!(s.set_progress("a", "w1", 42).unwrap());
    assert!(!s.set_progress("a", "w2", 50).unwrap(), "only the holder reports progress");
    assert_eq!(s.get("a").unwrap().unwrap().progress, 42);
    assert!(!s.finish("a", "w2", Ok(JobResult::default())).unwrap(), "only the holder finishes");
    let result = JobResult {
        files: vec![ResultFile { name: "out.nc".into(), size: 42, sha256: None }],
        urls: vec!["https://example.org/x.nc".into()],
        documents: vec![("prov".into(), "provenance.json".into(), "application/json".into())],
        literals: vec![("status".into(), "ok".into())],
        failure: None,
        cached_from: Some("first".into()),
    };
    assert!(s.finish("a", "w1", Ok(result)).unwrap());
    assert!(!s.finish("a", "w1", Err("x".into())).unwrap(), "a finished job stays finished");
    assert!(!s.renew("a", "w1", i64::MAX).unwrap());
    let a = s.get("a").unwrap().unwrap();
    assert_eq!((a.status, a.progress, a.message.as_str()), (JobStatus::Successful, 100, "Process finished"));
    let r = a.result.unwrap();
    assert_eq!(r.files, vec![ResultFile { name: "out.nc".into(), size: 42, sha256: None }]);
    assert_eq!((r.urls.len(), r.documents.len(), r.literals.len()), (1, 1, 1));
    assert_eq!(r.cached_from.as_deref(), Some("first"), "kept by the PostgreSQL store too");
    assert!(a.finished.is_some());

    // A restart of the server re-queues its running job once, then fails it.
    let b = s.claim("serve:1:0", i64::MAX).unwrap().unwrap();
    assert_eq!(b.id, "b");
    assert!(s.claim("w1", i64::MAX).unwrap().is_none(), "nothing left to claim");
    assert_eq!(s.recover(Some("serve:%"), now(), 2).unwrap(), (1, 0));
    let b = s.get("b").unwrap().unwrap();
    assert_eq!((b.status, b.worker.as_deref(), b.started), (JobStatus::Accepted, None, None));
    assert_eq!(b.message, "Re-queued after an interruption");
    assert_eq!(s.claim("serve:2:0", i64::MAX).unwrap().unwrap().attempts, 2);
    assert_eq!(s.recover(Some("serve:%"), now(), 2).unwrap(), (0, 1));
    let b = s.get("b").unwrap().unwrap();
    assert_eq!(b.status, JobStatus::Failed);
    assert!(b.message.contains("interrupted") && b.message.contains("2 time(s)"), "{}", b.message);

    // Failure, owners, newest first.
    s.submit(&new_job("c", "k2"), 10).unwrap();
    s.claim("w1", i64::MAX).unwrap().unwrap();
    assert!(s.finish("c", "w1", Err("Process error: no".into())).unwrap());
    let c = s.get("c").unwrap().unwrap();
    assert_eq!((c.status, c.message.as_str()), (JobStatus::Failed, "Process error: no"));
    assert!(c.result.is_none());
    let ids = |v: Vec<rookery_service::jobs::Job>| v.into_iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(ids(s.list(Some("k1"), 10).unwrap()), vec!["b", "a"]);
    assert_eq!(ids(s.list(Some("k2"), 10).unwrap()), vec!["c"]);
    assert!(s.list(Some("other"), 10).unwrap().is_empty());
    assert_eq!(ids(s.list(None, 2).unwrap()), vec!["c", "b"]);

    // Dismissal: a running job's end is then ignored; twice is a no-op.
    s.submit(&new_job("d", "k1"), 10).unwrap();
    s.claim("w3", i64::MAX).unwrap().unwrap();
    assert!(s.dismiss("d").unwrap());
    assert!(!s.dismiss("d").unwrap());
    assert!(!s.dismiss("nope").unwrap());
    assert!(!s.renew("d", "w3", i64::MAX).unwrap());
    assert!(!s.finish("d", "w3", Ok(JobResult::default())).unwrap());
    let d = s.get("d").unwrap().unwrap();
    assert_eq!((d.status, d.message.as_str()), (JobStatus::Dismissed, "Job dismissed"));
    assert_eq!(s.count(JobStatus::Dismissed).unwrap(), 1);
    assert_eq!(s.count(JobStatus::Running).unwrap(), 0);

    // Expired leases are recovered (and only those).
    s.submit(&new_job("e", "k1"), 10).unwrap();
    let t = now();
    s.claim("remote", t + 1000).unwrap().unwrap();
    assert_eq!(s.recover(None, t + 500, 3).unwrap(), (0, 0));
    assert_eq!(s.recover(None, t + 2000, 3).unwrap(), (1, 0));
    assert_eq!(s.get("e").unwrap().unwrap().status, JobStatus::Accepted);

    // Retention: final jobs only, then deleted.
    let mut old = s.expired(now() + 1000).unwrap();
    old.sort();
    assert_eq!(old, vec!["a", "b", "c", "d"]);
    assert!(s.expired(0).unwrap().is_empty());
    for id in &old {
        s.delete(id).unwrap();
    }
    assert!(s.get("a").unwrap().is_none());
    assert_eq!(ids(s.list(None, 10).unwrap()), vec!["e"]);

    // Usage log.
    for (i, op) in ["Execute", "download", "status"].iter().enumerate() {
        let i = i64::try_from(i).unwrap();
        s.log_usage(&UsageRecord {
            time_start: 1000 * i,
            time_end: 1000 * i + 10,
            user: format!("u{i}"),
            operation: (*op).into(),
            process: "subset".into(),
            job: "e".into(),
            inputs: "{\"time\": \"2001\"}".into(),
            http_status: 200 + u16::try_from(i).unwrap(),
            bytes_out: u64::MAX / 2,
            remote: "127.0.0.1".into(),
        })
        .unwrap();
    }
    let all = s.usage(None, None).unwrap();
    assert_eq!(all.iter().map(|r| r.operation.as_str()).collect::<Vec<_>>(), vec!["Execute", "download", "status"]);
    assert_eq!((all[1].http_status, all[1].bytes_out, all[1].user.as_str()), (201, u64::MAX / 2, "u1"));
    assert_eq!(s.usage(Some(1000), None).unwrap().len(), 2);
    assert_eq!(s.usage(None, Some(1010)).unwrap().len(), 2);
    assert_eq!(s.usage(Some(1000), Some(1010)).unwrap().len(), 1);

    // API keys.
    let k = |id: &str, name: &str| KeyRecord {
        id: id.into(),
        name: name.into(),
        scopes: vec!["execute".into(), "jobs".into()],
        created: now(),
        revoked: None,
        last_used: None,
    };
    s.add_key(&k("k1", "alice"), "hash1").unwrap();
    s.add_key(&k("k2", "bob"), "hash2").unwrap();
    assert!(s.add_key(&k("k3", "eve"), "hash1").is_err(), "hashes are unique");
    let a = s.key_by_hash("hash1").unwrap().unwrap();
    assert_eq!(
        (a.id.as_str(), a.name.as_str(), a.scopes.clone()),
        ("k1", "alice", vec!["execute".to_string(), "jobs".into()])
    );
    assert!(s.key_by_hash("nope").unwrap().is_none());
    let ks = s.keys().unwrap();
    assert_eq!(ks.len(), 2);
    assert!(ks.iter().find(|k| k.id == "k1").unwrap().last_used.is_some(), "use is recorded");
    assert!(s.revoke_key("bob").unwrap());
    assert!(!s.revoke_key("bob").unwrap());
    assert!(s.revoke_key("k1").unwrap());
    assert!(!s.revoke_key("nobody").unwrap());
    assert!(s.key_by_hash("hash1").unwrap().is_none());
    assert!(s.keys().unwrap().iter().all(|k| k.revoked.is_some()));
}

#[test]
fn store_contract_sqlite_and_postgres() {
    let tmp = tempfile::tempdir().unwrap();
    contract(&SqliteStore::open(&tmp.path().join("rookery.sqlite")).unwrap());
    let Some(sc) = Schema::new() else { return };
    contract(&PgStore::open(&sc.url).unwrap());
    // Opening again (the schema exists) is fine, and sees the same data.
    let s2 = PgStore::open(&sc.url).unwrap();
    assert_eq!(s2.list(None, 10).unwrap().len(), 1);
}

#[test]
fn concurrent_opens_and_claims_are_safe() {
    let Some(sc) = Schema::new() else { return };
    // Eight stores open (creating the schema) at once, then claim from one queue at once.
    let stores: Vec<PgStore> = std::thread::scope(|t| {
        let hs: Vec<_> = (0..8).map(|_| t.spawn(|| PgStore::open(&sc.url).unwrap())).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for i in 0..300 {
        stores[0].submit(&new_job(&format!("j{i:03}"), "k"), 1000).unwrap();
    }
    let got: Vec<Vec<String>> = std::thread::scope(|t| {
        let hs: Vec<_> = stores
            .iter()
            .enumerate()
            .map(|(n, s)| {
                t.spawn(move || {
                    let mut v = Vec::new();
                    while let Some(j) = s.claim(&format!("t{n}"), i64::MAX).unwrap() {
                        assert!(s.finish(&j.id, &format!("t{n}"), Ok(JobResult::default())).unwrap());
                        v.push(j.id);
                    }
                    v
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<&String> = got.iter().flatten().collect();
    assert_eq!(all.len(), 300, "{:?}", got.iter().map(Vec::len).collect::<Vec<_>>());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 300, "a job was claimed twice");
    assert!(got.iter().filter(|v| !v.is_empty()).count() >= 2, "claims were shared");
    assert!(stores[0].list(None, 1000).unwrap().iter().all(|j| j.attempts == 1 && j.status == JobStatus::Successful));
}

#[test]
fn safe_inside_a_runtime_and_reconnects() {
    let Some(sc) = Schema::new() else { return };
    let store = std::sync::Arc::new(PgStore::open(&sc.url).unwrap());
    // Called directly on runtime threads (as async handlers do): no nested-runtime panic.
    for rt in [
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(),
    ] {
        let s = store.clone();
        rt.block_on(async move {
            s.submit(&new_job(&format!("rt{}", s.count(JobStatus::Accepted).unwrap()), "k"), 10).unwrap();
            let s2 = s.clone();
            tokio::spawn(async move { s2.list(None, 10).unwrap() }).await.unwrap();
        });
    }
    assert_eq!(store.count(JobStatus::Accepted).unwrap(), 2);

    // The server drops the connection (as a restart does): the next call reconnects.
    let kill = |admin: &mut postgres::Client| {
        admin
            .query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", &[&sc.name])
            .unwrap()
            .len()
    };
    let mut admin = sc.admin();
    assert_eq!(kill(&mut admin), 1);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(store.count(JobStatus::Accepted).unwrap(), 2);
    assert_eq!(kill(&mut admin), 1);
    std::thread::sleep(Duration::from_millis(100));
    assert!(store.claim("w", i64::MAX).unwrap().is_some());

    // A database that cannot be reached: one line naming it, without the password.
    let t0 = Instant::now();
    let e =
        PgStore::open("postgres://rookery:hunter2@127.0.0.1:1/jobs").err().expect("no server on port 1").to_string();
    assert!(e.contains("postgres://rookery@127.0.0.1:1/jobs") && !e.contains("hunter2") && !e.contains('\n'), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(15));
    let e = PgStore::open("postgres://127.0.0.1:notaport/x").err().unwrap().to_string();
    assert!(e.starts_with("job store postgres://127.0.0.1:notaport/x: "), "{e}");
}

#[test]
fn an_expired_lease_is_requeued_then_failed() {
    let Some(sc) = Schema::new() else { return };
    let s = PgStore::open(&sc.url).unwrap();
    s.submit(&new_job("j", "k"), 10).unwrap();
    // A worker claims it and dies: its lease runs out.
    let t = now();
    let j = s.claim("worker:deadhost:1:0", t + 1000).unwrap().unwrap();
    assert_eq!(j.attempts, 1);
    assert_eq!(s.recover(None, t + 999, 2).unwrap(), (0, 0), "lease still valid");
    // A live worker renews; a dead one does not.
    assert!(s.renew("j", "worker:deadhost:1:0", t + 1500).unwrap());
    assert_eq!(s.recover(None, t + 1200, 2).unwrap(), (0, 0));
    assert_eq!(s.recover(None, t + 1600, 2).unwrap(), (1, 0));
    let j = s.get("j").unwrap().unwrap();
    assert_eq!((j.status, j.worker), (JobStatus::Accepted, None));
    // The late worker's result is not taken.
    assert!(!s.finish("j", "worker:deadhost:1:0", Ok(JobResult::default())).unwrap());
    let j = s.claim("worker:otherhost:2:0", t + 1000).unwrap().unwrap();
    assert_eq!(j.attempts, 2);
    assert_eq!(s.recover(None, t + 2000, 2).unwrap(), (0, 1));
    let j = s.get("j").unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Failed);
    assert!(j.message.contains("interrupted"), "{}", j.message);
}

/// `target/<profile>/rookery` beside this test's executable (`target/<profile>/deps/…`).
fn rookery_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ROOKERY_BIN") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let p = exe.parent()?.parent()?.join(format!("rookery{}", std::env::consts::EXE_SUFFIX));
    p.is_file().then_some(p)
}

/// A worker process on `db`: `rookery worker` when the binary is built, else this test
/// executable running the same worker loop ([`worker_process`]).
fn spawn_worker(db: &str, dir: &Path, n: usize, lease_secs: u64, log: &Path) -> Child {
    use_test_projects();
    let mut cmd = if let Some(bin) = rookery_bin() {
        let mut c = Command::new(bin);
        c.args(["worker", "--db", db, "--data-dir"]).arg(dir).args(["--workers", &n.to_string()]);
        c
    } else {
        let mut c = Command::new(std::env::current_exe().unwrap());
        c.args(["--exact", "worker_process", "--ignored", "--nocapture", "--test-threads=1"])
            .env("ROOKERY_TEST_WORKER", format!("{db}\n{}\n{n}", dir.display()));
        c
    };
    cmd.env("ROOKERY_LEASE_SECS", lease_secs.to_string())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    cmd.spawn().expect("worker process starts")
}

/// The worker loop of `rookery worker` in a process of its own (used by [`spawn_worker`] when
/// the `rookery` binary is not built).
#[test]
#[ignore = "run by the tests as a worker process"]
fn worker_process() {
    let Ok(spec) = std::env::var("ROOKERY_TEST_WORKER") else { return };
    let mut it = spec.lines();
    let (db, dir, n) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap().parse().unwrap());
    let mut cfg = rookery_service::Config::default();
    cfg.load_env().unwrap();
    cfg.db = Some(db.into());
    cfg.data_dir = dir.into();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let st = std::sync::Arc::new(rookery_service::state::AppState::open(cfg).unwrap());
        rookery_service::runner::spawn_workers(&st, n, &format!("worker:test-{}", std::process::id()));
        rookery_service::runner::spawn_maintenance(&st);
        eprintln!("worker_process: running");
        std::future::pending::<()>().await;
    });
}

struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn subset_request(time: &str) -> JobRequest {
    let mut r = JobRequest::default();
    r.inputs.insert("collection".into(), vec![rlds()]);
    r.inputs.insert("time".into(), vec![time.into()]);
    r
}

fn wait_until(what: &str, secs: u64, logs: &[PathBuf], mut done: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !done() {
        if t0.elapsed() > Duration::from_secs(secs) {
            for l in logs {
                eprintln!("--- {}:\n{}", l.display(), std::fs::read_to_string(l).unwrap_or_default());
            }
            panic!("timed out after {secs} s waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The process part of a worker id (`worker:<host>:<pid>:<n>`).
fn worker_process_of(w: &str) -> String {
    let mut p: Vec<&str> = w.split(':').collect();
    p.pop();
    p.join(":")
}

#[test]
fn two_worker_processes_share_one_queue() {
    let Some(sc) = Schema::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let store = PgStore::open(&sc.url).unwrap();
    // Real jobs: usage reports (they read the store) with a NetCDF subset every tenth.
    let n = 200;
    for i in 0..n {
        let (process, request) = if i % 10 == 0 {
            ("subset", subset_request(&format!("{}-01-01/{}-12-30", 1900 + i / 10, 1900 + i / 10)))
        } else {
            ("usage", JobRequest::default())
        };
        store
            .submit(
                &NewJob { id: format!("job{i:03}"), process: process.into(), owner: "anonymous".into(), request },
                1000,
            )
            .unwrap();
    }
    let logs = [tmp.path().join("w1.log"), tmp.path().join("w2.log")];
    eprintln!(
        "workers: {}",
        rookery_bin()
            .map_or_else(|| "this test executable (rookery binary not built)".into(), |b| b.display().to_string())
    );
    let _w = Workers(vec![
        spawn_worker(&sc.url, tmp.path(), 2, 60, &logs[0]),
        spawn_worker(&sc.url, tmp.path(), 2, 60, &logs[1]),
    ]);
    wait_until("every job to end", 600, &logs, || {
        store.count(JobStatus::Successful).unwrap() + store.count(JobStatus::Failed).unwrap() == n
    });
    let jobs = store.list(None, 1000).unwrap();
    assert_eq!(jobs.len(), n);
    let mut per_process: HashMap<String, usize> = HashMap::new();
    for j in &jobs {
        assert_eq!(j.status, JobStatus::Successful, "{} ({}): {}", j.id, j.process, j.message);
        assert_eq!(j.attempts, 1, "{} ran more than once", j.id);
        let w = j.worker.as_deref().unwrap();
        assert!(w.starts_with("worker:"), "{w}");
        *per_process.entry(worker_process_of(w)).or_default() += 1;
        let res = j.result.as_ref().unwrap();
        let dir = tmp.path().join("jobs").join(&j.id);
        if j.process == "subset" {
            assert_eq!(res.files.len(), 1, "{}", j.id);
            assert!(dir.join(&res.files[0].name).is_file());
        } else {
            assert!(dir.join("wps_requests.csv").is_file());
        }
    }
    eprintln!("jobs per worker process: {per_process:?}");
    assert_eq!(per_process.len(), 2, "both worker processes took jobs: {per_process:?}");
    assert!(per_process.values().all(|&c| c > 0));
}

#[test]
fn a_killed_worker_process_job_is_rerun_by_another() {
    let Some(sc) = Schema::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let store = PgStore::open(&sc.url).unwrap();
    let log = |n: usize| tmp.path().join(format!("w{n}.log"));
    // A job long enough (~0.3 s in a debug build) to be caught running: every time step of
    // the file. Should it end before the kill all the same, another one is tried.
    let mut caught = None;
    let mut worker: Option<Workers> = None;
    let mut logs = Vec::new();
    for n in 0..5 {
        if worker.is_none() {
            logs.push(log(n));
            worker = Some(Workers(vec![spawn_worker(&sc.url, tmp.path(), 1, 2, &log(n))]));
        }
        let id = format!("big{n}");
        let request = subset_request("1850-01-01/2014-12-30");
        store
            .submit(&NewJob { id: id.clone(), process: "subset".into(), owner: "anonymous".into(), request }, 10)
            .unwrap();
        let t0 = Instant::now();
        let job = loop {
            let j = store.get(&id).unwrap().unwrap();
            if j.status != JobStatus::Accepted {
                break j;
            }
            assert!(t0.elapsed() < Duration::from_secs(60), "the worker never claimed {id}");
            std::thread::sleep(Duration::from_millis(2));
        };
        if job.status == JobStatus::Running {
            // kill -9: no clean-up, the lease just runs out.
            drop(worker.take());
            if store.get(&id).unwrap().unwrap().status == JobStatus::Running {
                caught = Some(job);
                break;
            }
        }
        eprintln!("{id} ended before its worker could be killed; trying another");
        wait_until("the job to end", 60, &logs, || store.get(&id).unwrap().unwrap().status.is_final());
    }
    let first = caught.expect("a job was caught running");
    let id = first.id.clone();
    logs.push(log(9));
    let w2 = Workers(vec![spawn_worker(&sc.url, tmp.path(), 1, 2, &log(9))]);
    wait_until("the job to be re-run", 300, &logs, || store.get(&id).unwrap().unwrap().status.is_final());
    let j = store.get(&id).unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Successful, "{}", j.message);
    eprintln!("the re-run took {} ms", j.finished.unwrap() - j.started.unwrap());
    assert_eq!(j.attempts, 2);
    assert_ne!(worker_process_of(j.worker.as_deref().unwrap()), worker_process_of(first.worker.as_deref().unwrap()));
    drop(w2);
}

fn j(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

#[test]
fn serve_with_postgres_answers_async_ogc_jobs() {
    let Some(sc) = Schema::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), false);
    cfg.db = Some(sc.url.clone());
    let s = start_with(cfg);
    let store = PgStore::open(&sc.url).unwrap();
    let secret = Secret::load(tmp.path()).unwrap();
    let alice = create_key(&store, &secret, "alice", &["execute,jobs".into()]).unwrap().0;
    let bob = create_key(&store, &secret, "bob", &["execute,jobs".into()]).unwrap().0;
    let ah = [
        ("Authorization", format!("Bearer {alice}")),
        ("Content-Type", "application/json".to_string()),
        ("Prefer", "respond-async".into()),
    ];
    let ah: Vec<(&str, &str)> = ah.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body =
        json!({"inputs": {"collection": rlds(), "time": "2001-01-01/2002-12-30", "area": {"value": "20,10,250,90"}}})
            .to_string();
    let r = request("POST", &s.url("/processes/subset/execution"), &ah, body.as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    let loc = r.header("location").unwrap().to_string();
    let id = j(&r)["jobID"].as_str().unwrap().to_string();
    let mut status = String::new();
    for _ in 0..600 {
        status = j(&get_h(&loc, &ah))["status"].as_str().unwrap().to_string();
        if status == "successful" || status == "failed" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status, "successful");
    let res = j(&get_h(&format!("{loc}/results"), &ah));
    let meta = get(res["output"]["href"].as_str().unwrap()).text();
    assert_eq!(meta.matches("<file ").count(), 1, "{meta}");
    let file = between(&meta, "<metaurl mediatype=\"application/x-netcdf\">", "</metaurl>").map(unescape).unwrap();
    let nc = get(&file);
    assert_eq!(nc.status, 200);
    assert!(nc.body.starts_with(b"\x89HDF") || nc.body.starts_with(b"CDF"), "a NetCDF file");
    // The job is in PostgreSQL, owned by alice's key; bob does not see it.
    let job = store.get(&id).unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Successful, 1));
    assert!(job.worker.unwrap().starts_with("serve:"));
    assert_eq!(j(&get_h(&s.url("/jobs"), &ah))["jobs"].as_array().unwrap().len(), 1);
    let bh = [("X-API-Key", bob.as_str())];
    assert_eq!(j(&get_h(&s.url("/jobs"), &bh))["jobs"].as_array().unwrap().len(), 0);
    assert_eq!(get_h(&loc, &bh).status, 404);
    // Dismissal, then the usage log (written off the request path) is in PostgreSQL too.
    let r = request("DELETE", &loc, &ah, b"");
    assert_eq!(j(&r)["status"], "dismissed");
    assert_eq!(store.get(&id).unwrap().unwrap().status, JobStatus::Dismissed);
    wait_until("the usage log", 10, &[], || store.usage(None, None).unwrap().iter().any(|u| u.operation == "download"));
    // A full queue answers ServerBusy.
    drop(s);
    let mut cfg = config(tmp.path(), true);
    cfg.db = Some(sc.url.clone());
    cfg.max_queued = 0;
    let s = start_with(cfg);
    let r = get(&s.url(&format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={}",
        enc(&rlds())
    )));
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("ServerBusy"), "{}", r.text());
}

#[test]
fn keys_cli_with_postgres() {
    let Some(sc) = Schema::new() else { return };
    let Some(bin) = rookery_bin() else {
        assert!(std::env::var_os("CI").is_none(), "the rookery binary is not built (cargo test --workspace builds it)");
        eprintln!("skipped: the rookery binary is not built (cargo build -p rookery)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(&bin).args(args).args(["--db", &sc.url, "--data-dir"]).arg(tmp.path()).output().unwrap();
        assert!(o.status.success(), "rookery {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let key = run(&["keys", "create", "--name", "carol", "--scopes", "execute,jobs,usage"]);
    assert!(key.trim().starts_with("rk_"), "{key}");
    let list = run(&["keys", "list"]);
    assert!(list.contains("carol\texecute,jobs,usage"), "{list}");
    let store = PgStore::open(&sc.url).unwrap();
    assert_eq!(store.keys().unwrap()[0].name, "carol");
    run(&["keys", "revoke", "carol"]);
    assert!(store.keys().unwrap()[0].revoked.is_some());
    // A database that cannot be reached: exit 1 and one line naming it.
    let o = Command::new(&bin)
        .args(["keys", "list", "--db", "postgresql://u:pw@127.0.0.1:1/none", "--data-dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("job store postgresql://u@127.0.0.1:1/none") && !err.contains("pw@"), "{err}");
}
