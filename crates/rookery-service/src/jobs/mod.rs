//! Durable jobs: the job model, the [`JobStore`] trait and its SQLite implementation.
//!
//! ```text
//!  submit ──► accepted ──claim (lease)──► running ──finish──► successful | failed
//!                 ▲                          │ lease expired / restart
//!                 └──── re-queued (attempts < max) ┘   else failed ("interrupted")
//!  DELETE ──► dismissed (outputs removed)      retention ──► row and outputs removed
//! ```
//!
//! The same store holds API keys and the usage log, so one file (or one database) is all a
//! deployment keeps: [`SqliteStore`] (the zero-configuration default, one machine) or
//! [`PgStore`] (`--db postgres://...`: `rookery serve` and `rookery worker` processes on any
//! number of machines share one queue; claims use `FOR UPDATE SKIP LOCKED`).

mod identity;
pub mod pending;
mod postgres;
pub mod result_cache;
mod sqlite;

pub use self::identity::{AuditRecord, IdentityStore};
pub use self::pending::{PendingEnd, PendingEnds};
pub use self::postgres::PgStore;
pub use self::result_cache::ResultCache;
pub use self::sqlite::SqliteStore;

use crate::process::Inputs;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A failure of the SQLite store (see [`StoreError::unavailable`] for the transient ones).
    #[error("job store: {0}")]
    Db(#[from] rusqlite::Error),
    /// A stored request or result that could not be (de)serialised as JSON.
    #[error("job store: {0}")]
    Json(#[from] serde_json::Error),
    /// A failure of another backend, already one line naming the database.
    #[error("{0}")]
    Backend(String),
    /// Too many jobs waiting.
    #[error("{0}")]
    Busy(String),
}

impl StoreError {
    /// Why the store cannot be used for now (its disk is full, its file cannot be written or
    /// is locked), when that is the failure: the caller answers 503 and tries again later.
    #[must_use]
    pub fn unavailable(&self) -> Option<&'static str> {
        use rusqlite::ErrorCode as C;
        match self {
            StoreError::Db(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                C::DiskFull => Some("the job store's disk is full"),
                C::SystemIoFailure | C::CannotOpen | C::ReadOnly => Some("the job store cannot be written"),
                C::DatabaseBusy | C::DatabaseLocked => Some("the job store is busy"),
                C::OutOfMemory => Some("the job store is out of memory"),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The job store is the server's own resource: its failures are the server's.
impl crate::failure::Classify for StoreError {
    fn failure_kind(&self) -> crate::failure::FailureKind {
        crate::failure::FailureKind::Server
    }
}

/// Status of a job (OGC API – Processes names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Queued (new, or re-queued after an interruption), waiting for a worker to claim it.
    Accepted,
    /// Claimed by a worker that holds a lease on it.
    Running,
    /// Finished with a result.
    Successful,
    /// Finished with an error, or interrupted more often than the retry limit allows.
    Failed,
    /// Dismissed by a `DELETE`, before or after it ended (outputs removed; a running job's
    /// result is discarded when it ends).
    Dismissed,
}

impl JobStatus {
    /// The stored/OGC name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Accepted => "accepted",
            JobStatus::Running => "running",
            JobStatus::Successful => "successful",
            JobStatus::Failed => "failed",
            JobStatus::Dismissed => "dismissed",
        }
    }
    pub(crate) fn parse(s: &str) -> JobStatus {
        match s {
            "accepted" => JobStatus::Accepted,
            "running" => JobStatus::Running,
            "successful" => JobStatus::Successful,
            "dismissed" => JobStatus::Dismissed,
            _ => JobStatus::Failed,
        }
    }
    /// Finished one way or another.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Successful | JobStatus::Failed | JobStatus::Dismissed)
    }
}

/// What was asked: validated inputs and how the answer is wanted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobRequest {
    /// The process's inputs, already checked against its definition.
    pub inputs: Inputs,
    /// WPS `lineage`: echo inputs and output definitions in the response.
    #[serde(default)]
    pub lineage: bool,
    /// The client waits for the answer (synchronous execution).
    #[serde(default)]
    pub sync: bool,
    /// Outputs asked for (empty: all of the process's outputs).
    #[serde(default)]
    pub outputs: Vec<String>,
    /// The pre-flight estimate made at submission (data operations; see
    /// the estimate module), shown in the job's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<serde_json::Value>,
}

/// A file a job produced, relative to the job's directory.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResultFile {
    /// Path of the file relative to the job's directory (what the download URL names).
    pub name: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// SHA-256 of the file (hex), listed in the Metalink so a coordinator can check what it
    /// fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// What a finished job produced.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobResult {
    /// Data files listed by the Metalink `output` (in the job directory).
    #[serde(default)]
    pub files: Vec<ResultFile>,
    /// Remote URLs listed by the Metalink (original files on a data node).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Other outputs: (output id, file in the job directory, mime type).
    #[serde(default)]
    pub documents: Vec<(String, String, String)>,
    /// Literal outputs: (output id, value).
    #[serde(default)]
    pub literals: Vec<(String, String)>,
    /// Of a failed job: whose fault it was (see [`Job::failure_kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<crate::failure::FailureKind>,
    /// Of a result answered from the result cache: the job that computed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_from: Option<String>,
}

