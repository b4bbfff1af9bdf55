//! An on-disk cache of blocks of remote files, with a small in-memory LRU in front
//! (fsspec's `blockcache`, federation.md §2.4).
//!
//! ```text
//!   CachedStorage::read_range(o, n)            (hdf5-reader / netcdf-reader Storage)
//!     blocks o/B ..= (o+n-1)/B   (B = block size, default 2 MiB, aligned)
//!       memory LRU ─► disk  <dir>/blocks/<hash(url)>-<hash(validator, B)>/<index>
//!       still missing: per block, one thread fetches (in-process single flight); adjacent
//!       missing blocks are fetched with one range request; each block is written to
//!       <dir>/tmp and renamed into place (never a partial block visible, safe across processes)
//! ```
//!
//! The validator is the remote `ETag` (else `Last-Modified`) and length, captured once when the
//! file is opened: a changed remote file has a new key, and the old key's blocks are removed
//! when the new one is first opened. Files whose server sends neither header are cached in
//! memory only (their changes could not be seen). The directory is kept under a size budget by
//! removing the least recently used blocks (file modification time, refreshed on each disk
//! hit). A cache directory that cannot be created or written turns into uncached reads with
//! one warning; it never fails a read.
//!
//! Configuration: `$ROOKERY_CACHE_DIR` (else `$XDG_CACHE_HOME/rookery`, else
//! `~/.cache/rookery`), `$ROOKERY_CACHE_SIZE` (budget, e.g. `10GB`, the default; `0` disables
//! the disk cache), `$ROOKERY_CACHE_BLOCK` (block size, e.g. `2MiB`).

use crate::remote::RemoteError;
use hdf5_reader::storage::{Storage, StorageBuffer};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The interface the cache sits in front of (and implements): see [`crate::storage`].
pub use crate::storage::RangeSource;

/// Settings of a [`BlockCache`].
#[derive(Clone, Debug)]
pub struct CacheConfig {
    /// The cache directory; `None` disables the disk cache.
    pub dir: Option<PathBuf>,
    /// Size budget of the directory in bytes.
    pub budget: u64,
    /// Block size in bytes.
    pub block_size: usize,
    /// Bytes of blocks kept in memory.
    pub memory: usize,
}

/// Default disk budget: 10 GB.
pub const DEFAULT_BUDGET: u64 = 10_000_000_000;
/// Default block size: 2 MiB.
pub const DEFAULT_BLOCK: usize = 2 << 20;

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { dir: default_dir(), budget: DEFAULT_BUDGET, block_size: DEFAULT_BLOCK, memory: 64 << 20 }
    }
}

/// `$ROOKERY_CACHE_DIR`, else `$XDG_CACHE_HOME/rookery`, else `~/.cache/rookery`.
#[must_use]
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("ROOKERY_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("rookery")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("rookery")))
}

/// Parses a size such as `10GB`, `500MB`, `2MiB`, `4096` (bytes).
#[must_use]
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1_048_576.0,
        "gib" => 1_073_741_824.0,
        "tib" => 1_099_511_627_776.0,
        _ => return None,
    };
    let v = n * mult;
    (v.is_finite() && v >= 0.0).then_some(v as u64)
}

