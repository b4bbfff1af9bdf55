//! Durable jobs: restart recovery, the queue limit, retention, per-job directories.

mod common;
use common::*;
use rookery_service::auth::Secret;
use rookery_service::jobs::{JobRequest, JobStatus, JobStore, NewJob, SqliteStore};
use std::time::Duration;

fn subset_request() -> JobRequest {
    let mut r = JobRequest::default();
    r.inputs.insert("collection".into(), vec![rlds()]);
    r.inputs.insert("time".into(), vec!["2001-01-01/2001-12-30".into()]);
    r
}

fn wait_status(store: &SqliteStore, id: &str, want: JobStatus) -> rookery_service::jobs::Job {
    for _ in 0..300 {
        let j = store.get(id).unwrap().unwrap();
        if j.status == want {
            return j;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("job {id} never became {want:?}: {:?}", store.get(id).unwrap());
}

#[test]
fn a_job_interrupted_by_a_restart_is_rerun_or_failed() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("jobs")).unwrap();
    let db = tmp.path().join("rookery.sqlite");
    {
        let store = SqliteStore::open(&db).unwrap();
        for id in ["crashed-once", "crashed-twice"] {
            store
                .submit(
                    &NewJob {
                        id: id.into(),
                        process: "subset".into(),
                        owner: "anonymous".into(),
                        request: subset_request(),
                    },
                    10,
                )
                .unwrap();
        }
        // A previous server claimed both and died; the second had already been retried once.
        store.claim("serve:1:0", i64::MAX).unwrap().unwrap();
        store.claim("serve:1:1", i64::MAX).unwrap().unwrap();
        assert_eq!(store.recover(Some("serve:1:1"), 0, 9).unwrap(), (1, 0));
        assert_eq!(store.claim("serve:2:0", i64::MAX).unwrap().unwrap().id, "crashed-twice");
    }
    let s = start_with(config(tmp.path(), true));
    let store = SqliteStore::open(&db).unwrap();
    let j = wait_status(&store, "crashed-once", JobStatus::Successful);
    assert_eq!(j.attempts, 2);
    assert_eq!(j.result.unwrap().files.len(), 1);
    let j = store.get("crashed-twice").unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Failed);
    assert!(j.message.contains("interrupted"), "{}", j.message);
    // Its status document says so.
    let t = Secret::load(tmp.path()).unwrap().job_token("crashed-twice");
    let doc = get(&s.url(&format!("/outputs/crashed-twice.xml?t={t}"))).text();
    assert!(doc.contains("ProcessFailed") && doc.contains("interrupted"), "{doc}");
}

#[test]
fn a_full_queue_answers_server_busy() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), true);
    cfg.max_queued = 0;
    let s = start_with(cfg);
    let r = get(&s.url(&format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={}",
        enc(&rlds())
    )));
    assert_eq!(r.status, 503);
    assert!(r.text().contains("exceptionCode=\"ServerBusy\""), "{}", r.text());
    // Health does not queue.
    assert_eq!(
        get(&s.url("/wps?service=WPS&version=1.0.0&request=Execute&identifier=health&RawDataOutput=status")).status,
        200
    );
}

#[test]
fn finished_jobs_are_removed_after_retention() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), true);
    cfg.retention_hours = 0.0;
    cfg.lease_secs = 2;
    let s = start_with(cfg);
    let r = get(&s.url(&format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={};time=2001-01-01/2001-12-30",
        enc(&rlds())
    )));
    let t = r.text();
    assert!(t.contains("ProcessSucceeded"), "{t}");
    let meta = output_href(&t, "output").unwrap();
    let id = meta.split("/outputs/").nth(1).unwrap().split('/').next().unwrap().to_string();
    assert!(tmp.path().join("jobs").join(&id).is_dir(), "per-job directory");
    let store = SqliteStore::open(&tmp.path().join("rookery.sqlite")).unwrap();
    for _ in 0..100 {
        if store.get(&id).unwrap().is_none() {
            assert!(!tmp.path().join("jobs").join(&id).exists());
            assert_eq!(get(&meta).status, 404);
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("job {id} was not cleaned up");
}

#[test]
fn a_separate_worker_shares_the_queue_and_no_job_runs_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), true);
    cfg.workers = 1;
    let s = start_with(cfg.clone());
    // A `rookery worker` on the same data directory.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let st = std::sync::Arc::new(rookery_service::state::AppState::open(cfg).unwrap());
            rookery_service::runner::spawn_workers(&st, 1, "worker");
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.ok();
        });
        rt.shutdown_timeout(Duration::from_secs(2));
    });
    let mut locs = Vec::new();
    for y in 2001..2009 {
        let r = get(&s.url(&format!(
            "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&storeExecuteResponse=true&status=true&datainputs=collection={};time={y}-01-01/{y}-12-30",
            enc(&rlds())
        )));
        locs.push(unescape(between(&r.text(), "statusLocation=\"", "\"").unwrap()));
    }
    for l in &locs {
        assert!(poll(l, &[]).contains("ProcessSucceeded"));
    }
    let store = SqliteStore::open(&tmp.path().join("rookery.sqlite")).unwrap();
    let jobs = store.list(None, 100).unwrap();
    assert_eq!(jobs.len(), 8);
    assert!(jobs.iter().all(|j| j.attempts == 1), "every job ran once");
    let by_worker = jobs.iter().filter(|j| j.worker.as_deref().is_some_and(|w| w.starts_with("worker:"))).count();
    eprintln!("{by_worker} of 8 jobs ran in the separate worker");
    stop_tx.send(()).unwrap();
    worker.join().unwrap();
}

