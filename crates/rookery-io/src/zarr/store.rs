//! Key/value stores behind a Zarr array, and where their bytes come from.
//!
//! ```text
//!   KeyStore::get(key) ─► Some(bytes) | None (missing key = missing chunk → fill value)
//!     ├─ PrefixStore <root>/<key> or <base URL>/<key> (Fetcher); HTTP 404 → None
//!     ├─ RefStore    (refs.rs)     Kerchunk JSON: key → inline bytes | [target, offset, len]
//!     └─ ParquetRefs (parquet.rs)  Kerchunk Parquet: key → row of refs.<n>.parq
//!   Fetcher: a reference target → a RangeSource (storage.rs) → bytes
//!     local path (absolute, or relative to the reference file) → FileSource (positional reads)
//!     http(s)://  → CachedStorage: HttpClient + the shared BlockCache (retries, on-disk blocks)
//!     s3://b/k    → https://b.s3.amazonaws.com/k (or $ROOKERY_S3_ENDPOINT / $AWS_ENDPOINT_URL)
//!   ZStore: a KeyStore (plus metadata documents known up front) as a zarrs store: the
//!           adapter zarrs reads through (ReadableStorageTraits)
//! ```

use super::error::{RangeProblem, ZarrError};
use crate::cached::CachedStorage;
use crate::remote::{is_url, RemoteError};
use crate::storage::{FileSource, RangeSource};
use crate::IoContext;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zarrs::storage::byte_range::{extract_byte_ranges, ByteRangeIterator};
use zarrs::storage::{Bytes, MaybeBytes, MaybeBytesIterator, ReadableStorageTraits, StorageError, StoreKey};

/// A read-only key/value store. Errors are one line naming the key and the target.
pub(crate) trait KeyStore: Send + Sync {
    /// The value of `key`; `None` when the key does not exist.
    ///
    /// # Errors
    /// The value exists (or should) but cannot be read.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ZarrError>;

    /// Fetches the bytes of `keys` ahead of their reads where that saves requests (reference
    /// stores: byte ranges of one remote file coalesced, several requests in flight). A
    /// failure here is not final: the reads that follow report it per key.
    ///
    /// # Errors
    /// A reference that cannot be resolved or fetched.
    fn prefetch(&self, _keys: &[String]) -> Result<(), ZarrError> {
        Ok(())
    }
}

/// Where a store root or a reference file lives.
#[derive(Clone, Debug)]
pub(crate) enum Loc {
    Path(PathBuf),
    Url(String),
}

impl Loc {
    pub(crate) fn parse(s: &str) -> Loc {
        if is_url(s) {
            Loc::Url(s.to_string())
        } else {
            Loc::Path(PathBuf::from(s.strip_prefix("file://").unwrap_or(s)))
        }
    }

    /// `rel` below this location (a directory).
    pub(crate) fn join(&self, rel: &str) -> Loc {
        match self {
            Loc::Path(p) => Loc::Path(p.join(rel)),
            Loc::Url(u) => {
                let (base, query) = split_query(u);
                Loc::Url(format!("{}/{rel}{query}", base.trim_end_matches('/')))
            }
        }
    }

    /// The directory holding this location (for relative reference targets).
    pub(crate) fn parent(&self) -> Loc {
        match self {
            Loc::Path(p) => Loc::Path(p.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)),
            Loc::Url(u) => {
                let (base, _) = split_query(u);
                Loc::Url(base.rsplit_once('/').map_or(base, |(a, _)| a).to_string())
            }
        }
    }

    pub(crate) fn display(&self) -> String {
        match self {
            Loc::Path(p) => p.display().to_string(),
            Loc::Url(u) => u.clone(),
        }
    }
}

/// `(before '?', '?...' or "")`.
pub(crate) fn split_query(u: &str) -> (&str, &str) {
    match u.find('?') {
        Some(i) => (&u[..i], &u[i..]),
        None => (u, ""),
    }
}

/// Reads reference targets and store keys: local files and URLs (through the block cache),
/// each location checked by the context first.
pub(crate) struct Fetcher {
    ctx: IoContext,
    /// Opened URLs (`None`: the URL answered 404).
    handles: Mutex<HashMap<String, Option<Arc<CachedStorage>>>>,
    /// Local paths the context allowed, with the real path to open.
    allowed: Mutex<HashMap<PathBuf, PathBuf>>,
}

impl Fetcher {
    /// A fetcher reading as `ctx` allows, with its HTTP client and block cache.
    pub(crate) fn new(ctx: &IoContext) -> Arc<Fetcher> {
        Arc::new(Fetcher { ctx: ctx.clone(), handles: Mutex::new(HashMap::new()), allowed: Mutex::new(HashMap::new()) })
    }

    /// The context reads are checked against.
    pub(crate) fn ctx(&self) -> &IoContext {
        &self.ctx
    }

    /// The real path to open for `p`, or the context's refusal (remembered per path).
    pub(crate) fn local(&self, p: &Path) -> Result<PathBuf, ZarrError> {
        let lock = || self.allowed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(r) = lock().get(p) {
            return Ok(r.clone());
        }
        let real = self.ctx.local(p).map_err(|e| ZarrError::Refused(e.to_string()))?;
        lock().insert(p.to_path_buf(), real.clone());
        Ok(real)
    }