impl CacheConfig {
    /// The defaults with `ROOKERY_CACHE_DIR`, `ROOKERY_CACHE_SIZE` and `ROOKERY_CACHE_BLOCK`
    /// applied (bad values are reported and ignored).
    #[must_use]
    pub fn from_env() -> CacheConfig {
        let mut c = CacheConfig::default();
        if let Ok(v) = std::env::var("ROOKERY_CACHE_SIZE") {
            match parse_size(&v) {
                Some(b) => c.budget = b,
                None => tracing::warn!("ROOKERY_CACHE_SIZE={v} is not a size (e.g. 10GB); using 10GB"),
            }
        }
        if let Ok(v) = std::env::var("ROOKERY_CACHE_BLOCK") {
            match parse_size(&v).and_then(|b| usize::try_from(b).ok()).filter(|&b| b >= 4096) {
                Some(b) => c.block_size = b,
                None => tracing::warn!("ROOKERY_CACHE_BLOCK={v} is not a size of at least 4 KiB; using 2MiB"),
            }
        }
        if c.budget == 0 {
            c.dir = None;
        }
        c
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms (file names must be).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn url_hash(url: &str) -> String {
    format!("{:016x}", fnv(&[url.as_bytes()]))
}

/// Counters of cache use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Blocks found in memory.
    pub memory_hits: u64,
    /// Blocks found on disk.
    pub disk_hits: u64,
    /// Blocks fetched from the remote file.
    pub misses: u64,
    /// Range requests sent.
    pub requests: u64,
    /// Bytes fetched from the remote file.
    pub fetched_bytes: u64,
}

impl CacheStats {
    /// `self - earlier`, counter by counter.
    #[must_use]
    pub fn since(&self, earlier: &CacheStats) -> CacheStats {
        CacheStats {
            memory_hits: self.memory_hits.saturating_sub(earlier.memory_hits),
            disk_hits: self.disk_hits.saturating_sub(earlier.disk_hits),
            misses: self.misses.saturating_sub(earlier.misses),
            requests: self.requests.saturating_sub(earlier.requests),
            fetched_bytes: self.fetched_bytes.saturating_sub(earlier.fetched_bytes),
        }
    }
}

impl std::fmt::Display for CacheStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} block hits ({} memory, {} disk), {} misses, {} bytes fetched in {} requests",
            self.memory_hits + self.disk_hits,
            self.memory_hits,
            self.disk_hits,
            self.misses,
            self.fetched_bytes,
            self.requests
        )
    }
}

#[derive(Default)]
struct Counters {
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
    misses: AtomicU64,
    requests: AtomicU64,
    fetched_bytes: AtomicU64,
}

impl Counters {
    fn get(&self) -> CacheStats {
        CacheStats {
            memory_hits: self.memory_hits.load(Relaxed),
            disk_hits: self.disk_hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            requests: self.requests.load(Relaxed),
            fetched_bytes: self.fetched_bytes.load(Relaxed),
        }
    }
}

/// A block: the key of one version of one file, and the block index.
type BlockId = (Arc<str>, u64);
type Block = Arc<[u8]>;

/// Least recently used blocks in memory, up to a byte budget.
#[derive(Default)]
struct MemLru {
    map: HashMap<BlockId, (Block, u64)>,
    bytes: usize,
    tick: u64,
}

impl MemLru {
    fn get(&mut self, id: &BlockId) -> Option<Block> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(id).map(|(b, last)| {
            *last = t;
            b.clone()
        })
    }

    fn put(&mut self, id: BlockId, b: Block, cap: usize) {
        if b.len() > cap {
            return;
        }
        self.tick += 1;
        self.bytes += b.len();
        if let Some((old, _)) = self.map.insert(id, (b, self.tick)) {
            self.bytes -= old.len();
        }
        while self.bytes > cap {
            let Some(oldest) = self.map.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some((old, _)) = self.map.remove(&oldest) {
                self.bytes -= old.len();
            }
        }
    }
}

/// One cached block file on disk.
struct DiskBlock {
    path: PathBuf,
    len: u64,
    mtime: SystemTime,
}

/// Disk use of one cached file version.
#[derive(Clone, Debug)]
pub struct FileUsage {
    /// The URL (from the entry's metadata; empty if missing).
    pub url: String,
    /// The validator the blocks belong to.
    pub validator: String,
    /// Remote file length.
    pub len: u64,
    /// Blocks cached.
    pub blocks: u64,
    /// Bytes cached.
    pub bytes: u64,
}

/// What a cache directory holds.
#[derive(Clone, Debug, Default)]
pub struct DiskUsage {
    /// Blocks cached.
    pub blocks: u64,
    /// Bytes of the blocks.
    pub bytes: u64,
    /// Per cached file version, largest first.
    pub files: Vec<FileUsage>,
}

