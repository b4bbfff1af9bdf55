//! Principals and what they may do: API keys, OIDC tokens ([`oidc`]), scopes, signed output
//! URLs, the per-principal rate limit.
//!
//! A request is anonymous, or carries an API key, an OIDC JWT access token (checked against the
//! issuer's JWKS) or an opaque token (RFC 7662 introspection). Each becomes one [`Principal`]
//! with permissions; WPS, OGC API and result downloads check them with [`Principal::has`]. API-key
//! scopes and token permissions are one vocabulary: `execute` = `jobs:execute`,
//! `jobs` = `jobs:read:own`, plus `processes:read`, `usage` and `admin` (which holds all).
//!
//! A key looks like `rk_<id>_<secret>` (id: 8 hex digits, secret: 192 random bits); it is shown
//! once by `rookery keys create` and stored only as `HMAC-SHA256(server secret, key)`. Requests
//! carry it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
//!
//! Result URLs handed to clients carry a token `t = HMAC(server secret, "job:" + id)`: clients
//! such as rooki download Metalinks and files without their headers, so the URL itself is the
//! owner's credential for that job's outputs (like a pre-signed object-store URL).

pub mod login;
pub mod oidc;

use crate::ids::{hex, random_bytes};
use crate::jobs::{AuditRecord, JobStore, KeyRecord, StoreError};
use crate::scopes::{canonical, is_permission, permission_names};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// How a principal proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// No credential (open server).
    Anonymous,
    /// An API key (`X-API-Key`, or a bearer `rk_…`) found in the job store.
    ApiKey,
    /// An OIDC JWT access token checked against the issuer's keys.
    Jwt,
    /// An opaque token checked by RFC 7662 introspection.
    Introspection,
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Owner id of jobs: the key id, `anonymous` on an open server, `<iss>#<sub>` for tokens.
    pub id: String,
    /// Key name, `preferred_username`/`client_id` of a token (for logs), `anonymous`.
    pub name: String,
    /// Permissions (API-key scopes, or token scopes/roles mapped by configuration).
    pub scopes: Vec<String>,
    /// How it authenticated: messages name an API key or a token by it, and only token holders
    /// reach peers by token exchange.
    pub via: Via,
}

impl Principal {
    /// The open-access principal (server started with `--open`).
    #[must_use]
    pub fn anonymous() -> Principal {
        Principal {
            id: "anonymous".into(),
            name: "anonymous".into(),
            scopes: vec!["execute".into(), "jobs".into(), "usage".into()],
            via: Via::Anonymous,
        }
    }
    /// Holds this scope or permission (admin holds all; `execute` = `jobs:execute`,
    /// `jobs` = `jobs:read:own`).
    #[must_use]
    pub fn has(&self, scope: &str) -> bool {
        let want = canonical(scope);
        self.scopes.iter().any(|s| s == "admin" || canonical(s) == want)
    }
    /// What the credential is called in messages.
    #[must_use]
    pub fn credential_kind(&self) -> &'static str {
        match self.via {
            Via::ApiKey | Via::Anonymous => "API key",
            Via::Jwt | Via::Introspection => "token",
        }
    }
    /// May see a job owned by `owner`.
    #[must_use]
    pub fn owns(&self, owner: &str) -> bool {
        self.id == owner || self.has("admin")
    }
}

type HmacSha256 = Hmac<Sha256>;

/// Server secret used to hash keys and sign URLs.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// `$ROOKERY_SECRET` if set, else `<data_dir>/secret.key` (created, mode 0600, on first use).
    ///
    /// # Errors
    /// The file cannot be read or written.
    pub fn load(data_dir: &Path) -> std::io::Result<Secret> {
        if let Ok(s) = std::env::var("ROOKERY_SECRET") {
            if !s.trim().is_empty() {
                return Ok(Secret(s.trim().as_bytes().to_vec()));
            }
        }
        let p = data_dir.join("secret.key");
        match std::fs::read_to_string(&p) {
            Ok(s) if !s.trim().is_empty() => Ok(Secret(s.trim().as_bytes().to_vec())),
            _ => {
                std::fs::create_dir_all(data_dir)?;
                let s = hex(&random_bytes(32));
                let tmp = data_dir.join(format!("secret.key.{}.tmp", std::process::id()));
                {
                    use std::io::Write;
                    let mut o = std::fs::OpenOptions::new();
                    o.write(true).create(true).truncate(true);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::OpenOptionsExt;
                        o.mode(0o600);
                    }
                    let mut f = o.open(&tmp)?;
                    f.write_all(s.as_bytes())?;
                    f.sync_all()?;
                }
                // Another process may have raced us: keep whichever landed first.
                if std::fs::hard_link(&tmp, &p).is_err() {
                    let _ = std::fs::remove_file(&tmp);
                    let s = std::fs::read_to_string(&p)?;
                    return Ok(Secret(s.trim().as_bytes().to_vec()));
                }
                let _ = std::fs::remove_file(&tmp);
                Ok(Secret(s.into_bytes()))
            }
        }
    }

    /// A secret from bytes (tests).
    #[must_use]
    pub fn from_bytes(b: &[u8]) -> Secret {
        Secret(b.to_vec())
    }

    fn mac(&self, msg: &[u8]) -> Vec<u8> {
        let mut m = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }

    /// Keyed hash of an API key (what is stored).
    #[must_use]
    pub fn key_hash(&self, key: &str) -> String {
        hex(&self.mac(format!("key:{key}").as_bytes()))
    }

    /// Download token of a job's outputs.
    #[must_use]
    pub fn job_token(&self, job: &str) -> String {
        hex(&self.mac(format!("job:{job}").as_bytes()))[..32].to_string()
    }

    /// Constant-time check of a job token.
    #[must_use]
    pub fn check_job_token(&self, job: &str, token: &str) -> bool {
        let want = self.job_token(job);
        want.len() == token.len() && want.bytes().zip(token.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }
}

