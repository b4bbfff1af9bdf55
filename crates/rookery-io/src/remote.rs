//! Files on HTTP(S) servers read with Range requests.
//!
//! ```text
//!   HttpClient::probe(url)           HEAD (or a one-byte ranged GET when HEAD tells no length)
//!       → RemoteFile { url, len, etag, last_modified }
//!   HttpClient::get_range(file, o, n) GET Range: bytes=o-(o+n-1) → exactly n bytes
//! ```
//!
//! Transient failures (connection errors, timeouts, truncated bodies, 5xx, 408, 429) are
//! retried a bounded number of times with exponential backoff; 4xx answers are not. Every
//! error is one [`RemoteError`] line naming the URL. A response whose `ETag` (or
//! `Last-Modified`) differs from the probe's is an error: bytes of two versions of a file
//! are never mixed. The client respects `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` and
//! `NO_PROXY` (ureq reads them); loopback hosts are always reached directly.
//!
//! Every URL is checked against the client's [`EgressPolicy`] (open on the command line, an
//! allow-list in the service): before each request, at connect time (the agents' resolver
//! drops addresses the policy refuses, so DNS cannot be re-bound between check and connect),
//! and at every redirect, which the client follows itself (at most 5 hops).
//!
//! [`RemoteFile`] with [`HttpClient`] is read through the block cache by `Remote` (client.rs),
//! so an object store or another transport can reuse the cache by implementing its `RangeSource`.

use crate::egress::{join_location, EgressPolicy};
use std::io::Read;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Settings of the HTTP client.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Connect timeout and the longest wait for a response's headers.
    pub timeout: Duration,
    /// The longest time to receive one response body.
    pub body_timeout: Duration,
    /// Retries after the first attempt for transient failures.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(600),
            retries: 3,
            backoff: Duration::from_millis(250),
        }
    }
}

impl HttpOptions {
    /// The defaults, with `ROOKERY_HTTP_TIMEOUT` (seconds) and `ROOKERY_HTTP_RETRIES` applied.
    #[must_use]
    pub fn from_env() -> HttpOptions {
        let mut o = HttpOptions::default();
        if let Some(s) = std::env::var("ROOKERY_HTTP_TIMEOUT").ok().and_then(|v| v.trim().parse::<f64>().ok()) {
            if s > 0.0 && s.is_finite() {
                o.timeout = Duration::from_secs_f64(s);
            }
        }
        if let Some(n) = std::env::var("ROOKERY_HTTP_RETRIES").ok().and_then(|v| v.trim().parse().ok()) {
            o.retries = n;
        }
        o
    }
}

/// A failed remote read: one line naming the URL.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{url}: {msg}")]
pub struct RemoteError {
    /// The URL.
    pub url: String,
    /// What went wrong (status, timeout, short read, ...).
    pub msg: String,
    /// The HTTP status the server answered, when the failure is one (callers match on it,
    /// never on the text).
    pub status: Option<u16>,
}

impl RemoteError {
    pub(crate) fn new(url: &str, msg: impl Into<String>) -> RemoteError {
        RemoteError { url: url.to_string(), msg: msg.into(), status: None }
    }

    /// The object does not exist: HTTP 404, or 403 from S3 (which answers 403 for a missing
    /// key to anonymous clients).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404) || self.status == Some(403) && self.url.contains(".s3.")
    }

    /// Wraps this error for the `hdf5-reader` storage interface (found again by
    /// [`RemoteError::find`]).
    #[must_use]
    pub fn into_hdf5(self) -> hdf5_reader::error::Error {
        hdf5_reader::error::Error::Io(std::io::Error::other(self))
    }

    /// The remote error somewhere in `e`'s chain of sources, if any.
    #[must_use]
    pub fn find<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a RemoteError> {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(err) = cur {
            if let Some(r) = err.downcast_ref::<RemoteError>() {
                return Some(r);
            }
            if let Some(r) = err
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<RemoteError>())
            {
                return Some(r);
            }
            cur = err.source();
        }
        None
    }
}

/// Whether `s` is an `http://` or `https://` URL.
#[must_use]
pub fn is_url(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// A remote file as probed: its length and validators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    /// The URL.
    pub url: String,
    /// Length in bytes.
    pub len: u64,
    /// The `ETag` header, if the server sends one.
    pub etag: Option<String>,
    /// The `Last-Modified` header, if the server sends one.
    pub last_modified: Option<String>,
}

