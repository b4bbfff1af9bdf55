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
            let st = std::sync::Arc::new(rookery_service::server::AppState::open(cfg).unwrap());
            rookery_service::server::spawn_workers(&st, 1, "worker");
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