    /// The storage of `url` (probed once); `None` for HTTP 404.
    fn storage(&self, url: &str) -> Result<Option<Arc<CachedStorage>>, RemoteError> {
        if let Some(h) = self.handles.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(url) {
            return Ok(h.clone());
        }
        let remote = self.ctx.remote();
        let opened = match remote.open(url) {
            Ok(st) => Some(st),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        self.handles.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(url.to_string(), opened.clone());
        Ok(opened)
    }

    /// Fetches the byte ranges (`(offset, len)`) of the remote file `url` into the cache,
    /// coalesced when at most `gap` bytes apart (see [`CachedStorage::prefetch`]).
    pub(crate) fn prefetch(&self, url: &str, ranges: &[(u64, u64)], gap: u64) -> Result<(), ZarrError> {
        let what = || format!("{url} ({} ranges)", ranges.len());
        let url = self.ctx.url(url).map_err(|e| ZarrError::Refused(e.to_string()))?;
        match self.storage(&url).map_err(|source| ZarrError::Remote { what: what(), source })? {
            Some(st) => st.prefetch(ranges, gap).map_err(|source| ZarrError::Remote { what: what(), source }),
            None => Ok(()),
        }
    }

    /// Bytes `range` (`(offset, len)`, or the whole object) of `loc`; `Ok(None)` when it does
    /// not exist. Errors name the location and range (never a refused file's size or
    /// existence).
    pub(crate) fn read(&self, loc: &Loc, range: Option<(u64, u64)>) -> Result<Option<Vec<u8>>, ZarrError> {
        let what = match range {
            Some((o, n)) => format!("{} bytes {o}-{}", loc.display(), o.saturating_add(n)),
            None => loc.display(),
        };
        let src: Arc<dyn RangeSource> = match loc {
            Loc::Url(url) => {
                let url = self.ctx.url(url).map_err(|e| ZarrError::Refused(e.to_string()))?;
                let st = match self.storage(&url).map_err(|source| ZarrError::Remote { what: what.clone(), source })? {
                    Some(st) => st,
                    None => return Ok(None),
                };
                // A reference range is exact: fetched as it is, not widened like a metadata read.
                if let Some((off, len)) = range {
                    let len = usize::try_from(len)
                        .map_err(|_| ZarrError::Range { what: what.clone(), problem: RangeProblem::TooLarge })?;
                    return st.fetch_exact(off, len).map(Some).map_err(|source| ZarrError::Remote { what, source });
                }
                st
            }
            Loc::Path(p) => {
                let real = self.local(p)?;
                match FileSource::open(&real, p) {
                    Ok(f) => Arc::new(f),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => return Err(ZarrError::Io { what, source }),
                }
            }
        };
        let (off, len) = range.unwrap_or((0, src.len()));
        if matches!(loc, Loc::Path(_)) && off.checked_add(len).is_none_or(|end| end > src.len()) {
            return Err(ZarrError::Range { what, problem: RangeProblem::BeyondEnd });
        }
        let len = usize::try_from(len)
            .map_err(|_| ZarrError::Range { what: what.clone(), problem: RangeProblem::TooLarge })?;
        src.fetch(off, len).map(Some).map_err(|source| ZarrError::Remote { what, source })
    }
}

/// Resolves a reference target: URL, `s3://` (see [`crate::s3`]), `file://`, absolute or
/// relative (to `base`, the directory of the reference file) path.
pub(crate) fn resolve_target(target: &str, base: &Loc, s3: &crate::s3::S3Config) -> Loc {
    if let Some(url) = s3.to_url(target) {
        return Loc::Url(url);
    }
    if is_url(target) {
        return Loc::Url(target.to_string());
    }
    let t = target.strip_prefix("file://").unwrap_or(target);
    if Path::new(t).is_absolute() {
        return Loc::Path(PathBuf::from(t));
    }
    base.join(t)
}

/// A directory or URL prefix holding one key per file.
pub(crate) struct PrefixStore {
    pub(crate) root: Loc,
    pub(crate) fetch: Arc<Fetcher>,
}

impl KeyStore for PrefixStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ZarrError> {
        self.fetch
            .read(&self.root.join(key), None)
            .map_err(|e| ZarrError::Key { key: key.to_string(), source: Box::new(e) })
    }
}

/// File names of Zarr metadata documents.
pub(crate) fn is_meta_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    matches!(name, ".zarray" | ".zattrs" | ".zgroup" | ".zmetadata" | "zarr.json")
}

/// A [`KeyStore`] as a zarrs store, with the metadata documents read at open time (a
/// metadata key not among them does not exist: no request is made for it).
pub(crate) struct ZStore {
    pub(crate) meta: HashMap<String, Vec<u8>>,
    pub(crate) inner: Arc<dyn KeyStore>,
}

impl ZStore {
    fn value(&self, key: &StoreKey) -> Result<Option<Vec<u8>>, StorageError> {
        let k = key.as_str();
        if is_meta_key(k) {
            return Ok(self.meta.get(k).cloned());
        }
        // Carried as the store's I/O error (same text), so callers find the variant again
        // ([`ZarrError::find`]).
        self.inner.get(k).map_err(|e| StorageError::IOError(Arc::new(std::io::Error::other(e))))
    }
}

impl ReadableStorageTraits for ZStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let Some(v) = self.value(key)? else {
            return Ok(None);
        };
        let out = extract_byte_ranges(&v, byte_ranges).map_err(|e| StorageError::Other(format!("key {key}: {e}")))?;
        Ok(Some(Box::new(out.into_iter().map(|b| Ok(Bytes::from(b))))))
    }

    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        Ok(self.value(key)?.map(Bytes::from))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        Ok(self.value(key)?.map(|v| v.len() as u64))
    }

    fn supports_get_partial(&self) -> bool {
        false
    }
}
