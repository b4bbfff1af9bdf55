//! Peers: other nodes that hold data this node does not, and running parts of a workflow there.
//!
//! ```text
//!   config: peer = "<name> <base-url> holds=<pattern>[,<pattern>...] [protocol=ogc|wps]
//!                   [token_env=VAR | token_url=U client_id=C client_secret_env=VAR [scope=..] [resource=..]
//!                    [audience=..] [token_exchange=on]]"
//!           (repeatable; patterns are dataset-id globs with `*`; the first peer holding an id
//!            is its primary, the others are replicas, tried in order)
//!   Peers::place(id)          local (this node resolves it) | peers holding it | unknown
//!   Peers::run(part)          one workflow part as ONE asynchronous job at a node:
//!       POST <node>/processes/orchestrate/execution  (Prefer: respond-async, Idempotency-Key)
//!       poll GET <node>/jobs/<id> until successful|failed (per-part deadline)
//!       GET  <node>/jobs/<id>/results → Metalink → each file fetched through the remote-data
//!            cache into the job directory, its size and SHA-256 checked
//!       failure → retried (bounded), then the next replica; none left → one error naming
//!       every node tried and why
//!   authentication to a peer: a static bearer token, a token of this node's own client
//!   (client-credentials grant), or with token_exchange=on the submitting user's own OIDC
//!   token exchanged (RFC 8693) at the identity provider for one meant for the peer, so the
//!   part runs there as that user (the user's token is held in this process's memory only,
//!   for the job's lifetime; a job without one fails naming the peer)
//!   protocol=wps (a rook, or any WPS 1.0.0 node with rook's `orchestrate`; the URL is its WPS
//!   endpoint, e.g. https://node/wps):
//!       POST Execute orchestrate (workflow as ComplexData JSON, storeExecuteResponse, status,
//!            output as reference) → poll the statusLocation (same origin as the peer) until
//!            ProcessSucceeded|ProcessFailed → the `output` reference (Metalink) → files as above
//! ```
//!
//! The coordinator side of the split is in `workflow`: reducing steps whose inputs a
//! peer holds run there; merges (concat) run here on the fetched results.

use crate::auth::{TokenCache, UserToken};
use crate::config::peer::origin;
use crate::config::{ClientCredentials, PeerConfig, Protocol};
use crate::failure::{Classify, FailureKind};
use crate::ops::ProcError;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod links;
mod stac;
use links::{dismiss, fetch_metalink, tag, unescape};

