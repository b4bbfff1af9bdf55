//! API keys, principals, scopes, signed output URLs and the per-key rate limit.
//!
//! A key looks like `rk_<id>_<secret>` (id: 8 hex digits, secret: 192 random bits); it is shown
//! once by `rookery keys create` and stored only as `HMAC-SHA256(server secret, key)`. Requests
//! carry it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
//!
//! Result URLs handed to clients carry a token `t = HMAC(server secret, "job:" + id)`: clients
//! such as rooki download Metalinks and files without their headers, so the URL itself is the
//! owner's credential for that job's outputs (like a pre-signed object-store URL).

use crate::jobs::{JobStore, KeyRecord, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Scopes a key may hold.
pub const SCOPES: &[(&str, &str)] = &[
    ("execute", "run processes (WPS Execute, OGC execution)"),
    ("jobs", "read status and results of own jobs, list and dismiss them, download outputs"),
    ("usage", "run the usage process (request log as CSV)"),
    ("admin", "see and dismiss every user's jobs"),
];

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Owner id of jobs: the key id, or `anonymous` on an open server.
    pub id: String,
    /// Key name (for logs), `anonymous` on an open server.
    pub name: String,
    pub scopes: Vec<String>,
}

impl Principal {
    /// The open-access principal (server started with `--open`).
    #[must_use]
    pub fn anonymous() -> Principal {
        Principal {
            id: "anonymous".into(),
            name: "anonymous".into(),
            scopes: vec!["execute".into(), "jobs".into(), "usage".into()],
        }
    }
    /// Holds this scope (admin holds all).
    #[must_use]
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope || s == "admin")
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

/// Lowercase hex.
#[must_use]
pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::with_capacity(b.len() * 2), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// Random bytes from the OS.
///
/// # Panics
/// When the OS has no randomness (never on supported systems).
#[must_use]
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    getrandom::fill(&mut v).expect("OS randomness");
    v
}

/// A random (v4) UUID string.
#[must_use]
pub fn uuid4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
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
    #[error("invalid API key (unknown, revoked or malformed)")]
    BadKey,
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
    Ok(Principal { id: rec.id, name: rec.name, scopes: rec.scopes })
}

/// Creates a key; returns (the key, shown once; its record).
///
/// # Errors
/// Unknown scope, empty name, or a store failure.
pub fn create_key(store: &dyn JobStore, secret: &Secret, name: &str, scopes: &[String]) -> Result<(String, KeyRecord), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a key needs a non-empty --name".into());
    }
    let mut sc: Vec<String> = Vec::new();
    for s in scopes.iter().flat_map(|s| s.split([',', ' '])).map(str::trim).filter(|s| !s.is_empty()) {
        if !SCOPES.iter().any(|(k, _)| *k == s) {
            return Err(format!(
                "unknown scope '{s}': must be one of {}",
                SCOPES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            ));
        }
        if !sc.iter().any(|x| x == s) {
            sc.push(s.to_string());
        }
    }
    if sc.is_empty() {
        return Err("a key needs at least one scope".into());
    }
    let id = hex(&random_bytes(4));
    let key = format!("rk_{id}_{}", hex(&random_bytes(24)));
    let rec = KeyRecord { id, name: name.to_string(), scopes: sc, created: crate::time::now_ms(), revoked: None, last_used: None };
    store.add_key(&rec, &secret.key_hash(&key)).map_err(|e| e.to_string())?;
    Ok((key, rec))
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
        if self.per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(self.per_minute);
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
        assert!(create_key(&s, &sec, "bob", &["root".into()]).unwrap_err().contains("unknown scope"));
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
        assert_eq!(uuid4().len(), 36);
    }
}
