//! Hyperslabs of chunked NetCDF-4 variables, decoded chunk by chunk in parallel.
//!
//! The design's chunk model: a variable is an array of chunks at byte ranges with a codec
//! chain. `hdf5-reader` ([`hdf5_reader::Dataset::chunk_read_plan`]) lists the chunks that
//! intersect a selection (file offset, size, filter mask, grid position) and the codec chain;
//! this module reads and decodes them itself:
//!
//! ```text
//!   for each chunk, in parallel (rayon), with per-thread reused buffers:
//!     pread the encoded bytes ─► verify + strip fletcher32 (if applied last)
//!       ─► inflate (libdeflate) ─► copy the wanted runs straight into the result,
//!          un-shuffling only those elements and converting the byte order on the way
//! ```
//!
//! The encoded bytes come from the file with positional reads (local files: no extra copy),
//! or, for remote files, from a [`hdf5_reader::storage::Storage`]: the chunks of a batch of
//! groups are coalesced into few large ranges (adjacent or nearly so) fetched in parallel
//! before decoding ([`Fetched`]).
//!
//! Anything else (other filters or filter orders, a decode anomaly) goes through the
//! vendored generic filter pipeline for that chunk, so results and error texts stay those of
//! `hdf5-reader`. Variables this module does not handle at all (contiguous or compact layout,
//! padded unlimited extents, non-numeric types) are reported as `Ok(None)` and read by
//! `netcdf-reader` instead. Chunks missing from the index read as the fill value.
//!
//! The result is split into disjoint contiguous slabs, one per group of chunks sharing their
//! grid position up to a "split axis", so the parallel writes need no `unsafe`.

use hdf5_reader::error::{ByteOrder, Error};
use hdf5_reader::filters::{FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};
use hdf5_reader::storage::{DynStorage, StorageBuffer};
use hdf5_reader::{ChunkLocation, ChunkReadPlan, Dataset, Datatype, Hdf5File, SliceInfo, SliceInfoElem};
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

type Result<T> = std::result::Result<T, Error>;

/// Per-thread buffers larger than this are released after use.
const KEEP_SCRATCH_BYTES: usize = 64 << 20;

/// Element types the chunk reader produces.
pub(crate) trait Elem: Copy + Default + Send + Sync + 'static {
    /// Bytes of one element.
    const SIZE: usize;
    /// Whether `dt` stores exactly this type (class, size and signedness).
    fn matches(dt: &Datatype) -> bool;
    /// Decodes `src` (a whole number of elements) into `out`.
    fn copy_run(src: &[u8], little: bool, out: &mut [Self]);
    /// Decodes `out.len()` elements starting at element `first` of shuffled bytes holding
    /// `n` elements (byte `b` of element `i` at `b * n + i`).
    fn gather_run(shuffled: &[u8], n: usize, first: usize, little: bool, out: &mut [Self]);
    /// Turns values read raw from big-endian bytes into native ones, in place.
    fn swap_from_be(v: &mut [Self]);
    /// Decodes one element from its bytes (`b.len() == SIZE`).
    fn one(b: &[u8], little: bool) -> Self {
        let mut v = [Self::default()];
        Self::copy_run(b, little, &mut v);
        v[0]
    }
}