/// Blocks of remote files cached on disk and in memory; shared by every file opened through
/// it (one per [`crate::IoContext`] family: restricted contexts share it).
pub struct BlockCache {
    cfg: CacheConfig,
    /// Blocks may be written to disk (turned off by the first failure).
    writable: AtomicBool,
    mem: Mutex<MemLru>,
    flights: Mutex<HashMap<BlockId, Arc<Mutex<()>>>>,
    /// Bytes in the directory as last counted plus those written since (`None`: not counted).
    used: Mutex<Option<u64>>,
    counters: Counters,
    nonce: AtomicU64,
}

impl BlockCache {
    /// A cache with these settings. The directory is created when first written to.
    #[must_use]
    pub fn new(cfg: CacheConfig) -> BlockCache {
        let cfg = CacheConfig { block_size: cfg.block_size.max(1), ..cfg };
        BlockCache {
            writable: AtomicBool::new(cfg.dir.is_some() && cfg.budget > 0),
            cfg,
            mem: Mutex::new(MemLru::default()),
            flights: Mutex::new(HashMap::new()),
            used: Mutex::new(None),
            counters: Counters::default(),
            nonce: AtomicU64::new(0),
        }
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &CacheConfig {
        &self.cfg
    }

    /// Counters over every file read through this cache.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        self.counters.get()
    }

    fn blocks_dir(&self) -> Option<PathBuf> {
        self.cfg.dir.as_ref().map(|d| d.join("blocks"))
    }

    /// Turns disk writes off after a failure, warning once.
    fn degrade(&self, what: &str, e: &dyn std::fmt::Display) {
        if self.writable.swap(false, Relaxed) {
            tracing::warn!(
                "cache directory {}: {what}: {e}; reading remote files without the disk cache",
                self.cfg.dir.as_deref().unwrap_or(Path::new("")).display()
            );
        }
    }

    /// A storage over `src` reading through this cache.
    #[must_use]
    pub fn storage(self: &Arc<Self>, src: Arc<dyn RangeSource>) -> CachedStorage {
        let uh = url_hash(src.url());
        let bs = self.cfg.block_size.to_string();
        let (key, disk) = match src.validator() {
            Some(v) => {
                let key = format!("{uh}-{:016x}", fnv(&[v.as_bytes(), bs.as_bytes()]));
                let disk = self.prepare_entry(&key, &uh, src.url(), &v, src.len());
                (key, disk)
            }
            None => {
                tracing::info!("{}: the server sends no ETag or Last-Modified; cached in memory only", src.url());
                // A key of its own: another open may see another version of the file.
                (format!("mem-{uh}-{}", self.nonce.fetch_add(1, Relaxed)), false)
            }
        };
        CachedStorage {
            src,
            cache: Arc::clone(self),
            key: Arc::from(key.as_str()),
            disk,
            counters: Counters::default(),
        }
    }

    /// Removes other versions of the file, creates the entry directory and its metadata.
    /// Returns whether the disk can be used for this entry.
    fn prepare_entry(&self, key: &str, uh: &str, url: &str, validator: &str, len: u64) -> bool {
        let Some(blocks) = self.blocks_dir() else { return false };
        if self.cfg.budget == 0 {
            return false;
        }
        // Stale versions of this URL.
        if let Ok(rd) = std::fs::read_dir(&blocks) {
            for e in rd.filter_map(Result::ok) {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(&format!("{uh}-"))
                    && name != key
                    && read_meta(&e.path()).is_some_and(|m| m.url == url)
                {
                    match std::fs::remove_dir_all(e.path()) {
                        Ok(()) => tracing::info!("{url}: changed on the server; its cached blocks were removed"),
                        Err(err) => tracing::debug!("cannot remove stale cache entry {}: {err}", e.path().display()),
                    }
                    if let Ok(mut u) = self.used.lock() {
                        *u = None;
                    }
                }
            }
        }
        let dir = blocks.join(key);
        match read_meta(&dir) {
            Some(m) if m.url == url && m.validator == validator => return true,
            Some(m) => {
                tracing::warn!(
                    "cache entry {} belongs to {}, not {url}; {url} is read without the disk cache",
                    dir.display(),
                    m.url
                );
                return false;
            }
            None => {}
        }
        if !self.writable.load(Relaxed) {
            // Read-only: blocks may still be read if a complete entry exists (it does not).
            return false;
        }
        let meta = format!("{url}\n{validator}\n{len}\n{}\n", self.cfg.block_size);
        let r = std::fs::create_dir_all(&dir).and_then(|()| self.write_atomic(&dir.join("meta"), meta.as_bytes()));
        match r {
            Ok(()) => true,
            Err(e) => {
                self.degrade("cannot write", &e);
                false
            }
        }
    }

