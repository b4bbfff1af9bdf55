//! The HTTP server: shared state, the worker pool, routes, output files, usage logging.

use crate::auth::{self, Principal, RateLimiter, Secret};
use crate::config::Config;
use crate::error::OwsError;
use crate::failure::JobFailure;
use crate::jobs::{Job, JobRequest, JobStatus, JobStore, NewJob, StoreError};
use crate::process::ProcessDef;
use crate::xml::{self, ServiceInfo};
use axum::body::Body;
use axum::extract::{Path as AxPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tower::ServiceExt;

/// Errors starting the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Config(String),
    /// Another `serve` owns the data directory.
    #[error(transparent)]
    Locked(#[from] crate::dirlock::LockError),
}

/// What every handler shares.
pub struct AppState {
    pub cfg: Config,
    pub store: Arc<dyn JobStore>,
    pub secret: Secret,
    pub processes: Vec<ProcessDef>,
    pub limiter: RateLimiter,
    /// OIDC issuers (JWT and opaque tokens); inert without `oidc_issuer`.
    pub oidc: Arc<auth::oidc::Oidc>,
    /// Per-principal quotas.
    pub quotas: crate::quota::Quotas,
    pub info: ServiceInfo,
    /// Signalled when a job is queued.
    pub new_job: Arc<Notify>,
    /// Signalled when a job ends.
    pub job_done: Arc<Notify>,
    /// `Idempotency-Key` of OGC API submissions → job id, per principal (a coordinator that
    /// retries a part gets the job it already submitted; kept for this process's lifetime).
    pub idempotency: std::sync::Mutex<HashMap<(String, String), String>>,
    /// Job id → the OIDC token its submission carried, while it is queued or running, for
    /// peers reached by token exchange (memory only: never stored, gone with the process).
    pub user_tokens: std::sync::Mutex<HashMap<String, crate::federation::UserToken>>,
    /// Ends of jobs the store could not record yet (see [`crate::jobs::pending`]).
    pub pending: crate::jobs::PendingEnds,
    /// The data directory's lock, held by `serve` with a SQLite store (see [`crate::dirlock`]).
    pub locks: Vec<crate::dirlock::DirLock>,
    /// The previous run's jobs still to re-queue (`serve:%`), when the store refused at start.
    pub startup_recovery: std::sync::Mutex<Option<String>>,
    /// Writes the usage log off the request path (one thread, bounded queue).
    pub usage: crate::usage_log::UsageWriter,
    /// The data-aware layer jobs run through, restricted to what clients may read (see
    /// [`restrict_data_access`]); a roocs.ini that cannot be loaded fails the jobs that need
    /// it, with its own message.
    pub data: Result<Arc<rookery_daops::Daops>, String>,
}

/// Shared state handle.
pub type St = Arc<AppState>;

/// `Retry-After` (seconds) of a submission refused because the queue is full.
pub const QUEUE_RETRY_SECS: u64 = 5;

/// Usage facts a handler attaches to its response for the usage log.
#[derive(Clone, Debug, Default)]
pub struct UsageTag {
    pub user: String,
    pub operation: String,
    pub process: String,
    pub job: String,
    pub inputs: String,
}

impl AppState {
    /// Opens the data directory and the job store (SQLite, or PostgreSQL when `cfg.db` is a
    /// `postgres://` URL).
    ///
    /// # Errors
    /// The directory or the store cannot be opened.
    pub fn open(cfg: Config) -> Result<AppState, ServiceError> {
        let data = restrict_data_access(&cfg)?;
        std::fs::create_dir_all(cfg.data_dir.join("jobs"))?;
        let store = crate::jobs::open_store(&cfg)?;
        let usage = crate::usage_log::UsageWriter::start(&store);
        let secret = Secret::load(&cfg.data_dir)?;
        let oidc = Arc::new(auth::oidc::Oidc::new(&cfg.identity).map_err(ServiceError::Config)?);
        Ok(AppState {
            oidc,
            quotas: crate::quota::Quotas::new(&cfg),
            limiter: RateLimiter::new(cfg.rate_limit),
            cfg,
            store,
            secret,
            processes: crate::process::all(),
            info: ServiceInfo::default(),
            new_job: Arc::new(Notify::new()),
            job_done: Arc::new(Notify::new()),
            idempotency: std::sync::Mutex::new(HashMap::new()),
            user_tokens: std::sync::Mutex::new(HashMap::new()),
            pending: crate::jobs::PendingEnds::default(),
            locks: Vec::new(),
            startup_recovery: std::sync::Mutex::new(None),
            usage,
            data,
        })
    }

    /// The answer to a store failure: 503 with the reason when the store cannot be used for now
    /// (a full disk), else 500.
    #[must_use]
    pub fn store_failure(&self, e: &StoreError) -> OwsError {
        match e.unavailable() {
            Some(why) => {
                retry_after(RETRY_AFTER_SECS);
                OwsError::busy(format!("{why}; try again later"))
            }
            None => OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }

    /// A process by identifier.
    #[must_use]
    pub fn process(&self, id: &str) -> Option<&ProcessDef> {
        self.processes.iter().find(|p| p.id == id)
    }

    /// URL of this server as the client sees it (no trailing slash).
    #[must_use]
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(u) = &self.cfg.public_url {
            return u.clone();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
            .map_or_else(|| self.cfg.bind.clone(), String::from);
        format!("http://{host}")
    }

    /// The caller, for operations that need credentials: an API key's or a token's principal,
    /// `anonymous` on an open server without credentials, else 401. Also takes a rate-limit
    /// token of the principal's quota (see [`auth::principal`]).
    ///
    /// # Errors
    /// Missing or bad credentials (401), the issuer cannot be asked (503), rate limit (429).
    pub fn principal(&self, headers: &HeaderMap) -> Result<Principal, OwsError> {
        auth::principal(self, headers)
    }

    /// [`principal`](Self::principal) holding `scope` (API-key scope or token permission).
    ///
    /// # Errors
    /// As `principal`, or 403 without the scope.
    pub fn require(&self, headers: &HeaderMap, scope: &str) -> Result<Principal, OwsError> {
        auth::require(self, headers, scope)
    }

    /// Queues a job.
    ///
    /// # Errors
    /// `ServerBusy` when the queue is full; store failures.
    pub fn submit(&self, owner: &Principal, process: &str, request: JobRequest) -> Result<Job, OwsError> {
        auth::check_submit(self, owner, process)?;
        if let Err(why) = crate::freespace::check(&self.cfg) {
            tracing::warn!("job refused: {why}");
            retry_after(RETRY_AFTER_SECS);
            return Err(OwsError::busy(format!("{why}; try again later")));
        }
        let id = crate::ids::uuid4();
        let nj = NewJob { id: id.clone(), process: process.to_string(), owner: owner.id.clone(), request };
        // Before the job can be claimed.
        self.keep_user_token(owner, &id);
        self.store.submit(&nj, self.cfg.max_queued).map_err(|e| {
            self.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
            match e {
                StoreError::Busy(m) => {
                    // Queue full: clients may try again once a few jobs have run.
                    if let Some(c) = auth::current() {
                        *c.retry_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some(QUEUE_RETRY_SECS);
                    }
                    OwsError::busy(m)
                }
                e => self.store_failure(&e),
            }
        })?;
        self.new_job.notify_waiters();
        self.new_job.notify_one();
        auth::audit_current(
            &self.store,
            "job-submitted",
            &owner.id,
            &format!("job {id} ({process}) via {}", owner.credential_kind()),
        );
        self.store
            .get(&id)
            .map_err(|e| self.store_failure(&e))?
            .ok_or_else(|| OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, "job vanished"))
    }

    /// Keeps the current request's token with job `id` when a peer is reached by token
    /// exchange (the part then runs there as this user).
    fn keep_user_token(&self, owner: &Principal, id: &str) {
        if !matches!(owner.via, auth::Via::Jwt | auth::Via::Introspection) || !self.cfg.peers.iter().any(|p| p.exchange)
        {
            return;
        }
        if let Some(t) = auth::current().and_then(|c| c.bearer.clone()) {
            self.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_string(), t);
        }
    }

    /// Waits until a job is final (or the sync timeout passes; then the job as it is). A job
    /// whose end the store could not record yet is final with that end.
    pub async fn wait(&self, id: &str) -> Option<Job> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(self.cfg.sync_timeout_secs);
        loop {
            let notified = self.job_done.notified();
            let j = self.pending.overlay(self.store.get(id).ok().flatten()?);
            if j.status.is_final() || tokio::time::Instant::now() >= deadline {
                return Some(j);
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), notified).await;
        }
    }

    /// A job the caller may see: its own (or any, for admin), or any with a valid download
    /// token `t`.
    ///
    /// # Errors
    /// 404 for unknown or foreign jobs; auth errors.
    pub fn visible_job(&self, headers: &HeaderMap, id: &str, token: Option<&str>) -> Result<Job, OwsError> {
        let not_found = || OwsError::not_found(format!("Job '{id}' does not exist or belongs to another user"));
        let job = self.store.get(id).map_err(|e| self.store_failure(&e))?.map(|j| self.pending.overlay(j));
        if let Some(t) = token {
            if self.secret.check_job_token(id, t) {
                return job.ok_or_else(not_found);
            }
        }
        let p = self.require(headers, "jobs")?;
        match job {
            Some(j) if p.owns(&j.owner) => {
                if j.owner != p.id {
                    auth::audit_current(&self.store, "admin", &p.id, &format!("access to job {} of {}", j.id, j.owner));
                }
                Ok(j)
            }
            _ => Err(not_found()),
        }
    }

    /// Signed URL of a job's file.
    #[must_use]
    pub fn file_url(&self, base: &str, job: &str, name: &str) -> String {
        let enc: String = percent_encoding::utf8_percent_encode(name, PATH_SET).to_string();
        format!("{base}/outputs/{job}/{enc}?t={}", self.secret.job_token(job))
    }

    /// Signed URL of a job's WPS status document.
    #[must_use]
    pub fn status_url(&self, base: &str, job: &str) -> String {
        format!("{base}/outputs/{job}.xml?t={}", self.secret.job_token(job))
    }

    /// Removes a job's outputs.
    pub fn remove_outputs(&self, id: &str) {
        let d = self.cfg.job_dir(id);
        if d.starts_with(self.cfg.data_dir.join("jobs")) && !id.is_empty() && !id.contains(['/', '.']) {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

const PATH_SET: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// Runs queued jobs: `n` workers claiming from the store with a lease, each job in its
/// directory on a blocking thread.
/// The configured executor: `n` local workers, or the Slurm dispatcher.
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
                                Ok(false) => break,
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
    peers.user_token = st.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&job.id).cloned();
    let job_id = job.id.clone();
    let data = st.data.clone();
    let res = tokio::task::spawn_blocking(move || {
        crate::ops::execute(
            &process,
            &inputs,
            &crate::ops::Ctx { dir: &d2, store: store.as_ref(), progress, peers: &peers, job_id: &job_id, data: &data },
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

/// Records the kept end of job `id` (in memory or saved in its directory), if there is one.
pub(crate) fn record_kept_end(st: &St, id: &str) -> Option<crate::jobs::pending::Recorded> {
    match st.pending.record_saved(st.store.as_ref(), id, &st.cfg.job_dir(id)) {
        Ok(Some(r)) => {
            after_recorded(st, id);
            Some(r)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("job {id}: its kept end could not be recorded yet: {e}");
            None
        }
    }
}

/// After a kept end was recorded (or found superseded): a failed or dismissed job leaves no
/// files.
fn after_recorded(st: &St, id: &str) {
    let status = st.store.get(id).ok().flatten().map(|j| j.status);
    if matches!(status, Some(JobStatus::Failed | JobStatus::Dismissed)) {
        st.remove_outputs(id);
    }
}

/// Records the kept ends of this process, then those saved in job directories by an earlier
/// run (at start, before re-queueing what that run left running).
pub fn record_kept_ends(st: &St, saved_too: bool) {
    for (id, r) in st.pending.retry(st.store.as_ref(), &|id| st.cfg.job_dir(id)) {
        tracing::warn!("job {id}: its kept end is recorded now ({r:?})");
        after_recorded(st, &id);
        st.job_done.notify_waiters();
    }
    if saved_too {
        for id in crate::jobs::pending::saved_ends(&st.cfg.data_dir.join("jobs")) {
            if let Some(r) = record_kept_end(st, &id) {
                tracing::warn!("job {id}: the end an earlier run kept is recorded now ({r:?})");
            }
        }
    }
}

/// Seconds in the `Retry-After` of a refusal for want of disk space or store.
const RETRY_AFTER_SECS: u64 = 60;

/// Sets the current request's `Retry-After` (added to the response by [`auth::layer`]).
fn retry_after(secs: u64) {
    if let Some(c) = auth::current() {
        *c.retry_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(secs);
    }
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

#[derive(serde::Deserialize)]
struct TokenQ {
    t: Option<String>,
}

/// `GET /outputs/{job}.xml`: the WPS status document.
async fn status_doc(
    State(st): State<St>,
    AxPath(name): AxPath<String>,
    axum::extract::Query(q): axum::extract::Query<TokenQ>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = name.strip_suffix(".xml") else {
        return OwsError::not_found(format!("No such output: {name}")).into_response();
    };
    match st.visible_job(&headers, id, q.t.as_deref()) {
        Ok(job) => {
            let base = st.base_url(&headers);
            let mut r = crate::wps::execute_doc_response(&st, &base, &job, true);
            r.extensions_mut().insert(UsageTag {
                operation: "status".into(),
                process: job.process,
                job: job.id,
                ..Default::default()
            });
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /outputs/{job}/{file}`: a result file (Range supported), or the Metalink `output.meta4`.
async fn output_file(
    State(st): State<St>,
    AxPath((id, path)): AxPath<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<TokenQ>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let job = match st.visible_job(&headers, &id, q.t.as_deref()) {
        Ok(j) => j,
        Err(e) => return e.into_response(),
    };
    let missing = || OwsError::not_found(format!("Job '{id}' has no output '{path}'")).into_response();
    let Some(result) = job.result.as_ref().filter(|_| job.status == JobStatus::Successful) else {
        return missing();
    };
    let tag = UsageTag {
        operation: "download".into(),
        process: job.process.clone(),
        job: job.id.clone(),
        ..Default::default()
    };
    if path == "output.meta4" {
        let base = st.base_url(&headers);
        let mut files: Vec<xml::MetaFile> = result
            .files
            .iter()
            .map(|f| xml::MetaFile {
                name: f.name.rsplit('/').next().unwrap_or(&f.name).to_string(),
                size: f.size,
                url: st.file_url(&base, &job.id, &f.name),
                sha256: f.sha256.clone(),
            })
            .collect();
        files.extend(result.urls.iter().map(|u| xml::MetaFile {
            name: u.split('?').next().unwrap_or(u).rsplit('/').next().unwrap_or(u).to_string(),
            size: 0,
            url: u.clone(),
            sha256: None,
        }));
        let doc = xml::metalink(
            "NetCDF file",
            &crate::time::iso_seconds(job.finished.unwrap_or(job.created)),
            &format!("{base}/"),
            &files,
        );
        let mut r = ([(header::CONTENT_TYPE, "application/metalink+xml; version=4.0")], doc).into_response();
        r.extensions_mut().insert(tag);
        return r;
    }
    let listed = result.files.iter().any(|f| f.name == path) || result.documents.iter().any(|(_, f, _)| *f == path);
    if !listed || path.contains("..") {
        return missing();
    }
    let file = st.cfg.job_dir(&job.id).join(&path);
    let mut r = match tower_http::services::ServeFile::new(&file).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => return OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    if path.ends_with(".nc") {
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-netcdf"));
    }
    r.extensions_mut().insert(tag);
    r
}

/// The router of every endpoint.
pub fn router(st: St) -> Router {
    Router::new()
        .route("/wps", get(crate::wps::get).post(crate::wps::post))
        .route("/", get(crate::ogc::landing))
        .route("/conformance", get(crate::ogc::conformance_doc))
        .route("/api", get(crate::ogc::api))
        .route("/processes", get(crate::ogc::processes))
        .route("/processes/{id}", get(crate::ogc::process))
        .route("/processes/{id}/execution", axum::routing::post(crate::ogc::execute))
        .route("/jobs", get(crate::ogc::jobs))
        .route("/jobs/{id}", get(crate::ogc::job).delete(crate::ogc::dismiss))
        .route("/jobs/{id}/results", get(crate::ogc::job_results))
        .route("/outputs/{name}", get(status_doc))
        .route("/outputs/{id}/{*path}", get(output_file))
        .fallback(|| async {
            OwsError::not_found("No such endpoint; see / (OGC API - Processes) or /wps (WPS 1.0.0)").into_response()
        })
        .layer(axum::middleware::from_fn_with_state(st.clone(), auth::layer))
        .layer(axum::middleware::from_fn_with_state(st.clone(), crate::usage_log::layer))
        // Bodies are read by the handlers that take one, each with its own limit (limits.rs).
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(st)
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub state: St,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The service's data-aware layer, restricted to what jobs may read on a client's behalf:
/// local files only under the projects' directories, `[rookery] allowed_roots` and the
/// roocs-grids directory; URLs only under `[rookery] allowed_urls`, resolving to public
/// addresses unless their host is listed there or the address is in `allowed_networks`; the
/// configured peers' URLs are allowed too. `Ok(Err(why))` when roocs.ini cannot be loaded
/// (the jobs that need it fail with that message; the service still starts).
///
/// # Errors
/// `[rookery] allowed_networks` does not parse.
pub fn restrict_data_access(cfg: &Config) -> Result<Result<Arc<rookery_daops::Daops>, String>, ServiceError> {
    // Results of workflow parts are fetched from the configured peers.
    // An OGC API peer serves its results under its base URL; a WPS peer (rook) under its
    // server, beside the WPS endpoint.
    let peer_urls: Vec<String> = cfg
        .peers
        .iter()
        .map(|p| match p.protocol {
            crate::federation::Protocol::Ogc => format!("{}/", p.url),
            crate::federation::Protocol::Wps => format!("{}/", crate::federation::origin(&p.url)),
        })
        .collect();
    // A broken roocs.ini fails the jobs that need it, with its own message; a network list
    // that does not parse stops the start.
    let daops = match rookery_daops::Config::load().and_then(rookery_daops::Daops::new) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let daops = daops.restricted(&peer_urls).map_err(|e| ServiceError::Config(e.to_string()))?;
    Ok(Ok(Arc::new(daops)))
}

/// Opens the data directory, recovers jobs a previous run left running, starts the workers
/// and maintenance, binds and serves.
///
/// # Errors
/// The data directory, store or address cannot be used.
pub async fn start(cfg: Config) -> Result<Running, ServiceError> {
    let workers = cfg.workers;
    // Before anything reads or changes the store: a second server on a SQLite data directory
    // would re-queue and re-run the first one's live jobs.
    std::fs::create_dir_all(&cfg.data_dir)?;
    let locks = crate::dirlock::lock_for_serve(&cfg)?;
    let mut st = AppState::open(cfg)?;
    st.locks = locks;
    let st = Arc::new(st);
    // Ends an earlier run kept because its store could not take them (a full disk).
    {
        let st2 = st.clone();
        let _ = tokio::task::spawn_blocking(move || record_kept_ends(&st2, true)).await;
    }
    // A SQLite store belongs to this one server, so whatever a `serve` left running was
    // interrupted. A PostgreSQL queue is shared with servers on other machines whose jobs are
    // still running: there only expired leases are taken back (by maintenance, too).
    let previous_run = if st.cfg.db_url().is_some() { None } else { Some("serve:%") };
    match st.store.recover(previous_run, crate::time::now_ms(), st.cfg.max_attempts) {
        Ok((r, f)) if r + f > 0 => {
            tracing::warn!("jobs interrupted by the previous run: {r} re-queued, {f} marked failed");
        }
        Ok(_) => {}
        // A store that cannot be written (a full disk) must not keep the server from serving
        // reads: maintenance tries again.
        Err(e) => {
            tracing::error!("recovering the previous run's jobs failed: {e}; retried until it succeeds");
            *st.startup_recovery.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                previous_run.map(String::from);
        }
    }
    spawn_executor(&st, workers, "serve");
    spawn_maintenance(&st);
    let listener = tokio::net::TcpListener::bind(&st.cfg.bind)
        .await
        .map_err(|e| ServiceError::Config(format!("cannot listen on {}: {e}", st.cfg.bind)))?;
    let addr = listener.local_addr()?;
    let app = router(st.clone());
    let limits = st.cfg.http.clone();
    let handle = tokio::spawn(crate::conn::serve(listener, app, limits, async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} },
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    }));
    Ok(Running { addr, state: st, handle })
}