macro_rules! elem {
    ($t:ty, $n:literal, |$dt:ident| $m:expr) => {
        impl Elem for $t {
            const SIZE: usize = $n;
            fn matches($dt: &Datatype) -> bool {
                $m
            }
            fn copy_run(src: &[u8], little: bool, out: &mut [Self]) {
                let it = src.chunks_exact($n).zip(out.iter_mut());
                if little {
                    for (b, o) in it {
                        let mut a = [0u8; $n];
                        a.copy_from_slice(b);
                        *o = <$t>::from_le_bytes(a);
                    }
                } else {
                    for (b, o) in it {
                        let mut a = [0u8; $n];
                        a.copy_from_slice(b);
                        *o = <$t>::from_be_bytes(a);
                    }
                }
            }
            #[inline(always)]
            fn swap_from_be(v: &mut [Self]) {
                for x in v {
                    *x = <$t>::from_be_bytes(x.to_ne_bytes());
                }
            }
            #[inline(always)]
            fn gather_run(shuffled: &[u8], n: usize, first: usize, little: bool, out: &mut [Self]) {
                let len = out.len();
                let planes: [&[u8]; $n] = std::array::from_fn(|b| &shuffled[b * n + first..b * n + first + len]);
                for (k, o) in out.iter_mut().enumerate() {
                    let a: [u8; $n] = std::array::from_fn(|b| planes[b][k]);
                    *o = if little { <$t>::from_le_bytes(a) } else { <$t>::from_be_bytes(a) };
                }
            }
        }
    };
}

/// [`Elem::gather_run`] (undoing the shuffle filter), built for AVX2 when the CPU has it.
fn gather_run<T: Elem>(shuffled: &[u8], n: usize, first: usize, little: bool, out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            #[target_feature(enable = "avx2")]
            fn avx2<T: Elem>(shuffled: &[u8], n: usize, first: usize, little: bool, out: &mut [T]) {
                T::gather_run(shuffled, n, first, little, out);
            }
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return avx2(shuffled, n, first, little, out);
            }
        }
    }
    T::gather_run(shuffled, n, first, little, out);
}

fn fixed(dt: &Datatype, size: u8, want_signed: bool) -> bool {
    matches!(dt, Datatype::FixedPoint { size: s, signed, .. } if *s == size && *signed == want_signed)
}

fn float(dt: &Datatype, size: u8) -> bool {
    matches!(dt, Datatype::FloatingPoint { size: s, .. } if *s == size)
}

elem!(i8, 1, |dt| fixed(dt, 1, true));
elem!(u8, 1, |dt| fixed(dt, 1, false));
elem!(i16, 2, |dt| fixed(dt, 2, true));
elem!(u16, 2, |dt| fixed(dt, 2, false));
elem!(i32, 4, |dt| fixed(dt, 4, true));
elem!(u32, 4, |dt| fixed(dt, 4, false));
elem!(i64, 8, |dt| fixed(dt, 8, true));
elem!(u64, 8, |dt| fixed(dt, 8, false));
elem!(f32, 4, |dt| float(dt, 4));
elem!(f64, 8, |dt| float(dt, 8));

/// Reusable per-thread decode state.
#[derive(Default)]
struct Scratch {
    raw: Vec<u8>,
    decoded: Vec<u8>,
    inflater: Option<libdeflater::Decompressor>,
}