/// Why a peer, or the identity provider this node gets its tokens from, could not do what
/// was asked. The texts are those of the part's failure (after the node's name) and the log.
/// Every one is the server's fault, never the request's ([`Classify`]).
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The token endpoint could not be reached (or its answer not read).
    #[error("token endpoint {url}: {source}")]
    TokenUnreachable {
        /// The token endpoint.
        url: String,
        /// The transport error (a timeout, a refused connection, ...).
        source: ureq::Error,
    },
    /// The token endpoint refused the grant or the exchange (its `error` and
    /// `error_description`).
    #[error("{}", token_refused(url, what, client, *status, error, description))]
    TokenRefused {
        /// The token endpoint.
        url: String,
        /// `the client credentials` or `the token exchange`.
        what: &'static str,
        /// This node's client id.
        client: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth2 `error` (may be empty).
        error: String,
        /// The OAuth2 `error_description` (may be empty).
        description: String,
    },
    /// The token endpoint answered without an `access_token`.
    #[error("token endpoint {url} sent no access_token")]
    NoAccessToken {
        /// The token endpoint.
        url: String,
    },
    /// The peer is reached by token exchange, but the job carries no user token to exchange.
    #[error(
        "node '{peer}' is reached with the user's own identity (token_exchange=on), but this job carries no OIDC token to exchange (submitted with an API key or anonymously, or run by another worker process)"
    )]
    NoUserToken {
        /// The peer's name.
        peer: String,
    },
    /// The peer answered with an HTTP status other than success (for a WPS `usage` request
    /// also a 200 whose document is not `ProcessSucceeded`); `message` is the whole text.
    #[error("{message}")]
    Status {
        /// The HTTP status.
        code: u16,
        /// The text, naming the request and the status.
        message: String,
    },
    /// The peer (or a URL it named) could not be reached, or its answer not read.
    #[error("{}", unreachable_text(doing, source))]
    Unreachable {
        /// What was tried (`cannot submit`, `cannot poll <url>`, ...).
        doing: String,
        /// The transport error (a timeout, a refused connection, ...).
        source: ureq::Error,
    },
    /// The part's deadline (`peer_timeout_secs`) passed while its job ran.
    #[error(
        "timed out after {} s waiting for job {job} (the part's time limit: peer_timeout_secs in the service configuration file, or ROOKERY_PEER_TIMEOUT_SECS)",
        after.as_secs()
    )]
    TimedOut {
        /// The remote job (its URL or WPS status location).
        job: String,
        /// The deadline.
        after: Duration,
    },
    /// This node's job was dismissed while the part ran (an OGC part is dismissed at the peer).
    #[error("job {job} was abandoned: this job was dismissed")]
    Cancelled {
        /// The remote job (its URL or WPS status location).
        job: String,
    },
    /// The remote job failed (or was dismissed).
    #[error("job {job} failed: {message}")]
    JobFailed {
        /// The remote job (its URL or WPS status location).
        job: String,
        /// The peer's message.
        message: String,
    },
    /// The peer's answer lacks what the protocol needs (a job id, a status location on its own
    /// server, an output reference, a file in the Metalink); the text says what.
    #[error("{0}")]
    InvalidAnswer(String),
    /// A fetched file's size is not the Metalink's.
    #[error("{url}: fetched {got} bytes, the Metalink says {want}")]
    SizeMismatch {
        /// The file's URL.
        url: String,
        /// Bytes fetched.
        got: u64,
        /// Bytes the Metalink gives.
        want: u64,
    },
    /// A fetched file's SHA-256 is not the Metalink's.
    #[error("{url}: checksum mismatch (SHA-256 {have}, the Metalink says {want})")]
    ChecksumMismatch {
        /// The file's URL.
        url: String,
        /// The fetched file's digest.
        have: String,
        /// The Metalink's digest.
        want: String,
    },
    /// The Metalink could not be fetched (unreachable, refused by the egress policy, an HTTP
    /// status; see [`rookery_io::RemoteError::status`]).
    #[error("{0}")]
    Metalink(rookery_io::RemoteError),
    /// A result file could not be fetched through the remote-data cache, or written here.
    #[error("{0}")]
    Download(rookery_io::IoError),
    /// This node could not write the fetched files.
    #[error("{}{source}", if doing.is_empty() { String::new() } else { format!("{doing}: ") })]
    Io {
        /// What was tried (`cannot write <file>`), or empty.
        doing: String,
        /// The error.
        source: std::io::Error,
    },
}

/// A transport failure; a timeout says which limit it was and where it is set.
fn unreachable_text(doing: &str, source: &ureq::Error) -> String {
    match source {
        ureq::Error::Timeout(t) => format!(
            "{doing}: no answer in time ({t} timeout of one request: what is left of the part's peer_timeout_secs, \
             at most 60 s to submit and 30 s per poll; peer_timeout_secs is set in the service configuration file \
             or ROOKERY_PEER_TIMEOUT_SECS)"
        ),
        e => format!("{doing}: {e}"),
    }
}

fn token_refused(url: &str, what: &str, client: &str, code: u16, e: &str, d: &str) -> String {
    format!("token endpoint {url} refused {what} of '{client}': HTTP {code} {e} {d}").trim_end().to_string()
}

impl Classify for PeerError {
    /// Always the server's: a peer, its identity provider or this node's disk failed.
    fn failure_kind(&self) -> FailureKind {
        FailureKind::Server
    }
}