#[test]
fn a_second_server_on_the_same_data_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), true);
    let first = start_with(cfg.clone());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let e =
        rt.block_on(rookery_service::start(cfg.clone())).err().expect("a second server on the directory is refused");
    let msg = e.to_string();
    assert!(matches!(e, rookery_service::ServiceError::Locked(_)), "{msg}");
    assert!(
        msg.contains(&tmp.path().display().to_string()) && msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    // Workers (and Slurm's run-job) share the directory: they do not take the lock.
    rt.block_on(async { rookery_service::state::AppState::open(cfg.clone()).map(|_| ()) }).unwrap();
    // The first one keeps serving; once it stops, the directory is free again.
    assert_eq!(get(&first.url("/conformance")).status, 200);
    drop(first);
    let again = start_with(cfg);
    assert_eq!(get(&again.url("/conformance")).status, 200);
}

#[path = "../../rookery-io/tests/support/tmpfs.rs"]
mod tmpfs;

/// One month of MPI-ESM-1-2-HAM tos on its ocean grid: a 3.4 MB output.
fn tos() -> String {
    data("badc/cmip6/data/CMIP6/ScenarioMIP/HAMMOZ-Consortium/MPI-ESM-1-2-HAM/ssp370/r1i1p1f1/Omon/tos/gn/v20190628/tos_Omon_MPI-ESM-1-2-HAM_ssp370_r1i1p1f1_gn_201501.nc")
}

fn json_of(r: &Resp) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

/// A server whose data directory and SQLite store are where asked, with a key `alice`.
fn server_at(data: &std::path::Path, db: &std::path::Path, min_free: &str) -> (Server, String) {
    let mut cfg = config(data, false);
    cfg.db = Some(db.to_string_lossy().into_owned());
    cfg.set("min_free_space", min_free).unwrap();
    cfg.workers = 1;
    let s = start_with(cfg);
    let store = SqliteStore::open(db).unwrap();
    let key =
        rookery_service::auth::create_key(&store, &Secret::load(data).unwrap(), "alice", &["execute,jobs".into()])
            .unwrap()
            .0;
    (s, key)
}

fn submit_async(s: &Server, key: &str, body: &str) -> Resp {
    let h = [("X-API-Key", key), ("Content-Type", "application/json"), ("Prefer", "respond-async")];
    request("POST", &s.url("/processes/subset/execution"), &h, body.as_bytes())
}

fn job_doc(s: &Server, key: &str, id: &str) -> serde_json::Value {
    let r = get_h(&s.url(&format!("/jobs/{id}")), &[("X-API-Key", key)]);
    assert_eq!(r.status, 200, "{}", r.text());
    json_of(&r)
}