impl JobResult {
    /// What a failed job stores beside its message (`None` for the server's own faults, as
    /// jobs failed before the kind was recorded).
    ///
    /// # Errors
    /// Never in practice (serialising a plain struct).
    pub fn of_failure(f: &crate::failure::JobFailure) -> Result<Option<String>, serde_json::Error> {
        if f.kind == crate::failure::FailureKind::Server {
            return Ok(None);
        }
        serde_json::to_string(&JobResult { failure: Some(f.kind), ..JobResult::default() }).map(Some)
    }
}

/// A job as stored.
#[derive(Clone, Debug)]
pub struct Job {
    /// The job id (a random UUID given at submission).
    pub id: String,
    /// Id of the process it runs (e.g. `subset`, `orchestrate`).
    pub process: String,
    /// Principal that submitted it (API key id, or `anonymous`).
    pub owner: String,
    /// Where the job stands.
    pub status: JobStatus,
    /// Status message for clients: empty when new and while running, `Process finished` on
    /// success, the error of a failed job, or why it was re-queued or dismissed.
    pub message: String,
    /// Progress in percent (0–100; a running job reports at most 99, a finished one 100).
    pub progress: u8,
    /// What was asked.
    pub request: JobRequest,
    /// What it produced, once it succeeded; a failed job has one only to record whose fault it
    /// was (`None` for the server's own faults).
    pub result: Option<JobResult>,
    /// When it was submitted, in ms since the epoch.
    pub created: i64,
    /// When a worker last claimed it (ms since the epoch); `None` while queued.
    pub started: Option<i64>,
    /// When it ended (ms since the epoch); `None` until final.
    pub finished: Option<i64>,
    /// How many times a worker has claimed it (re-queues after interruptions count).
    pub attempts: u32,
    /// Id of the worker that holds it (or held it last, once it ended); `None` while queued.
    pub worker: Option<String>,
}

impl Job {
    /// Whose fault a failed job was (jobs recorded before this was stored: the server's).
    #[must_use]
    pub fn failure_kind(&self) -> crate::failure::FailureKind {
        self.result.as_ref().and_then(|r| r.failure).unwrap_or_default()
    }
}

/// A job to submit.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// The job id to store it under (a fresh UUID).
    pub id: String,
    /// Id of the process to run.
    pub process: String,
    /// Principal id of the submitter ([`Job::owner`]).
    pub owner: String,
    /// What is asked.
    pub request: JobRequest,
}

/// One row of the usage log.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UsageRecord {
    /// When the request arrived, in ms since the epoch.
    pub time_start: i64,
    /// When its response was ready (headers; a streamed body may still be flowing), in ms.
    pub time_end: i64,
    /// Who asked: the principal's name, else the key id read from an `rk_` credential,
    /// else empty (anonymous or unauthenticated).
    pub user: String,
    /// `GetCapabilities`, `DescribeProcess`, `Execute`, `download`, `status`, `ogc:...`.
    pub operation: String,
    /// Process id(s) concerned (comma-separated for DescribeProcess); empty if none.
    pub process: String,
    /// Job id concerned (execute, status, download); empty if none.
    pub job: String,
    /// JSON of the inputs (execute only).
    pub inputs: String,
    /// HTTP status code of the response.
    pub http_status: u16,
    /// Response body size in bytes from `Content-Length` (0 when not known in advance).
    pub bytes_out: u64,
    /// Client IP address (the direct peer, not a forwarded one); empty when unknown.
    pub remote: String,
}

/// A stored API key (never the key itself: its keyed hash).
#[derive(Clone, Debug)]
pub struct KeyRecord {
    /// Public id: 8 hex digits, also embedded in the key (`rk_<id>_<secret>`) and used as
    /// the owner of its jobs.
    pub id: String,
    /// Name given by the administrator at creation (for listings and logs).
    pub name: String,
    /// Permissions granted, in their short form (`execute` for `jobs:execute`, `jobs`, `admin`, …).
    pub scopes: Vec<String>,
    /// When it was created, in ms since the epoch.
    pub created: i64,
    /// When it was revoked (ms since the epoch); `None` while active.
    pub revoked: Option<i64>,
    /// When it last authenticated a request (ms, updated at most once a minute); `None` if never.
    pub last_used: Option<i64>,
}

