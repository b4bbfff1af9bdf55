//! The Slurm executor: jobs of the queue run as Slurm batch jobs (the same binary).
//!
//! ```text
//!   dispatcher (in `serve` or `worker` with executor = slurm)
//!     claim a queued job (lease, worker id slurm:<host>:<pid>)
//!     sbatch --parsable --job-name rookery-<id> --output <data>/slurm/<id>-%j.log <slurm_options>
//!            --wrap "<rookery> run-job <id> --worker <wid> --data-dir <dir> [--db <db>]"
//!         refused → the job fails: "Slurm refused the job: <sbatch's message>"
//!     every 2 s, for each submitted job: renew its lease while Slurm has it
//!         (squeue: PENDING/CONFIGURING/RUNNING/COMPLETING...), stop when the job store has
//!         its end (run-job recorded it); gone from squeue without an end → failed, naming the
//!         Slurm job, its last state and the tail of its log; dismissed → scancel
//!   run-job (on a compute node, shared file system and job store): runs that one job as a
//!         local worker would, under the dispatcher's worker id
//! ```

use crate::jobs::JobStatus;
use crate::state::St;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Quotes `s` for the shell of `sbatch --wrap`.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// `squeue`'s state of a Slurm job, or `None` once it left the queue.
fn squeue_state(sid: &str) -> Option<String> {
    let o = Command::new("squeue").args(["-h", "-j", sid, "-o", "%T"]).output().ok()?;
    let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
    (o.status.success() && !s.is_empty()).then_some(s)
}

/// A submitted job.
struct Submitted {
    slurm_id: String,
    log: PathBuf,
    state: String,
    gone_since: Option<Instant>,
}

/// The `sbatch` command line of a claimed job.
fn sbatch_command(st: &St, wid: &str, job_id: &str) -> (Command, PathBuf) {
    let cfg = &st.cfg;
    let logs = cfg.data_dir.join("slurm");
    let _ = std::fs::create_dir_all(&logs);
    let program =
        cfg.slurm.program.clone().or_else(|| std::env::current_exe().ok()).unwrap_or_else(|| PathBuf::from("rookery"));
    let data_dir = std::fs::canonicalize(&cfg.data_dir).unwrap_or_else(|_| cfg.data_dir.clone());
    let mut wrap = format!(
        "exec {} run-job {} --worker {} --data-dir {}",
        sh(&program.to_string_lossy()),
        sh(job_id),
        sh(wid),
        sh(&data_dir.to_string_lossy())
    );
    if let Some(db) = &cfg.db {
        wrap.push_str(&format!(" --db {}", sh(db)));
    }
    let short: String = job_id.chars().take(8).collect();
    let log = logs.join(format!("{job_id}-%j.log"));
    let mut c = Command::new("sbatch");
    c.arg("--parsable")
        .arg(format!("--job-name=rookery-{short}"))
        .arg(format!("--output={}", log.display()))
        .arg(format!("--chdir={}", data_dir.display()))
        .args(&cfg.slurm.options)
        .arg("--wrap")
        .arg(wrap);
    (c, log)
}

/// Starts the dispatcher: claims queued jobs and submits each with `sbatch`.
pub fn spawn_dispatcher(st: &St, prefix: &str) {
    let st = st.clone();
    let wid = format!("{prefix}:{}", std::process::id());
    tokio::spawn(async move {
        let mut running: HashMap<String, Submitted> = HashMap::new();
        let mut last_poll = Instant::now();
        loop {
            let notified = st.new_job.notified();
            let lease = crate::time::now_ms() + i64::try_from(st.cfg.lease_secs * 1000).unwrap_or(60_000);
            let claimed = {
                let (st2, wid2) = (st.clone(), wid.clone());
                tokio::task::spawn_blocking(move || st2.store.claim(&wid2, lease)).await
            };
            match claimed {
                Ok(Ok(Some(job))) => {
                    let (st2, wid2, id2) = (st.clone(), wid.clone(), job.id.clone());
                    let sub = tokio::task::spawn_blocking(move || submit(&st2, &wid2, &id2)).await;
                    match sub {
                        Ok(Ok(s)) => {
                            tracing::info!("job {} submitted to Slurm as {}", job.id, s.slurm_id);
                            running.insert(job.id.clone(), s);
                        }
                        Ok(Err(e)) => {
                            let msg = e.to_string();
                            tracing::warn!("job {}: {msg}", job.id);
                            let _ = st.store.finish(&job.id, &wid, Err(msg.into()));
                            st.job_done.notify_waiters();
                        }
                        Err(e) => {
                            let _ = st.store.finish(&job.id, &wid, Err(format!("Slurm submission failed: {e}").into()));
                            st.job_done.notify_waiters();
                        }
                    }
                    continue;
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::error!("claiming a job failed: {e}"),
                Err(e) => tracing::error!("claiming a job failed: {e}"),
            }
            if last_poll.elapsed() >= Duration::from_secs(2) || !running.is_empty() {
                let (st2, wid2) = (st.clone(), wid.clone());
                let taken = std::mem::take(&mut running);
                if let Ok(kept) = tokio::task::spawn_blocking(move || watch(&st2, &wid2, taken)).await {
                    running = kept;
                }
                last_poll = Instant::now();
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), notified).await;
        }
    });
}

