//! OpenID Connect access tokens: JWTs checked locally against the issuer's JWKS, and opaque
//! tokens checked by RFC 7662 introspection.
//!
//! * Issuers are configured by URL (`oidc_issuer`, several at once). A token's unverified `iss`
//!   picks the issuer; tokens of other issuers are refused before anything is fetched.
//! * Discovery (`<issuer>/.well-known/openid-configuration`) and the JWKS are fetched on first
//!   use and cached; a token whose `kid` is not in the cache triggers one refetch, at most every
//!   `oidc_jwks_refresh_secs` per issuer (so rotated keys are picked up, and junk `kid`s cannot
//!   make us hammer the issuer). RS256/384/512, PS256/384/512, ES256/384 are accepted; never
//!   HMAC or `none`.
//! * `iss`, `aud`, `exp`, `nbf` and `iat` are checked with `oidc_leeway_secs` (60 s) of clock
//!   skew. A token whose audience is only `account` (Keycloak's default) is refused unless the
//!   issuer allows it.
//! * Permissions come from `scope` (or `scp`) and Keycloak roles (`realm_access.roles`,
//!   `resource_access.<roles_client>.roles`), mapped by `oidc_scope_map` / `oidc_role_map`.
//!   The principal id (job owner) is `<iss>#<sub>`.
//! * Opaque tokens: each issuer with client credentials is asked (RFC 7662, HTTP Basic); an
//!   active answer is cached for `oidc_introspection_cache_secs` (capped by `exp`), keyed by the
//!   token's SHA-256. Errors are not cached.
//!
//! All HTTP is blocking `ureq` on tokio's blocking threads, with short timeouts. Tokens, keys
//! and client secrets are never logged: logs name a token by [`crate::ids::fingerprint`].

use super::{Principal, Via};
use crate::config::{Identity, IssuerConfig};
use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why a token was refused; `status` is 401 (bad token), 403 (not allowed) or 503 (the issuer
/// could not be asked). `reason` is safe to show and log: it never contains the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    /// 401 (bad token), 403 (not allowed) or 503 (the issuer could not be asked).
    pub status: StatusCode,
    /// Why, for the client and the log; never contains the token.
    pub reason: String,
    /// `<iss>#<sub>` as claimed by the token (unverified), for the audit log.
    pub claimed: Option<String>,
}

impl TokenError {
    fn new(status: StatusCode, reason: impl Into<String>) -> TokenError {
        TokenError { status, reason: reason.into(), claimed: None }
    }
    fn unauthorized(reason: impl Into<String>) -> TokenError {
        TokenError::new(StatusCode::UNAUTHORIZED, reason)
    }
    fn unavailable(reason: impl Into<String>) -> TokenError {
        TokenError::new(StatusCode::SERVICE_UNAVAILABLE, reason)
    }
}

/// Why the OIDC settings cannot be used (the service does not start).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// An issuer without an audience (and not allowing Keycloak's `account`).
    #[error("oidc: issuer {0} has no audience: set oidc_audience (e.g. rookery-api) or 'audience=' on the issuer")]
    NoAudience(String),
    /// A plain-http issuer, JWKS or introspection URL that is not on loopback, without
    /// `oidc_allow_insecure_http`.
    #[error("oidc: {0} is plain http: use https (or set oidc_allow_insecure_http = true)")]
    PlainHttp(String),
    /// An issuer with a `client_id` but no secret, or a secret but no `client_id`.
    #[error("oidc: issuer {0} needs both client_id and a client secret for introspection")]
    HalfClient(String),
}