/// Why a credential was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No active key has the credential's hash (unknown, revoked or malformed): 401.
    #[error("invalid API key (unknown, revoked or malformed)")]
    BadKey,
    /// The job store could not be asked for the key.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The credential a request carries, if any.
#[must_use]
pub fn credential(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if !v.is_empty() {
            return Some(v.to_string());
        }
    }
    let a = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = a.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim().to_string())
}

/// Resolves a key to its principal.
///
/// # Errors
/// [`AuthError::BadKey`] for unknown/revoked/malformed keys.
pub fn resolve(store: &dyn JobStore, secret: &Secret, key: &str) -> Result<Principal, AuthError> {
    if !key.starts_with("rk_") || key.len() > 200 {
        return Err(AuthError::BadKey);
    }
    let rec = store.key_by_hash(&secret.key_hash(key))?.ok_or(AuthError::BadKey)?;
    Ok(Principal { id: rec.id, name: rec.name, scopes: rec.scopes, via: Via::ApiKey })
}

/// Is this credential an API key (`X-API-Key`, or a bearer `rk_…`), rather than a token?
#[must_use]
pub fn is_api_key(headers: &axum::http::HeaderMap, cred: &str) -> bool {
    cred.starts_with("rk_") || headers.get("x-api-key").is_some()
}

/// For an API key `rk_<id>_<secret>`, its id (not secret), else `None`.
#[must_use]
pub fn key_id_hint(cred: &str) -> Option<&str> {
    let id = cred.strip_prefix("rk_")?.split('_').next()?;
    (id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// Appends to the audit log without delaying the caller (on a blocking thread when a tokio
/// runtime is running); failures are logged.
pub fn audit(store: &std::sync::Arc<dyn JobStore>, kind: &str, principal: &str, address: &str, detail: &str) {
    let rec = AuditRecord {
        time: crate::time::now_ms(),
        kind: kind.to_string(),
        principal: principal.to_string(),
        address: if address.is_empty() { "-".into() } else { address.to_string() },
        detail: detail.to_string(),
    };
    let store = store.clone();
    let write = move || {
        if let Err(e) = store.log_audit(&rec) {
            tracing::warn!("audit log: {e}");
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(h) => {
            h.spawn_blocking(write);
        }
        Err(_) => write(),
    }
}

/// Why [`create_key`] made no key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The name is empty.
    #[error("a key needs a non-empty --name")]
    NoName,
    /// A scope that is not a permission ([`crate::scopes`]).
    #[error("unknown scope '{0}': must be one of {names}", names = permission_names())]
    UnknownScope(String),
    /// No scope at all.
    #[error("a key needs at least one scope")]
    NoScope,
    /// The store could not record it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a key; returns (the key, shown once; its record).
///
/// # Errors
/// [`KeyError`]: unknown scope, empty name, no scope, or a store failure.
pub fn create_key(
    store: &dyn JobStore,
    secret: &Secret,
    name: &str,
    scopes: &[String],
) -> Result<(String, KeyRecord), KeyError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(KeyError::NoName);
    }
    let mut sc: Vec<String> = Vec::new();
    for s in scopes.iter().flat_map(|s| s.split([',', ' '])).map(str::trim).filter(|s| !s.is_empty()) {
        if !is_permission(s) {
            return Err(KeyError::UnknownScope(s.to_string()));
        }
        let s = canonical(s);
        if !sc.iter().any(|x| x == s) {
            sc.push(s.to_string());
        }
    }
    if sc.is_empty() {
        return Err(KeyError::NoScope);
    }
    let id = hex(&random_bytes(4));
    let key = format!("rk_{id}_{}", hex(&random_bytes(24)));
    let rec = KeyRecord {
        id,
        name: name.to_string(),
        scopes: sc,
        created: crate::time::now_ms(),
        revoked: None,
        last_used: None,
    };
    store.add_key(&rec, &secret.key_hash(&key))?;
    let _ = store.log_audit(&AuditRecord {
        time: rec.created,
        kind: "key-created".into(),
        principal: local_actor(),
        address: "local".into(),
        detail: format!("key {} '{}' with scopes {}", rec.id, rec.name, rec.scopes.join(",")),
    });
    Ok((key, rec))
}

/// Revokes a key by id or name and records it in the audit log; false when there is none.
///
/// # Errors
/// Store failure.
pub fn revoke_key(store: &dyn JobStore, id_or_name: &str) -> Result<bool, StoreError> {
    let done = store.revoke_key(id_or_name)?;
    if done {
        store.log_audit(&AuditRecord {
            time: crate::time::now_ms(),
            kind: "key-revoked".into(),
            principal: local_actor(),
            address: "local".into(),
            detail: format!("key '{id_or_name}'"),
        })?;
    }
    Ok(done)
}

/// Who runs the command line (`cli:<user>`).
fn local_actor() -> String {
    format!("cli:{}", std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into()))
}