impl Scratch {
    fn trim(&mut self) {
        for b in [&mut self.raw, &mut self.decoded] {
            if b.capacity() > KEEP_SCRATCH_BYTES {
                *b = Vec::new();
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// How one chunk is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// [fletcher32 check] → [inflate] → copy, un-shuffling the wanted elements if `shuffled`.
    Fast { fletcher: bool, deflate: bool, shuffled: bool },
    /// The vendored filter pipeline, then a plain copy.
    Generic,
}

/// The fast route for a pipeline (write order) given a chunk's filter mask: the active
/// filters must be a subsequence of shuffle, deflate, fletcher32, in that order.
fn route(plan: &ChunkReadPlan, mask: u32) -> Route {
    let mut rank = 0u8;
    let (mut fletcher, mut deflate, mut shuffled) = (false, false, false);
    for (i, f) in plan.filters.iter().enumerate() {
        if i < 32 && mask & (1 << i) != 0 {
            continue;
        }
        let (r, flag) = match f.id {
            FILTER_SHUFFLE => (1, &mut shuffled),
            FILTER_DEFLATE => (2, &mut deflate),
            FILTER_FLETCHER32 => (3, &mut fletcher),
            _ => return Route::Generic,
        };
        if r <= rank {
            return Route::Generic;
        }
        rank = r;
        *flag = true;
    }
    // Shuffling one-byte elements is the identity.
    shuffled &= plan.element_size > 1;
    Route::Fast { fletcher, deflate, shuffled }
}

/// Per-chunk geometry shared by all chunks of one read.
struct Geometry<'a> {
    start: &'a [usize],
    count: &'a [usize],
    chunk: Vec<usize>,
    /// Row-major strides of a chunk and of the result (elements).
    cstride: Vec<usize>,
    ostride: Vec<usize>,
    little: bool,
}

/// Where a file's bytes come from.
enum Bytes {
    /// A local file: positional reads into per-thread buffers.
    File(File),
    /// Any storage (a remote file through the block cache): ranges fetched per batch.
    Storage(DynStorage),
}

/// Encoded bytes fetched per batch from a storage (bounds memory for large requests).
const BATCH_BYTES: u64 = 256 << 20;
/// Chunks closer than this are fetched in one range (the gap is read and discarded).
const COALESCE_GAP: u64 = 1 << 20;
/// The longest coalesced range.
const MAX_RANGE: u64 = 32 << 20;
/// Ranges fetched at once (network latency, not CPU, is the limit).
const FETCH_THREADS: usize = 8;

/// A fetched range (offset, bytes) or its error, numbered by its place in the request.
type Numbered = (usize, Result<(u64, StorageBuffer)>);

/// The encoded bytes of a batch of chunks, as a few coalesced ranges sorted by offset.
pub(crate) struct Fetched {
    ranges: Vec<(u64, StorageBuffer)>,
}

impl Fetched {
    /// Fetches the byte ranges of `chunks` from `storage` (length `len`), coalescing ranges at
    /// most [`COALESCE_GAP`] apart up to [`MAX_RANGE`], several ranges at once.
    fn get<'a>(storage: &DynStorage, len: u64, chunks: impl Iterator<Item = &'a ChunkLocation>) -> Result<Fetched> {
        let mut want: Vec<(u64, u64)> = Vec::new();
        for c in chunks.filter(|c| c.size > 0) {
            let end = c.storage_offset.checked_add(c.size as u64).ok_or(Error::OffsetOutOfBounds(c.storage_offset))?;
            if end > len {
                return Err(Error::UnexpectedEof {
                    offset: c.storage_offset,
                    needed: c.size as u64,
                    available: len.saturating_sub(c.storage_offset),
                });
            }
            want.push((c.storage_offset, end));
        }
        want.sort_unstable();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for (a, b) in want {
            match runs.last_mut() {
                Some(r) if a <= r.1.saturating_add(COALESCE_GAP) && b.max(r.1) - r.0 <= MAX_RANGE => r.1 = r.1.max(b),
                _ => runs.push((a, b)),
            }
        }
        let read = |&(a, b): &(u64, u64)| -> Result<(u64, StorageBuffer)> {
            let n = usize::try_from(b - a).map_err(|_| Error::OffsetOutOfBounds(a))?;
            Ok((a, storage.read_range(a, n)?))
        };
        let ranges = if runs.len() <= 1 {
            runs.iter().map(read).collect::<Result<Vec<_>>>()?
        } else {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let results: Vec<Vec<Numbered>> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..runs.len().min(FETCH_THREADS))
                    .map(|_| {
                        scope.spawn(|| {
                            let mut got = Vec::new();
                            loop {
                                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                let Some(r) = runs.get(i) else { break };
                                let res = read(r);
                                let failed = res.is_err();
                                got.push((i, res));
                                if failed {
                                    break;
                                }
                            }
                            got
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| {
                        w.join().unwrap_or_else(|_| vec![(0, Err(Error::InvalidData("range fetch panicked".into())))])
                    })
                    .collect()
            });
            let mut all: Vec<Numbered> = results.into_iter().flatten().collect();
            all.sort_by_key(|(i, _)| *i);
            all.into_iter().map(|(_, r)| r).collect::<Result<Vec<_>>>()?
        };
        Ok(Fetched { ranges })
    }

    /// The `size` bytes at `offset`, if fetched.
    fn slice(&self, offset: u64, size: usize) -> Option<&[u8]> {
        if size == 0 {
            return Some(&[]);
        }
        let i = self.ranges.partition_point(|(a, _)| *a <= offset).checked_sub(1)?;
        let (a, buf) = &self.ranges[i];
        let lo = usize::try_from(offset - a).ok()?;
        buf.get(lo..lo.checked_add(size)?)
    }
}

/// The chunked NetCDF-4 variables of one file.
pub(crate) struct ChunkReader {
    bytes: Bytes,
    len: u64,
    hdf5: Hdf5File,
    datasets: Mutex<HashMap<String, Dataset>>,
}

impl ChunkReader {
    /// Opens the HDF5 structure of `path` (superblock and root group; no data). Its own
    /// decoded-chunk cache is kept small: this reader does not use it.
    pub(crate) fn open(path: &Path) -> Result<ChunkReader> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        let hdf5 =
            Hdf5File::open_with_options(path, hdf5_reader::OpenOptions::default().with_chunk_cache_bytes(1 << 20))?;
        Ok(ChunkReader { bytes: Bytes::File(file), len, hdf5, datasets: Mutex::new(HashMap::new()) })
    }