impl RemoteFile {
    /// What identifies this version of the file (`ETag`, else `Last-Modified`, with the
    /// length); `None` when the server sends neither header, so changes cannot be detected.
    #[must_use]
    pub fn validator(&self) -> Option<String> {
        match (&self.etag, &self.last_modified) {
            (Some(e), _) => Some(format!("etag:{e};len:{}", self.len)),
            (None, Some(m)) => Some(format!("mtime:{m};len:{}", self.len)),
            (None, None) => None,
        }
    }
}

/// Counts of HTTP traffic, for logs and tests.
#[derive(Debug, Default)]
struct Counters {
    requests: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
}

/// A blocking HTTP(S) client for Range requests (ureq with rustls/ring).
pub struct HttpClient {
    agent: ureq::Agent,
    /// Without proxy, for loopback hosts.
    direct: ureq::Agent,
    opts: HttpOptions,
    counters: Counters,
    policy: SharedPolicy,
    /// S3 endpoint and credentials (requests to S3 hosts are signed).
    s3: Arc<crate::s3::S3Config>,
}

/// The policy, shared with the agents' resolver.
type SharedPolicy = Arc<RwLock<Arc<EgressPolicy>>>;

fn current(policy: &SharedPolicy) -> Arc<EgressPolicy> {
    match policy.read() {
        Ok(p) => Arc::clone(&p),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    }
}

/// Redirect hops followed at most.
const MAX_REDIRECTS: usize = 5;

/// The default resolver, with the addresses the egress policy refuses removed (the proxy's
/// own address is not checked: the proxy fetches the URL, whose text was checked).
#[derive(Debug)]
struct GuardedResolver {
    inner: ureq::unversioned::resolver::DefaultResolver,
    policy: SharedPolicy,
    proxy_host: Option<String>,
}

impl ureq::unversioned::resolver::Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let policy = current(&self.policy);
        let host = uri.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if policy.is_open() || self.proxy_host.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(&host)) {
            return Ok(addrs);
        }
        let mut kept = self.empty();
        let mut refused = None;
        for a in addrs.iter() {
            match policy.check_addr(&host, a.ip()) {
                Ok(()) => kept.push(*a),
                Err(e) => refused = Some(e),
            }
        }
        match (kept.is_empty(), refused) {
            (true, Some(e)) => Err(ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::PermissionDenied, e))),
            _ => Ok(kept),
        }
    }
}

/// One attempt's failure: whether to retry, and the message.
struct Attempt {
    transient: bool,
    msg: String,
    /// The HTTP status that ended the attempt, if one did.
    status: Option<u16>,
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `bytes a-b/total` → (a, b, total); `total` is `None` for `*`.
fn content_range(s: &str) -> Option<(u64, u64, Option<u64>)> {
    let s = s.trim().strip_prefix("bytes")?.trim();
    let (range, total) = s.split_once('/')?;
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    let (a, b) = range.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total))
}

fn status_text(code: u16) -> String {
    match ureq::http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()) {
        Some(r) => format!("HTTP {code} {r}"),
        None => format!("HTTP {code}"),
    }
}

fn transport(e: &ureq::Error) -> Attempt {
    if let ureq::Error::Io(io) = e {
        if io.kind() == std::io::ErrorKind::PermissionDenied {
            return Attempt { status: None, transient: false, msg: io.to_string() };
        }
    }
    let msg = match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        e => e.to_string(),
    };
    // Bad URLs, TLS or proxy configuration do not get better by retrying.
    let transient = !matches!(
        e,
        ureq::Error::BadUri(_)
            | ureq::Error::Http(_)
            | ureq::Error::InvalidProxyUrl
            | ureq::Error::Tls(_)
            | ureq::Error::Rustls(_)
            | ureq::Error::HostNotFound
            | ureq::Error::RequireHttpsOnly(_)
    );
    Attempt { status: None, transient, msg }
}

fn status_failure(code: u16) -> Attempt {
    Attempt { transient: code >= 500 || code == 408 || code == 429, msg: status_text(code), status: Some(code) }
}