/// Token buckets per principal: `per_minute` requests a minute, bursts up to the same number.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, std::time::Instant)>>,
}

impl RateLimiter {
    /// `per_minute == 0` disables the limit.
    #[must_use]
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `who`; `Err(seconds to wait)` when none is left.
    ///
    /// # Errors
    /// The bucket is empty.
    pub fn check(&self, who: &str) -> Result<(), u64> {
        self.check_with(who, self.per_minute)
    }

    /// [`check`](Self::check) with this principal's own limit (`per_minute == 0`: unlimited).
    ///
    /// # Errors
    /// The bucket is empty.
    pub fn check_with(&self, who: &str, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(per_minute);
        let rate = cap / 60.0;
        let now = std::time::Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if b.len() > 100_000 {
            b.retain(|_, (_, t)| now.duration_since(*t).as_secs() < 120);
        }
        let e = b.entry(who.to_string()).or_insert((cap, now));
        let tokens = (e.0 + now.duration_since(e.1).as_secs_f64() * rate).min(cap);
        if tokens >= 1.0 {
            *e = (tokens - 1.0, now);
            Ok(())
        } else {
            *e = (tokens, now);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(((1.0 - tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// An end user's access token, as the request that submitted a job carried it (never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct UserToken(pub String);

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserToken(set)")
    }
}

/// Access tokens this node got from identity providers to call its peers (client
/// credentials, token exchange), per token URL, client and (for an exchange) subject, kept until
/// 30 s before they expire. A value its owner passes down: the service keeps one for its
/// lifetime (`AppState::peer_tokens`) and hands it to every job's peers.
#[derive(Default)]
pub struct TokenCache(pub(crate) std::sync::Mutex<HashMap<String, (String, std::time::Instant)>>);

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |m| m.len());
        write!(f, "TokenCache({n} tokens)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::SqliteStore;

    #[test]
    fn keys_round_trip_and_revoke() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&d.path().join("db")).unwrap();
        let sec = Secret::from_bytes(b"pepper");
        let (k, rec) = create_key(&s, &sec, "alice", &["execute,jobs".into()]).unwrap();
        assert!(k.starts_with(&format!("rk_{}_", rec.id)));
        let p = resolve(&s, &sec, &k).unwrap();
        assert_eq!(p.name, "alice");
        assert!(p.has("execute") && p.has("jobs") && !p.has("usage"));
        assert!(resolve(&s, &sec, "rk_00000000_nope").is_err());
        assert!(resolve(&s, &Secret::from_bytes(b"other"), &k).is_err(), "hash is keyed");
        let e = create_key(&s, &sec, "bob", &["root".into()]).unwrap_err();
        assert!(matches!(&e, KeyError::UnknownScope(s) if s == "root"), "{e:?}");
        assert!(e.to_string().contains("unknown scope"));
        assert!(matches!(create_key(&s, &sec, " ", &["jobs".into()]), Err(KeyError::NoName)));
        assert!(matches!(create_key(&s, &sec, "bob", &[", ".into()]), Err(KeyError::NoScope)));
        assert!(s.revoke_key("alice").unwrap());
        assert!(resolve(&s, &sec, &k).is_err());
    }

    #[test]
    fn tokens_and_rate_limit() {
        let sec = Secret::from_bytes(b"pepper");
        let t = sec.job_token("j1");
        assert!(sec.check_job_token("j1", &t));
        assert!(!sec.check_job_token("j2", &t));
        let r = RateLimiter::new(2);
        assert!(r.check("a").is_ok());
        assert!(r.check("a").is_ok());
        assert!(r.check("a").is_err());
        assert!(r.check("b").is_ok());
        assert_eq!(crate::ids::uuid4().len(), 36);
    }
}