/// Why discovery, the JWKS or an introspection request failed: the identity provider's
/// fault (the caller gets 503 naming it). Kept as the issuer's last error.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum FetchError {
    /// The request failed (timeout, refused connection, an unreadable answer).
    #[error("{method} {url}: {reason}")]
    Transport { method: &'static str, url: String, reason: String },
    /// An HTTP status other than 200 (introspection's 401 hints at the client's credentials).
    #[error("{method} {url}: HTTP {status}{}", if *method == "POST" && *status == 401 { " (are client_id and its secret right?)" } else { "" })]
    Status { method: &'static str, url: String, status: u16 },
    /// The answer is not a JSON object.
    #[error("{method} {url}: not a JSON object ({reason})")]
    NotJson { method: &'static str, url: String, reason: String },
    /// Discovery names another issuer (`expected`: the configured one, when the text names it).
    #[error("discovery names issuer '{named}'{} (misconfigured issuer URL?)", expected.as_ref().map(|u| format!(", not {u}")).unwrap_or_default())]
    WrongIssuer { named: String, expected: Option<String> },
    /// Discovery lacks `jwks_uri` or `introspection_endpoint`.
    #[error("discovery has no {0}")]
    Missing(&'static str),
    /// Discovery points to a plain-http URL that is not on loopback.
    #[error("discovery points to plain-http {0}")]
    PlainHttp(String),
    /// The JWKS holds no key this service can verify signatures with.
    #[error("the JWKS at {0} has no usable signing key")]
    NoSigningKey(String),
    /// The blocking fetch could not be run.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a token's audience is not this service's (the token is refused: 401).
#[derive(Clone, Debug, thiserror::Error)]
enum AudienceError {
    /// Only Keycloak's default `account`.
    #[error("Invalid token from {issuer}: its audience is only 'account' (Keycloak's default); configure an audience mapper so tokens carry '{}' (or allow_account_audience=true on the issuer)", wanted.join("', '"))]
    OnlyAccount { issuer: String, wanted: Vec<String> },
    /// Other audiences, or none (`got` cleaned for display).
    #[error("Invalid token from {issuer}: it is meant for audience {} and not for this service ({})", if got.is_empty() { "(none)".to_string() } else { got.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ") }, wanted.join(", "))]
    Other { issuer: String, got: Vec<String>, wanted: Vec<String> },
}

/// Counters (tests and monitoring).
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests for an issuer's `/.well-known/openid-configuration` (attempted, not only successful).
    pub discovery_fetches: AtomicU64,
    /// Requests for an issuer's JWKS (on first use, on refresh, and after an unknown `kid`).
    pub jwks_fetches: AtomicU64,
    /// RFC 7662 introspection requests sent (cache misses only, one per issuer asked).
    pub introspections: AtomicU64,
}

#[derive(Default)]
struct IssuerState {
    jwks_uri: Option<String>,
    introspection_uri: Option<String>,
    keys: Vec<Key>,
    /// When the last fetch of discovery + JWKS was attempted, and how it ended.
    last_attempt: Option<Instant>,
    last_error: Option<FetchError>,
    fetched: bool,
}

#[derive(Clone)]
struct Key {
    kid: Option<String>,
    alg: Option<String>,
    key: DecodingKey,
}

struct Issuer {
    cfg: IssuerConfig,
    audiences: Vec<String>,
    state: Mutex<IssuerState>,
    /// Serialises fetches: concurrent requests with a new `kid` wait for one refetch.
    fetching: tokio::sync::Mutex<()>,
}

/// The OIDC part of the identity layer (cheap when no issuer is configured).
pub struct Oidc {
    issuers: Vec<Issuer>,
    settings: Identity,
    agent: ureq::Agent,
    /// Loopback issuers are reached without a proxy.
    direct: ureq::Agent,
    cache: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
    /// How often the issuers were asked, since start.
    pub stats: Stats,
}

const ALGS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Strips control characters and shortens text that came from a token, so it can be shown.
fn clean(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_control()).take(120).collect();
    if s.chars().count() > 120 {
        format!("{t}…")
    } else {
        t
    }
}

pub(crate) fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn b64url_json(seg: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(seg.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&raw).ok()
}

/// Does this look like a JWS compact serialisation (three base64url parts)?
#[must_use]
pub fn looks_like_jwt(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|p| !p.is_empty())
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'='))
}

