//! `Remote`: an HTTP client ([`HttpClient`], remote.rs) and the block cache (cache.rs) that
//! remote files are read through; above both, so neither needs the other.

use crate::cache::{BlockCache, CacheConfig, CachedStorage, RangeSource};
use crate::egress::EgressPolicy;
use crate::remote::{HttpClient, HttpOptions, RemoteError, RemoteFile};
use std::sync::Arc;

/// A probed file read through an [`HttpClient`]: the cache's [`RangeSource`].
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
        Ok(Arc::new(self.cache.storage(Arc::new(HttpSource { client: Arc::clone(&self.http), file }))))
    }
}