    /// Opens the HDF5 structure of the file in `storage` (a remote file, say).
    pub(crate) fn from_storage(storage: DynStorage) -> Result<ChunkReader> {
        let len = storage.len();
        let hdf5 = Hdf5File::from_storage_with_options(
            storage.clone(),
            hdf5_reader::OpenOptions::default().with_chunk_cache_bytes(1 << 20),
        )?;
        Ok(ChunkReader { bytes: Bytes::Storage(storage), len, hdf5, datasets: Mutex::new(HashMap::new()) })
    }

    /// The chunk shape of variable `name`, when it is chunked.
    pub(crate) fn chunk_shape(&self, name: &str) -> Option<Vec<usize>> {
        let c = self.dataset(name).ok()?.chunks()?;
        c.into_iter().map(|x| usize::try_from(x).ok()).collect()
    }

    fn dataset(&self, name: &str) -> Result<Dataset> {
        let mut map = self.datasets.lock().map_err(|_| Error::InvalidData("dataset cache poisoned".into()))?;
        if let Some(d) = map.get(name) {
            return Ok(d.clone());
        }
        let d = self.hdf5.dataset(name.trim_matches('/'))?;
        map.insert(name.to_string(), d.clone());
        Ok(d)
    }

    /// Reads `start[i]..start[i]+count[i]` of variable `name` (logical shape `shape`), or
    /// `Ok(None)` when the variable is not one this reader handles.
    ///
    /// # Errors
    /// I/O failures, corrupt chunk indexes or chunk data.
    pub(crate) fn read<T: Elem>(
        &self,
        name: &str,
        shape: &[usize],
        start: &[usize],
        count: &[usize],
        spare: Option<Vec<T>>,
    ) -> Result<Option<ArrayD<T>>> {
        // A spare buffer is reused as is: every element is decoded into it, or set to the
        // fill value where chunks are missing (no zeroing of memory about to be overwritten).
        let total: usize = count.iter().product();
        let mut out = spare.unwrap_or_default();
        out.truncate(total);
        out.resize(total, T::default());
        if !self.read_into(name, shape, start, count, &mut out)? {
            return Ok(None);
        }
        ArrayD::from_shape_vec(IxDyn(count), out)
            .map(Some)
            .map_err(|e| Error::InvalidData(format!("array shape error: {e}")))
    }