impl PeerError {
    fn io(doing: String) -> impl FnOnce(std::io::Error) -> PeerError {
        move |source| PeerError::Io { doing, source }
    }
    fn unreachable(doing: String) -> impl FnOnce(ureq::Error) -> PeerError {
        move |source| PeerError::Unreachable { doing, source }
    }
}

fn form_enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// POSTs a token request (`form`, without the client's credentials, which are added) to the
/// client's token endpoint; the access token, cached under `key` until 30 s before it expires.
fn token_request(
    c: &ClientCredentials,
    key: String,
    form: String,
    what: &'static str,
    cache: &TokenCache,
) -> Result<String, PeerError> {
    if let Ok(m) = cache.0.lock() {
        if let Some((t, until)) = m.get(&key) {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
    }
    let mut form = format!("{form}&client_id={}&client_secret={}", form_enc(&c.client_id), form_enc(&c.client_secret));
    for (k, v) in [("scope", &c.scope), ("resource", &c.resource), ("audience", &c.audience)] {
        if let Some(v) = v {
            form.push_str(&format!("&{k}={}", form_enc(v)));
        }
    }
    let resp = agent(Duration::from_secs(30))
        .post(&c.token_url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form)
        .map_err(|source| PeerError::TokenUnreachable { url: c.token_url.clone(), source })?;
    let (code, v) = body_json(resp)?;
    if code != 200 {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return Err(PeerError::TokenRefused {
            url: c.token_url.clone(),
            what,
            client: c.client_id.clone(),
            status: code,
            error: text("error"),
            description: text("error_description"),
        });
    }
    let t = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| PeerError::NoAccessToken { url: c.token_url.clone() })?
        .to_string();
    let ttl = v.get("expires_in").and_then(Value::as_u64).unwrap_or(300).saturating_sub(30).max(1);
    if let Ok(mut m) = cache.0.lock() {
        let now = Instant::now();
        m.retain(|_, (_, until)| *until > now);
        m.insert(key, (t.clone(), now + Duration::from_secs(ttl)));
    }
    Ok(t)
}

fn cache_key(c: &ClientCredentials) -> String {
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    format!("{}\n{}\n{}\n{}\n{}", c.token_url, c.client_id, o(&c.scope), o(&c.resource), o(&c.audience))
}

/// An access token by the client-credentials grant (RFC 6749 §4.4; cached until 30 s before
/// `expires_in`).
///
/// # Errors
/// [`PeerError::TokenUnreachable`], [`PeerError::TokenRefused`] (its `error` and
/// `error_description`), [`PeerError::NoAccessToken`]; an unreadable answer
/// ([`PeerError::Unreachable`]).
pub fn client_credentials_token(c: &ClientCredentials, cache: &TokenCache) -> Result<String, PeerError> {
    token_request(c, cache_key(c), "grant_type=client_credentials".into(), "the client credentials", cache)
}

