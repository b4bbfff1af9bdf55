//! Ends of jobs the store could not record when they happened (a full disk under the SQLite
//! file, a database gone away), kept until it can.
//!
//! ```text
//!  run_job ends ─ finish() fails ─► PendingEnds (memory) + <job dir>/.end.json (best effort)
//!     status reads (GET /jobs/{id}, WPS status, a waiting synchronous request) see the end
//!  maintenance, every few seconds ─► finish_late(): recorded while the job is still held by
//!     the worker, or re-queued after its lease ran out and not claimed since
//!  a server or worker start ─► the .end.json files of jobs still unfinished are recorded
//!  a worker claiming a job with a kept end records that end instead of running it again
//! ```

use super::{now, Job, JobResult, JobStatus, JobStore, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File in a job's directory holding its unrecorded end.
pub const END_FILE: &str = ".end.json";

/// The end of a job, waiting to be recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingEnd {
    /// Worker that ran the job.
    pub worker: String,
    /// The job's result, or its failure message.
    pub outcome: Result<JobResult, crate::failure::JobFailure>,
    /// When it ended (ms).
    pub at: i64,
}

impl PendingEnd {
    /// `job` as it ended.
    #[must_use]
    pub fn apply(&self, mut job: Job) -> Job {
        match &self.outcome {
            Ok(r) => {
                job.status = JobStatus::Successful;
                "Process finished".clone_into(&mut job.message);
                job.result = Some(r.clone());
            }
            Err(f) => {
                job.status = JobStatus::Failed;
                job.message.clone_from(&f.message);
                job.result = JobResult::of_failure(f).ok().flatten().and_then(|r| serde_json::from_str(&r).ok());
            }
        }
        job.progress = 100;
        job.finished = Some(self.at);
        job
    }
}

/// What became of a kept end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The store has it now.
    Yes,
    /// The job is no longer the worker's (dismissed, finished or claimed again): dropped.
    Superseded,
}

/// Ends kept in memory, by job id.
#[derive(Debug, Default)]
pub struct PendingEnds {
    map: Mutex<HashMap<String, PendingEnd>>,
}

impl PendingEnds {
    fn m(&self) -> std::sync::MutexGuard<'_, HashMap<String, PendingEnd>> {
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `end` of job `id` in memory and, best effort, in `job_dir`.
    pub fn keep(&self, id: &str, end: PendingEnd, job_dir: &Path) {
        if let Err(e) = save(job_dir, &end) {
            tracing::warn!("job {id}: its end could not be saved either ({e}); it is kept in memory only");
        }
        self.m().insert(id.to_string(), end);
    }

    /// The kept end of job `id`.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<PendingEnd> {
        self.m().get(id).cloned()
    }

    /// Number of ends waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.m().len()
    }

    /// Whether none is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.m().is_empty()
    }

    /// `job` with its kept end, if it has one and the store still shows it unfinished.
    #[must_use]
    pub fn overlay(&self, job: Job) -> Job {
        if job.status.is_final() {
            return job;
        }
        match self.get(&job.id) {
            Some(end) => end.apply(job),
            None => job,
        }
    }

    /// Tries to record every kept end; returns the ids recorded or dropped. A store that still
    /// refuses leaves them kept.
    pub fn retry(&self, store: &dyn JobStore, job_dir: &dyn Fn(&str) -> PathBuf) -> Vec<(String, Recorded)> {
        let ids: Vec<String> = self.m().keys().cloned().collect();
        let mut done = Vec::new();
        for id in ids {
            let Some(end) = self.get(&id) else { continue };
            match record(store, &id, &end, &job_dir(&id)) {
                Ok(r) => {
                    self.m().remove(&id);
                    done.push((id, r));
                }
                Err(e) => {
                    tracing::debug!("job {id}: its end is still not recorded: {e}");
                    break;
                }
            }
        }
        done
    }

    /// Records the end of job `id` saved in `job_dir` (by this process or an earlier one), if
    /// any; `None` when there is none.
    ///
    /// # Errors
    /// The store refuses the write (the end stays kept).
    pub fn record_saved(&self, store: &dyn JobStore, id: &str, job_dir: &Path) -> Result<Option<Recorded>, StoreError> {
        let end = match self.get(id) {
            Some(e) => e,
            None => match load(job_dir) {
                Some(e) => e,
                None => return Ok(None),
            },
        };
        let r = record(store, id, &end, job_dir)?;
        self.m().remove(id);
        Ok(Some(r))
    }
}

/// Records `end` of job `id`; removes the saved copy once the store has it or the job moved on.
fn record(store: &dyn JobStore, id: &str, end: &PendingEnd, job_dir: &Path) -> Result<Recorded, StoreError> {
    let r = if store.finish_late(id, &end.worker, end.outcome.clone(), end.at)? {
        Recorded::Yes
    } else {
        Recorded::Superseded
    };
    let _ = std::fs::remove_file(job_dir.join(END_FILE));
    Ok(r)
}

fn save(job_dir: &Path, end: &PendingEnd) -> std::io::Result<()> {
    std::fs::create_dir_all(job_dir)?;
    let tmp = job_dir.join(".end.json.tmp");
    let r = std::fs::write(&tmp, serde_json::to_vec(end).map_err(std::io::Error::other)?)
        .and_then(|()| std::fs::rename(&tmp, job_dir.join(END_FILE)));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

fn load(job_dir: &Path) -> Option<PendingEnd> {
    let bytes = std::fs::read(job_dir.join(END_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether `job_dir` holds a saved end.
#[must_use]
pub fn has_saved(job_dir: &Path) -> bool {
    job_dir.join(END_FILE).is_file()
}

/// Ids of the job directories under `jobs_dir` holding a saved end.
#[must_use]
pub fn saved_ends(jobs_dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(jobs_dir) else { return Vec::new() };
    rd.filter_map(Result::ok)
        .filter(|e| has_saved(&e.path()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect()
}

/// A new end, now.
#[must_use]
pub fn ended(worker: &str, outcome: Result<JobResult, crate::failure::JobFailure>) -> PendingEnd {
    PendingEnd { worker: worker.to_string(), outcome, at: now() }
}