    /// [`ChunkReader::read`] into `out` (the selection's elements in row-major order); `false`
    /// when the variable is not one this reader handles (`out` untouched).
    ///
    /// # Errors
    /// As [`ChunkReader::read`]; `out` of another length than the selection.
    pub(crate) fn read_into<T: Elem>(
        &self,
        name: &str,
        shape: &[usize],
        start: &[usize],
        count: &[usize],
        out: &mut [T],
    ) -> Result<bool> {
        let ds = self.dataset(name)?;
        let ndim = shape.len();
        if ndim == 0
            || ds.ndim() != ndim
            || ds.shape().iter().zip(shape).any(|(&a, &b)| a != b as u64)
            || !T::matches(ds.dtype())
        {
            return Ok(false);
        }
        let sel = SliceInfo {
            selections: start
                .iter()
                .zip(count)
                .map(|(&s, &c)| SliceInfoElem::Slice { start: s as u64, end: (s + c) as u64, step: 1 })
                .collect(),
        };
        let Some(plan) = ds.chunk_read_plan(&sel)? else {
            return Ok(false);
        };
        let Some(order) = plan.byte_order else {
            return Ok(false);
        };
        if plan.element_size != T::SIZE
            || plan.filters.iter().any(|f| !matches!(f.id, FILTER_SHUFFLE | FILTER_DEFLATE | FILTER_FLETCHER32))
        {
            return Ok(false);
        }
        let little = order == ByteOrder::LittleEndian;
        let fill = match &plan.fill_value {
            None => T::default(),
            Some(b) if b.len() == T::SIZE => T::one(b, little),
            // A fill value of another width tiles the buffer bytewise; leave it to the
            // generic reader.
            Some(_) => return Ok(false),
        };
        let total: usize = count.iter().product();
        if out.len() != total {
            return Err(Error::InvalidData(format!("a buffer of {} elements for {total}", out.len())));
        }
        if total == 0 {
            return Ok(true);
        }
        // Elements of chunks missing from the index are the fill value; the others are all
        // decoded into `out`.
        if !plan.complete {
            out.fill(fill);
        }
        let chunk: Vec<usize> = plan
            .chunk_shape
            .iter()
            .map(|&c| usize::try_from(c).map_err(|_| Error::InvalidData("chunk too large".into())))
            .collect::<Result<_>>()?;
        let geo = Geometry { start, count, cstride: strides(&chunk), ostride: strides(count), chunk, little };
        self.decode_all(&plan, &geo, out)?;
        Ok(true)
    }

