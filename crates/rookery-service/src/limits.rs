//! Limits of the HTTP layer: how many connections, how long a client may take to send its
//! headers, to stay idle between requests and to send a body, how large a body may be per
//! endpoint, and which content types a JSON endpoint accepts.
//!
//! The settings are config keys (`max_connections = 1024`, ...; `ROOKERY_MAX_CONNECTIONS`, ...);
//! the connection layer (`conn`) applies the connection ones, the handlers call [`read_body`] and
//! [`json_content_type`] for the rest.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use http_body_util::BodyExt;
use std::time::Duration;

/// Connection and request limits of `rookery serve`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connections served at once; beyond them a new connection gets `503` + `Retry-After`
    /// (idle keep-alive connections are closed first to make room).
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers (from its first byte).
    pub header_read_timeout: Duration,
    /// A keep-alive connection without a request (or a client that stops reading a response)
    /// is closed after this long.
    pub idle_timeout: Duration,
    /// Longest a client may take to send a request body.
    pub body_read_timeout: Duration,
    /// Largest OGC API execute document (JSON), in bytes.
    pub max_execute_body: u64,
    /// Largest WPS XML request (POST `/wps`), in bytes.
    pub max_wps_body: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(30),
            max_execute_body: 1024 * 1024,
            max_wps_body: 1024 * 1024,
        }
    }
}

/// Keys of [`HttpLimits`] in config files (and, upper-cased with `ROOKERY_`, the environment).
pub const KEYS: &[&str] = &[
    "max_connections",
    "header_read_timeout_secs",
    "idle_timeout_secs",
    "body_read_timeout_secs",
    "max_execute_body",
    "max_wps_body",
];

fn secs(key: &str, v: &str) -> Result<Duration, String> {
    let s: f64 = v.parse().map_err(|_| format!("config: '{key}' must be a number of seconds, not '{v}'"))?;
    if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
        return Err(format!("config: '{key}' must be between 0 and 86400 seconds, not '{v}'"));
    }
    Ok(Duration::from_secs_f64(s))
}

fn size(key: &str, v: &str) -> Result<u64, String> {
    match crate::text::parse_size(v) {
        Ok(0) => Err(format!("config: '{key}' must be more than 0 bytes")),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("config: '{key}': {e}")),
    }
}

impl HttpLimits {
    /// Sets one of [`KEYS`].
    ///
    /// # Errors
    /// A value of the wrong type or out of range; a key that is not one of [`KEYS`].
    pub fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "max_connections" => {
                let n: usize = v.parse().map_err(|_| format!("config: '{key}' must be a number, not '{v}'"))?;
                if !(1..=1_000_000).contains(&n) {
                    return Err(format!("config: '{key}' must be between 1 and 1000000, not {n}"));
                }
                self.max_connections = n;
            }
            "header_read_timeout_secs" => self.header_read_timeout = secs(key, v)?,
            "idle_timeout_secs" => self.idle_timeout = secs(key, v)?,
            "body_read_timeout_secs" => self.body_read_timeout = secs(key, v)?,
            "max_execute_body" => self.max_execute_body = size(key, v)?,
            "max_wps_body" => self.max_wps_body = size(key, v)?,
            other => return Err(format!("config: '{other}' is not an HTTP limit")),
        }
        Ok(())
    }
}

/// Why a request body was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the endpoint accepts (declared by `Content-Length` or found while reading).
    #[error("the request body is larger than this endpoint accepts ({limit} bytes)")]
    TooLarge { limit: u64 },
    /// The client took longer than `body_read_timeout_secs`.
    #[error("the request body did not arrive within {0} s")]
    Timeout(u64),
    /// The connection failed while the body was read (the client hung up, bad chunking).
    #[error("the request body could not be read: {0}")]
    Read(String),
}

/// Reads a request body of at most `limit` bytes within `timeout`: a larger `Content-Length`
/// is refused before reading anything, a larger chunked body as soon as it passes the limit
/// (nothing beyond `limit` is buffered).
///
/// # Errors
/// See [`BodyError`].
pub async fn read_body(headers: &HeaderMap, body: Body, limit: u64, timeout: Duration) -> Result<Bytes, BodyError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let read = async {
        let mut body = body;
        let cap = usize::try_from(declared.unwrap_or(0).min(limit)).unwrap_or(0);
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| BodyError::Read(crate::text::one_line(&e.to_string())))?;
            if let Ok(data) = frame.into_data() {
                if (buf.len() + data.len()) as u64 > limit {
                    return Err(BodyError::TooLarge { limit });
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(r) => r,
        Err(_) => Err(BodyError::Timeout(timeout.as_secs().max(1))),
    }
}