fn now_secs() -> i64 {
    crate::time::now_ms() / 1000
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s.split_whitespace().map(String::from).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

impl Oidc {
    /// The OIDC layer of a configuration.
    ///
    /// # Errors
    /// [`SetupError`]: an issuer without an audience, a plain-http issuer that is not on
    /// loopback (unless `oidc_allow_insecure_http`), half of the client credentials.
    pub fn new(settings: &Identity) -> Result<Oidc, SetupError> {
        let mut issuers = Vec::new();
        for c in &settings.issuers {
            let audiences = if c.audiences.is_empty() { settings.audiences.clone() } else { c.audiences.clone() };
            if audiences.is_empty() && !c.allow_account_audience {
                return Err(SetupError::NoAudience(c.url.clone()));
            }
            for u in std::iter::once(&c.url).chain(c.jwks_uri.iter()).chain(c.introspection_uri.iter()) {
                if u.starts_with("http://") && !is_loopback(u) && !settings.allow_insecure_http {
                    return Err(SetupError::PlainHttp(u.clone()));
                }
            }
            if c.client_id.is_some() != c.client_secret.is_some() {
                return Err(SetupError::HalfClient(c.url.clone()));
            }
            issuers.push(Issuer {
                cfg: c.clone(),
                audiences,
                state: Mutex::new(IssuerState::default()),
                fetching: tokio::sync::Mutex::new(()),
            });
        }
        let timeout = Duration::from_secs(settings.http_timeout_secs.max(1));
        let build = |proxy: bool| -> ureq::Agent {
            let mut b = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .timeout_connect(Some(timeout))
                .max_redirects(0)
                // Calls are rare (cached keys and answers); a pooled connection the issuer has
                // closed meanwhile would fail the next call with "connection reset".
                .max_idle_connections(0)
                .max_idle_connections_per_host(0)
                .user_agent(concat!("rookery/", env!("CARGO_PKG_VERSION")));
            if !proxy {
                b = b.proxy(None);
            }
            b.build().into()
        };
        Ok(Oidc {
            issuers,
            settings: settings.clone(),
            agent: build(true),
            direct: build(false),
            cache: Mutex::new(HashMap::new()),
            stats: Stats::default(),
        })
    }

    /// Any issuer configured?
    #[must_use]
    pub fn enabled(&self) -> bool {
        !self.issuers.is_empty()
    }

    fn can_introspect(&self) -> bool {
        self.issuers.iter().any(|i| i.cfg.client_id.is_some())
    }

    /// Checks a bearer token (not an API key) and returns its principal.
    ///
    /// # Errors
    /// 401 for a bad, expired or foreign token; 503 when the issuer cannot be asked.
    pub async fn authenticate(self: &Arc<Self>, token: &str) -> Result<Principal, TokenError> {
        let r = if looks_like_jwt(token) {
            self.check_jwt(token).await
        } else if self.can_introspect() {
            self.check_opaque(token).await
        } else {
            Err(TokenError::unauthorized(
                "Invalid credential: not an API key (rk_...) and not a JWT access token, and no issuer is configured for token introspection",
            ))
        };
        if let Err(e) = &r {
            tracing::warn!(
                "token {} refused ({}): {}{}",
                crate::ids::fingerprint(token),
                e.status.as_u16(),
                e.reason,
                e.claimed.as_deref().map(|c| format!(" [claims to be {c}]")).unwrap_or_default()
            );
        }
        r
    }

    async fn check_jwt(self: &Arc<Self>, token: &str) -> Result<Principal, TokenError> {
        let mut parts = token.split('.');
        let (h, p) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (Some(header), Some(claims)) = (b64url_json(h), b64url_json(p)) else {
            return Err(TokenError::unauthorized(
                "Invalid token: malformed JWT (header or claims are not base64url JSON)",
            ));
        };
        let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("").to_string();
        let claimed = claims.get("sub").and_then(Value::as_str).map(|s| format!("{}#{}", clean(&iss), clean(s)));
        let fail = |status: StatusCode, reason: String| TokenError { status, reason, claimed: claimed.clone() };
        let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
        let Some(alg) = ALGS.iter().copied().find(|a| format!("{a:?}") == alg_name) else {
            return Err(fail(
                StatusCode::UNAUTHORIZED,
                format!("Invalid token: signature algorithm '{}' is not accepted (RS256, ES256, ...)", clean(alg_name)),
            ));
        };
        let Some((idx, issuer)) = self.issuers.iter().enumerate().find(|(_, i)| i.cfg.url == iss.trim_end_matches('/'))
        else {
            return Err(fail(
                StatusCode::UNAUTHORIZED,
                format!("Invalid token: issuer '{}' is not trusted by this server", clean(&iss)),
            ));
        };
        let kid = header.get("kid").and_then(Value::as_str).map(String::from);
        let key =
            self.key(idx, kid.as_deref(), alg_name).await.map_err(|e| TokenError { claimed: claimed.clone(), ..e })?;
        let leeway = self.settings.leeway_secs;
        let mut v = Validation::new(alg);
        v.leeway = leeway;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.validate_aud = false;
        v.set_issuer(&[iss.as_str()]);
        v.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            let why = match e.kind() {
                K::InvalidSignature => "its signature does not verify (tampered, or signed by another key)".to_string(),
                K::ExpiredSignature => format!("it has expired (exp is more than {leeway} s in the past)"),
                K::ImmatureSignature => format!("it is not valid yet (nbf is more than {leeway} s in the future)"),
                K::InvalidIssuer => "its issuer does not match".to_string(),
                K::MissingRequiredClaim(c) => format!("it has no '{c}' claim"),
                K::InvalidAlgorithm => "its algorithm does not match the issuer's key".to_string(),
                K::InvalidEcdsaKey | K::InvalidRsaKey(_) | K::InvalidKeyFormat => {
                    "the issuer's key is unusable".to_string()
                }
                _ => format!("it cannot be decoded ({e})"),
            };
            fail(StatusCode::UNAUTHORIZED, format!("Invalid token from {}: {why}", issuer.cfg.url))
        })?;
        let c = data.claims;
        if let Some(iat) = c.get("iat").and_then(Value::as_i64) {
            if iat > now_secs() + i64::try_from(leeway).unwrap_or(60) {
                return Err(fail(
                    StatusCode::UNAUTHORIZED,
                    format!("Invalid token from {}: it was issued in the future (iat)", issuer.cfg.url),
                ));
            }
        }
        self.check_audience(issuer, &c).map_err(|r| fail(StatusCode::UNAUTHORIZED, r.to_string()))?;
        Ok(self.principal(issuer, &c, Via::Jwt))
    }

    fn check_audience(&self, issuer: &Issuer, c: &Map<String, Value>) -> Result<(), AudienceError> {
        let aud = str_list(c.get("aud"));
        if aud.iter().any(|a| issuer.audiences.contains(a))
            || (issuer.cfg.allow_account_audience && aud.iter().any(|a| a == "account"))
        {
            return Ok(());
        }
        if !aud.is_empty() && aud.iter().all(|a| a == "account") {
            return Err(AudienceError::OnlyAccount {
                issuer: issuer.cfg.url.clone(),
                wanted: issuer.audiences.clone(),
            });
        }
        Err(AudienceError::Other {
            issuer: issuer.cfg.url.clone(),
            got: aud.iter().map(|a| clean(a)).collect(),
            wanted: issuer.audiences.clone(),
        })
    }

    fn principal(&self, issuer: &Issuer, c: &Map<String, Value>, via: Via) -> Principal {
        let mut perms: Vec<String> = Vec::new();
        let mut add = |p: &str| {
            if !perms.iter().any(|x| x == p) {
                perms.push(p.to_string());
            }
        };
        let mut scopes = str_list(c.get("scope"));
        scopes.extend(str_list(c.get("scp")));
        for s in &scopes {
            if crate::scopes::is_permission(s) {
                add(s);
            }
            for (name, ps) in &self.settings.scope_map {
                if name == s {
                    ps.iter().for_each(|p| add(p));
                }
            }
        }
        let mut roles = str_list(c.get("realm_access").and_then(|r| r.get("roles")));
        if let Some(client) = &issuer.cfg.roles_client {
            roles.extend(str_list(c.get("resource_access").and_then(|r| r.get(client)).and_then(|r| r.get("roles"))));
        }
        for r in &roles {
            for (name, ps) in &self.settings.role_map {
                if name == r {
                    ps.iter().for_each(|p| add(p));
                }
            }
        }
        let sub = c
            .get("sub")
            .and_then(Value::as_str)
            .or_else(|| c.get("client_id").and_then(Value::as_str))
            .unwrap_or("unknown");
        let name = ["preferred_username", "client_id", "azp", "username"]
            .iter()
            .find_map(|k| c.get(*k).and_then(Value::as_str))
            .unwrap_or(sub);
        Principal { id: format!("{}#{sub}", issuer.cfg.url), name: clean(name), scopes: perms, via }
    }

    /// The issuer's key for `kid` (refetching the JWKS once when it is unknown).
    async fn key(self: &Arc<Self>, idx: usize, kid: Option<&str>, alg: &str) -> Result<DecodingKey, TokenError> {
        let issuer = &self.issuers[idx];
        if let Some(k) = find_key(&issuer.state, kid, alg) {
            return Ok(k);
        }
        let _g = issuer.fetching.lock().await;
        if let Some(k) = find_key(&issuer.state, kid, alg) {
            return Ok(k);
        }
        let mut failed_now = None;
        let (recent, fetched, last_error) = {
            let s = issuer.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let recent =
                s.last_attempt.is_some_and(|t| t.elapsed() < Duration::from_secs(self.settings.jwks_refresh_secs));
            (recent, s.fetched, s.last_error.clone())
        };
        if !recent {
            let me = self.clone();
            let res = tokio::task::spawn_blocking(move || me.fetch_keys(idx))
                .await
                .unwrap_or_else(|e| Err(FetchError::Internal(e.to_string())));
            let mut s = issuer.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            s.last_attempt = Some(Instant::now());
            match res {
                Ok((jwks_uri, introspection_uri, keys)) => {
                    s.jwks_uri = Some(jwks_uri);
                    s.introspection_uri = introspection_uri;
                    s.keys = keys;
                    s.fetched = true;
                    s.last_error = None;
                }
                Err(e) => {
                    tracing::warn!("oidc: issuer {}: {e}", issuer.cfg.url);
                    s.last_error = Some(e.clone());
                    failed_now = Some(e.clone());
                    // Keep the keys we had: a blip of the issuer does not lock everyone out.
                    if !s.fetched {
                        return Err(TokenError::unavailable(format!(
                            "The identity provider {} cannot be reached to check the token: {e}",
                            issuer.cfg.url
                        )));
                    }
                }
            }
        } else if !fetched {
            return Err(TokenError::unavailable(format!(
                "The identity provider {} cannot be reached to check the token: {}",
                issuer.cfg.url,
                last_error.map_or_else(|| "no keys yet".into(), |e| e.to_string())
            )));
        }
        find_key(&issuer.state, kid, alg).ok_or_else(|| {
            if let Some(e) = &failed_now {
                // A new key we could not fetch: the issuer's fault, not the token's.
                return TokenError::unavailable(format!(
                    "The identity provider {} cannot be reached to fetch its new keys: {e}",
                    issuer.cfg.url
                ));
            }
            TokenError::unauthorized(format!(
                "Invalid token: the JWKS of {} has no {} key{}{}",
                issuer.cfg.url,
                alg,
                kid.map(|k| format!(" with kid '{}'", clean(k))).unwrap_or_default(),
                if recent { " (JWKS fetched recently; not refetched yet)" } else { "" }
            ))
        })
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        if is_loopback(url) {
            &self.direct
        } else {
            &self.agent
        }
    }

    pub(crate) fn get_json(&self, url: &str) -> Result<Map<String, Value>, FetchError> {
        let transport_error =
            |e: ureq::Error| FetchError::Transport { method: "GET", url: url.into(), reason: transport(&e) };
        let mut r =
            self.agent_for(url).get(url).header("accept", "application/json").call().map_err(transport_error)?;
        let status = r.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status { method: "GET", url: url.into(), status });
        }
        let body = r.body_mut().with_config().limit(1 << 20).read_to_string().map_err(transport_error)?;
        serde_json::from_str(&body).map_err(|e| FetchError::NotJson {
            method: "GET",
            url: url.into(),
            reason: e.to_string(),
        })
    }

    /// Discovery (unless both URLs are configured) and the JWKS. Blocking.
    #[allow(clippy::type_complexity)]
    fn fetch_keys(&self, idx: usize) -> Result<(String, Option<String>, Vec<Key>), FetchError> {
        let c = &self.issuers[idx].cfg;
        let (mut jwks_uri, mut intro) = (c.jwks_uri.clone(), c.introspection_uri.clone());
        if jwks_uri.is_none() || (intro.is_none() && c.client_id.is_some()) {
            self.stats.discovery_fetches.fetch_add(1, Ordering::Relaxed);
            let d = self.get_json(&format!("{}/.well-known/openid-configuration", c.url))?;
            let issuer = d.get("issuer").and_then(Value::as_str).unwrap_or("");
            if issuer.trim_end_matches('/') != c.url {
                return Err(FetchError::WrongIssuer { named: clean(issuer), expected: Some(c.url.clone()) });
            }
            if jwks_uri.is_none() {
                jwks_uri = d.get("jwks_uri").and_then(Value::as_str).map(String::from);
            }
            if intro.is_none() {
                intro = d.get("introspection_endpoint").and_then(Value::as_str).map(String::from);
            }
        }
        let jwks_uri = jwks_uri.ok_or(FetchError::Missing("jwks_uri"))?;
        for u in std::iter::once(&jwks_uri).chain(intro.iter()) {
            if u.starts_with("http://") && !is_loopback(u) && !self.settings.allow_insecure_http {
                return Err(FetchError::PlainHttp(u.clone()));
            }
        }
        self.stats.jwks_fetches.fetch_add(1, Ordering::Relaxed);
        let set = self.get_json(&jwks_uri)?;
        let mut keys = Vec::new();
        for k in set.get("keys").and_then(Value::as_array).into_iter().flatten() {
            if k.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
                continue;
            }
            let Ok(jwk) = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(k.clone()) else { continue };
            let Ok(key) = DecodingKey::from_jwk(&jwk) else { continue };
            keys.push(Key {
                kid: k.get("kid").and_then(Value::as_str).map(String::from),
                alg: k.get("alg").and_then(Value::as_str).map(String::from),
                key,
            });
        }
        if keys.is_empty() {
            return Err(FetchError::NoSigningKey(jwks_uri));
        }
        tracing::info!("oidc: issuer {}: {} signing keys from {jwks_uri}", c.url, keys.len());
        Ok((jwks_uri, intro, keys))
    }

    async fn check_opaque(self: &Arc<Self>, token: &str) -> Result<Principal, TokenError> {
        use sha2::Digest;
        let h: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        {
            let c = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((p, until)) = c.get(&h) {
                if Instant::now() < *until {
                    return Ok(p.clone());
                }
            }
        }
        let me = self.clone();
        let tok = token.to_string();
        let res = tokio::task::spawn_blocking(move || me.introspect_all(&tok))
            .await
            .unwrap_or_else(|e| Err(TokenError::unavailable(format!("internal error: {e}"))));
        if let Ok((p, ttl)) = &res {
            let mut c = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            if c.len() > 10_000 {
                c.retain(|_, (_, t)| *t > now);
            }
            if c.len() <= 10_000 && !ttl.is_zero() {
                c.insert(h, (p.clone(), now + *ttl));
            }
        }
        res.map(|(p, _)| p)
    }

    /// Asks every issuer with client credentials; the first active answer wins. Blocking.
    fn introspect_all(&self, token: &str) -> Result<(Principal, Duration), TokenError> {
        let mut errors = Vec::new();
        let mut refused = None;
        for (idx, issuer) in self.issuers.iter().enumerate() {
            let (Some(id), Some(secret)) = (&issuer.cfg.client_id, &issuer.cfg.client_secret) else { continue };
            let endpoint = match self.introspection_endpoint(idx) {
                Ok(u) => u,
                Err(e) => {
                    errors.push(format!("{}: {e}", issuer.cfg.url));
                    continue;
                }
            };
            self.stats.introspections.fetch_add(1, Ordering::Relaxed);
            match self.introspect(&endpoint, id, secret, token) {
                Ok(Some(c)) => match self.accept_introspected(issuer, &c) {
                    Ok(r) => return Ok(r),
                    Err(e) => refused = Some(e),
                },
                Ok(None) => {}
                Err(e) => errors.push(format!("{}: {e}", issuer.cfg.url)),
            }
        }
        if let Some(e) = refused {
            return Err(e);
        }
        if !errors.is_empty() {
            return Err(TokenError::unavailable(format!(
                "The token could not be checked: introspection failed ({})",
                errors.join("; ")
            )));
        }
        Err(TokenError::unauthorized(
            "Invalid token: it is not active (unknown, expired or revoked) at any configured issuer",
        ))
    }

    fn introspection_endpoint(&self, idx: usize) -> Result<String, FetchError> {
        let issuer = &self.issuers[idx];
        if let Some(u) = &issuer.cfg.introspection_uri {
            return Ok(u.clone());
        }
        if let Some(u) =
            issuer.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).introspection_uri.clone()
        {
            return Ok(u);
        }
        self.stats.discovery_fetches.fetch_add(1, Ordering::Relaxed);
        let d = self.get_json(&format!("{}/.well-known/openid-configuration", issuer.cfg.url))?;
        let issuer_name = d.get("issuer").and_then(Value::as_str).unwrap_or("");
        if issuer_name.trim_end_matches('/') != issuer.cfg.url {
            return Err(FetchError::WrongIssuer { named: clean(issuer_name), expected: None });
        }
        let u = d
            .get("introspection_endpoint")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or(FetchError::Missing("introspection_endpoint"))?;
        if u.starts_with("http://") && !is_loopback(&u) && !self.settings.allow_insecure_http {
            return Err(FetchError::PlainHttp(u));
        }
        issuer.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).introspection_uri = Some(u.clone());
        Ok(u)
    }

    /// RFC 7662: `Some(claims)` when active, `None` when not. Blocking.
    fn introspect(
        &self,
        endpoint: &str,
        id: &str,
        secret: &str,
        token: &str,
    ) -> Result<Option<Map<String, Value>>, FetchError> {
        use base64::Engine;
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
        let mut r = self
            .agent_for(endpoint)
            .post(endpoint)
            .header("authorization", &format!("Basic {basic}"))
            .header("accept", "application/json")
            .send_form([("token", token), ("token_type_hint", "access_token")])
            .map_err(|e| FetchError::Transport { method: "POST", url: endpoint.into(), reason: transport(&e) })?;
        let status = r.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status { method: "POST", url: endpoint.into(), status });
        }
        let body = r.body_mut().with_config().limit(1 << 20).read_to_string().map_err(|e| FetchError::Transport {
            method: "POST",
            url: endpoint.into(),
            reason: transport(&e),
        })?;
        let c: Map<String, Value> = serde_json::from_str(&body).map_err(|e| FetchError::NotJson {
            method: "POST",
            url: endpoint.into(),
            reason: e.to_string(),
        })?;
        Ok((c.get("active") == Some(&Value::Bool(true))).then_some(c))
    }

    fn accept_introspected(
        &self,
        issuer: &Issuer,
        c: &Map<String, Value>,
    ) -> Result<(Principal, Duration), TokenError> {
        let leeway = i64::try_from(self.settings.leeway_secs).unwrap_or(60);
        let now = now_secs();
        let who = c
            .get("sub")
            .or_else(|| c.get("client_id"))
            .and_then(Value::as_str)
            .map(|s| format!("{}#{}", issuer.cfg.url, clean(s)));
        let fail = |reason: String| TokenError { status: StatusCode::UNAUTHORIZED, reason, claimed: who.clone() };
        if let Some(iss) = c.get("iss").and_then(Value::as_str) {
            if iss.trim_end_matches('/') != issuer.cfg.url {
                return Err(fail(format!(
                    "Invalid token: introspection at {} names issuer '{}'",
                    issuer.cfg.url,
                    clean(iss)
                )));
            }
        }
        let exp = c.get("exp").and_then(Value::as_i64);
        if exp.is_some_and(|e| e + leeway < now) {
            return Err(fail(format!("Invalid token from {}: it has expired", issuer.cfg.url)));
        }
        if c.get("nbf").and_then(Value::as_i64).is_some_and(|n| n > now + leeway) {
            return Err(fail(format!("Invalid token from {}: it is not valid yet (nbf)", issuer.cfg.url)));
        }
        self.check_audience(issuer, c).map_err(|r| fail(r.to_string()))?;
        let mut claims = c.clone();
        if !claims.contains_key("sub") {
            if let Some(ci) = c.get("client_id") {
                claims.insert("sub".into(), ci.clone());
            }
        }
        let p = self.principal(issuer, &claims, Via::Introspection);
        let mut ttl = Duration::from_secs(self.settings.introspection_cache_secs);
        if let Some(e) = exp {
            ttl = ttl.min(Duration::from_secs(u64::try_from(e - now).unwrap_or(0)));
        }
        Ok((p, ttl))
    }
}

