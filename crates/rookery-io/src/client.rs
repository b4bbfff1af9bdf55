//! `Remote`: an HTTP client ([`HttpClient`], remote.rs) and the block cache (cache.rs) that
//! remote files are read through; above both, so neither needs the other.

use crate::cache::{BlockCache, CacheConfig};
use crate::cached::CachedStorage;
use crate::egress::EgressPolicy;
use crate::remote::{HttpClient, HttpOptions, RemoteError, RemoteFile};
use crate::storage::RangeSource;
use crate::IoError;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Bytes per range request of [`Remote::download`].
const DOWNLOAD_STEP: u64 = 8 << 20;

/// A probed file read through an [`HttpClient`] (egress policy on every request and
/// redirect): the [`RangeSource`] of an http(s) URL (and of an S3 object, by its URL).
struct HttpSource {
    client: Arc<HttpClient>,
    file: RemoteFile,
}

impl RangeSource for HttpSource {
    fn url(&self) -> &str {
        &self.file.url
    }

    fn len(&self) -> u64 {
        self.file.len
    }

    fn validator(&self) -> Option<String> {
        self.file.validator()
    }

    fn fetch(&self, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError> {
        self.client.get_range(&self.file, offset, len)
    }

    fn fetch_into(&self, offset: u64, buf: &mut [u8]) -> Result<(), RemoteError> {
        self.client.get_range_into(&self.file, offset, buf)
    }
}

/// The HTTP client and block cache remote files are opened with.
pub struct Remote {
    http: Arc<HttpClient>,
    cache: Arc<BlockCache>,
}

impl Remote {
    /// A client and cache with these settings.
    #[must_use]
    pub fn new(http: HttpOptions, cache: CacheConfig) -> Arc<Remote> {
        Arc::new(Remote { http: Arc::new(HttpClient::new(http)), cache: Arc::new(BlockCache::new(cache)) })
    }

    /// A client and cache configured from the environment ([`HttpOptions::from_env`],
    /// [`CacheConfig::from_env`], [`crate::s3::S3Config::from_env`]).
    #[must_use]
    pub fn from_env() -> Arc<Remote> {
        Remote::new(HttpOptions::from_env(), CacheConfig::from_env())
    }

    /// A client with the same options and S3 settings under `policy`, sharing this cache.
    #[must_use]
    pub fn with_policy(&self, policy: EgressPolicy) -> Arc<Remote> {
        let http = HttpClient::new(self.http.options().clone()).with_s3(self.http.s3().clone());
        http.set_policy(policy);
        Arc::new(Remote { http: Arc::new(http), cache: Arc::clone(&self.cache) })
    }

    /// The HTTP client.
    #[must_use]
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The HTTP client, shared.
    #[must_use]
    pub fn http_arc(&self) -> &Arc<HttpClient> {
        &self.http
    }

    /// Replaces the egress policy of this client (see [`HttpClient::set_policy`]).
    pub fn set_policy(&self, p: EgressPolicy) {
        self.http.set_policy(p);
    }

    /// The block cache.
    #[must_use]
    pub fn cache(&self) -> &Arc<BlockCache> {
        &self.cache
    }

    /// Probes `url` (one HEAD request: length and validators) and returns a storage reading
    /// it through the cache.
    ///
    /// # Errors
    /// The probe failed.
    pub fn open(&self, url: &str) -> Result<Arc<CachedStorage>, RemoteError> {
        let file = self.http.probe(url)?;
        Ok(Arc::new(CachedStorage::new(&self.cache, Arc::new(HttpSource { client: Arc::clone(&self.http), file }))))
    }

    /// Copies the file at `url` to `dest`, read through the block cache in 8 MiB ranges (the
    /// URL is checked against this client's egress policy, as every request and redirect
    /// is). The bytes go to `dest.with_extension("part")`, which is synced and then renamed
    /// to `dest`: `dest` appears complete or not at all; on failure the partial file is
    /// removed. Returns the number of bytes written.
    ///
    /// # Errors
    /// [`IoError::Remote`] naming the URL (refused, unreachable, an error status, a file that
    /// changed while being read); [`IoError::DiskFull`] naming `dest`'s file name when the
    /// disk (or a quota) is full; [`IoError::Write`] naming the file for other write failures.
    pub fn download(&self, url: &str, dest: &Path) -> Result<u64, IoError> {
        let st = self.open(url)?;
        let len = st.len();
        let tmp = dest.with_extension("part");
        let r = copy_to(&st, len, &tmp, dest)
            .and_then(|()| std::fs::rename(&tmp, dest).map_err(|e| write_error(&e, dest, dest)));
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        r.map(|()| len)
    }
}

/// Writes the `len` bytes of `st` to `tmp` and syncs it (`dest`: the name a full disk reports).
fn copy_to(st: &CachedStorage, len: u64, tmp: &Path, dest: &Path) -> Result<(), IoError> {
    let mut f = std::fs::File::create(tmp).map_err(|e| write_error(&e, tmp, dest))?;
    let mut off = 0u64;
    while off < len {
        let n = DOWNLOAD_STEP.min(len - off);
        let b = st.fetch(off, usize::try_from(n).unwrap_or(usize::MAX))?;
        f.write_all(&b).map_err(|e| write_error(&e, tmp, dest))?;
        off += n;
    }
    f.sync_all().map_err(|e| write_error(&e, tmp, dest))
}

/// A failed write of `path`: [`IoError::DiskFull`] (naming `dest`'s file name only) when the
/// disk or a quota is full, else [`IoError::Write`].
fn write_error(e: &std::io::Error, path: &Path, dest: &Path) -> IoError {
    if crate::space::is_no_space(e) {
        IoError::DiskFull { name: dest.file_name().unwrap_or_default().to_string_lossy().into_owned() }
    } else {
        IoError::Write { path: path.to_path_buf(), msg: e.to_string() }
    }
}
