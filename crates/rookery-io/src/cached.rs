//! A remote file read through the [`BlockCache`]: the `Storage` the NetCDF/HDF5 readers and
//! the chunk reader read from, fetching only the byte ranges reads need.
//!
//! ```text
//!   CachedStorage::read_range(o, n)            (hdf5-reader / netcdf-reader Storage)
//!     pieces holding o..o+n (ranges.rs Extents): memory LRU ─► disk <entry>/<start>-<len>
//!     missing parts: reads shorter than B (metadata) fetch the B-aligned window around
//!       them; longer reads (the chunk reader's coalesced chunk ranges) fetch exactly their
//!       missing bytes (parts less than 64 KiB apart together; one piece fetched with
//!       requests of ≤ 8 MiB, 4 at a time, into its buffer); one thread per missing part at
//!       a time (in-process single flight)
//!     each fetched part becomes a piece: written to disk, kept in memory when ≤ 4 MiB
//!   CachedStorage::prefetch(ranges, gap)       (Kerchunk chunk references, see zarr/)
//!     ranges coalesced when ≤ gap apart (up to 32 MiB), missing parts fetched with several
//!     requests in flight, so the per-chunk reads that follow are cache hits
//! ```
//!
//! The piece index is read from the entry's directory when the file is opened; pieces
//! another process evicts meanwhile are noticed on read and fetched again.

use crate::cache::{fnv, url_hash, Block, BlockCache, CacheStats, Counters};
use crate::ranges::{coalesce, widen, Extents};
use crate::remote::RemoteError;
use crate::storage::RangeSource;
use hdf5_reader::storage::{Storage, StorageBuffer};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};

/// The longest piece (one fetch, kept as one file).
const MAX_PIECE: u64 = 256 << 20;
/// The longest single range request: a longer piece is fetched with several requests at once.
const MAX_REQUEST: u64 = 8 << 20;
/// Requests in flight for one piece.
const REQUESTS_IN_FLIGHT: usize = 4;
/// Missing parts of one read at most this far apart are fetched together.
const MERGE_GAP: u64 = 64 << 10;
/// Pieces up to this size are kept in memory (metadata, small chunks).
const MEM_PIECE: u64 = 4 << 20;
/// Requests in flight for [`CachedStorage::prefetch`].
const PREFETCH_THREADS: usize = 8;

/// A remote file read through a [`BlockCache`]: the `Storage` that `netcdf-reader`,
/// `hdf5-reader` and the chunk reader read from.
pub struct CachedStorage {
    src: Arc<dyn RangeSource>,
    cache: Arc<BlockCache>,
    key: Arc<str>,
    /// Whether this file's pieces go to (and come from) disk.
    disk: bool,
    /// The pieces held (on disk, or in memory when `disk` is off).
    extents: Mutex<Extents>,
    counters: Counters,
}

/// Where the bytes of one part of a read come from.
enum Part {
    Shared(Block, usize),
    Owned(Vec<u8>),
}

impl CachedStorage {
    /// `src` read through `cache` (its pieces on disk listed now).
    #[must_use]
    pub fn new(cache: &Arc<BlockCache>, src: Arc<dyn RangeSource>) -> CachedStorage {
        let uh = url_hash(src.url());
        let bs = cache.config().block_size.to_string();
        let mut extents = Extents::default();
        let (key, disk) = match src.validator() {
            Some(v) => {
                let key = format!("{uh}-{:016x}", fnv(&[v.as_bytes(), bs.as_bytes(), b"pieces"]));
                let disk = cache.prepare_entry(&key, &uh, src.url(), &v, src.len());
                if disk {
                    for (s, l) in cache.disk_pieces(&key) {
                        extents.insert(s, l);
                    }
                }
                (key, disk)
            }
            None => {
                tracing::info!("{}: the server sends no ETag or Last-Modified; cached in memory only", src.url());
                // A key of its own: another open may see another version of the file.
                (format!("mem-{uh}-{}", cache.nonce.fetch_add(1, Relaxed)), false)
            }
        };
        CachedStorage {
            src,
            cache: Arc::clone(cache),
            key: Arc::from(key.as_str()),
            disk,
            extents: Mutex::new(extents),
            counters: Counters::default(),
        }
    }

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

    fn extents(&self) -> std::sync::MutexGuard<'_, Extents> {
        self.extents.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count(&self, f: impl Fn(&Counters) -> &std::sync::atomic::AtomicU64, n: u64) {
        f(&self.counters).fetch_add(n, Relaxed);
        f(&self.cache.counters).fetch_add(n, Relaxed);
    }