impl HttpClient {
    /// A client with these options (proxy from the environment).
    #[must_use]
    pub fn new(opts: HttpOptions) -> HttpClient {
        let policy: SharedPolicy = Arc::new(RwLock::new(Arc::new(EgressPolicy::Open)));
        let proxy_host = ureq::Proxy::try_from_env().map(|p| p.host().to_ascii_lowercase());
        let build = |proxy: bool| -> ureq::Agent {
            let mut b = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_connect(Some(opts.timeout))
                .timeout_recv_response(Some(opts.timeout))
                .timeout_recv_body(Some(opts.body_timeout))
                .user_agent(concat!("rookery/", env!("CARGO_PKG_VERSION")));
            if !proxy {
                b = b.proxy(None);
            }
            ureq::Agent::with_parts(
                b.build(),
                ureq::unversioned::transport::DefaultConnector::default(),
                GuardedResolver {
                    inner: ureq::unversioned::resolver::DefaultResolver::default(),
                    policy: Arc::clone(&policy),
                    proxy_host: if proxy { proxy_host.clone() } else { None },
                },
            )
        };
        HttpClient {
            agent: build(true),
            direct: build(false),
            opts,
            counters: Counters::default(),
            policy,
            s3: Arc::new(crate::s3::S3Config::from_env()),
        }
    }

    /// This client with other S3 settings.
    #[must_use]
    pub fn with_s3(mut self, s3: crate::s3::S3Config) -> HttpClient {
        self.s3 = Arc::new(s3);
        self
    }

    /// The S3 settings requests are signed with.
    #[must_use]
    pub fn s3(&self) -> &crate::s3::S3Config {
        &self.s3
    }

    /// Replaces the egress policy (the service sets its allow-list at start).
    pub fn set_policy(&self, p: EgressPolicy) {
        match self.policy.write() {
            Ok(mut g) => *g = Arc::new(p),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(p),
        }
    }

    /// The egress policy in force.
    #[must_use]
    pub fn policy(&self) -> Arc<EgressPolicy> {
        current(&self.policy)
    }

    /// Checks `url` against the policy (text, then every address it resolves to).
    ///
    /// # Errors
    /// The URL is refused.
    pub fn check(&self, url: &str) -> Result<(), RemoteError> {
        self.policy().check(url).map_err(|e| RemoteError::new(url, e.to_string()))
    }

