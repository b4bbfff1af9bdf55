//! NetCDF-4 output chunks compressed on all cores and stored pre-compressed.
//!
//! libnetcdf defines every variable (same chunk shape, shuffle + deflate filters as always) and
//! writes the small ones; the chunks of a variable chunked whole along every dimension but the
//! first (fields: one time step per chunk) are assembled here from the rows the caller writes,
//! shuffled and deflated (libdeflate's zlib format, the level asked for) in batches on all
//! cores, and handed to HDF5 as they are ([`crate::h5direct`]). Readers cannot tell the
//! difference: the filters recorded in the file are the ones applied.
//!
//! Memory is bounded: complete chunks wait until about [`BATCH_BYTES`] are ready, and a chunk
//! is held only while some of its rows are still to come.

use crate::h5direct::{H5Dataset, H5Error, H5File, FILTER_DEFLATE, FILTER_SHUFFLE};
use libdeflater::{CompressionLvl, Compressor};
use rayon::prelude::*;
use rookery_cf::{Array, AttrValue, DType, Dataset, Variable};
use std::collections::BTreeMap;
use std::path::Path;

/// Raw bytes of complete chunks gathered before they are compressed together (a few chunks
/// per core; peak memory stays within a few times this per output file).
const BATCH_BYTES: usize = 8 << 20;

/// A failed direct chunk write.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ChunkError {
    /// An HDF5 call failed; the errno it left.
    #[error("{0}")]
    H5(H5Error, Option<i32>),
    /// libdeflate refused (an output bound too small: cannot happen with its own bound).
    #[error("deflate failed on a chunk of {0}")]
    Compress(String),
}

/// One variable written chunk by chunk.
struct DirectVar {
    name: String,
    ds: H5Dataset,
    dtype: DType,
    /// Length of the first dimension in the output.
    len0: usize,
    /// Chunk length along the first dimension.
    ct: usize,
    /// The other dimensions (whole in every chunk).
    rest: Vec<usize>,
    /// Bytes of one index along the first dimension.
    row_bytes: usize,
    /// One element of the variable's fill value (HDF5's fill for rows never written).
    fill: Vec<u8>,
    /// Current extent of the first dimension in the file.
    extent0: u64,
    /// Chunks with some rows still to come: buffer and which rows are in.
    pending: BTreeMap<usize, (Vec<u8>, Vec<bool>)>,
    /// Written through libnetcdf from some point on (a write this path cannot take).
    off: bool,
}

/// A complete chunk waiting to be compressed.
struct Ready {
    var: usize,
    chunk: usize,
    rows: usize,
    raw: Vec<u8>,
}

/// The variables of one output written as pre-compressed chunks.
pub(crate) struct DirectChunks {
    // Datasets are closed before the file (fields drop in order).
    vars: Vec<DirectVar>,
    ready: Vec<Ready>,
    ready_bytes: usize,
    level: CompressionLvl,
    shuffle: bool,
    _file: H5File,
}

/// Whether `v` can be written chunk by chunk: numeric, chunked `chunks` whole along every
/// dimension but the first, not named like a dimension (libnetcdf stores those differently),
/// no empty dimension.
fn eligible(v: &Variable, chunks: &[usize], ds: &Dataset) -> bool {
    v.dtype.is_numeric()
        && !v.shape.is_empty()
        && v.shape.iter().all(|&n| n > 0)
        && chunks.len() == v.shape.len()
        && chunks[1..] == v.shape[1..]
        && ds.dim(&v.name).is_none()
        && v.dims[1..].iter().all(|d| ds.dim(d).is_some_and(|d| !d.unlimited))
}