    /// Bytes `a..b` as one piece: requests of at most [`MAX_REQUEST`] bytes, up to
    /// [`REQUESTS_IN_FLIGHT`] at once, each reading into its part of the piece.
    fn get(&self, a: u64, b: u64) -> Result<Block, RemoteError> {
        let n = usize::try_from(b - a).map_err(|_| RemoteError::new(self.src.url(), "range too large"))?;
        let mut piece: Block = std::iter::repeat_n(0u8, n).collect();
        let buf = Arc::get_mut(&mut piece).ok_or_else(|| RemoteError::new(self.src.url(), "piece shared"))?;
        let step = usize::try_from(MAX_REQUEST).unwrap_or(usize::MAX);
        let parts: Vec<(u64, &mut [u8])> =
            buf.chunks_mut(step).enumerate().map(|(i, c)| (a + (i * step) as u64, c)).collect();
        let count = parts.len() as u64;
        if parts.len() == 1 {
            for (o, c) in parts {
                self.src.fetch_into(o, c)?;
            }
        } else {
            let queue = Mutex::new(parts);
            let first_error: Mutex<Option<RemoteError>> = Mutex::new(None);
            std::thread::scope(|sc| {
                for _ in 0..(count as usize).min(REQUESTS_IN_FLIGHT) {
                    sc.spawn(|| loop {
                        let Some((o, c)) = queue.lock().unwrap_or_else(PoisonError::into_inner).pop() else { break };
                        if let Err(e) = self.src.fetch_into(o, c) {
                            first_error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
                            break;
                        }
                    });
                }
            });
            if let Some(e) = first_error.into_inner().unwrap_or_else(PoisonError::into_inner) {
                return Err(e);
            }
            if !queue.into_inner().unwrap_or_else(PoisonError::into_inner).is_empty() {
                return Err(RemoteError::new(self.src.url(), "a range request thread failed"));
            }
        }
        self.count(|c| &c.requests, count);
        self.count(|c| &c.misses, 1);
        self.count(|c| &c.fetched_bytes, b - a);
        Ok(piece)
    }

    /// Keeps a fetched piece (disk; memory when small) and records it when kept anywhere.
    fn keep(&self, start: u64, b: &Block) {
        let len = b.len() as u64;
        let on_disk = self.disk && self.cache.disk_put(&self.key, start, b);
        let in_mem = len <= MEM_PIECE && self.cache.mem_put((Arc::clone(&self.key), start, len), b.clone());
        if on_disk || in_mem {
            self.extents().insert(start, len);
        }
    }

    /// Fetches the missing parts of `a..b` (pieces of at most [`MAX_PIECE`] bytes), one
    /// thread per part at a time; the fetched pieces are also pushed to `got`.
    fn fill(&self, a: u64, b: u64, got: &mut Vec<(u64, Block)>) -> Result<(), RemoteError> {
        let gaps = coalesce(self.extents().gaps(a, b), MERGE_GAP, u64::MAX);
        for (ga, gb) in gaps {
            let id = (Arc::clone(&self.key), ga, 0);
            let flight = self.cache.flight(&id);
            let r = (|| {
                let _g = flight.lock().unwrap_or_else(PoisonError::into_inner);
                // Another thread may have fetched (part of) it meanwhile.
                // (Bound first: the index lock must not be held while the pieces are kept.)
                let still = coalesce(self.extents().gaps(ga, gb), MERGE_GAP, u64::MAX);
                for (sa, sb) in still {
                    let mut pos = sa;
                    while pos < sb {
                        let end = sb.min(pos + MAX_PIECE);
                        let piece = self.get(pos, end)?;
                        self.keep(pos, &piece);
                        got.push((pos, piece));
                        pos = end;
                    }
                }
                Ok(())
            })();
            self.cache.land(&id, &flight);
            r?;
        }
        Ok(())
    }

    /// Bytes `pos..` of the piece `(s, l)` up to `e` from memory or disk; `None` when gone.
    fn piece_bytes(&self, s: u64, l: u64, pos: u64, e: u64) -> Option<Part> {
        let lo = usize::try_from(pos - s).ok()?;
        if let Some(b) = self.cache.mem_get(&(Arc::clone(&self.key), s, l)) {
            self.count(|c| &c.memory_hits, 1);
            return Some(Part::Shared(b, lo));
        }
        if !self.disk {
            return None;
        }
        let part = if l <= MEM_PIECE {
            let b: Block = Arc::from(self.cache.disk_read(&self.key, s, l, 0, usize::try_from(l).ok()?)?);
            self.cache.mem_put((Arc::clone(&self.key), s, l), b.clone());
            Part::Shared(b, lo)
        } else {
            let n = usize::try_from(e.min(s + l) - pos).ok()?;
            Part::Owned(self.cache.disk_read(&self.key, s, l, pos - s, n)?)
        };
        self.count(|c| &c.disk_hits, 1);
        Some(part)
    }