/// A token for the peer got by exchanging the user's access token `subject` (RFC 8693: the
/// client authenticates as itself, the new token carries the user's identity; cached per user
/// token until 30 s before `expires_in`).
///
/// # Errors
/// As [`client_credentials_token`]; [`PeerError::TokenRefused`] for an expired user token, a
/// client not allowed to exchange, an audience it may not ask for.
pub fn exchange_token(c: &ClientCredentials, subject: &UserToken, cache: &TokenCache) -> Result<String, PeerError> {
    const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(subject.0.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    let key = format!("{}\nexchange\n{digest}", cache_key(c));
    let form = format!(
        "grant_type={}&subject_token={}&subject_token_type={}&requested_token_type={}",
        form_enc("urn:ietf:params:oauth:grant-type:token-exchange"),
        form_enc(&subject.0),
        form_enc(ACCESS),
        form_enc(ACCESS)
    );
    token_request(c, key, form, "the token exchange", cache)
}

impl PeerConfig {
    /// The `Authorization` header value for this node's own requests to the peer (usage
    /// collection), if any.
    ///
    /// # Errors
    /// The client-credentials grant failed (see [`client_credentials_token`]).
    pub fn authorization(&self, tokens: &TokenCache) -> Result<Option<String>, PeerError> {
        if let Some(c) = &self.client {
            return client_credentials_token(c, tokens).map(|t| Some(format!("Bearer {t}")));
        }
        Ok(self.token.as_ref().map(|t| format!("Bearer {t}")))
    }

    /// The `Authorization` header value for running a user's part at the peer: with
    /// `token_exchange=on` the user's token exchanged for one meant for the peer, else as
    /// [`authorization`](Self::authorization).
    ///
    /// # Errors
    /// The grant or the exchange failed (see [`exchange_token`]);
    /// [`PeerError::NoUserToken`]: token exchange is configured but the job carries no user
    /// token.
    pub fn authorization_for(
        &self,
        user: Option<&UserToken>,
        tokens: &TokenCache,
    ) -> Result<Option<String>, PeerError> {
        match (&self.client, self.exchange) {
            (Some(c), true) => {
                let u = user.ok_or_else(|| PeerError::NoUserToken { peer: self.name.clone() })?;
                exchange_token(c, u, tokens).map(|t| Some(format!("Bearer {t}")))
            }
            _ => self.authorization(tokens),
        }
    }
}

/// Where a collection item is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// This node reads it.
    Local,
    /// Peers holding it (primary first).
    Remote(Vec<PeerConfig>),
}

/// The configured peers and how long a part may take.
#[derive(Clone, Debug, Default)]
pub struct Peers {
    /// In configuration order.
    pub peers: Vec<PeerConfig>,
    /// Longest a part may take at one node (submission to fetched results).
    pub part_timeout: Duration,
    /// Attempts at one node before its replica is tried.
    pub attempts: u32,
    /// The token of the user whose job this is, for peers reached by token exchange.
    pub user_token: Option<UserToken>,
    /// Tokens this node got for peers (the service shares one cache across its jobs).
    pub tokens: std::sync::Arc<TokenCache>,
    /// STAC indexes' answers about who holds what (shared like `tokens`).
    pub placements: std::sync::Arc<crate::placements::Placements>,
}

/// A fetched part: where its files are now and which remote job made them.
#[derive(Clone, Debug)]
pub struct PartResult {
    /// The node that ran it.
    pub peer: PeerConfig,
    /// The remote job's URL.
    pub job_url: String,
    /// The fetched files, in the part's directory.
    pub files: Vec<PathBuf>,
    /// Bytes fetched.
    pub bytes: u64,
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).proxy(None).build().into()
}

