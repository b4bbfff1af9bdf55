//! HTTP floor: who is asking. The identity middleware ([`layer`]) checks a bearer token before
//! the handler runs; handlers then ask [`principal`] / [`require`] for the caller, with the
//! rate limit and quotas applied. Credentials themselves (keys, tokens, scopes) are
//! [`crate::auth`]'s; this module only applies them to requests.

use crate::auth::{self, audit, credential, is_api_key, key_id_hint, oidc, resolve, AuthError, Principal, Via};
use crate::error::OwsError;
use crate::ids::fingerprint;
use crate::jobs::{Job, JobRequest, JobStore, NewJob, StoreError};
use crate::scopes::token_name;
use crate::state::AppState;
use axum::http::{HeaderMap, StatusCode};
use std::sync::Mutex;

/// What the identity layer learnt about the current request before its handler ran: the
/// remote address and, for a token, the outcome of checking it (done asynchronously by
/// [`layer`], since it may need the issuer). Read by [`AppState::principal`].
#[derive(Debug, Default)]
pub struct RequestAuth {
    /// Client IP address (the direct peer); empty when unknown.
    pub remote: String,
    /// `Some` when the request carried a token (not an API key).
    pub token: Option<Result<Principal, oidc::TokenError>>,
    /// The token itself when it checked out (kept with a job for peers reached by token
    /// exchange; never logged).
    pub bearer: Option<crate::auth::UserToken>,
    /// Seconds for a `Retry-After` header (set by a quota refusal).
    pub retry_after: Mutex<Option<u64>>,
}

tokio::task_local! {
    /// The current request's [`RequestAuth`] (set by [`layer`] around the handler).
    pub static REQUEST: std::sync::Arc<RequestAuth>;
}

/// The current request's context, if the handler runs under [`layer`].
#[must_use]
pub fn current() -> Option<std::sync::Arc<RequestAuth>> {
    REQUEST.try_with(std::sync::Arc::clone).ok()
}

/// Middleware: checks a bearer token (JWT or opaque; never an API key, which the handler
/// resolves itself) with the configured issuers before the handler runs, without blocking the
/// runtime (discovery, JWKS and introspection run on blocking threads), and adds `Retry-After`
/// to quota refusals.
pub async fn layer(
    axum::extract::State(st): axum::extract::State<crate::state::St>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let remote = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let (token, bearer) = match credential(req.headers()) {
        Some(c) if !is_api_key(req.headers(), &c) && st.oidc.enabled() => {
            let t = st.oidc.authenticate(&c).await;
            let b = t.is_ok().then_some(crate::auth::UserToken(c));
            (Some(t), b)
        }
        _ => (None, None),
    };
    let ctx = std::sync::Arc::new(RequestAuth { remote, token, bearer, retry_after: Mutex::new(None) });
    let mut resp = REQUEST.scope(ctx.clone(), next.run(req)).await;
    let wait = *ctx.retry_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(w) = wait {
        if let Ok(v) = axum::http::HeaderValue::from_str(&w.to_string()) {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
    }
    resp
}

fn unauthorized(text: impl Into<String>) -> OwsError {
    OwsError::forbidden(StatusCode::UNAUTHORIZED, text)
}

/// Records a refused sign-in (audit log and a warning; never the credential itself).
fn signin_failed(st: &AppState, who: &str, reason: &str) {
    let remote = current().map(|c| c.remote.clone()).unwrap_or_default();
    tracing::warn!("sign-in refused from {}: {reason} [{who}]", if remote.is_empty() { "-" } else { &remote });
    audit(&st.store, "signin-failed", who, &remote, reason);
}

/// Records an audit event with the current request's address.
pub fn audit_current(store: &std::sync::Arc<dyn JobStore>, kind: &str, principal: &str, detail: &str) {
    let remote = current().map(|c| c.remote.clone()).unwrap_or_default();
    audit(store, kind, principal, &remote, detail);
}

fn over_quota(p: &Principal, e: crate::quota::QuotaError) -> OwsError {
    if let Some(c) = current() {
        *c.retry_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e.retry_after);
    }
    tracing::info!("quota: {} refused: {}", p.id, e.text);
    let mut err = OwsError::busy(e.text);
    err.status = StatusCode::TOO_MANY_REQUESTS;
    err
}

/// The caller of a request that needs credentials (see [`AppState::principal`]).
///
/// # Errors
/// Missing or bad credentials (401), the issuer cannot be asked (503), rate limit (429).
pub fn principal(st: &AppState, headers: &HeaderMap) -> Result<Principal, OwsError> {
    let p = match credential(headers) {
        Some(k) if is_api_key(headers, &k) || !st.oidc.enabled() => match resolve(st.store.as_ref(), &st.secret, &k) {
            Ok(p) => p,
            Err(AuthError::BadKey) => {
                let who =
                    key_id_hint(&k).map_or_else(|| format!("credential {}", fingerprint(&k)), |id| format!("key {id}"));
                signin_failed(st, &who, "invalid API key (unknown, revoked or malformed)");
                return Err(unauthorized("Invalid API key: it is unknown, revoked or malformed"));
            }
            // 503 with the reason when the store cannot be used for now (a full disk).
            Err(AuthError::Store(e)) => return Err(st.store_failure(&e)),
        },
        Some(k) => {
            let outcome = current().and_then(|c| c.token.clone());
            match outcome {
                Some(Ok(p)) => p,
                Some(Err(e)) => {
                    let who = e.claimed.clone().unwrap_or_else(|| format!("token {}", fingerprint(&k)));
                    signin_failed(st, &who, &e.reason);
                    let mut err = unauthorized(e.reason);
                    if e.status == StatusCode::SERVICE_UNAVAILABLE {
                        err.code = crate::error::OwsCode::NoApplicableCode;
                    }
                    err.status = e.status;
                    return Err(err);
                }
                // Outside the router's identity layer: tokens cannot be checked here.
                None => {
                    return Err(OwsError::other(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The token could not be checked (no identity layer on this route)",
                    ))
                }
            }
        }
        None if st.cfg.open => Principal::anonymous(),
        None => {
            return Err(unauthorized(if st.oidc.enabled() {
                "Credentials are required: send an API key or an access token as 'Authorization: Bearer <credential>' (or the key as 'X-API-Key: <key>')"
            } else {
                "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
            }))
        }
    };
    st.quotas.check_rate(&st.limiter, &p).map_err(|e| over_quota(&p, e))?;
    Ok(p)
}