impl DirectChunks {
    /// Opens the eligible variables of `ds` in the file at `path` (defined by libnetcdf with
    /// chunk shapes `chunks(v)`, deflate `level` and `shuffle`, and flushed). `None` when no
    /// variable qualifies; a variable whose stored layout is not the expected one is left to
    /// libnetcdf.
    pub(crate) fn open(
        path: &Path,
        ds: &Dataset,
        level: i32,
        shuffle: bool,
        chunks: impl Fn(&Variable) -> Vec<usize>,
    ) -> Result<Option<DirectChunks>, ChunkError> {
        let Ok(lvl) = CompressionLvl::new(level) else { return Ok(None) };
        let want: Vec<(&Variable, Vec<usize>)> =
            ds.vars.iter().map(|v| (v, chunks(v))).filter(|(v, c)| eligible(v, c, ds)).collect();
        if want.is_empty() {
            return Ok(None);
        }
        let file = H5File::open_rw(path).map_err(h5)?;
        let filters = if shuffle { vec![FILTER_SHUFFLE, FILTER_DEFLATE] } else { vec![FILTER_DEFLATE] };
        let mut vars = Vec::new();
        for (v, c) in want {
            let d = file.dataset(&v.name).map_err(h5)?;
            let layout = d.layout().map_err(h5)?;
            let chunks64: Vec<u64> = c.iter().map(|&n| n as u64).collect();
            if layout.elem_size != v.dtype.size() || layout.chunks != chunks64 || layout.filters != filters {
                tracing::debug!("{}: stored layout {layout:?}, written through libnetcdf", v.name);
                continue;
            }
            let extent0 = d.extent().map_err(h5)?.first().copied().unwrap_or(0);
            let fv = v.attrs.get("_FillValue").and_then(AttrValue::as_f64);
            vars.push(DirectVar {
                name: v.name.clone(),
                ds: d,
                dtype: v.dtype,
                len0: v.shape[0],
                ct: c[0],
                rest: v.shape[1..].to_vec(),
                row_bytes: v.shape[1..].iter().product::<usize>() * v.dtype.size(),
                fill: fill_bytes(v.dtype, fv),
                extent0,
                pending: BTreeMap::new(),
                off: false,
            });
        }
        if vars.is_empty() {
            return Ok(None);
        }
        Ok(Some(DirectChunks { vars, ready: Vec::new(), ready_bytes: 0, level: lvl, shuffle, _file: file }))
    }

    /// Writes `data` at `start` into `var` when this path can (the variable is written chunk
    /// by chunk and `data` covers whole rows of it, in its own type); `Ok(false)` when the
    /// caller must write it through libnetcdf — after everything this path held of the
    /// variable has been stored, so both kinds of writes land in order.
    pub(crate) fn write(&mut self, var: &str, start: &[usize], data: &Array) -> Result<bool, ChunkError> {
        let Some(i) = self.vars.iter().position(|v| v.name == var && !v.off) else { return Ok(false) };
        let v = &self.vars[i];
        let shape = data.shape();
        let fits = data.dtype() == v.dtype
            && start.len() == shape.len()
            && shape.len() == v.rest.len() + 1
            && start[1..].iter().all(|&s| s == 0)
            && shape[1..] == v.rest[..]
            && start[0] + shape[0] <= v.len0;
        if !fits {
            self.vars[i].off = true;
            let pending = std::mem::take(&mut self.vars[i].pending);
            for (c, (raw, _)) in pending {
                self.push_ready(i, c, raw);
            }
            self.flush()?;
            return Ok(false);
        }
        let (s0, n) = (start[0], shape[0]);
        // In C order once, not per chunk.
        let standard = to_standard(data);
        let data = standard.as_ref().unwrap_or(data);
        let mut r = s0;
        while r < s0 + n {
            let v = &mut self.vars[i];
            let (ct, rb) = (v.ct, v.row_bytes);
            let c = r / ct;
            let (lo, hi) = (c * ct, ((c + 1) * ct).min(v.len0));
            let end = hi.min(s0 + n);
            let row_elems = rb / v.dtype.size();
            let elems = ((r - s0) * row_elems, (end - s0) * row_elems);
            if r == lo && end == hi && !v.pending.contains_key(&c) {
                let mut raw = Vec::with_capacity(ct * rb);
                extend_le(&mut raw, data, elems);
                pad(&mut raw, ct * rb, &v.fill);
                self.push_ready(i, c, raw);
            } else {
                let fill = v.fill.clone();
                let (buf, got) = v.pending.entry(c).or_insert_with(|| {
                    let mut b = Vec::with_capacity(ct * rb);
                    pad(&mut b, ct * rb, &fill);
                    (b, vec![false; hi - lo])
                });
                let mut src = Vec::with_capacity((end - r) * rb);
                extend_le(&mut src, data, elems);
                buf[(r - lo) * rb..(end - lo) * rb].copy_from_slice(&src);
                got[r - lo..end - lo].iter_mut().for_each(|g| *g = true);
                if got.iter().all(|&g| g) {
                    let (raw, _) = v.pending.remove(&c).unwrap_or_default();
                    self.push_ready(i, c, raw);
                }
            }
            r = end;
            if self.ready_bytes >= BATCH_BYTES {
                self.flush()?;
            }
        }
        Ok(true)
    }