fn body_json(resp: ureq::http::Response<ureq::Body>) -> Result<(u16, Value), PeerError> {
    let code = resp.status().as_u16();
    let mut b = resp.into_body();
    let bytes = b
        .with_config()
        .limit(16 << 20)
        .read_to_vec()
        .map_err(PeerError::unreachable("cannot read the answer".into()))?;
    Ok((code, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
}

impl Peers {
    /// From the service configuration.
    #[must_use]
    pub fn new(peers: Vec<PeerConfig>, part_timeout_secs: u64, attempts: u32) -> Peers {
        Peers {
            peers,
            part_timeout: Duration::from_secs(part_timeout_secs.max(1)),
            attempts: attempts.max(1),
            user_token: None,
            tokens: std::sync::Arc::default(),
            placements: std::sync::Arc::default(),
        }
    }

    /// Whether any peer is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Where `item` is: local when this node's data layer resolves it, else the peers whose
    /// patterns match it (`None`: nobody holds it; the local error will say why).
    #[must_use]
    pub fn place(&self, daops: &rookery_daops::Daops, item: &str) -> Place {
        let local = daops.resolver.resolve(item).is_ok_and(|r| !r.files.is_empty());
        if local || self.peers.is_empty() {
            return Place::Local;
        }
        let holders: Vec<PeerConfig> = self.peers.iter().filter(|p| self.holds(p, item)).cloned().collect();
        if holders.is_empty() {
            Place::Local
        } else {
            Place::Remote(holders)
        }
    }

    /// Runs `workflow` (an orchestrate document) as one job at the first of `nodes` that
    /// succeeds, and fetches its output files into `dir`.
    ///
    /// # Errors
    /// Every node failed: one message naming each node and its reason.
    pub fn run(
        &self,
        nodes: &[PeerConfig],
        workflow: &Value,
        idempotency_key: &str,
        dir: &Path,
        io: &rookery_io::IoContext,
    ) -> Result<PartResult, ProcError> {
        let mut reasons = Vec::new();
        for peer in nodes {
            for attempt in 1..=self.attempts {
                match self.run_at(peer, workflow, idempotency_key, dir, io) {
                    Ok(r) => return Ok(r),
                    Err(e) => {
                        tracing::warn!(
                            "part {idempotency_key} at node {} ({}), attempt {attempt}: {e}",
                            peer.name,
                            peer.url
                        );
                        if attempt == self.attempts {
                            reasons.push(format!("node '{}' ({}): {e}", peer.name, peer.url));
                        }
                    }
                }
            }
        }
        Err(ProcError::server(format!("no node could run this part: {}", reasons.join("; "))))
    }

    fn run_at(
        &self,
        peer: &PeerConfig,
        workflow: &Value,
        key: &str,
        dir: &Path,
        io: &rookery_io::IoContext,
    ) -> Result<PartResult, PeerError> {
        match peer.protocol {
            Protocol::Ogc => self.run_ogc(peer, workflow, key, dir, io),
            Protocol::Wps => self.run_wps(peer, workflow, dir, io),
        }
    }

    /// A part at a WPS 1.0.0 node (rook): asynchronous Execute of `orchestrate`, polling of
    /// the status document, then the Metalink of its `output`.
    fn run_wps(
        &self,
        peer: &PeerConfig,
        workflow: &Value,
        dir: &Path,
        io: &rookery_io::IoContext,
    ) -> Result<PartResult, PeerError> {
        let deadline = Instant::now() + self.part_timeout;
        let left = || deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let auth = peer.authorization_for(self.user_token.as_ref(), &self.tokens)?;
        // A rook knows no workflow-only switches (its operations would refuse the argument).
        let mut workflow = workflow.clone();
        if let Some(steps) = workflow.get_mut("steps").and_then(Value::as_object_mut) {
            for st in steps.values_mut() {
                if let Some(ins) = st.get_mut("in").and_then(Value::as_object_mut) {
                    ins.remove(crate::ops::ALIGNED);
                }
            }
        }
        let body = wps_execute("orchestrate", &[("workflow", &workflow.to_string())], true);
        let mut rb = agent(left().min(Duration::from_secs(60))).post(&peer.url).header("Content-Type", "text/xml");
        if let Some(a) = &auth {
            rb = rb.header("Authorization", a);
        }
        let resp = rb.send(body).map_err(PeerError::unreachable("cannot submit".into()))?;
        let (code, mut doc) = body_text(resp)?;
        if !(200..300).contains(&code) || doc.contains("ExceptionReport") {
            return Err(PeerError::Status {
                code,
                message: format!("submission refused with HTTP {code}: {}", wps_exception(&doc)),
            });
        }
        let status = xml_attr(&doc, "statusLocation")
            .ok_or_else(|| PeerError::InvalidAnswer("the Execute response has no statusLocation".into()))?;
        if origin(&status) != origin(&peer.url) {
            return Err(PeerError::InvalidAnswer(format!("the statusLocation {status} is not on the peer's server")));
        }
        let mut wait = Duration::from_millis(100);
        loop {
            if doc.contains("ProcessSucceeded") {
                break;
            }
            if doc.contains("ProcessFailed") {
                return Err(PeerError::JobFailed { job: status, message: wps_exception(&doc) });
            }
            if Instant::now() >= deadline {
                return Err(PeerError::TimedOut { job: status, after: self.part_timeout });
            }
            if io.cancel().is_cancelled() {
                return Err(PeerError::Cancelled { job: status });
            }
            std::thread::sleep(wait.min(left()));
            wait = (wait * 2).min(Duration::from_secs(2));
            let mut rb = agent(left().min(Duration::from_secs(30))).get(&status);
            if let Some(a) = &auth {
                rb = rb.header("Authorization", a);
            }
            let (code, d) = body_text(rb.call().map_err(PeerError::unreachable(format!("cannot poll {status}")))?)?;
            if code != 200 {
                return Err(PeerError::Status { code, message: format!("polling {status} answered HTTP {code}") });
            }
            doc = d;
        }
        let href = wps_output_href(&doc, "output")
            .ok_or_else(|| PeerError::InvalidAnswer(format!("the results of {status} have no output reference")))?;
        let (files, bytes) = fetch_metalink(io, peer, &href, &status, dir)?;
        Ok(PartResult { peer: peer.clone(), job_url: status, files, bytes })
    }

    /// A part at an OGC API node (rookery).
    fn run_ogc(
        &self,
        peer: &PeerConfig,
        workflow: &Value,
        key: &str,
        dir: &Path,
        io: &rookery_io::IoContext,
    ) -> Result<PartResult, PeerError> {
        let deadline = Instant::now() + self.part_timeout;
        let left = || deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let auth = peer.authorization_for(self.user_token.as_ref(), &self.tokens)?;
        // Submit.
        let body = json!({"inputs": {"workflow": {"value": workflow.to_string()}}});
        let mut rb = agent(left().min(Duration::from_secs(60)))
            .post(&format!("{}/processes/orchestrate/execution", peer.url))
            .header("Content-Type", "application/json")
            .header("Prefer", "respond-async")
            .header("Idempotency-Key", key);
        if let Some(a) = &auth {
            rb = rb.header("Authorization", a);
        }
        let resp = rb.send(body.to_string()).map_err(PeerError::unreachable("cannot submit".into()))?;
        let (code, v) = body_json(resp)?;
        if !(200..300).contains(&code) {
            let why = v.get("detail").or_else(|| v.get("title")).and_then(Value::as_str).unwrap_or("");
            return Err(PeerError::Status { code, message: format!("submission refused with HTTP {code} {why}") });
        }
        let job_id = v
            .get("jobID")
            .and_then(Value::as_str)
            .ok_or_else(|| PeerError::InvalidAnswer("the answer names no jobID".into()))?
            .to_string();
        if job_id.is_empty() || !job_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(PeerError::InvalidAnswer(format!("the answer names a strange jobID '{job_id}'")));
        }
        let job_url = format!("{}/jobs/{job_id}", peer.url);
        let r = self.finish_ogc(peer, &job_url, deadline, auth.as_deref(), dir, io);
        if r.is_err() {
            // A job left running (timed out, unreadable, its results unfetchable) is dismissed.
            dismiss(&job_url, auth.as_deref());
        }
        r
    }

    /// Polls an OGC API job at a peer until it ends, then fetches its results into `dir`.
    fn finish_ogc(
        &self,
        peer: &PeerConfig,
        job_url: &str,
        deadline: Instant,
        auth: Option<&str>,
        dir: &Path,
        io: &rookery_io::IoContext,
    ) -> Result<PartResult, PeerError> {
        let left = || deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let with_auth = |mut rb: ureq::RequestBuilder<ureq::typestate::WithoutBody>| {
            if let Some(a) = auth {
                rb = rb.header("Authorization", a);
            }
            rb
        };
        let job_url = job_url.to_string();
        // Poll.
        let mut wait = Duration::from_millis(100);
        loop {
            if Instant::now() >= deadline {
                return Err(PeerError::TimedOut { job: job_url, after: self.part_timeout });
            }
            if io.cancel().is_cancelled() {
                return Err(PeerError::Cancelled { job: job_url });
            }
            let resp = with_auth(agent(left().min(Duration::from_secs(30))).get(&job_url))
                .call()
                .map_err(PeerError::unreachable(format!("cannot poll {job_url}")))?;
            let (code, v) = body_json(resp)?;
            if code != 200 {
                return Err(PeerError::Status { code, message: format!("polling {job_url} answered HTTP {code}") });
            }
            match v.get("status").and_then(Value::as_str).unwrap_or("") {
                "successful" => break,
                "failed" | "dismissed" => {
                    return Err(PeerError::JobFailed {
                        job: job_url,
                        message: v.get("message").and_then(Value::as_str).unwrap_or("no message").to_string(),
                    });
                }
                _ => {}
            }
            std::thread::sleep(wait.min(left()));
            wait = (wait * 2).min(Duration::from_secs(2));
        }
        // Results → Metalink → files.
        let resp = with_auth(agent(left()).get(&format!("{job_url}/results")))
            .call()
            .map_err(PeerError::unreachable(format!("cannot get the results of {job_url}")))?;
        let (code, v) = body_json(resp)?;
        let href = v.pointer("/output/href").and_then(Value::as_str).filter(|_| code == 200).ok_or_else(|| {
            let message = format!("the results of {job_url} have no output (HTTP {code})");
            if code == 200 {
                PeerError::InvalidAnswer(message)
            } else {
                PeerError::Status { code, message }
            }
        })?;
        let (files, bytes) = fetch_metalink(io, peer, href, &job_url, dir)?;
        Ok(PartResult { peer: peer.clone(), job_url, files, bytes })
    }

    /// Dismisses the jobs of parts that ran at peers (their results are fetched, or the
    /// workflow failed and they are not needed): best effort, failures only logged.
    pub fn dismiss_parts(&self, parts: &[PartResult]) {
        for p in parts.iter().filter(|p| p.peer.protocol == Protocol::Ogc) {
            let auth = p.peer.authorization_for(self.user_token.as_ref(), &self.tokens).ok().flatten();
            dismiss(&p.job_url, auth.as_deref());
        }
    }
}

/// A WPS 1.0.0 Execute request: literal or JSON inputs as ComplexData when they start with
/// `{`, every output as a reference; `asynchronous` stores the response and reports status.
fn wps_execute(process: &str, inputs: &[(&str, &str)], asynchronous: bool) -> String {
    let esc = rookery_io::text::xml_text;
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><wps:Execute service="WPS" version="1.0.0" xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink">"#,
    );
    x.push_str(&format!("<ows:Identifier>{}</ows:Identifier><wps:DataInputs>", esc(process)));
    for (k, v) in inputs {
        let data = if v.trim_start().starts_with('{') {
            format!(r#"<wps:ComplexData mimeType="application/json">{}</wps:ComplexData>"#, esc(v))
        } else {
            format!("<wps:LiteralData>{}</wps:LiteralData>", esc(v))
        };
        x.push_str(&format!(
            "<wps:Input><ows:Identifier>{}</ows:Identifier><wps:Data>{data}</wps:Data></wps:Input>",
            esc(k)
        ));
    }
    let a = if asynchronous { "true" } else { "false" };
    x.push_str(&format!(
        r#"</wps:DataInputs><wps:ResponseForm><wps:ResponseDocument storeExecuteResponse="{a}" status="{a}"></wps:ResponseDocument></wps:ResponseForm></wps:Execute>"#
    ));
    x
}

fn body_text(resp: ureq::http::Response<ureq::Body>) -> Result<(u16, String), PeerError> {
    let code = resp.status().as_u16();
    let mut b = resp.into_body();
    let t = b
        .with_config()
        .limit(16 << 20)
        .read_to_string()
        .map_err(PeerError::unreachable("cannot read the answer".into()))?;
    Ok((code, t))
}

/// The value of attribute `name` (first occurrence), unescaped.
fn xml_attr(doc: &str, name: &str) -> Option<String> {
    let pat = format!("{name}=\"");
    let i = doc.find(&pat)? + pat.len();
    let j = doc[i..].find('"')? + i;
    Some(unescape(&doc[i..j]))
}

/// The exception or failure text of a WPS document, on one line.
fn wps_exception(doc: &str) -> String {
    let t =
        tag(doc, "ExceptionText>", "</").map(|t| unescape(t.trim())).unwrap_or_else(|| doc.chars().take(200).collect());
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `href` of output `id` in an ExecuteResponse (`<wps:Reference href=...>` or `xlink:href`).
fn wps_output_href(doc: &str, id: &str) -> Option<String> {
    let outputs = doc.split("<wps:Output>").skip(1);
    for o in outputs {
        let ident = tag(o, "Identifier>", "</")?;
        if ident.trim() == id {
            return xml_attr(o, "href");
        }
    }
    None
}

/// A peer's usage log: its `usage` process run synchronously, both CSVs fetched.
///
/// # Errors
/// [`PeerError::Unreachable`], [`PeerError::Status`] (it refuses),
/// [`PeerError::InvalidAnswer`] (an answer without the CSVs), a failed token grant.
pub fn peer_usage(peer: &PeerConfig, time: &str, tokens: &TokenCache) -> Result<(String, String), PeerError> {
    if peer.protocol == Protocol::Wps {
        return wps_usage(peer, time, tokens);
    }
    let body = json!({"inputs": {"time": time}});
    let mut rb = agent(Duration::from_secs(120))
        .post(&format!("{}/processes/usage/execution", peer.url))
        .header("Content-Type", "application/json");
    if let Some(a) = peer.authorization(tokens)? {
        rb = rb.header("Authorization", &a);
    }
    let (code, v) = body_json(rb.send(body.to_string()).map_err(PeerError::unreachable("cannot reach it".into()))?)?;
    if code != 200 {
        return Err(PeerError::Status { code, message: format!("usage answered HTTP {code}") });
    }
    let get = |id: &str| -> Result<String, PeerError> {
        let href = v
            .pointer(&format!("/{id}/href"))
            .and_then(Value::as_str)
            .ok_or_else(|| PeerError::InvalidAnswer(format!("no {id} in the answer")))?;
        fetch_csv(href)
    };
    Ok((get("wpsusage")?, get("downloads")?))
}

/// A WPS peer's usage: rook's `usage` process executed synchronously, both CSVs fetched.
fn wps_usage(peer: &PeerConfig, time: &str, tokens: &TokenCache) -> Result<(String, String), PeerError> {
    let inputs: Vec<(&str, &str)> = if time.is_empty() { Vec::new() } else { vec![("time", time)] };
    let mut rb = agent(Duration::from_secs(120)).post(&peer.url).header("Content-Type", "text/xml");
    if let Some(a) = peer.authorization(tokens)? {
        rb = rb.header("Authorization", &a);
    }
    let (code, doc) = body_text(
        rb.send(wps_execute("usage", &inputs, false)).map_err(PeerError::unreachable("cannot reach it".into()))?,
    )?;
    if code != 200 || !doc.contains("ProcessSucceeded") {
        return Err(PeerError::Status {
            code,
            message: format!("usage answered HTTP {code}: {}", wps_exception(&doc)),
        });
    }
    let get = |id: &str| -> Result<String, PeerError> {
        let href =
            wps_output_href(&doc, id).ok_or_else(|| PeerError::InvalidAnswer(format!("no {id} in the answer")))?;
        fetch_csv(&href)
    };
    Ok((get("wpsusage")?, get("downloads")?))
}

/// A usage CSV a peer's `usage` answer links to.
fn fetch_csv(href: &str) -> Result<String, PeerError> {
    let resp = agent(Duration::from_secs(120))
        .get(href)
        .call()
        .map_err(PeerError::unreachable(format!("cannot fetch {href}")))?;
    let mut b = resp.into_body();
    b.with_config().limit(256 << 20).read_to_string().map_err(PeerError::unreachable(format!("cannot read {href}")))
}

#[cfg(test)]
mod tests;
