//! S3 object stores: `s3://bucket/key` as an HTTPS URL, and requests to S3 signed with AWS
//! Signature Version 4 when credentials are configured (anonymous otherwise).
//!
//! ```text
//!   s3://b/k ──to_url──► https://b.s3.<region>.amazonaws.com/k      (no endpoint)
//!                        <endpoint>/b/k                               (ROOKERY_S3_ENDPOINT, path style)
//!   HttpClient::send ──headers(method, url)──► Authorization, x-amz-date,
//!                        x-amz-content-sha256: UNSIGNED-PAYLOAD, [x-amz-security-token]
//!                        for URLs on the endpoint's host or *.amazonaws.com S3 hosts only
//! ```
//!
//! Settings (environment, read once): `ROOKERY_S3_ENDPOINT` (else `AWS_ENDPOINT_URL_S3`,
//! `AWS_ENDPOINT_URL`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! `AWS_REGION` (else `AWS_DEFAULT_REGION`, else `us-east-1`), `ROOKERY_S3_ANON=1` to never
//! sign. The secret never appears in `Debug` output or error messages.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// Access key, secret and optional session token.
#[derive(Clone)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_key: String,
    /// `AWS_SESSION_TOKEN` (temporary credentials).
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Where S3 is and how to authenticate.
#[derive(Clone, Debug, Default)]
pub struct S3Config {
    /// Endpoint URL for path-style access (`http://127.0.0.1:9000`); `None`: AWS.
    pub endpoint: Option<String>,
    /// Region in the signature scope.
    pub region: String,
    /// `None`: anonymous requests.
    pub credentials: Option<Credentials>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl S3Config {
    /// The settings of the environment (see the module documentation).
    #[must_use]
    pub fn from_env() -> S3Config {
        let anon = env("ROOKERY_S3_ANON").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"));
        let credentials = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            (Some(access_key), Some(secret_key)) if !anon => {
                Some(Credentials { access_key, secret_key, session_token: env("AWS_SESSION_TOKEN") })
            }
            _ => None,
        };
        S3Config {
            endpoint: env("ROOKERY_S3_ENDPOINT")
                .or_else(|| env("AWS_ENDPOINT_URL_S3"))
                .or_else(|| env("AWS_ENDPOINT_URL")),
            region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".to_string()),
            credentials,
        }
    }

    /// The HTTP(S) URL of `s3://bucket/key` (`s3a://` too); `None` for anything else.
    #[must_use]
    pub fn to_url(&self, s3: &str) -> Option<String> {
        let rest = s3.strip_prefix("s3://").or_else(|| s3.strip_prefix("s3a://"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        Some(match &self.endpoint {
            Some(ep) => format!("{}/{bucket}/{key}", ep.trim_end_matches('/')),
            None if self.region == "us-east-1" => format!("https://{bucket}.s3.amazonaws.com/{key}"),
            None => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", self.region),
        })
    }

    /// Whether requests to `url` are signed: credentials are set and the URL is on the
    /// endpoint's host (and port) or on an AWS S3 host.
    #[must_use]
    pub fn signs(&self, url: &str) -> bool {
        if self.credentials.is_none() {
            return false;
        }
        let Some((_, host, _)) = split_url(url) else { return false };
        let host_l = host.to_ascii_lowercase();
        if let Some(ep) = &self.endpoint {
            if split_url(ep).is_some_and(|(_, h, _)| h.eq_ignore_ascii_case(host)) {
                return true;
            }
        }
        let name = host_l.split(':').next().unwrap_or("");
        name.ends_with(".amazonaws.com") && (name.starts_with("s3.") || name.contains(".s3.") || name.contains(".s3-"))
    }

    /// The headers that sign a `method` request for `url` at time `now` (none when
    /// [`S3Config::signs`] is false). Other headers (e.g. `Range`) are left unsigned, which
    /// S3 allows.
    #[must_use]
    pub fn headers(&self, method: &str, url: &str, now: SystemTime) -> Vec<(String, String)> {
        let (Some(c), Some((_, host, path_query))) =
            (self.credentials.as_ref().filter(|_| self.signs(url)), split_url(url))
        else {
            return Vec::new();
        };
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let amz_date = amz_date(secs);
        let day = &amz_date[..8];
        let payload = "UNSIGNED-PAYLOAD";
        let mut hdrs: Vec<(String, String)> = vec![
            ("host".into(), host.to_string()),
            ("x-amz-content-sha256".into(), payload.into()),
            ("x-amz-date".into(), amz_date.clone()),
        ];
        if let Some(t) = &c.session_token {
            hdrs.push(("x-amz-security-token".into(), t.clone()));
        }
        let signed: Vec<&str> = hdrs.iter().map(|(k, _)| k.as_str()).collect();
        let signed = signed.join(";");
        let canonical_headers: String = hdrs.iter().map(|(k, v)| format!("{k}:{}\n", v.trim())).collect();
        let canonical = format!(
            "{method}\n{}\n{}\n{canonical_headers}\n{signed}\n{payload}",
            canonical_path(path),
            canonical_query(query)
        );
        let scope = format!("{day}/{}/s3/aws4_request", self.region);
        let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
        let mut key = hmac(format!("AWS4{}", c.secret_key).as_bytes(), day.as_bytes());
        for part in [self.region.as_str(), "s3", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let signature = hex(&hmac(&key, to_sign.as_bytes()));
        let mut out: Vec<(String, String)> = hdrs.into_iter().filter(|(k, _)| k != "host").collect();
        out.push((
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
                c.access_key
            ),
        ));
        out
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length.
    let mut m =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `(scheme, host[:port], path?query)` of an absolute http(s) URL.
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let (host, pq) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = host.rsplit('@').next().unwrap_or(host);
    Some((scheme, host, pq))
}

/// `x-amz-date` (`YYYYMMDDTHHMMSSZ`) of a Unix time.
fn amz_date(secs: u64) -> String {
    use rookery_cf::time::{Calendar, DateTime};
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let d = Calendar::ProlepticGregorian.add_days(&DateTime::new(1970, 1, 1, 0, 0, 0), days);
    let rem = secs % 86_400;
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", d.year, d.month, d.day, rem / 3600, rem % 3600 / 60, rem % 60)
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// AWS URI encoding: everything but unreserved characters (and `/` when `keep_slash`).
fn aws_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::new();
    for &c in bytes {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') || (keep_slash && c == b'/') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

fn canonical_path(path: &str) -> String {
    // S3 paths are encoded once (no normalisation, no double encoding).
    aws_encode(&percent_decode(path), true)
}

fn canonical_query(q: &str) -> String {
    if q.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (aws_encode(&percent_decode(k), false), aws_encode(&percent_decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}
