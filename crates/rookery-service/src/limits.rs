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

/// Why [`HttpLimits::set`] refused a setting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The key is not one of [`KEYS`].
    #[error("config: '{0}' is not an HTTP limit")]
    NotALimit(String),
    /// A value of the wrong type or out of range; the text names the key and what it takes.
    #[error("{0}")]
    Invalid(String),
}

fn secs(key: &str, v: &str) -> Result<Duration, LimitError> {
    let s: f64 = v
        .parse()
        .map_err(|_| LimitError::Invalid(format!("config: '{key}' must be a number of seconds, not '{v}'")))?;
    if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
        return Err(LimitError::Invalid(format!("config: '{key}' must be between 0 and 86400 seconds, not '{v}'")));
    }
    Ok(Duration::from_secs_f64(s))
}

fn size(key: &str, v: &str) -> Result<u64, LimitError> {
    match crate::text::parse_size(v) {
        Ok(0) => Err(LimitError::Invalid(format!("config: '{key}' must be more than 0 bytes"))),
        Ok(n) => Ok(n),
        Err(e) => Err(LimitError::Invalid(format!("config: '{key}': {e}"))),
    }
}

impl HttpLimits {
    /// Sets one of [`KEYS`].
    ///
    /// # Errors
    /// [`LimitError::Invalid`]: a value of the wrong type or out of range;
    /// [`LimitError::NotALimit`]: a key that is not one of [`KEYS`].
    pub fn set(&mut self, key: &str, v: &str) -> Result<(), LimitError> {
        match key {
            "max_connections" => {
                let n: usize = v
                    .parse()
                    .map_err(|_| LimitError::Invalid(format!("config: '{key}' must be a number, not '{v}'")))?;
                if !(1..=1_000_000).contains(&n) {
                    return Err(LimitError::Invalid(format!("config: '{key}' must be between 1 and 1000000, not {n}")));
                }
                self.max_connections = n;
            }
            "header_read_timeout_secs" => self.header_read_timeout = secs(key, v)?,
            "idle_timeout_secs" => self.idle_timeout = secs(key, v)?,
            "body_read_timeout_secs" => self.body_read_timeout = secs(key, v)?,
            "max_execute_body" => self.max_execute_body = size(key, v)?,
            "max_wps_body" => self.max_wps_body = size(key, v)?,
            other => return Err(LimitError::NotALimit(other.to_string())),
        }
        Ok(())
    }
}

/// Why a request body was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the endpoint accepts (declared by `Content-Length` or found while reading).
    #[error("the request body is larger than this endpoint accepts ({limit} bytes)")]
    TooLarge {
        /// The endpoint's limit in bytes.
        limit: u64,
    },
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

/// Why a JSON endpoint refuses a request body (415); the texts quote what was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentTypeError {
    /// Sent with a `Content-Encoding` other than `identity` (gzip, ...).
    #[error("Content-Encoding '{0}' is not supported; send the JSON document unencoded")]
    Encoded(String),
    /// A body without a `Content-Type`.
    #[error("the request has a body but no Content-Type; send it as application/json")]
    Missing,
    /// A `Content-Type` that is not JSON (shown without control characters, at most 100
    /// characters).
    #[error("Content-Type '{0}' is not supported; this endpoint takes application/json")]
    NotJson(String),
}

/// Checks the `Content-Type` (and `Content-Encoding`) of a request to a JSON endpoint:
/// `application/json` or a `+json` type, with any parameters; none at all only without a
/// body. `Err` carries what was sent, for the 415 answer.
///
/// # Errors
/// [`ContentTypeError`]: the body is of another type, of no declared type, or encoded
/// (gzip, ...).
pub fn json_content_type(headers: &HeaderMap) -> Result<(), ContentTypeError> {
    if let Some(enc) = headers.get(header::CONTENT_ENCODING) {
        let e = enc.to_str().unwrap_or("?").trim();
        if !e.eq_ignore_ascii_case("identity") {
            return Err(ContentTypeError::Encoded(e.to_string()));
        }
    }
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return if has_body(headers) { Err(ContentTypeError::Missing) } else { Ok(()) };
    };
    let ct = ct.to_str().unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || essence.split_once('/').is_some_and(|(t, s)| t == "application" && s.ends_with("+json"));
    if json {
        Ok(())
    } else {
        let shown: String = ct.chars().filter(|c| !c.is_control()).take(100).collect();
        Err(ContentTypeError::NotJson(shown))
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
        assert_eq!(json_content_type(&h(&[("content-length", "2")])), Err(ContentTypeError::Missing));
        assert_eq!(json_content_type(&h(&[("transfer-encoding", "chunked")])), Err(ContentTypeError::Missing));
        assert_eq!(
            json_content_type(&h(&[("content-type", "application/json"), ("content-encoding", "gzip")])),
            Err(ContentTypeError::Encoded("gzip".into()))
        );
        assert_eq!(
            json_content_type(&h(&[("content-type", "text/plain"), ("content-length", "2")])).unwrap_err().to_string(),
            "Content-Type 'text/plain' is not supported; this endpoint takes application/json"
        );
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
        assert_eq!(l.set("colour", "red"), Err(LimitError::NotALimit("colour".into())));
        assert_eq!(
            l.set("max_wps_body", "lots"),
            Err(LimitError::Invalid("config: 'max_wps_body': 'lots' is not a size (e.g. 500M, 10G)".into()))
        );
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