    fn push_ready(&mut self, var: usize, chunk: usize, raw: Vec<u8>) {
        let v = &self.vars[var];
        let rows = ((chunk + 1) * v.ct).min(v.len0) - chunk * v.ct;
        self.ready_bytes += raw.len();
        self.ready.push(Ready { var, chunk, rows, raw });
    }

    /// Stores everything still held: chunks with rows never written keep the fill value there,
    /// as HDF5 would have.
    pub(crate) fn finish(&mut self) -> Result<(), ChunkError> {
        for i in 0..self.vars.len() {
            let pending = std::mem::take(&mut self.vars[i].pending);
            for (c, (raw, _)) in pending {
                self.push_ready(i, c, raw);
            }
        }
        self.flush()
    }

    /// Compresses the ready chunks on all cores and stores them.
    fn flush(&mut self) -> Result<(), ChunkError> {
        let batch = std::mem::take(&mut self.ready);
        self.ready_bytes = 0;
        if batch.is_empty() {
            return Ok(());
        }
        let (lvl, shuffle) = (self.level, self.shuffle);
        let vars = &self.vars;
        let encoded: Vec<Result<Vec<u8>, ChunkError>> = batch
            .par_iter()
            .map_init(
                || Compressor::new(lvl),
                |c, r| {
                    let v = &vars[r.var];
                    encode(c, &r.raw, v.dtype.size(), shuffle).ok_or_else(|| ChunkError::Compress(v.name.clone()))
                },
            )
            .collect();
        for (r, e) in batch.iter().zip(encoded) {
            let bytes = e?;
            let v = &mut self.vars[r.var];
            let lo = r.chunk * v.ct;
            let end = (lo + r.rows) as u64;
            if end > v.extent0 {
                let mut dims = vec![end];
                dims.extend(v.rest.iter().map(|&n| n as u64));
                v.ds.set_extent(&dims).map_err(h5)?;
                v.extent0 = end;
            }
            let mut offset = vec![lo as u64];
            offset.extend(std::iter::repeat_n(0, v.rest.len()));
            v.ds.write_chunk(&offset, &bytes).map_err(h5)?;
        }
        Ok(())
    }
}

fn h5(e: H5Error) -> ChunkError {
    ChunkError::H5(e, crate::space::last_errno())
}

/// `raw` shuffled (HDF5's shuffle filter: byte planes, when there are at least two elements of
/// two or more bytes) if asked, then zlib-deflated.
fn encode(c: &mut Compressor, raw: &[u8], elem: usize, shuffle: bool) -> Option<Vec<u8>> {
    let shuffled;
    let input = if shuffle && elem > 1 && raw.len() / elem > 1 {
        shuffled = shuffle_bytes(raw, elem);
        &shuffled[..]
    } else {
        raw
    };
    let mut out = vec![0u8; c.zlib_compress_bound(input.len())];
    let n = c.zlib_compress(input, &mut out).ok()?;
    out.truncate(n);
    Some(out)
}

/// HDF5's byte shuffle: byte `j` of element `i` goes to `j * n + i`; trailing bytes that do not
/// fill an element stay at the end.
pub(crate) fn shuffle_bytes(raw: &[u8], elem: usize) -> Vec<u8> {
    let n = raw.len() / elem;
    let mut out = vec![0u8; raw.len()];
    for (j, plane) in out[..n * elem].chunks_exact_mut(n).enumerate() {
        for (o, e) in plane.iter_mut().zip(raw.chunks_exact(elem)) {
            *o = e[j];
        }
    }
    out[n * elem..].copy_from_slice(&raw[n * elem..]);
    out
}

/// Extends `buf` to `len` bytes with repeats of `fill`.
fn pad(buf: &mut Vec<u8>, len: usize, fill: &[u8]) {
    while buf.len() < len {
        let k = fill.len().min(len - buf.len());
        buf.extend_from_slice(&fill[..k]);
    }
}