fn find_key(state: &Mutex<IssuerState>, kid: Option<&str>, alg: &str) -> Option<DecodingKey> {
    let s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let fits = |k: &&Key| k.alg.as_deref().is_none_or(|a| a == alg) && family(alg) == family_of(&k.key);
    match kid {
        Some(kid) => s.keys.iter().filter(fits).find(|k| k.kid.as_deref() == Some(kid)).map(|k| k.key.clone()),
        // Without a kid, only an unambiguous key will do.
        None => {
            let mut c = s.keys.iter().filter(fits);
            match (c.next(), c.next()) {
                (Some(k), None) => Some(k.key.clone()),
                _ => None,
            }
        }
    }
}

fn family(alg: &str) -> &'static str {
    if alg.starts_with("ES") {
        "ec"
    } else {
        "rsa"
    }
}

fn family_of(k: &DecodingKey) -> &'static str {
    match k.family() {
        jsonwebtoken::AlgorithmFamily::Ec => "ec",
        _ => "rsa",
    }
}

fn transport(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection refused or failed".into(),
        ureq::Error::Io(io) => format!("connection failed ({io})"),
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(looks_like_jwt("eyJh.eyJi.sig-_"));
        assert!(!looks_like_jwt("opaque-token"));
        assert!(!looks_like_jwt("a..c"));
        assert!(is_loopback("http://127.0.0.1:8080/realms/x"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:80/"));
        assert!(!is_loopback("http://127.0.0.1.evil.org/"));
        assert_eq!(clean("a\nb"), "ab");
    }

    #[test]
    fn config_checks() {
        let mut id = Identity::default();
        id.issuers.push(IssuerConfig { url: "https://kc.example/realms/x".into(), ..IssuerConfig::default() });
        let e = Oidc::new(&id).err().unwrap();
        assert_eq!(e, SetupError::NoAudience("https://kc.example/realms/x".into()));
        assert!(e.to_string().contains("no audience"));
        id.audiences = vec!["rookery-api".into()];
        assert!(Oidc::new(&id).is_ok());
        id.issuers[0].url = "http://kc.example/realms/x".into();
        let e = Oidc::new(&id).err().unwrap();
        assert!(matches!(&e, SetupError::PlainHttp(u) if u == "http://kc.example/realms/x"), "{e:?}");
        assert!(e.to_string().contains("plain http"));
        id.issuers[0].url = "https://kc.example/realms/x".into();
        id.issuers[0].client_id = Some("rookery".into());
        assert!(matches!(Oidc::new(&id), Err(SetupError::HalfClient(_))));
    }

    #[test]
    fn fetch_error_texts() {
        let s = |method, status| FetchError::Status { method, url: "http://i/x".into(), status }.to_string();
        assert_eq!(s("GET", 401), "GET http://i/x: HTTP 401");
        assert_eq!(s("POST", 401), "POST http://i/x: HTTP 401 (are client_id and its secret right?)");
        assert_eq!(s("POST", 500), "POST http://i/x: HTTP 500");
        let w = |expected: Option<&str>| {
            FetchError::WrongIssuer { named: "https://o".into(), expected: expected.map(String::from) }.to_string()
        };
        assert_eq!(
            w(Some("https://i")),
            "discovery names issuer 'https://o', not https://i (misconfigured issuer URL?)"
        );
        assert_eq!(w(None), "discovery names issuer 'https://o' (misconfigured issuer URL?)");
    }
}