/// Durable storage of jobs, API keys and the usage log.
///
/// Every method is short and synchronous; callers on an async runtime may call them directly
/// (implementations must not start or enter a tokio runtime on the calling thread).
pub trait JobStore: IdentityStore + Send + Sync {
    /// Queues a job unless `max_queued` jobs are already waiting.
    ///
    /// # Errors
    /// [`StoreError::Busy`] when the queue is full.
    fn submit(&self, job: &NewJob, max_queued: usize) -> Result<(), StoreError>;
    /// A job by id.
    ///
    /// # Errors
    /// Database failure.
    fn get(&self, id: &str) -> Result<Option<Job>, StoreError>;
    /// Claims the oldest waiting job for `worker` with a lease until `lease_until` (ms).
    ///
    /// # Errors
    /// Database failure.
    fn claim(&self, worker: &str, lease_until: i64) -> Result<Option<Job>, StoreError>;
    /// Extends the lease of a running job held by `worker`; false when the job is no longer
    /// held (dismissed or taken over).
    ///
    /// # Errors
    /// Database failure.
    fn renew(&self, id: &str, worker: &str, lease_until: i64) -> Result<bool, StoreError>;
    /// Records the progress (percent) of a running job held by `worker`.
    ///
    /// # Errors
    /// Database failure.
    fn set_progress(&self, id: &str, worker: &str, percent: u8) -> Result<bool, StoreError>;
    /// Records the end of a running job held by `worker` (ignored when no longer held).
    ///
    /// # Errors
    /// Database failure.
    fn finish(
        &self,
        id: &str,
        worker: &str,
        outcome: Result<JobResult, crate::failure::JobFailure>,
    ) -> Result<bool, StoreError>;
    /// Records an end that could not be recorded when it happened (at `at`, ms): while the job
    /// is still running under `worker`, or re-queued from `worker` after its lease ran out and
    /// not claimed since (the store keeps the last worker of a re-queued job). False when the
    /// job has moved on (dismissed, finished, claimed again).
    ///
    /// # Errors
    /// Database failure.
    fn finish_late(
        &self,
        id: &str,
        worker: &str,
        outcome: Result<JobResult, crate::failure::JobFailure>,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Jobs, newest first; only `owner`'s when given.
    ///
    /// # Errors
    /// Database failure.
    fn list(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>, StoreError>;
    /// Marks a job dismissed (a running job's result is discarded when it ends).
    ///
    /// # Errors
    /// Database failure.
    fn dismiss(&self, id: &str) -> Result<bool, StoreError>;
    /// Running jobs whose worker matches `worker_like` (SQL LIKE) or whose lease ended before
    /// `now`: re-queued while `attempts < max_attempts`, else failed. Returns (re-queued, failed).
    ///
    /// # Errors
    /// Database failure.
    fn recover(&self, worker_like: Option<&str>, now: i64, max_attempts: u32) -> Result<(usize, usize), StoreError>;
    /// Ids of final jobs that finished before `before` (ms).
    ///
    /// # Errors
    /// Database failure.
    fn expired(&self, before: i64) -> Result<Vec<String>, StoreError>;
    /// Deletes a job row.
    ///
    /// # Errors
    /// Database failure.
    fn delete(&self, id: &str) -> Result<(), StoreError>;
    /// Number of jobs with this status.
    ///
    /// # Errors
    /// Database failure.
    fn count(&self, status: JobStatus) -> Result<usize, StoreError>;

    /// Appends to the usage log.
    ///
    /// # Errors
    /// Database failure.
    fn log_usage(&self, r: &UsageRecord) -> Result<(), StoreError>;
    /// Usage rows with `time_start >= from` and `time_end <= to` (ms), oldest first.
    ///
    /// # Errors
    /// Database failure.
    fn usage(&self, from: Option<i64>, to: Option<i64>) -> Result<Vec<UsageRecord>, StoreError>;

    /// Stores a new key.
    ///
    /// # Errors
    /// Database failure (e.g. duplicate hash).
    fn add_key(&self, k: &KeyRecord, hash: &str) -> Result<(), StoreError>;
    /// The active key with this hash; marks it used.
    ///
    /// # Errors
    /// Database failure.
    fn key_by_hash(&self, hash: &str) -> Result<Option<KeyRecord>, StoreError>;
    /// Every key (revoked ones too).
    ///
    /// # Errors
    /// Database failure.
    fn keys(&self) -> Result<Vec<KeyRecord>, StoreError>;
    /// Revokes a key by id or name; false when there is none.
    ///
    /// # Errors
    /// Database failure.
    fn revoke_key(&self, id_or_name: &str) -> Result<bool, StoreError>;
}

/// The store of a configuration: PostgreSQL when `db` is a `postgres://` or `postgresql://`
/// URL, else the SQLite file ([`Config::db_path`](crate::Config::db_path)).
///
/// # Errors
/// The store cannot be opened or its schema created.
pub fn open_store(cfg: &crate::Config) -> Result<Arc<dyn JobStore>, StoreError> {
    Ok(match cfg.db_url() {
        Some(url) => Arc::new(PgStore::open(url)?),
        None => Arc::new(SqliteStore::open(&cfg.db_path())?),
    })
}

pub(crate) fn now() -> i64 {
    crate::time::now_ms()
}