/// `a` in C order, or `None` when it already is.
fn to_standard(a: &Array) -> Option<Array> {
    macro_rules! standard {
        ($v:ident, $x:expr) => {
            (!$x.is_standard_layout()).then(|| Array::$v($x.as_standard_layout().into_owned()))
        };
    }
    match a {
        Array::I8(x) => standard!(I8, x),
        Array::U8(x) => standard!(U8, x),
        Array::Char(x) => standard!(Char, x),
        Array::I16(x) => standard!(I16, x),
        Array::U16(x) => standard!(U16, x),
        Array::I32(x) => standard!(I32, x),
        Array::U32(x) => standard!(U32, x),
        Array::I64(x) => standard!(I64, x),
        Array::U64(x) => standard!(U64, x),
        Array::F32(x) => standard!(F32, x),
        Array::F64(x) => standard!(F64, x),
        Array::Str(x) => standard!(Str, x),
    }
}

/// Appends the little-endian bytes of elements `lo..hi` (in C order) of `a` to `out`.
fn extend_le(out: &mut Vec<u8>, a: &Array, (lo, hi): (usize, usize)) {
    macro_rules! le {
        ($x:expr, $n:expr) => {{
            let s = $x.as_standard_layout();
            let at = out.len();
            out.resize(at + (hi - lo) * $n, 0);
            if let Some(vals) = s.as_slice() {
                for (o, v) in out[at..].chunks_exact_mut($n).zip(&vals[lo..hi]) {
                    o.copy_from_slice(&v.to_le_bytes());
                }
            } else {
                for (o, v) in out[at..].chunks_exact_mut($n).zip(s.iter().skip(lo)) {
                    o.copy_from_slice(&v.to_le_bytes());
                }
            }
        }};
    }
    match a {
        Array::I8(x) => le!(x, 1),
        Array::U8(x) | Array::Char(x) => le!(x, 1),
        Array::I16(x) => le!(x, 2),
        Array::U16(x) => le!(x, 2),
        Array::I32(x) => le!(x, 4),
        Array::U32(x) => le!(x, 4),
        Array::I64(x) => le!(x, 8),
        Array::U64(x) => le!(x, 8),
        Array::F32(x) => le!(x, 4),
        Array::F64(x) => le!(x, 8),
        Array::Str(_) => {}
    }
}

/// One element of the fill value libnetcdf gives a variable of type `d`: its `_FillValue`
/// (converted as the writer defines it) or the netCDF default fill of the type.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn fill_bytes(d: DType, fv: Option<f64>) -> Vec<u8> {
    if let Some(v) = fv {
        return match AttrValue::scalar_of(d, v) {
            AttrValue::I8(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::U8(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::I16(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::U16(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::I32(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::U32(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::I64(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::U64(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::F32(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::F64(x) => x[0].to_le_bytes().to_vec(),
            AttrValue::Text(_) | AttrValue::Strings(_) => vec![0; d.size()],
        };
    }
    match d {
        DType::I8 => (-127i8).to_le_bytes().to_vec(),
        DType::U8 => vec![255],
        DType::Char | DType::Str => vec![0],
        DType::I16 => (-32767i16).to_le_bytes().to_vec(),
        DType::U16 => 65535u16.to_le_bytes().to_vec(),
        DType::I32 => (-2_147_483_647i32).to_le_bytes().to_vec(),
        DType::U32 => 4_294_967_295u32.to_le_bytes().to_vec(),
        DType::I64 => (-9_223_372_036_854_775_806i64).to_le_bytes().to_vec(),
        DType::U64 => 18_446_744_073_709_551_614u64.to_le_bytes().to_vec(),
        DType::F32 => 9.969_21e36_f32.to_le_bytes().to_vec(),
        DType::F64 => 9.969_209_968_386_869e36f64.to_le_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_is_hdf5s_byte_planes() {
        let raw: Vec<u8> = (0..10).collect();
        // Two 4-byte elements, then two trailing bytes kept in place.
        assert_eq!(shuffle_bytes(&raw, 4), vec![0, 4, 1, 5, 2, 6, 3, 7, 8, 9]);
    }
}