    /// Sends a request, following redirects itself: each `Location` is checked against the
    /// policy before it is requested. Returns the response and the URL that answered.
    fn send(
        &self,
        head: bool,
        url: &str,
        range: Option<&str>,
    ) -> Result<(ureq::http::Response<ureq::Body>, String), Attempt> {
        let mut cur = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            // Under an allow-list the URL is checked and sent in its normal form (no dot
            // segments a server could resolve outside the allowed prefix).
            cur = self.policy().admit(&cur).map_err(|e| Attempt {
                status: None,
                transient: false,
                msg: e.to_string(),
            })?;
            let agent = self.agent_for(&cur);
            // S3 with credentials: each request (and each redirect target) signed.
            let signed = self.s3.headers(if head { "HEAD" } else { "GET" }, &cur, std::time::SystemTime::now());
            let resp = if head {
                let mut rb = agent.head(&cur);
                if let Some(r) = range {
                    rb = rb.header("Range", r);
                }
                for (k, v) in &signed {
                    rb = rb.header(k.as_str(), v.as_str());
                }
                rb.call()
            } else {
                let mut rb = agent.get(&cur);
                if let Some(r) = range {
                    rb = rb.header("Range", r);
                }
                for (k, v) in &signed {
                    rb = rb.header(k.as_str(), v.as_str());
                }
                rb.call()
            }
            .map_err(|e| transport(&e))?;
            let code = resp.status().as_u16();
            if !matches!(code, 301 | 302 | 303 | 307 | 308) {
                return Ok((resp, cur));
            }
            self.count(0);
            let Some(loc) = header(&resp, "location") else {
                return Err(Attempt {
                    status: None,
                    transient: false,
                    msg: format!("{} without a Location", status_text(code)),
                });
            };
            let next = join_location(&cur, &loc);
            tracing::debug!("{cur}: redirected to {next}");
            cur = next;
        }
        Err(Attempt { status: None, transient: false, msg: format!("more than {MAX_REDIRECTS} redirects") })
    }

    /// The whole body of `url` (at most `limit` bytes), for small documents fetched by
    /// reference (shapes, reference files): policy-checked, redirects re-checked, retried.
    ///
    /// # Errors
    /// A refused URL, an error status, a body larger than `limit`.
    pub fn fetch_all(&self, url: &str, limit: u64) -> Result<Vec<u8>, RemoteError> {
        self.check(url)?;
        self.with_retries(url, || {
            let (resp, _) = self.send(false, url, None)?;
            let code = resp.status().as_u16();
            if !(200..300).contains(&code) {
                return Err(status_failure(code));
            }
            let mut body = resp.into_body();
            let bytes = body.with_config().limit(limit).read_to_vec().map_err(|e| Attempt {
                status: None,
                transient: !matches!(e, ureq::Error::BodyExceedsLimit(_)),
                msg: match e {
                    ureq::Error::BodyExceedsLimit(n) => format!("the document is larger than {n} bytes"),
                    e => format!("cannot read the body: {e}"),
                },
            })?;
            self.count(bytes.len() as u64);
            Ok(bytes)
        })
    }

    /// The options in use.
    #[must_use]
    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// Requests sent and body bytes received so far.
    #[must_use]
    pub fn traffic(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.counters.requests.load(Relaxed), self.counters.bytes.load(Relaxed))
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        if is_loopback(url) {
            &self.direct
        } else {
            &self.agent
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are used up.
    fn with_retries<T>(&self, url: &str, mut attempt: impl FnMut() -> Result<T, Attempt>) -> Result<T, RemoteError> {
        let mut wait = self.opts.backoff;
        let mut tries = 0u32;
        loop {
            tries += 1;
            match attempt() {
                Ok(v) => return Ok(v),
                Err(a) if a.transient && tries <= self.opts.retries => {
                    tracing::debug!("{url}: {} (attempt {tries}); retrying in {wait:?}", a.msg);
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
                Err(a) => {
                    let msg = if tries > 1 { format!("{} (after {tries} attempts)", a.msg) } else { a.msg };
                    return Err(RemoteError { status: a.status, ..RemoteError::new(url, msg) });
                }
            }
        }
    }

    fn count(&self, bytes: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.counters.requests.fetch_add(1, Relaxed);
        self.counters.bytes.fetch_add(bytes, Relaxed);
    }

    /// The length and validators of `url`: a HEAD request, or a one-byte ranged GET when the
    /// HEAD answer has no length (or HEAD is not allowed).
    ///
    /// # Errors
    /// Unreachable server, an error status, no usable length.
    pub fn probe(&self, url: &str) -> Result<RemoteFile, RemoteError> {
        self.check(url)?;
        let head = self.with_retries(url, || {
            let (resp, url) = self.send(true, url, None)?;
            let url = url.as_str();
            self.count(0);
            let code = resp.status().as_u16();
            if code == 405 || code == 501 {
                return Ok(None);
            }
            if !(200..300).contains(&code) {
                return Err(status_failure(code));
            }
            let len = header(&resp, "content-length").and_then(|s| s.parse::<u64>().ok());
            let ranges = header(&resp, "accept-ranges");
            if ranges.as_deref().is_some_and(|r| r.eq_ignore_ascii_case("none")) {
                return Err(Attempt {
                    status: None,
                    transient: false,
                    msg: "the server does not accept Range requests".into(),
                });
            }
            Ok(len.map(|len| RemoteFile {
                url: url.to_string(),
                len,
                etag: header(&resp, "etag"),
                last_modified: header(&resp, "last-modified"),
            }))
        })?;
        if let Some(f) = head {
            return Ok(f);
        }
        self.with_retries(url, || {
            let (resp, url) = self.send(false, url, Some("bytes=0-0"))?;
            let url = url.as_str();
            let code = resp.status().as_u16();
            let file = |len| RemoteFile {
                url: url.to_string(),
                len,
                etag: header(&resp, "etag"),
                last_modified: header(&resp, "last-modified"),
            };
            let f = match code {
                206 => {
                    let total = header(&resp, "content-range").and_then(|c| content_range(&c)).and_then(|c| c.2);
                    file(total.ok_or_else(|| Attempt {
                        status: None,
                        transient: false,
                        msg: "the server tells no file length (Content-Range without total)".into(),
                    })?)
                }
                // An empty file answers 416 to any range.
                416 => file(0),
                200 => {
                    return Err(Attempt {
                        status: None,
                        transient: false,
                        msg: "the server does not support Range requests".into(),
                    })
                }
                c => return Err(status_failure(c)),
            };
            self.count(1);
            Ok(f)
        })
    }

    /// Exactly `len` bytes of `file` from `offset`.
    ///
    /// # Errors
    /// A range beyond the end, an error status, a server that ignores Range, a short body
    /// (after retries), or a file that changed since it was probed.
    pub fn get_range(&self, file: &RemoteFile, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError> {
        let mut buf = vec![0u8; len];
        self.get_range_into(file, offset, &mut buf)?;
        Ok(buf)
    }

    /// [`HttpClient::get_range`] into `buf` (exactly `buf.len()` bytes from `offset`).
    ///
    /// # Errors
    /// As [`HttpClient::get_range`].
    pub fn get_range_into(&self, file: &RemoteFile, offset: u64, buf: &mut [u8]) -> Result<(), RemoteError> {
        let url = file.url.as_str();
        let len = buf.len();
        if len == 0 {
            return Ok(());
        }
        let end = offset.checked_add(len as u64).filter(|&e| e <= file.len).ok_or_else(|| {
            RemoteError::new(
                url,
                format!(
                    "range {offset}..{} is beyond the end of the file ({} bytes)",
                    offset.saturating_add(len as u64),
                    file.len
                ),
            )
        })?;
        let range = format!("bytes={offset}-{}", end - 1);
        self.with_retries(url, || {
            let (resp, _) = self.send(false, url, Some(&range))?;
            let code = resp.status().as_u16();
            match code {
                206 => {}
                200 if offset == 0 && end == file.len => {}
                200 => {
                    return Err(Attempt {
                        status: None,
                        transient: false,
                        msg: "the server ignored the Range request (answered 200 with the whole file)".into(),
                    })
                }
                416 => {
                    return Err(Attempt {
                        status: None,
                        transient: false,
                        msg: format!("range {offset}..{end} is beyond the end of the file on the server (HTTP 416)"),
                    })
                }
                c => return Err(status_failure(c)),
            }
            let changed = |what: &str, was: &Option<String>, now: Option<String>| -> Result<(), Attempt> {
                match (was, now) {
                    (Some(a), Some(b)) if *a != b => Err(Attempt {
                        status: None,
                        transient: false,
                        msg: format!("the file changed on the server while being read ({what} was {a}, now {b})"),
                    }),
                    _ => Ok(()),
                }
            };
            changed("ETag", &file.etag, header(&resp, "etag"))?;
            if file.etag.is_none() {
                changed("Last-Modified", &file.last_modified, header(&resp, "last-modified"))?;
            }
            if code == 206 {
                if let Some((a, b, total)) = header(&resp, "content-range").and_then(|c| content_range(&c)) {
                    if a != offset || b + 1 != end || total.is_some_and(|t| t != file.len) {
                        return Err(Attempt {
                            status: None,
                            transient: false,
                            msg: format!(
                                "the server answered bytes {a}-{b}/{total:?} to a request for {offset}-{}",
                                end - 1
                            ),
                        });
                    }
                }
            }
            let mut reader = resp.into_body().into_reader();
            let mut got = 0usize;
            while got < len {
                match reader.read(&mut buf[got..]) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.count(got as u64);
                        return Err(Attempt {
                            status: None,
                            transient: true,
                            msg: format!("short read: got {got} of {len} bytes at offset {offset} ({e})"),
                        });
                    }
                }
            }
            self.count(got as u64);
            if got < len {
                return Err(Attempt {
                    status: None,
                    transient: true,
                    msg: format!("short read: got {got} of {len} bytes at offset {offset}"),
                });
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_hosts() {
        assert!(is_url("http://x/a.nc"));
        assert!(is_url("HTTPS://x/a.nc"));
        assert!(!is_url("/data/http://x"));
        assert!(is_loopback("http://127.0.0.1:8080/a.nc"));
        assert!(is_loopback("http://localhost/a.nc"));
        assert!(is_loopback("http://[::1]:80/a.nc"));
        assert!(!is_loopback("https://esgf.example.org/a.nc"));
    }

    #[test]
    fn parses_content_range() {
        assert_eq!(content_range("bytes 0-0/592860"), Some((0, 0, Some(592_860))));
        assert_eq!(content_range("bytes 10-19/*"), Some((10, 19, None)));
        assert_eq!(content_range("items 1-2/3"), None);
    }
}