    /// Decodes every listed chunk into `out`, groups of chunks with disjoint contiguous
    /// output slabs in parallel.
    fn decode_all<T: Elem>(&self, plan: &ChunkReadPlan, geo: &Geometry<'_>, out: &mut [T]) -> Result<()> {
        let ndim = geo.count.len();
        // Split axis: chunks sharing their grid position on axes 0..=k write one contiguous
        // slab of the result when every axis before k contributes a single index.
        let mut k = 0;
        while k + 1 < ndim && (geo.chunk[k] == 1 || geo.count[k] == 1) {
            k += 1;
        }
        let mut groups: Vec<(&[ChunkLocation], usize, &mut [T])> = Vec::new();
        let mut rest: &mut [T] = out;
        let mut consumed = 0usize;
        let mut i = 0;
        while i < plan.chunks.len() {
            let key = &plan.chunks[i].offsets[..=k];
            let mut j = i + 1;
            while j < plan.chunks.len() && plan.chunks[j].offsets[..=k] == *key {
                j += 1;
            }
            // Slab of this group: axes before k at one index, axis k the chunk's range.
            let mut begin = 0usize;
            for (d, &o) in key.iter().enumerate() {
                let lo = usize::try_from(o).unwrap_or(usize::MAX).max(geo.start[d]);
                begin += (lo - geo.start[d]) * geo.ostride[d];
            }
            let ko = usize::try_from(key[k]).unwrap_or(usize::MAX);
            let lo = ko.max(geo.start[k]);
            let hi = ko.saturating_add(geo.chunk[k]).min(geo.start[k] + geo.count[k]);
            let outside = || Error::InvalidData("chunk outside the selection".into());
            let len = hi.checked_sub(lo).ok_or_else(outside)? * geo.ostride[k];
            if begin < consumed || begin + len > consumed + rest.len() {
                return Err(outside());
            }
            let tail = std::mem::take(&mut rest);
            let (_, tail) = tail.split_at_mut(begin - consumed);
            let (slab, tail) = tail.split_at_mut(len);
            rest = tail;
            consumed = begin + len;
            groups.push((&plan.chunks[i..j], begin, slab));
            i = j;
        }
        let run = |groups: Vec<(&[ChunkLocation], usize, &mut [T])>, fetched: Option<&Fetched>| -> Result<()> {
            let one = |(chunks, base, slab): (&[ChunkLocation], usize, &mut [T])| -> Result<()> {
                SCRATCH.with(|s| {
                    let mut s = s.borrow_mut();
                    let r =
                        chunks.iter().try_for_each(|c| self.decode_chunk(plan, geo, c, base, slab, &mut s, fetched));
                    s.trim();
                    r
                })
            };
            if groups.len() > 1 {
                groups.into_par_iter().try_for_each(one)
            } else {
                groups.into_iter().try_for_each(one)
            }
        };
        let storage = match &self.bytes {
            Bytes::File(_) => return run(groups, None),
            Bytes::Storage(st) => st,
        };
        // Remote: fetch a batch's chunks (coalesced, in parallel), then decode it.
        let encoded = |g: &(&[ChunkLocation], usize, &mut [T])| g.0.iter().map(|c| c.size as u64).sum::<u64>();
        let mut pending = groups;
        while !pending.is_empty() {
            let (mut n, mut bytes) = (0usize, 0u64);
            while n < pending.len() && (n == 0 || bytes + encoded(&pending[n]) <= BATCH_BYTES) {
                bytes += encoded(&pending[n]);
                n += 1;
            }
            let rest = pending.split_off(n);
            let batch = std::mem::replace(&mut pending, rest);
            let fetched = Fetched::get(storage, self.len, batch.iter().flat_map(|g| g.0.iter()))?;
            run(batch, Some(&fetched))?;
        }
        Ok(())
    }

    /// Reads (or takes from `fetched`), decodes and extracts one chunk into `slab` (which
    /// starts at result element `base`).
    #[allow(clippy::too_many_arguments)]
    fn decode_chunk<T: Elem>(
        &self,
        plan: &ChunkReadPlan,
        geo: &Geometry<'_>,
        c: &ChunkLocation,
        base: usize,
        slab: &mut [T],
        s: &mut Scratch,
        fetched: Option<&Fetched>,
    ) -> Result<()> {
        let expected = plan.decoded_chunk_bytes()?;
        let n = expected / plan.element_size;
        // Read the encoded bytes.
        let end = c.storage_offset.checked_add(c.size as u64).ok_or(Error::OffsetOutOfBounds(c.storage_offset))?;
        if end > self.len {
            return Err(Error::UnexpectedEof {
                offset: c.storage_offset,
                needed: c.size as u64,
                available: self.len.saturating_sub(c.storage_offset),
            });
        }
        let raw: &[u8] = match (&self.bytes, fetched) {
            (Bytes::File(file), _) => {
                if s.raw.len() < c.size {
                    s.raw.resize(c.size, 0);
                }
                file.read_exact_at(&mut s.raw[..c.size], c.storage_offset)?;
                &s.raw[..c.size]
            }
            (Bytes::Storage(_), Some(f)) => f
                .slice(c.storage_offset, c.size)
                .ok_or_else(|| Error::InvalidData(format!("chunk at offsets {:?} was not fetched", c.offsets)))?,
            (Bytes::Storage(_), None) => {
                return Err(Error::InvalidData("chunk bytes were not fetched".into()));
            }
        };

        let mut route = route(plan, c.filter_mask);
        if let Route::Fast { fletcher, deflate, shuffled } = route {
            let mut payload = raw;
            if fletcher {
                payload = verify_fletcher32(payload)?;
            }
            if deflate {
                if s.decoded.len() < expected {
                    s.decoded.resize(expected, 0);
                }
                let inflater = s.inflater.get_or_insert_with(libdeflater::Decompressor::new);
                match inflater.zlib_decompress(payload, &mut s.decoded[..expected]) {
                    Ok(got) if got == expected => {
                        return extract(&s.decoded[..expected], shuffled.then_some(n), geo, c, base, slab);
                    }
                    // Anything unusual: the generic pipeline decides (and words the error).
                    _ => route = Route::Generic,
                }
            } else if payload.len() == expected {
                return extract(payload, shuffled.then_some(n), geo, c, base, slab);
            } else {
                route = Route::Generic;
            }
        }
        debug_assert_eq!(route, Route::Generic);
        let decoded = hdf5_reader::filters::apply_pipeline_with_limit(
            raw,
            &plan.filters,
            c.filter_mask,
            plan.element_size,
            None,
            Some(expected.saturating_add(1)),
        )?;
        if decoded.len() != expected {
            return Err(Error::InvalidData(format!(
                "chunk at offsets {:?} decoded to {} bytes, expected {} bytes",
                c.offsets,
                decoded.len(),
                expected
            )));
        }
        extract(&decoded, None, geo, c, base, slab)
    }
}