    /// Writes `bytes` to `dest` through a temporary file renamed into place.
    fn write_atomic(&self, dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let Some(dir) = &self.cfg.dir else {
            return Err(std::io::Error::other("no cache directory"));
        };
        let tmp_dir = dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(format!(
            "{}.{}.{}",
            dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id(),
            self.nonce.fetch_add(1, Relaxed)
        ));
        let r =
            std::fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| std::fs::rename(&tmp, dest));
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        r
    }

    fn flight(&self, id: &BlockId) -> Arc<Mutex<()>> {
        let mut f = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(f.entry(id.clone()).or_default())
    }

    fn land(&self, id: &BlockId, flight: &Arc<Mutex<()>>) {
        let mut f = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if f.get(id).is_some_and(|g| Arc::ptr_eq(g, flight)) {
            f.remove(id);
        }
    }

    fn mem_get(&self, id: &BlockId) -> Option<Block> {
        self.mem.lock().ok()?.get(id)
    }

    fn mem_put(&self, id: BlockId, b: Block) {
        if let Ok(mut m) = self.mem.lock() {
            m.put(id, b, self.cfg.memory);
        }
    }

    fn block_path(&self, key: &str, idx: u64) -> Option<PathBuf> {
        self.blocks_dir().map(|d| d.join(key).join(idx.to_string()))
    }

    /// A complete block from disk (a file of another length is removed and ignored).
    fn disk_get(&self, key: &str, idx: u64, expect: usize) -> Option<Block> {
        let path = self.block_path(key, idx)?;
        let bytes = std::fs::read(&path).ok()?;
        if bytes.len() != expect {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // Refresh the LRU time; a read-only directory simply keeps the old one.
        if let Ok(f) = std::fs::File::open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(Arc::from(bytes))
    }

    fn disk_put(&self, key: &str, idx: u64, b: &[u8]) {
        if !self.writable.load(Relaxed) {
            return;
        }
        let Some(path) = self.block_path(key, idx) else { return };
        if let Err(e) = self.write_atomic(&path, b) {
            self.degrade("cannot write a block", &e);
            return;
        }
        let over = {
            let mut u = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = u.get_or_insert_with(|| self.usage().map_or(0, |d| d.bytes));
            *n += b.len() as u64;
            *n > self.cfg.budget
        };
        if over {
            self.evict();
        }
    }

    /// Removes the least recently used blocks until the directory is at 90% of its budget.
    fn evict(&self) {
        let mut used = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut all = self.block_files();
        let mut total: u64 = all.iter().map(|b| b.len).sum();
        let target = self.cfg.budget / 10 * 9;
        all.sort_by_key(|b| b.mtime);
        let mut removed = 0u64;
        for b in all {
            if total <= target {
                break;
            }
            if std::fs::remove_file(&b.path).is_ok() {
                total -= b.len;
                removed += 1;
            }
        }
        tracing::debug!("cache: evicted {removed} blocks; {total} bytes remain");
        *used = Some(total);
    }

    fn block_files(&self) -> Vec<DiskBlock> {
        let mut out = Vec::new();
        let Some(blocks) = self.blocks_dir() else { return out };
        let Ok(rd) = std::fs::read_dir(&blocks) else { return out };
        for e in rd.filter_map(Result::ok) {
            let Ok(files) = std::fs::read_dir(e.path()) else { continue };
            for f in files.filter_map(Result::ok) {
                if f.file_name().to_string_lossy().parse::<u64>().is_err() {
                    continue;
                }
                if let Ok(m) = f.metadata() {
                    out.push(DiskBlock {
                        path: f.path(),
                        len: m.len(),
                        mtime: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    });
                }
            }
        }
        out
    }

    /// What the cache directory holds.
    ///
    /// # Errors
    /// A directory that exists but cannot be listed.
    pub fn usage(&self) -> std::io::Result<DiskUsage> {
        let mut u = DiskUsage::default();
        let Some(blocks) = self.blocks_dir() else { return Ok(u) };
        let rd = match std::fs::read_dir(&blocks) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(u),
            Err(e) => return Err(e),
        };
        for e in rd.filter_map(Result::ok) {
            let meta = read_meta(&e.path());
            let mut fu = FileUsage {
                url: meta.as_ref().map(|m| m.url.clone()).unwrap_or_default(),
                validator: meta.as_ref().map(|m| m.validator.clone()).unwrap_or_default(),
                len: meta.as_ref().map_or(0, |m| m.len),
                blocks: 0,
                bytes: 0,
            };
            if let Ok(files) = std::fs::read_dir(e.path()) {
                for f in files.filter_map(Result::ok) {
                    if f.file_name().to_string_lossy().parse::<u64>().is_ok() {
                        fu.blocks += 1;
                        fu.bytes += f.metadata().map_or(0, |m| m.len());
                    }
                }
            }
            u.blocks += fu.blocks;
            u.bytes += fu.bytes;
            u.files.push(fu);
        }
        u.files.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.url.cmp(&b.url)));
        Ok(u)
    }

    /// Removes the cached blocks of `url` (every version), or everything when `None`.
    /// Returns the number of blocks and bytes removed.
    ///
    /// # Errors
    /// Entries that cannot be removed.
    pub fn clear(&self, url: Option<&str>) -> std::io::Result<(u64, u64)> {
        let before = self.usage()?;
        let Some(blocks) = self.blocks_dir() else { return Ok((0, 0)) };
        let (mut n, mut bytes) = (0, 0);
        for f in &before.files {
            if url.is_some_and(|u| u != f.url) {
                continue;
            }
            n += f.blocks;
            bytes += f.bytes;
        }
        match url {
            None => {
                if blocks.exists() {
                    std::fs::remove_dir_all(&blocks)?;
                }
                if let Some(tmp) = self.cfg.dir.as_ref().map(|d| d.join("tmp")).filter(|t| t.exists()) {
                    std::fs::remove_dir_all(tmp)?;
                }
            }
            Some(u) => {
                let uh = url_hash(u);
                for e in std::fs::read_dir(&blocks)?.filter_map(Result::ok) {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with(&format!("{uh}-")) && read_meta(&e.path()).is_none_or(|m| m.url == u) {
                        std::fs::remove_dir_all(e.path())?;
                    }
                }
            }
        }
        if let Ok(mut used) = self.used.lock() {
            *used = None;
        }
        Ok((n, bytes))
    }
}

