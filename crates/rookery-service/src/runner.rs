//! The execution floor's job runner: local workers claim queued jobs from the store and run
//! them (renewing their lease, storing progress, recording the end — or keeping it when the
//! store cannot take it), the Slurm dispatcher instead when configured, and maintenance
//! (expired leases, retention, kept ends).

use crate::failure::JobFailure;
use crate::jobs::{Job, JobStatus};
use crate::state::{record_kept_end, record_kept_ends, St};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Runs queued jobs with the configured executor: `n` local workers claiming from the store
/// with a lease (each job in its directory on a blocking thread), or the Slurm dispatcher.
pub fn spawn_executor(st: &St, n: usize, prefix: &str) {
    match st.cfg.executor {
        crate::config::Executor::Local => spawn_workers(st, n, prefix),
        crate::config::Executor::Slurm => crate::slurm::spawn_dispatcher(st, &format!("slurm:{prefix}")),
    }
}

/// Starts `n` local workers.
pub fn spawn_workers(st: &St, n: usize, prefix: &str) {
    for i in 0..n {
        let st = st.clone();
        let wid = format!("{prefix}:{}:{i}", std::process::id());
        tokio::spawn(async move {
            loop {
                let notified = st.new_job.notified();
                let lease = crate::time::now_ms() + i64::try_from(st.cfg.lease_secs * 1000).unwrap_or(60_000);
                match st.store.claim(&wid, lease) {
                    Ok(Some(job)) => run_job(&st, &wid, job).await,
                    Ok(None) => {
                        let _ = tokio::time::timeout(Duration::from_secs(2), notified).await;
                    }
                    Err(e) => {
                        tracing::error!("claiming a job failed: {e}");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        });
    }
}

/// Runs one claimed job under worker id `wid` and records its end (what a worker does with a
/// job it claimed; `rookery run-job` calls it for a job the Slurm dispatcher claimed).
pub async fn run_job(st: &St, wid: &str, job: Job) {
    let dir = st.cfg.job_dir(&job.id);
    // A job whose end was kept (its store could not record it) is not run again: that end is.
    if let Some(r) = record_kept_end(st, &job.id) {
        tracing::info!("job {}: its kept end was recorded instead of running it again ({r:?})", job.id);
        st.job_done.notify_waiters();
        return;
    }
    // A re-queued job starts from a clean directory.
    let _ = std::fs::remove_dir_all(&dir);
    let stop = Arc::new(Notify::new());
    // Set when the job is dismissed (or lost): its operation stops at its next block.
    let cancel = rookery_io::Cancel::new();
    // The operation reports a fraction; the heartbeat stores it (at most once a second) and
    // renews the lease.
    let pct = Arc::new(std::sync::atomic::AtomicU8::new(0));
    let progress = {
        let pct = pct.clone();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        rookery_daops::Progress::new(move |x| {
            pct.store((x * 100.0).floor() as u8, std::sync::atomic::Ordering::Relaxed)
        })
    };
    let hb = {
        let (st, wid, id, stop, pct) = (st.clone(), wid.to_string(), job.id.clone(), stop.clone(), pct.clone());
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let every = Duration::from_millis(st.cfg.lease_secs * 1000 / 3);
            let tick = every.min(Duration::from_secs(1));
            let mut renewed = tokio::time::Instant::now();
            let mut stored = 0u8;
            loop {
                tokio::select! {
                    () = stop.notified() => break,
                    () = tokio::time::sleep(tick) => {
                        let p = pct.load(std::sync::atomic::Ordering::Relaxed);
                        // Dismissed, here or at another host sharing the store: stop the work.
                        if dismissed(&st, &id).await {
                            cancel.cancel();
                            break;
                        }
                        if p != stored {
                            let (st2, id2, wid2) = (st.clone(), id.clone(), wid.clone());
                            let _ = tokio::task::spawn_blocking(move || st2.store.set_progress(&id2, &wid2, p)).await;
                            stored = p;
                        }
                        if renewed.elapsed() >= every {
                            renewed = tokio::time::Instant::now();
                            let lease = crate::time::now_ms() + i64::try_from(st.cfg.lease_secs * 1000).unwrap_or(60_000);
                            // Lost (dismissed, taken over): stop. A store that cannot be written
                            // (a full disk) is tried again at the next turn.
                            match st.store.renew(&id, &wid, lease) {
                                Ok(true) => {}
                                Ok(false) => {
                                    cancel.cancel();
                                    break;
                                }
                                Err(e) => tracing::warn!("job {id}: lease not renewed: {e}"),
                            }
                        }
                    }
                }
            }
        })
    };
    let t0 = std::time::Instant::now();
    let (store, process, inputs) = (st.store.clone(), job.process.clone(), job.request.inputs.clone());
    let d2 = dir.clone();
    let mut peers = crate::federation::Peers::new(st.cfg.peers.clone(), st.cfg.peer_timeout_secs, st.cfg.peer_attempts);
    peers.tokens = st.peer_tokens.clone();
    peers.placements = st.placements.clone();
    peers.user_token = st.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&job.id).cloned();
    let job_id = job.id.clone();
    let data = st.data.clone().map(|d| Arc::new(d.with_cancel(cancel.clone())));
    let cache = st.results.clone();
    let res = tokio::task::spawn_blocking(move || {
        crate::execute::execute(
            &process,
            &inputs,
            &crate::execute::Ctx {
                dir: &d2,
                store: store.as_ref(),
                progress,
                peers: &peers,
                job_id: &job_id,
                data: &data,
                cache: cache.as_ref(),
            },
        )
    })
    .await;
    stop.notify_one();
    let _ = hb.await;
    st.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&job.id);
    let outcome = match res {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(JobFailure { message: format!("Process error: {}", crate::text::one_line(&e.0)), kind: e.1 }),
        Err(e) => Err(JobFailure::from(format!("Process error: internal error ({e})"))),
    };
    if let Err(JobFailure { message: m, .. }) = &outcome {
        tracing::info!("job {} ({}) failed after {:?}: {m}", job.id, job.process, t0.elapsed());
    } else {
        tracing::info!("job {} ({}) finished in {:?}", job.id, job.process, t0.elapsed());
    }
    let written: u64 = outcome.as_ref().map_or(0, |r| r.files.iter().map(|f| f.size).sum());
    // A computed (not cached) data operation measures the node's speed for later estimates.
    if let (Ok(r), Some(e)) = (&outcome, &job.request.estimate) {
        if r.cached_from.is_none() {
            st.throughput.record(e["readBytes"].as_u64().unwrap_or(0), t0.elapsed().as_secs_f64());
        }
    }
    if outcome.is_err() {
        // A failed job publishes nothing: no partial, temporary or empty files are left.
        st.remove_outputs(&job.id);
    }
    match st.store.finish(&job.id, wid, outcome.clone()) {
        Ok(true) if written > 0 => {
            // Counted for the owner's daily output quota.
            let day = crate::quota::day_of(crate::time::now_ms());
            if let Err(e) = crate::jobs::IdentityStore::add_bytes_written(st.store.as_ref(), &job.owner, day, written) {
                tracing::warn!("quota: recording {written} bytes of job {} failed: {e}", job.id);
            }
        }
        Ok(true) => {}
        Ok(false) => {
            // Dismissed (or taken over) meanwhile: its outputs are not wanted.
            if st.store.get(&job.id).ok().flatten().is_some_and(|j| j.status == JobStatus::Dismissed) {
                st.remove_outputs(&job.id);
            }
        }
        Err(e) => {
            // Kept (and saved in the job directory) until the store takes it: status reads and
            // a waiting synchronous request see the end now; maintenance records it later.
            tracing::error!("recording the end of job {} failed: {e}; kept until the store can take it", job.id);
            st.pending.keep(&job.id, crate::jobs::pending::ended(wid, outcome), &dir);
        }
    }
    st.job_done.notify_waiters();
}

