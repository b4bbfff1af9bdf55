//! `rookery worker`: runs queued jobs from the job store without serving HTTP (more execution
//! capacity beside `rookery serve`; jobs are claimed with a lease, so a worker that dies has its
//! job re-queued by the others). With `--db postgres://...` workers on several machines share
//! one queue (they need the server's data directory, e.g. on a shared file system).

use super::serve::{config, ServeArgs};
use super::Failure;
use std::sync::Arc;

pub(crate) fn run(args: &ServeArgs, workers: Option<usize>) -> Result<(), Failure> {
    let mut c = config(args)?;
    if let Some(w) = workers {
        c.workers = w.max(1);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let n = c.workers;
        let (dir, db) = (c.data_dir.clone(), c.db_label());
        let st = Arc::new(rookery_service::state::AppState::open(c).map_err(|e| Failure::io(e.to_string()))?);
        // Worker ids name the host too: workers on several machines may share a queue.
        rookery_service::runner::spawn_executor(&st, n, &format!("worker:{}", host_name()));
        rookery_service::runner::spawn_maintenance(&st);
        eprintln!("rookery: worker running {n} job(s) at a time from {db}, data in {}", dir.display());
        let _ = tokio::signal::ctrl_c().await;
        Ok(())
    })
}

/// `rookery run-job ID --worker WID`: runs one job claimed by `WID` (the Slurm executor's batch
/// jobs), then exits; 0 when the job's end was recorded, whatever it was.
pub(crate) fn run_one(args: &ServeArgs, id: &str, wid: &str) -> Result<(), Failure> {
    let c = config(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let st = Arc::new(rookery_service::state::AppState::open(c).map_err(|e| Failure::io(e.to_string()))?);
        let job = st
            .store
            .get(id)
            .map_err(|e| Failure::io(e.to_string()))?
            .ok_or_else(|| Failure::io(format!("no job {id} in the job store")))?;
        if job.status != rookery_service::jobs::JobStatus::Running || job.worker.as_deref() != Some(wid) {
            return Err(Failure::io(format!(
                "job {id} is {} and not claimed by {wid}: nothing to run",
                job.status.as_str()
            )));
        }
        eprintln!("rookery: running job {id} ({})", job.process);
        rookery_service::runner::run_job(&st, wid, job).await;
        Ok(())
    })
}

/// This machine's name (for worker ids), or `localhost`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().replace(['%', '_', ':'], "-"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