struct Meta {
    url: String,
    validator: String,
    len: u64,
}

fn read_meta(dir: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(dir.join("meta")).ok()?;
    let mut lines = text.lines();
    Some(Meta {
        url: lines.next()?.to_string(),
        validator: lines.next()?.to_string(),
        len: lines.next()?.parse().ok()?,
    })
}

/// A remote file read through a [`BlockCache`]: the `Storage` that `netcdf-reader`,
/// `hdf5-reader` and the chunk reader read from.
pub struct CachedStorage {
    src: Arc<dyn RangeSource>,
    cache: Arc<BlockCache>,
    key: Arc<str>,
    /// Whether this file's blocks go to (and come from) disk.
    disk: bool,
    counters: Counters,
}

/// The longest single range request (whole blocks).
const MAX_REQUEST: u64 = 64 << 20;

impl CachedStorage {
    /// The URL.
    #[must_use]
    pub fn url(&self) -> &str {
        self.src.url()
    }

    /// Counters of this file's reads.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        self.counters.get()
    }

    fn block_len(&self, idx: u64) -> usize {
        let bs = self.cache.cfg.block_size as u64;
        let start = idx * bs;
        usize::try_from(self.src.len().saturating_sub(start).min(bs)).unwrap_or(0)
    }

    fn id(&self, idx: u64) -> BlockId {
        (Arc::clone(&self.key), idx)
    }

    /// Memory, then disk.
    fn lookup(&self, idx: u64) -> Option<Block> {
        let id = self.id(idx);
        if let Some(b) = self.cache.mem_get(&id) {
            self.counters.memory_hits.fetch_add(1, Relaxed);
            self.cache.counters.memory_hits.fetch_add(1, Relaxed);
            return Some(b);
        }
        if self.disk {
            if let Some(b) = self.cache.disk_get(&self.key, idx, self.block_len(idx)) {
                self.counters.disk_hits.fetch_add(1, Relaxed);
                self.cache.counters.disk_hits.fetch_add(1, Relaxed);
                self.cache.mem_put(id, b.clone());
                return Some(b);
            }
        }
        None
    }

    /// Blocks `first..=last`, fetching the missing ones (adjacent ones together).
    fn blocks(&self, first: u64, last: u64) -> Result<Vec<Block>, RemoteError> {
        let mut out: Vec<Option<Block>> = (first..=last).map(|i| self.lookup(i)).collect();
        let mut i = 0usize;
        while i < out.len() {
            if out[i].is_some() {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < out.len() && out[j].is_none() {
                j += 1;
            }
            self.fetch_run(first + i as u64, first + j as u64, &mut out[i..j])?;
            i = j;
        }
        Ok(out.into_iter().map(|b| b.unwrap_or_else(|| Arc::from(Vec::new()))).collect())
    }

    /// Fills `slots` (blocks `a..b`, all missing when called). Each block is claimed by one
    /// thread at a time (claims in ascending order, so no deadlock); blocks another thread
    /// fetched meanwhile are taken from the cache.
    fn fetch_run(&self, a: u64, b: u64, slots: &mut [Option<Block>]) -> Result<(), RemoteError> {
        let ids: Vec<BlockId> = (a..b).map(|i| self.id(i)).collect();
        let flights: Vec<Arc<Mutex<()>>> = ids.iter().map(|id| self.cache.flight(id)).collect();
        let result = (|| {
            let _guards: Vec<_> =
                flights.iter().map(|f| f.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).collect();
            for (k, s) in slots.iter_mut().enumerate() {
                *s = self.lookup(a + k as u64);
            }
            let bs = self.cache.cfg.block_size as u64;
            let per_request = (MAX_REQUEST / bs).max(1);
            let mut k = 0usize;
            while k < slots.len() {
                if slots[k].is_some() {
                    k += 1;
                    continue;
                }
                let mut m = k + 1;
                while m < slots.len() && slots[m].is_none() && ((m - k) as u64) < per_request {
                    m += 1;
                }
                let start = (a + k as u64) * bs;
                let lens: Vec<usize> = (k..m).map(|x| self.block_len(a + x as u64)).collect();
                let total: usize = lens.iter().sum();
                let bytes = self.src.fetch(start, total)?;
                self.counters.requests.fetch_add(1, Relaxed);
                self.cache.counters.requests.fetch_add(1, Relaxed);
                self.counters.fetched_bytes.fetch_add(total as u64, Relaxed);
                self.cache.counters.fetched_bytes.fetch_add(total as u64, Relaxed);
                let n = (m - k) as u64;
                self.counters.misses.fetch_add(n, Relaxed);
                self.cache.counters.misses.fetch_add(n, Relaxed);
                let mut off = 0usize;
                for (x, len) in (k..m).zip(lens) {
                    let block: Block = Arc::from(&bytes[off..off + len]);
                    off += len;
                    let idx = a + x as u64;
                    if self.disk {
                        self.cache.disk_put(&self.key, idx, &block);
                    }
                    self.cache.mem_put(self.id(idx), block.clone());
                    slots[x] = Some(block);
                }
                k = m;
            }
            Ok(())
        })();
        for (id, f) in ids.iter().zip(&flights) {
            self.cache.land(id, f);
        }
        result
    }
}