    /// Bytes `o..e` from the pieces fetched by this read (`got`) and the cache; `None` when
    /// a part is missing (a piece found gone is forgotten).
    fn assemble(&self, o: u64, e: u64, got: &[(u64, Block)]) -> Option<StorageBuffer> {
        let len = usize::try_from(e - o).ok()?;
        let mut out: Option<Vec<u8>> = None;
        let mut pos = o;
        while pos < e {
            let (s, l, part) = match got.iter().find(|(s, b)| *s <= pos && pos < s + b.len() as u64) {
                Some((s, b)) => (*s, b.len() as u64, Part::Shared(b.clone(), usize::try_from(pos - s).ok()?)),
                None => {
                    let (s, l) = self.extents().covering(pos)?;
                    match self.piece_bytes(s, l, pos, e) {
                        Some(p) => (s, l, p),
                        None => {
                            self.extents().remove(s);
                            return None;
                        }
                    }
                }
            };
            let upto = e.min(s + l);
            let n = usize::try_from(upto - pos).ok()?;
            match part {
                // The whole read from one piece: no copy.
                Part::Shared(b, lo) if pos == o && upto == e => return StorageBuffer::from_shared(b, lo, len).ok(),
                Part::Owned(v) if pos == o && upto == e => return Some(StorageBuffer::from_vec(v)),
                Part::Shared(b, lo) => {
                    out.get_or_insert_with(|| Vec::with_capacity(len)).extend_from_slice(b.get(lo..lo + n)?);
                }
                Part::Owned(v) => out.get_or_insert_with(|| Vec::with_capacity(len)).extend_from_slice(v.get(..n)?),
            }
            pos = upto;
        }
        out.filter(|v| v.len() == len).map(StorageBuffer::from_vec)
    }

    /// Exactly bytes `offset..offset+len` through the cache, never widened (reads whose
    /// ranges are known exactly: Kerchunk chunk references).
    ///
    /// # Errors
    /// A range beyond the end; a failed request.
    pub fn fetch_exact(&self, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError> {
        self.read_cached(offset, len, false).map(|b| b.to_vec())
    }

    /// Bytes `offset..offset+len` through the cache (`widen`: a short read fetches the
    /// aligned window around it).
    fn read_cached(&self, offset: u64, len: usize, widen_small: bool) -> Result<StorageBuffer, RemoteError> {
        let flen = self.src.len();
        let end = offset.checked_add(len as u64).filter(|&e| e <= flen).ok_or_else(|| {
            RemoteError::new(
                self.src.url(),
                format!(
                    "range {offset}..{} is beyond the end of the file ({flen} bytes)",
                    offset.saturating_add(len as u64)
                ),
            )
        })?;
        if len == 0 {
            return Ok(StorageBuffer::from_vec(Vec::new()));
        }
        let g = self.cache.config().block_size as u64;
        let (a, b) = if widen_small && (len as u64) < g { widen(offset, end, g, flen) } else { (offset, end) };
        let mut got = Vec::new();
        for _ in 0..3 {
            if let Some(buf) = self.assemble(offset, end, &got) {
                return Ok(buf);
            }
            self.fill(a, b, &mut got)?;
        }
        // Pieces keep vanishing (evicted by another process): read the range directly.
        let piece = self.get(offset, end)?;
        StorageBuffer::from_shared(piece, 0, len)
            .map_err(|_| RemoteError::new(self.src.url(), format!("short read at {offset}")))
    }

    /// Fetches the missing parts of `ranges` (`(offset, len)`) into the cache ahead of the
    /// reads that will ask for them: ranges at most `gap` bytes apart are coalesced (runs
    /// up to 32 MiB), several requests in flight. Does nothing for a file cached in memory
    /// only (the fetched bytes could not be kept for the reads).
    ///
    /// # Errors
    /// A range beyond the end; a failed request.
    pub fn prefetch(&self, ranges: &[(u64, u64)], gap: u64) -> Result<(), RemoteError> {
        if !self.disk {
            return Ok(());
        }
        let flen = self.src.len();
        let mut want = Vec::with_capacity(ranges.len());
        for &(o, n) in ranges {
            let e = o.checked_add(n).filter(|&e| e <= flen).ok_or_else(|| {
                RemoteError::new(self.src.url(), format!("range {o}+{n} is beyond the end of the file ({flen} bytes)"))
            })?;
            want.push((o, e));
        }
        let runs: Vec<(u64, u64)> = coalesce(want, gap, 4 * MAX_REQUEST)
            .into_iter()
            .filter(|&(a, b)| !self.extents().gaps(a, b).is_empty())
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let first_error: Mutex<Option<RemoteError>> = Mutex::new(None);
        std::thread::scope(|sc| {
            for _ in 0..runs.len().min(PREFETCH_THREADS) {
                sc.spawn(|| {
                    while let Some(&(a, b)) = runs.get(next.fetch_add(1, Relaxed)) {
                        if let Err(e) = self.fill(a, b, &mut Vec::new()) {
                            first_error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
                            break;
                        }
                    }
                });
            }
        });
        match first_error.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
        self.read_cached(offset, len, true).map(|b| b.to_vec())
    }
}

/// The adapter `hdf5-reader` and `netcdf-reader` read remote files through (errors wrapped
/// with [`RemoteError::into_hdf5`], found again by [`RemoteError::find`]).
impl Storage for CachedStorage {
    fn len(&self) -> u64 {
        self.src.len()
    }

    fn read_range(&self, offset: u64, len: usize) -> hdf5_reader::error::Result<StorageBuffer> {
        self.read_cached(offset, len, true).map_err(RemoteError::into_hdf5)
    }
}