/// [`principal`] holding `scope`.
///
/// # Errors
/// As `principal`, or 403 without the scope.
pub fn require(st: &AppState, headers: &HeaderMap, scope: &str) -> Result<Principal, OwsError> {
    let p = principal(st, headers)?;
    if p.has(scope) {
        return Ok(p);
    }
    let text = match p.via {
        Via::Jwt | Via::Introspection => format!(
            "This token lacks the '{}' permission needed for this request (it has: {})",
            token_name(scope),
            if p.scopes.is_empty() { "none".to_string() } else { p.scopes.join(", ") }
        ),
        _ => format!("This API key lacks the '{scope}' scope needed for this request"),
    };
    tracing::info!("permission refused to {}: {text}", p.id);
    Err(OwsError::forbidden(StatusCode::FORBIDDEN, text))
}

/// Quotas checked before a job is queued (jobs at once, bytes written today).
///
/// # Errors
/// Over quota (429, `ServerBusy`).
pub fn check_submit(st: &AppState, p: &Principal, process: &str) -> Result<(), OwsError> {
    st.quotas.check_submit(st.store.as_ref(), p).map_err(|e| {
        audit_current(&st.store, "quota-exceeded", &p.id, &format!("{process}: {}", e.text));
        over_quota(p, e)
    })
}

/// `Retry-After` (seconds) of a submission refused because the queue is full.
pub const QUEUE_RETRY_SECS: u64 = 5;

/// Seconds in the `Retry-After` of a refusal for want of disk space or store.
const RETRY_AFTER_SECS: u64 = 60;

/// Sets the current request's `Retry-After` (added to the response by [`auth::layer`]).
fn retry_after(secs: u64) {
    if let Some(c) = current() {
        *c.retry_after.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(secs);
    }
}

/// Request-level answers of the shared state (credentials, quotas, queue, store failures).
impl AppState {
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

    /// The caller, for operations that need credentials: an API key's or a token's principal,
    /// `anonymous` on an open server without credentials, else 401. Also takes a rate-limit
    /// token of the principal's quota (see [`auth::principal`]).
    ///
    /// # Errors
    /// Missing or bad credentials (401), the issuer cannot be asked (503), rate limit (429).
    pub fn principal(&self, headers: &HeaderMap) -> Result<Principal, OwsError> {
        principal(self, headers)
    }

    /// [`principal`](Self::principal) holding `scope` (API-key scope or token permission).
    ///
    /// # Errors
    /// As `principal`, or 403 without the scope.
    pub fn require(&self, headers: &HeaderMap, scope: &str) -> Result<Principal, OwsError> {
        require(self, headers, scope)
    }

    /// Queues a job.
    ///
    /// # Errors
    /// `ServerBusy` when the queue is full; store failures.
    pub fn submit(&self, owner: &Principal, process: &str, request: JobRequest) -> Result<Job, OwsError> {
        check_submit(self, owner, process)?;
        let mut request = request;
        request.estimate = self.check_estimate(owner, process, &request)?;
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
                    if let Some(c) = current() {
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
        audit_current(
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

    /// The estimate of a data operation, kept with its job; refuses it (413, with the
    /// estimate) when it is over `max_read_bytes`/`max_output_bytes`, before it is queued. A
    /// request the estimate cannot judge (it would fail anyway) is queued as before, without.
    fn check_estimate(
        &self,
        owner: &Principal,
        process: &str,
        request: &JobRequest,
    ) -> Result<Option<serde_json::Value>, OwsError> {
        if !crate::estimate::ESTIMATED.contains(&process) {
            return Ok(None);
        }
        let Ok(daops) = self.data.as_deref() else { return Ok(None) };
        let Ok(e) = crate::estimate::estimate(daops, process, &request.inputs) else { return Ok(None) };
        let l = self.quotas.limits(&owner.id);
        match crate::estimate::over_limits(&e, l.max_read_bytes, l.max_output_bytes) {
            Some(why) => {
                audit_current(&self.store, "job-refused", &owner.id, &format!("{process}: {why}"));
                Err(OwsError::too_large(why))
            }
            None => Ok(Some(crate::estimate::to_json(&e, Some(self.throughput.get())))),
        }
    }

    /// Keeps the current request's token with job `id` when a peer is reached by token
    /// exchange (the part then runs there as this user).
    fn keep_user_token(&self, owner: &Principal, id: &str) {
        if !matches!(owner.via, auth::Via::Jwt | auth::Via::Introspection) || !self.cfg.peers.iter().any(|p| p.exchange)
        {
            return;
        }
        if let Some(t) = current().and_then(|c| c.bearer.clone()) {
            self.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_string(), t);
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
                    audit_current(&self.store, "admin", &p.id, &format!("access to job {} of {}", j.id, j.owner));
                }
                Ok(j)
            }
            _ => Err(not_found()),
        }
    }
}