impl CachedStorage {
    /// Bytes `offset..offset+len` through the cache (a slice of one block when the range
    /// lies in one).
    fn read_cached(&self, offset: u64, len: usize) -> Result<StorageBuffer, RemoteError> {
        let end = offset.checked_add(len as u64).filter(|&e| e <= self.src.len()).ok_or_else(|| RemoteError {
            status: None,
            url: self.src.url().to_string(),
            msg: format!(
                "range {offset}..{} is beyond the end of the file ({} bytes)",
                offset.saturating_add(len as u64),
                self.src.len()
            ),
        })?;
        if len == 0 {
            return Ok(StorageBuffer::from_vec(Vec::new()));
        }
        let bs = self.cache.cfg.block_size as u64;
        let (first, last) = (offset / bs, (end - 1) / bs);
        let blocks = self.blocks(first, last)?;
        let short = || RemoteError::new(self.src.url(), format!("short block for range {offset}..{end}"));
        if first == last {
            let start = usize::try_from(offset - first * bs).map_err(|_| short())?;
            return StorageBuffer::from_shared(Arc::clone(&blocks[0]), start, len).map_err(|_| short());
        }
        let mut out = Vec::with_capacity(len);
        for (i, b) in blocks.iter().enumerate() {
            let bstart = (first + i as u64) * bs;
            let lo = usize::try_from(offset.max(bstart) - bstart).map_err(|_| short())?;
            let hi = usize::try_from(end.min(bstart + b.len() as u64).saturating_sub(bstart)).map_err(|_| short())?;
            out.extend_from_slice(b.get(lo..hi).ok_or_else(short)?);
        }
        if out.len() != len {
            return Err(short());
        }
        Ok(StorageBuffer::from_vec(out))
    }
}