/// Whether a request carries a body (a non-zero `Content-Length`, or chunked).
#[must_use]
pub fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().parse::<u64>().map_or(true, |n| n > 0))
}

/// Checks the `Content-Type` (and `Content-Encoding`) of a request to a JSON endpoint:
/// `application/json` or a `+json` type, with any parameters; none at all only without a
/// body. `Err` carries what was sent, for the 415 answer.
///
/// # Errors
/// The body is of another type, of no declared type, or encoded (gzip, ...).
pub fn json_content_type(headers: &HeaderMap) -> Result<(), String> {
    if let Some(enc) = headers.get(header::CONTENT_ENCODING) {
        let e = enc.to_str().unwrap_or("?").trim();
        if !e.eq_ignore_ascii_case("identity") {
            return Err(format!("Content-Encoding '{e}' is not supported; send the JSON document unencoded"));
        }
    }
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return if has_body(headers) {
            Err("the request has a body but no Content-Type; send it as application/json".into())
        } else {
            Ok(())
        };
    };
    let ct = ct.to_str().unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || essence.split_once('/').is_some_and(|(t, s)| t == "application" && s.ends_with("+json"));
    if json {
        Ok(())
    } else {
        let shown: String = ct.chars().filter(|c| !c.is_control()).take(100).collect();
        Err(format!("Content-Type '{shown}' is not supported; this endpoint takes application/json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn content_types() {
        assert!(json_content_type(&h(&[("content-type", "application/json")])).is_ok());
        assert!(json_content_type(&h(&[("content-type", "Application/JSON; charset=utf-8")])).is_ok());
        assert!(json_content_type(&h(&[("content-type", "application/geo+json")])).is_ok());
        assert!(json_content_type(&h(&[("content-length", "0")])).is_ok());
        assert!(json_content_type(&h(&[])).is_ok());
        for bad in [
            "text/plain",
            "application/xml",
            "text/xml",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ] {
            let mut m = h(&[("content-length", "2")]);
            m.insert(header::CONTENT_TYPE, HeaderValue::from_static(bad));
            assert!(json_content_type(&m).is_err(), "{bad}");
        }
        assert!(json_content_type(&h(&[("content-length", "2")])).is_err());
        assert!(json_content_type(&h(&[("transfer-encoding", "chunked")])).is_err());
        assert!(json_content_type(&h(&[("content-type", "application/json"), ("content-encoding", "gzip")])).is_err());
    }

    #[test]
    fn keys() {
        let mut l = HttpLimits::default();
        l.set("max_connections", "10").unwrap();
        l.set("idle_timeout_secs", "1.5").unwrap();
        l.set("max_execute_body", "64K").unwrap();
        assert_eq!(l.max_connections, 10);
        assert_eq!(l.idle_timeout, Duration::from_millis(1500));
        assert_eq!(l.max_execute_body, 64_000);
        assert!(l.set("max_connections", "0").is_err());
        assert!(l.set("header_read_timeout_secs", "nan").is_err());
        assert!(l.set("header_read_timeout_secs", "-1").is_err());
        assert!(l.set("max_wps_body", "0").is_err());
    }

    #[tokio::test]
    async fn bodies() {
        let t = Duration::from_secs(5);
        let ok = read_body(&h(&[]), Body::from("{}"), 10, t).await.unwrap();
        assert_eq!(&ok[..], b"{}");
        let big = read_body(&h(&[("content-length", "11")]), Body::from("x"), 10, t).await;
        assert_eq!(big, Err(BodyError::TooLarge { limit: 10 }));
        // Undeclared (chunked): refused once past the limit.
        let stream = futures_lite_stream(vec![vec![b'a'; 8], vec![b'b'; 8]]);
        assert_eq!(read_body(&h(&[]), stream, 10, t).await, Err(BodyError::TooLarge { limit: 10 }));
    }

    fn futures_lite_stream(parts: Vec<Vec<u8>>) -> Body {
        let chunks: Vec<Result<Bytes, std::io::Error>> = parts.into_iter().map(|p| Ok(Bytes::from(p))).collect();
        Body::from_stream(tokio_stream_iter(chunks))
    }

    fn tokio_stream_iter(
        v: Vec<Result<Bytes, std::io::Error>>,
    ) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send {
        struct It(std::vec::IntoIter<Result<Bytes, std::io::Error>>);
        impl futures_core::Stream for It {
            type Item = Result<Bytes, std::io::Error>;
            fn poll_next(
                mut self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                std::task::Poll::Ready(self.0.next())
            }
        }
        It(v.into_iter())
    }
}
