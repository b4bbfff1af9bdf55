//! An on-disk cache of the byte ranges of remote files, with a small in-memory LRU in front
//! (fsspec's `blockcache`, federation.md §2.4, but holding the ranges a read needed rather
//! than whole blocks). The reading side is `CachedStorage` (cached.rs); this module
//! keeps the directory, the memory LRU and the counters.
//!
//! ```text
//!   <dir>/blocks/<hash(url)>-<hash(validator, B)>/meta          url, validator, length, B
//!                                                /<start>-<len>  one cached piece
//!   <dir>/tmp/   pieces are written here and renamed into place (never a partial piece
//!                visible, safe across processes)
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
//! the disk cache), `$ROOKERY_CACHE_BLOCK` (B: reads shorter than this, such as metadata
//! reads, fetch the B-aligned window around them; default `256KiB`).

use crate::ranges::{extent_name, parse_extent_name};
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::FileExt;
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
    /// Read granularity in bytes: a shorter read fetches the aligned window of this size
    /// around it (metadata reads); longer reads fetch just their missing bytes.
    pub block_size: usize,
    /// Bytes of blocks kept in memory.
    pub memory: usize,
}

/// Default disk budget: 10 GB.
pub const DEFAULT_BUDGET: u64 = 10_000_000_000;
/// Default read granularity: 256 KiB.
pub const DEFAULT_BLOCK: usize = 256 << 10;

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
                None => tracing::warn!("ROOKERY_CACHE_BLOCK={v} is not a size of at least 4 KiB; using 256KiB"),
            }
        }
        if c.budget == 0 {
            c.dir = None;
        }
        c
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms (file names must be).
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
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

pub(crate) fn url_hash(url: &str) -> String {
    format!("{:016x}", fnv(&[url.as_bytes()]))
}

/// Counters of cache use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Pieces of reads found in memory.
    pub memory_hits: u64,
    /// Pieces of reads found on disk.
    pub disk_hits: u64,
    /// Ranges fetched from the remote file.
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
            "{} cache hits ({} memory, {} disk), {} misses, {} bytes fetched in {} requests",
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
pub(crate) struct Counters {
    pub(crate) memory_hits: AtomicU64,
    pub(crate) disk_hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) fetched_bytes: AtomicU64,
}

impl Counters {
    pub(crate) fn get(&self) -> CacheStats {
        CacheStats {
            memory_hits: self.memory_hits.load(Relaxed),
            disk_hits: self.disk_hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            requests: self.requests.load(Relaxed),
            fetched_bytes: self.fetched_bytes.load(Relaxed),
        }
    }
}

/// A piece: the key of one version of one file, its start and length.
pub(crate) type BlockId = (Arc<str>, u64, u64);
pub(crate) type Block = Arc<[u8]>;

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

    /// Whether the piece was kept.
    fn put(&mut self, id: BlockId, b: Block, cap: usize) -> bool {
        if b.len() > cap {
            return false;
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
        true
    }
}

/// One cached piece on disk.
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
    /// Pieces cached.
    pub blocks: u64,
    /// Bytes cached.
    pub bytes: u64,
}

/// What a cache directory holds.
#[derive(Clone, Debug, Default)]
pub struct DiskUsage {
    /// Pieces cached.
    pub blocks: u64,
    /// Bytes of the pieces.
    pub bytes: u64,
    /// Per cached file version, largest first.
    pub files: Vec<FileUsage>,
}

/// Byte ranges of remote files cached on disk and in memory; shared by every file opened
/// through it (one per [`crate::IoContext`] family: restricted contexts share it).
pub struct BlockCache {
    cfg: CacheConfig,
    /// Blocks may be written to disk (turned off by the first failure).
    writable: AtomicBool,
    mem: Mutex<MemLru>,
    flights: Mutex<HashMap<BlockId, Arc<Mutex<()>>>>,
    /// Bytes in the directory as last counted plus those written since (`None`: not counted).
    used: Mutex<Option<u64>>,
    pub(crate) counters: Counters,
    pub(crate) nonce: AtomicU64,
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