/// The cached file is itself a [`RangeSource`]: reads go through the cache.
impl RangeSource for CachedStorage {
    fn url(&self) -> &str {
        self.src.url()
    }

    fn len(&self) -> u64 {
        self.src.len()
    }

    fn validator(&self) -> Option<String> {
        self.src.validator()
    }

    fn fetch(&self, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError> {
        self.read_cached(offset, len).map(|b| b.to_vec())
    }
}

/// The adapter `hdf5-reader` and `netcdf-reader` read remote files through (errors wrapped
/// with [`RemoteError::into_hdf5`], found again by [`RemoteError::find`]).
impl Storage for CachedStorage {
    fn len(&self) -> u64 {
        self.src.len()
    }

    fn read_range(&self, offset: u64, len: usize) -> hdf5_reader::error::Result<StorageBuffer> {
        self.read_cached(offset, len).map_err(RemoteError::into_hdf5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10GB"), Some(10_000_000_000));
        assert_eq!(parse_size("2MiB"), Some(2 << 20));
        assert_eq!(parse_size(" 4096 "), Some(4096));
        assert_eq!(parse_size("1.5kb"), Some(1500));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn mem_lru_evicts_oldest() {
        let mut m = MemLru::default();
        let id = |i| (Arc::<str>::from("k"), i);
        m.put(id(1), Arc::from(vec![0u8; 4]), 8);
        m.put(id(2), Arc::from(vec![0u8; 4]), 8);
        assert!(m.get(&id(1)).is_some());
        m.put(id(3), Arc::from(vec![0u8; 4]), 8);
        assert!(m.get(&id(2)).is_none());
        assert!(m.get(&id(1)).is_some() && m.get(&id(3)).is_some());
        assert_eq!(m.bytes, 8);
    }
}
