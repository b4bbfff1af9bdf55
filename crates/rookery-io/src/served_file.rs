//! A local file served over HTTP, read like every other byte source through the
//! [`IoContext`] gate: [`IoContext::file`] (the `local()` check), then the answer a request's
//! `Range` / `If-None-Match` / `If-Modified-Since` headers ask for, read in bounded blocks.
//!
//! ```text
//!   ServedFile::open(io, path)        IoContext::file: refused outside the roots
//!     .etag()  "<len hex>-<mtime ns hex>"   .last_modified()  IMF-fixdate
//!     .answer(range, if_none_match, if_modified_since)
//!         → NotModified | Whole | Part { start, end } | Unsatisfiable
//!     .blocks(start, end)             ≤ BLOCK bytes per item (memory bounded per request)
//! ```
//!
//! `Range`: one `bytes=a-b`, `bytes=a-` or `bytes=-n` range is served (206); several ranges,
//! other units or a malformed header are ignored (the whole file, 200, as RFC 9110 allows);
//! a range starting at or beyond the end is 416.

use crate::{FileSource, IoContext, IoError, RangeSource};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The most bytes read from the file at once.
pub const BLOCK: usize = 256 << 10;

/// What to answer a request for the file with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 304: the client's copy is current.
    NotModified,
    /// 200: the whole file.
    Whole,
    /// 206: bytes `start..end` (end exclusive).
    Part {
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
    /// 416: the range lies beyond the end.
    Unsatisfiable,
}

/// A local file opened for serving (see the module documentation).
pub struct ServedFile {
    src: FileSource,
    modified: Option<SystemTime>,
}

impl std::fmt::Debug for ServedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedFile").field("path", &self.src.path()).field("len", &self.src.len()).finish()
    }
}

/// The single byte range of a `Range` header for a file of `len` bytes: `Ok(None)` to serve
/// the whole file, `Err(())` when it is unsatisfiable.
fn parse_range(h: &str, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = h.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.trim().split_once('-') else { return Ok(None) };
    let num = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let (a, b) = (a.trim(), b.trim());
    match (num(a), num(b)) {
        // The last n bytes.
        (None, Some(n)) if a.is_empty() => {
            if n == 0 || len == 0 {
                Err(())
            } else {
                Ok(Some((len.saturating_sub(n), len)))
            }
        }
        (Some(s), None) if b.is_empty() => {
            if s >= len {
                Err(())
            } else {
                Ok(Some((s, len)))
            }
        }
        (Some(s), Some(e)) if e >= s => {
            if s >= len {
                Err(())
            } else {
                Ok(Some((s, (e + 1).min(len))))
            }
        }
        _ => Ok(None),
    }
}

impl ServedFile {
    /// Opens `path` through `io` (refused outside the context's roots).
    ///
    /// # Errors
    /// As [`IoContext::file`].
    pub fn open(io: &IoContext, path: &Path) -> Result<ServedFile, IoError> {
        let src = io.file(path)?;
        let modified = std::fs::metadata(src.path()).and_then(|m| m.modified()).ok();
        Ok(ServedFile { src, modified })
    }

    /// Size in bytes.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.src.len()
    }

    /// Whether the file is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A strong validator of this version of the file (size and modification time), quoted.
    #[must_use]
    pub fn etag(&self) -> String {
        let ns = self.modified.and_then(|m| m.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        format!("\"{:x}-{ns:x}\"", self.len())
    }

    /// The modification time as an HTTP date, when known.
    #[must_use]
    pub fn last_modified(&self) -> Option<String> {
        self.modified.map(httpdate::fmt_http_date)
    }

    /// The answer to a request with these headers (`If-None-Match` takes precedence over
    /// `If-Modified-Since`, as RFC 9110 says).
    #[must_use]
    pub fn answer(&self, range: Option<&str>, if_none_match: Option<&str>, if_modified_since: Option<&str>) -> Answer {
        if let Some(inm) = if_none_match {
            let tag = self.etag();
            if inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == tag) {
                return Answer::NotModified;
            }
        } else if let (Some(ims), Some(m)) =
            (if_modified_since.and_then(|s| httpdate::parse_http_date(s).ok()), self.modified)
        {
            // HTTP dates have whole seconds.
            let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            if secs(m) <= secs(ims) {
                return Answer::NotModified;
            }
        }
        match range.map(|h| parse_range(h, self.len())) {
            None | Some(Ok(None)) => Answer::Whole,
            Some(Ok(Some((start, end)))) => Answer::Part { start, end },
            Some(Err(())) => Answer::Unsatisfiable,
        }
    }

    /// Bytes `start..end` in blocks of at most [`BLOCK`] bytes.
    #[must_use]
    pub fn blocks(self, start: u64, end: u64) -> Blocks {
        Blocks { file: self, pos: start, end }
    }
}

/// The blocks of a byte range of a [`ServedFile`].
pub struct Blocks {
    file: ServedFile,
    pos: u64,
    end: u64,
}

impl Iterator for Blocks {
    type Item = Result<Vec<u8>, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        let end = self.end.min(self.file.len());
        if self.pos >= end {
            return None;
        }
        let n = usize::try_from(end - self.pos).unwrap_or(BLOCK).min(BLOCK);
        let r = self.file.src.fetch(self.pos, n).map_err(IoError::from);
        self.pos = if r.is_ok() { self.pos + n as u64 } else { end };
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EgressPolicy;

    #[test]
    fn ranges_parse_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-7", 100), Ok(Some((0, 8))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 100))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 100))));
        assert_eq!(parse_range("bytes=-500", 100), Ok(Some((0, 100))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 100))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=-0", 100), Err(()));
        // Ignored: several ranges, other units, nonsense.
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
        assert_eq!(parse_range("bytes=7-3", 100), Ok(None));
        assert_eq!(parse_range("bytes=a-b", 100), Ok(None));
    }

    #[test]
    fn files_are_served_through_the_context_in_bounded_blocks() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("data");
        std::fs::create_dir_all(&root).expect("mkdir");
        let data: Vec<u8> = (0..(BLOCK * 2 + 10)).map(|i| (i % 251) as u8).collect();
        std::fs::write(root.join("x.nc"), &data).expect("write");
        std::fs::write(tmp.path().join("secret"), b"k").expect("write");
        let io = IoContext::from_env().restrict(std::slice::from_ref(&root), EgressPolicy::Open);
        assert!(matches!(ServedFile::open(&io, &tmp.path().join("secret")), Err(IoError::Refused(_))));
        assert!(matches!(ServedFile::open(&io, &root.join("../secret")), Err(IoError::Refused(_))));
        let f = ServedFile::open(&io, &root.join("x.nc")).expect("open");
        let tag = f.etag();
        assert_eq!(f.answer(None, Some(&tag), None), Answer::NotModified);
        assert_eq!(f.answer(None, Some("\"other\""), None), Answer::Whole);
        let lm = f.last_modified().expect("mtime");
        assert_eq!(f.answer(None, None, Some(&lm)), Answer::NotModified);
        assert_eq!(f.answer(Some("bytes=5-9"), None, None), Answer::Part { start: 5, end: 10 });
        assert_eq!(f.answer(Some("bytes=999999999-"), None, None), Answer::Unsatisfiable);
        let blocks: Vec<Vec<u8>> = f.blocks(3, data.len() as u64).map(|b| b.expect("read")).collect();
        assert_eq!(blocks.len(), 3);
        assert!(blocks.iter().all(|b| b.len() <= BLOCK));
        assert_eq!(blocks.concat(), data[3..]);
    }
}