/// Row-major strides of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// Checks and strips a trailing Fletcher-32 checksum (as `hdf5-reader` does).
fn verify_fletcher32(data: &[u8]) -> Result<&[u8]> {
    if data.len() < 4 {
        return Err(Error::FilterError("data too short for Fletcher-32 checksum".into()));
    }
    let (payload, tail) = data.split_at(data.len() - 4);
    let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    let computed = hdf5_reader::checksum::fletcher32(payload);
    if computed != stored {
        return Err(Error::ChecksumMismatch { expected: stored, actual: computed });
    }
    Ok(payload)
}

/// Copies the part of a decoded chunk (`bytes`, all `chunk` elements; shuffled with `n`
/// elements per byte plane if `shuffled` is set) that lies in the selection into `slab`
/// (the result from element `base` on), one contiguous run at a time.
fn extract<T: Elem>(
    bytes: &[u8],
    shuffled: Option<usize>,
    geo: &Geometry<'_>,
    c: &ChunkLocation,
    base: usize,
    slab: &mut [T],
) -> Result<()> {
    let ndim = geo.count.len();
    // Intersection of the chunk and the selection, in dataset coordinates.
    let mut lo = vec![0usize; ndim];
    let mut hi = vec![0usize; ndim];
    for d in 0..ndim {
        let o = usize::try_from(c.offsets[d]).unwrap_or(usize::MAX);
        lo[d] = o.max(geo.start[d]);
        hi[d] = o.saturating_add(geo.chunk[d]).min(geo.start[d] + geo.count[d]);
        if lo[d] >= hi[d] {
            return Ok(());
        }
    }
    // Trailing axes the chunk and the result both hold whole (and the axis before them)
    // are one contiguous run in both: merged, so a chunk inside the selection is one run.
    let mut last = ndim - 1;
    let mut run = hi[last] - lo[last];
    while last > 0 && hi[last] - lo[last] == geo.chunk[last] && geo.count[last] == geo.chunk[last] {
        last -= 1;
        run *= hi[last] - lo[last];
    }
    let mut idx = lo.clone();
    loop {
        let mut ci = 0usize;
        let mut oi = 0usize;
        for (d, &i) in idx.iter().enumerate() {
            let o = usize::try_from(c.offsets[d]).unwrap_or(0);
            ci += (i - o) * geo.cstride[d];
            oi += (i - geo.start[d]) * geo.ostride[d];
        }
        // In range by construction (validated chunk offsets, exact decoded length); checked
        // anyway so that an inconsistency is an error, not a panic.
        let bad = || Error::InvalidData(format!("chunk at offsets {:?} does not fit", c.offsets));
        let dst = oi.checked_sub(base).and_then(|o| slab.get_mut(o..o + run)).ok_or_else(bad)?;
        match shuffled {
            Some(n) if ci + run <= n && bytes.len() >= n * T::SIZE => {
                gather_run(bytes, n, ci, geo.little, dst);
            }
            Some(_) => return Err(bad()),
            None => {
                let src = bytes.get(ci * T::SIZE..(ci + run) * T::SIZE).ok_or_else(bad)?;
                T::copy_run(src, geo.little, dst);
            }
        }
        // Next run: odometer over the axes before the run's.
        let mut d = last;
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < hi[d] {
                break;
            }
            idx[d] = lo[d];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_matches_unshuffle() {
        let vals: Vec<f32> = (0..10).map(|i| i as f32 * 1.5 - 3.0).collect();
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut shuffled = vec![0u8; bytes.len()];
        for i in 0..10 {
            for b in 0..4 {
                shuffled[b * 10 + i] = bytes[i * 4 + b];
            }
        }
        let mut out = vec![0f32; 4];
        f32::gather_run(&shuffled, 10, 3, true, &mut out);
        assert_eq!(out, vals[3..7]);
        let mut out = vec![0f32; 10];
        f32::copy_run(&bytes, true, &mut out);
        assert_eq!(out, vals);
        let be: Vec<u8> = vals.iter().flat_map(|v| v.to_be_bytes()).collect();
        f32::copy_run(&be, false, &mut out);
        assert_eq!(out, vals);
    }

    #[test]
    fn strides_row_major() {
        assert_eq!(strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(strides(&[5]), vec![1]);
    }
}

#[cfg(test)]
mod index_walk {
    use super::*;
    use hdf5_reader::storage::{FileStorage, Storage};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A file's bytes, counting the reads.
    struct Counting(FileStorage, AtomicUsize);

    impl Storage for Counting {
        fn len(&self) -> u64 {
            self.0.len()
        }
        fn read_range(&self, offset: u64, len: usize) -> Result<StorageBuffer> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.read_range(offset, len)
        }
    }

    /// Reading one step of a variable with thousands of chunks (one per step) reads a few
    /// nodes of its chunk B-tree, not all of them: reading a long file block by block once
    /// walked the whole index per block.
    #[test]
    fn one_step_reads_few_index_nodes() {
        const NT: usize = 6000;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("long.nc");
        {
            let mut f = netcdf::create(&path).expect("create");
            f.add_unlimited_dimension("time").expect("dim");
            f.add_dimension("x", 3).expect("dim");
            let mut v = f.add_variable::<f32>("v", &["time", "x"]).expect("var");
            v.set_chunking(&[1, 3]).expect("chunking");
            v.set_compression(1, true).expect("deflate");
            let vals: Vec<f32> = (0..NT * 3).map(|i| i as f32).collect();
            v.put_values(&vals, (0..NT, ..)).expect("put");
        }
        let counting = Arc::new(Counting(FileStorage::open(&path).expect("storage"), AtomicUsize::new(0)));
        let reader = ChunkReader::from_storage(counting.clone()).expect("open");
        // The dataset's header is read on first use; count the chunk reads after it.
        let _ = reader.read::<f32>("v", &[NT, 3], &[0, 0], &[1, 3], None).expect("read");
        for t in [4321, NT - 1, 17] {
            let before = counting.1.load(Ordering::Relaxed);
            let a =
                reader.read::<f32>("v", &[NT, 3], &[t, 0], &[2.min(NT - t), 3], None).expect("read").expect("chunked");
            let reads = counting.1.load(Ordering::Relaxed) - before;
            assert_eq!(a.iter().next().copied(), Some((t * 3) as f32));
            assert!(reads <= 16, "reading step {t} took {reads} storage reads");
        }
    }
}
