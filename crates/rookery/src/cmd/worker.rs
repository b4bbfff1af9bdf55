//! `rookery worker`: runs queued jobs from a data directory's job store without serving HTTP
//! (more execution capacity beside `rookery serve`; jobs are claimed with a lease, so a worker
//! that dies has its job re-queued by the others).

use super::serve::{config, ServeArgs};
use super::Failure;
use std::sync::Arc;

pub fn run(args: &ServeArgs, workers: Option<usize>) -> Result<(), Failure> {
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
        let dir = c.data_dir.clone();
        let st = Arc::new(rookery_service::server::AppState::open(c).map_err(|e| Failure::io(e.to_string()))?);
        rookery_service::server::spawn_workers(&st, n, "worker");
        rookery_service::server::spawn_maintenance(&st);
        eprintln!("rookery: worker running {n} job(s) at a time from {}", dir.display());
        let _ = tokio::signal::ctrl_c().await;
        Ok(())
    })
}