/// Why `sbatch` did not take a job (the job fails with this text).
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// `sbatch` could not be started.
    #[error("Slurm refused the job: cannot run sbatch: {0}")]
    CannotRun(#[source] std::io::Error),
    /// `sbatch` failed; its standard error on one line.
    #[error("Slurm refused the job: {0}")]
    Refused(String),
    /// `sbatch` succeeded but printed no job id; what it printed.
    #[error("Slurm refused the job: sbatch printed no job id ('{0}')")]
    NoJobId(String),
}

/// Submits one claimed job.
fn submit(st: &St, wid: &str, job_id: &str) -> Result<Submitted, SubmitError> {
    let (mut c, log) = sbatch_command(st, wid, job_id);
    let o = c.output().map_err(SubmitError::CannotRun)?;
    if !o.status.success() {
        let msg = String::from_utf8_lossy(&o.stderr).split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(SubmitError::Refused(msg));
    }
    let out = String::from_utf8_lossy(&o.stdout);
    let slurm_id = out.trim().split(';').next().unwrap_or("").to_string();
    if slurm_id.is_empty() || !slurm_id.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Err(SubmitError::NoJobId(out.trim().to_string()));
    }
    let log = PathBuf::from(log.to_string_lossy().replace("%j", &slurm_id));
    Ok(Submitted { slurm_id, log, state: "PENDING".into(), gone_since: None })
}

/// One round of watching the submitted jobs; returns those still with Slurm.
fn watch(st: &St, wid: &str, running: HashMap<String, Submitted>) -> HashMap<String, Submitted> {
    let mut kept = HashMap::new();
    for (id, mut s) in running {
        let job = st.store.get(&id).ok().flatten();
        match job.as_ref().map(|j| j.status) {
            Some(JobStatus::Dismissed) => {
                let _ = Command::new("scancel").arg(&s.slurm_id).status();
                continue;
            }
            Some(st_) if st_.is_final() => continue,
            None => continue,
            _ => {}
        }
        match squeue_state(&s.slurm_id) {
            Some(state) => {
                s.state = state;
                s.gone_since = None;
                let lease = crate::time::now_ms() + i64::try_from(st.cfg.lease_secs * 1000).unwrap_or(60_000);
                let _ = st.store.renew(&id, wid, lease);
                kept.insert(id, s);
            }
            None => {
                // Left the queue; run-job records the end itself — give it a moment.
                let since = *s.gone_since.get_or_insert_with(Instant::now);
                if since.elapsed() < Duration::from_secs(5) {
                    kept.insert(id, s);
                    continue;
                }
                // run-job kept an end the store could not take (a full disk): that end is
                // recorded, as soon as the store takes it.
                if crate::jobs::pending::has_saved(&st.cfg.job_dir(&id)) {
                    if crate::state::record_kept_end(st, &id).is_none() {
                        kept.insert(id, s);
                    }
                    continue;
                }
                let msg = format!(
                    "Process error: Slurm job {} ended without a result (last state {}); log: {}",
                    s.slurm_id,
                    s.state,
                    tail(&s.log, 3)
                );
                tracing::warn!("job {id}: {msg}");
                if let Err(e) = st.store.finish(&id, wid, Err(msg.clone().into())) {
                    tracing::error!("recording the end of job {id} failed: {e}; kept until the store can take it");
                    st.pending.keep(&id, crate::jobs::pending::ended(wid, Err(msg.into())), &st.cfg.job_dir(&id));
                }
                st.job_done.notify_waiters();
            }
        }
    }
    kept
}
