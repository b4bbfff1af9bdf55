//! The state floor: what every part of the service shares — configuration, the job store,
//! credentials, quotas, the data-aware layer — opened once by [`AppState::open`] and passed as
//! a value ([`St`]) to the execution floor (workers, Slurm) and the HTTP floor (handlers).

use crate::auth::{self, RateLimiter, Secret};
use crate::config::{Config, ServiceInfo};
use crate::jobs::{Job, JobStatus, JobStore, StoreError};
use crate::process::ProcessDef;
use axum::http::{header, HeaderMap};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Errors starting the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The data directory, its job directories or the secret file cannot be created or read
    /// (or the bound socket's address cannot be read).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The job store cannot be opened or its schema created.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A setting cannot be used (the bind address cannot be listened on, or roocs.ini's
    /// `[rookery] allowed_networks` does not parse); the text says which.
    #[error("{0}")]
    Config(String),
    /// The OIDC settings are inconsistent (see [`auth::oidc::SetupError`]).
    #[error(transparent)]
    Oidc(#[from] auth::oidc::SetupError),
    /// Another `serve` owns the data directory.
    #[error(transparent)]
    Locked(#[from] crate::dirlock::LockError),
}

/// Why the data-aware layer is not available: roocs.ini (or the data layer's configuration)
/// could not be loaded. The text is the data layer's own message; jobs that need the layer
/// fail with it, as the server's fault.
///
/// A newtype over the message rather than `rookery_daops::DaopsError`: nothing decides on
/// this error (it is only shown), the service starts regardless, and it keeps the state (and
/// every job's context, which clones it) independent of the data layer's error variants.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DataUnavailable(pub String);

impl crate::failure::Classify for DataUnavailable {
    /// Always the server's: its configuration, not the request.
    fn failure_kind(&self) -> crate::failure::FailureKind {
        crate::failure::FailureKind::Server
    }
}

/// What every handler shares.
pub struct AppState {
    /// The configuration the service was started with.
    pub cfg: Config,
    /// Jobs, API keys, the usage and audit logs (SQLite or PostgreSQL).
    pub store: Arc<dyn JobStore>,
    /// Key that hashes API keys and signs download URLs (`ROOKERY_SECRET`, else `secret.key`
    /// in the data directory, created on first start).
    pub secret: Secret,
    /// The processes offered (all of them, in the order GetCapabilities lists them).
    pub processes: Vec<ProcessDef>,
    /// Request token buckets per principal (rates from the quotas).
    pub limiter: RateLimiter,
    /// OIDC issuers (JWT and opaque tokens); inert without `oidc_issuer`.
    pub oidc: Arc<auth::oidc::Oidc>,
    /// Per-principal quotas.
    pub quotas: crate::quota::Quotas,
    /// Title, abstract and provider shown in GetCapabilities (rookery's defaults).
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
    pub user_tokens: std::sync::Mutex<HashMap<String, crate::auth::UserToken>>,
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
    pub data: Result<Arc<rookery_daops::Daops>, DataUnavailable>,
    /// Datasets opened for the data API, kept a while ([`rookery_daops::serve::ServeCache`]).
    pub datasets: rookery_daops::serve::ServeCache,
    /// Tokens got for peers, shared by the peers of every job (the runner hands it to them).
    pub peer_tokens: Arc<auth::TokenCache>,
    /// Outputs of finished data operations for identical requests (`None`: turned off).
    pub results: Option<crate::jobs::ResultCache>,
    /// STAC indexes' answers about which peer holds what, shared by the jobs.
    pub placements: Arc<crate::placements::Placements>,
    /// The node's measured speed, for run-time estimates.
    pub throughput: Arc<crate::jobs::Throughput>,
    /// The browser UI's OIDC sign-in settings (discovery fetched on first need).
    pub ui_login: auth::login::UiLogin,
}

/// Shared state handle.
pub type St = Arc<AppState>;

impl AppState {
    /// Opens the data directory and the job store (SQLite, or PostgreSQL when `cfg.db` is a
    /// `postgres://` URL).
    ///
    /// # Errors
    /// The directory or the store cannot be opened.
    pub fn open(cfg: Config) -> Result<AppState, ServiceError> {
        let data_cache_secs = cfg.data_cache_secs;
        let data = restrict_data_access(&cfg)?;
        std::fs::create_dir_all(cfg.data_dir.join("jobs"))?;
        let store = crate::jobs::open_store(&cfg)?;
        let usage = crate::usage_log::UsageWriter::start(&store);
        let secret = Secret::load(&cfg.data_dir)?;
        let oidc = Arc::new(auth::oidc::Oidc::new(&cfg.identity)?);
        #[allow(clippy::cast_possible_truncation)]
        let retention = (cfg.retention_hours > 0.0).then_some((cfg.retention_hours * 3_600_000.0) as i64);
        let results = (cfg.result_cache_bytes > 0)
            .then(|| crate::jobs::ResultCache::new(&cfg.data_dir, cfg.result_cache_bytes, retention));
        let throughput = Arc::new(crate::jobs::Throughput::open(&cfg.data_dir));
        Ok(AppState {
            placements: Arc::default(),
            throughput,
            results,
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
            peer_tokens: Arc::default(),
            ui_login: auth::login::UiLogin::default(),
            datasets: rookery_daops::serve::ServeCache::new(Duration::from_secs(data_cache_secs), 64),
        })
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

/// Records the kept end of job `id` (in memory or saved in its directory), if there is one.
pub fn record_kept_end(st: &St, id: &str) -> Option<crate::jobs::pending::Recorded> {
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

/// The service's data-aware layer, restricted to what jobs may read on a client's behalf:
/// local files only under the projects' directories, `[rookery] allowed_roots` and the
/// roocs-grids directory; URLs only under `[rookery] allowed_urls`, resolving to public
/// addresses unless their host is listed there or the address is in `allowed_networks`; the
/// configured peers' URLs are allowed too. `Ok(Err(DataUnavailable))` when roocs.ini cannot
/// be loaded (the jobs that need it fail with that message; the service still starts).
///
/// # Errors
/// `[rookery] allowed_networks` does not parse.
pub fn restrict_data_access(cfg: &Config) -> Result<Result<Arc<rookery_daops::Daops>, DataUnavailable>, ServiceError> {
    // Results of workflow parts are fetched from the configured peers.
    let peer_urls: Vec<String> = cfg.peers.iter().map(crate::config::PeerConfig::results_prefix).collect();
    // A broken roocs.ini fails the jobs that need it, with its own message; a network list
    // that does not parse stops the start.
    let daops = match rookery_daops::Config::load().and_then(rookery_daops::Daops::new) {
        Ok(d) => d,
        Err(e) => return Ok(Err(DataUnavailable(e.to_string()))),
    };
    let mut daops = daops.restricted(&peer_urls).map_err(|e| ServiceError::Config(e.to_string()))?;
    // Files the WIS2 subscriber downloaded for standing jobs (the http floor's wis2 module).
    if cfg.wis2_centre_id.is_some() || daops.config.text("wis2", "centre_id").is_some() {
        let inbox = cfg.wis2_dir().join("inbox");
        std::fs::create_dir_all(&inbox)?;
        daops = daops.with_root(&inbox);
    }
    Ok(Ok(Arc::new(daops)))
}