    /// Removes other versions of the file, creates the entry directory and its metadata.
    /// Returns whether the disk can be used for this entry.
    pub(crate) fn prepare_entry(&self, key: &str, uh: &str, url: &str, validator: &str, len: u64) -> bool {
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

    pub(crate) fn flight(&self, id: &BlockId) -> Arc<Mutex<()>> {
        let mut f = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(f.entry(id.clone()).or_default())
    }

    pub(crate) fn land(&self, id: &BlockId, flight: &Arc<Mutex<()>>) {
        let mut f = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if f.get(id).is_some_and(|g| Arc::ptr_eq(g, flight)) {
            f.remove(id);
        }
    }

    pub(crate) fn mem_get(&self, id: &BlockId) -> Option<Block> {
        self.mem.lock().ok()?.get(id)
    }

    /// Whether the piece was kept in memory.
    pub(crate) fn mem_put(&self, id: BlockId, b: Block) -> bool {
        self.mem.lock().is_ok_and(|mut m| m.put(id, b, self.cfg.memory))
    }

    pub(crate) fn entry_dir(&self, key: &str) -> Option<PathBuf> {
        self.blocks_dir().map(|d| d.join(key))
    }

    fn piece_path(&self, key: &str, start: u64, len: u64) -> Option<PathBuf> {
        self.entry_dir(key).map(|d| d.join(extent_name(start, len)))
    }

    /// Bytes `lo..lo+n` of the piece `start`/`len` on disk (a file of another length is
    /// removed and ignored); refreshes the piece's LRU time.
    pub(crate) fn disk_read(&self, key: &str, start: u64, len: u64, lo: u64, n: usize) -> Option<Vec<u8>> {
        let path = self.piece_path(key, start, len)?;
        let f = std::fs::File::open(&path).ok()?;
        if f.metadata().ok()?.len() != len {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let mut buf = vec![0u8; n];
        f.read_exact_at(&mut buf, lo).ok()?;
        // A read-only directory simply keeps the old time.
        let _ = f.set_modified(SystemTime::now());
        Some(buf)
    }

    /// Writes a piece to disk; whether it was written. Pieces over half the budget are not.
    pub(crate) fn disk_put(&self, key: &str, start: u64, b: &[u8]) -> bool {
        if !self.writable.load(Relaxed) || b.len() as u64 > self.cfg.budget / 2 {
            return false;
        }
        let Some(path) = self.piece_path(key, start, b.len() as u64) else { return false };
        if let Err(e) = self.write_atomic(&path, b) {
            self.degrade("cannot write a block", &e);
            return false;
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
        true
    }

    /// The pieces of an entry on disk (`(start, len)`, files of the length their name says).
    pub(crate) fn disk_pieces(&self, key: &str) -> Vec<(u64, u64)> {
        let Some(dir) = self.entry_dir(key) else { return Vec::new() };
        let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
        rd.filter_map(Result::ok)
            .filter_map(|e| {
                let (s, l) = parse_extent_name(&e.file_name().to_string_lossy())?;
                (e.metadata().ok()?.len() == l).then_some((s, l))
            })
            .collect()
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
                if parse_extent_name(&f.file_name().to_string_lossy()).is_none() {
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
                    if parse_extent_name(&f.file_name().to_string_lossy()).is_some() {
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
        let id = |i| (Arc::<str>::from("k"), i, 4);
        m.put(id(1), Arc::from(vec![0u8; 4]), 8);
        m.put(id(2), Arc::from(vec![0u8; 4]), 8);
        assert!(m.get(&id(1)).is_some());
        m.put(id(3), Arc::from(vec![0u8; 4]), 8);
        assert!(m.get(&id(2)).is_none());
        assert!(m.get(&id(1)).is_some() && m.get(&id(3)).is_some());
        assert_eq!(m.bytes, 8);
    }
}