/// Whether the store says job `id` was dismissed (a store that cannot be read: not known, no).
async fn dismissed(st: &St, id: &str) -> bool {
    let (st, id) = (st.clone(), id.to_string());
    tokio::task::spawn_blocking(move || {
        st.store.get(&id).ok().flatten().is_some_and(|j| j.status == JobStatus::Dismissed)
    })
    .await
    .unwrap_or(false)
}

/// Re-queues jobs whose lease expired and removes jobs past retention, every few seconds.
pub fn spawn_maintenance(st: &St) {
    let st = st.clone();
    tokio::spawn(async move {
        let mut last_cleanup = 0i64;
        loop {
            // Ends kept while the store could not take them go in first: a job whose lease ran
            // out meanwhile is then recorded, not re-queued.
            if !st.pending.is_empty() {
                let st2 = st.clone();
                let _ = tokio::task::spawn_blocking(move || record_kept_ends(&st2, false)).await;
            }
            let now = crate::time::now_ms();
            if let Some(like) = st.startup_recovery.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone() {
                match st.store.recover(Some(&like), now, st.cfg.max_attempts) {
                    Ok((r, f)) => {
                        tracing::warn!("jobs interrupted by the previous run: {r} re-queued, {f} marked failed");
                        *st.startup_recovery.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                        st.new_job.notify_waiters();
                    }
                    Err(e) => tracing::error!("recovering the previous run's jobs failed again: {e}"),
                }
            }
            match st.store.recover(None, now, st.cfg.max_attempts) {
                Ok((r, f)) if r + f > 0 => {
                    tracing::warn!("jobs with expired leases: {r} re-queued, {f} failed");
                    st.new_job.notify_waiters();
                }
                Ok(_) => {}
                Err(e) => tracing::error!("lease recovery failed: {e}"),
            }
            #[allow(clippy::cast_possible_truncation)]
            let keep = (st.cfg.retention_hours.max(0.0) * 3_600_000.0) as i64;
            if now - last_cleanup > (keep / 4).clamp(1000, 60_000) {
                last_cleanup = now;
                if let Ok(ids) = st.store.expired(now - keep) {
                    for id in ids {
                        st.remove_outputs(&id);
                        let _ = st.store.delete(&id);
                    }
                }
            }
            tokio::time::sleep(Duration::from_secs(st.cfg.lease_secs.clamp(2, 10))).await;
        }
    });
}