fn wait_final(s: &Server, key: &str, id: &str) -> serde_json::Value {
    for _ in 0..600 {
        let d = job_doc(s, key, id);
        if matches!(d["status"].as_str(), Some("successful" | "failed")) {
            return d;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("job {id} did not end");
}

#[test]
fn a_full_output_disk_fails_the_job_with_disk_full_leaves_nothing_and_refuses_new_jobs() {
    let Some(fs) = tmpfs::Tmpfs::mount(16 << 20) else { return };
    let store_dir = tempfile::tempdir().unwrap();
    let (s, key) = server_at(fs.path(), &store_dir.path().join("rookery.sqlite"), "200kB");
    // 1 MB left; the subset's output is larger.
    fs.fill(1_000_000);
    let body = serde_json::json!({"inputs": {"collection": tos()}}).to_string();
    let r = submit_async(&s, &key, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = json_of(&r)["jobID"].as_str().unwrap().to_string();
    let d = wait_final(&s, &key, &id);
    let msg = d["message"].as_str().unwrap_or_default().to_string();
    assert_eq!(d["status"], "failed", "{d}");
    assert!(msg.contains("disk full"), "{msg}");
    assert!(!msg.contains(&*fs.path().to_string_lossy()) && !msg.contains("/jobs/"), "no server paths: {msg}");
    assert!(!msg.contains("HDF error"), "{msg}");
    // Nothing left: no temporary, no empty file, no descriptor to a removed file.
    let left: Vec<_> = fs.files().into_iter().filter(|(p, _)| p.contains("/jobs/")).collect();
    assert_eq!(left, Vec::<(String, u64)>::new());
    assert_eq!(fs.deleted_descriptors(), Vec::<String>::new());
    assert!(fs.free() >= 900_000, "space back: {}", fs.free());

    // Below the floor: refused before running, with Retry-After (OGC API) / ServerBusy (WPS).
    fs.fill(100_000);
    let r = submit_async(&s, &key, &body);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.header("retry-after").is_some(), "{:?}", r.headers);
    assert!(r.text().contains("Not enough free disk space"), "{}", r.text());
    assert!(!r.text().contains(&*fs.path().to_string_lossy()), "{}", r.text());
    let r = get_h(
        &s.url(&format!(
            "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={}",
            enc(&rlds())
        )),
        &[("X-API-Key", &key)],
    );
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("ServerBusy"), "{}", r.text());
    // Reads go on.
    assert_eq!(get_h(&s.url("/jobs"), &[("X-API-Key", &key)]).status, 200);
    drop(s);
}

/// Submits a subset, waits until it runs, then fills `fs` (where the store is) completely.
/// `None` when the job ended before the disk was full (the caller tries again).
fn run_into_a_full_store(s: &Server, key: &str, fs: &tmpfs::Tmpfs, db: &std::path::Path) -> Option<String> {
    let body = serde_json::json!({"inputs": {"collection": tos()}}).to_string();
    let r = submit_async(s, key, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = json_of(&r)["jobID"].as_str().unwrap().to_string();
    let store = SqliteStore::open(db).unwrap();
    for _ in 0..2000 {
        match store.get(&id).unwrap().unwrap().status {
            JobStatus::Running => break,
            JobStatus::Accepted => std::thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
    fs.fill(0);
    if store.get(&id).unwrap().unwrap().status == JobStatus::Running {
        return Some(id);
    }
    // It ended between the check and the filling: free the disk for the next attempt.
    fs.unfill();
    None
}

#[test]
fn a_job_whose_end_cannot_be_recorded_on_a_full_store_is_recorded_later_also_after_a_restart() {
    let Some(fs) = tmpfs::Tmpfs::mount(16 << 20) else { return };
    let data = tempfile::tempdir().unwrap();
    let db = fs.path().join("rookery.sqlite");
    let (s, key) = server_at(data.path(), &db, "0");
    // A restart while the end is kept: the next server records it from the job directory.
    let id = (0..3).find_map(|_| run_into_a_full_store(&s, &key, &fs, &db)).expect("a job ran into the full disk");
    let d = wait_final(&s, &key, &id);
    assert_eq!(d["status"], "successful", "status reads show the kept end: {d}");
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.get(&id).unwrap().unwrap().status, JobStatus::Running, "the store could not take it");
    assert_eq!(get_h(&s.url("/jobs"), &[("X-API-Key", &key)]).status, 200);
    // A synchronous request answers at once: 503 with the reason (the store cannot queue it).
    let t0 = std::time::Instant::now();
    let sync_body = serde_json::json!({"inputs": {"collection": rlds(), "time": "2001/2001"}}).to_string();
    let r = request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("X-API-Key", &key), ("Content-Type", "application/json")],
        sync_body.as_bytes(),
    );
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("disk is full") && r.header("retry-after").is_some(), "{}", r.text());
    assert!(t0.elapsed() < Duration::from_secs(20));
    drop(s);
    fs.unfill();
    // (Alice's first key still holds her jobs.)
    let (s, _) = server_at(data.path(), &db, "0");
    let j = store.get(&id).unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (JobStatus::Successful, 1), "recorded at start, not run again: {j:?}");
    assert!(!data.path().join("jobs").join(&id).join(".end.json").exists());
    assert_eq!(job_doc(&s, &key, &id)["status"], "successful");

    // Without a restart: recorded by the running server once the store has room again.
    let id = (0..3).find_map(|_| run_into_a_full_store(&s, &key, &fs, &db)).expect("a job ran into the full disk");
    assert_eq!(wait_final(&s, &key, &id)["status"], "successful");
    fs.unfill();
    for _ in 0..300 {
        if store.get(&id).unwrap().unwrap().status == JobStatus::Successful {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the kept end was not recorded: {:?}", store.get(&id).unwrap());
}
