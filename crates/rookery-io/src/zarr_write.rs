//! The Zarr writer: the same interface as [`crate::NcWriter`] (create → write hyperslabs →
//! close/finish), writing a Zarr store directory that `xarray.open_zarr` reads with CF
//! decoding (time, fill values):
//!
//! ```text
//!   v3  zarr.json (group, attributes, inline consolidated metadata)
//!       <var>/zarr.json   shape, data_type, regular chunk grid, fill_value, codecs
//!                         [bytes(little), gzip(1)], dimension_names, attributes
//!                         (_FillValue as xarray writes it: base64 of the bytes for floats)
//!       <var>/c/i/j/k     chunks
//!   v2  .zgroup .zattrs .zmetadata (consolidated)
//!       <var>/.zarray     dtype "<f4", compressor zlib(1), fill_value = _FillValue
//!       <var>/.zattrs     attributes + _ARRAY_DIMENSIONS
//!       <var>/i.j.k       chunks
//! ```
//!
//! Chunks: fields get one time step per chunk (as the NetCDF writer), everything else one
//! chunk for the whole array. A write may cover parts of chunks: partial chunks are kept in
//! memory until complete (or until [`ZarrWriter::close`], where the rest is the fill value).
//! The store is built under a hidden temporary directory name next to the destination and
//! renamed when finished; dropped unfinished, the temporary directory is removed.
//!
//! Char variables are stored as `|S1` (v2) or `uint8` (v3, which has no standard
//! fixed-width byte type); strings as vlen-utf8 (`|O` in v2, `string` in v3).

use crate::write::{Staged, WriteOptions};
use crate::IoError;
use base64::Engine;
use rookery_cf::{Array, AttrValue, DType, Dataset};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Element bytes (little-endian, C order) of a numeric or char array.
pub(crate) fn le_bytes(a: &Array) -> Vec<u8> {
    macro_rules! le {
        ($x:expr) => {
            $x.iter().flat_map(|v| v.to_le_bytes()).collect()
        };
    }
    match a {
        Array::I8(x) => le!(x),
        Array::U8(x) | Array::Char(x) => x.iter().copied().collect(),
        Array::I16(x) => le!(x),
        Array::U16(x) => le!(x),
        Array::I32(x) => le!(x),
        Array::U32(x) => le!(x),
        Array::I64(x) => le!(x),
        Array::U64(x) => le!(x),
        Array::F32(x) => le!(x),
        Array::F64(x) => le!(x),
        Array::Str(x) => vlen_utf8(&x.iter().cloned().collect::<Vec<_>>()),
    }
}

/// numcodecs `vlen-utf8` layout: item count (u32 LE), then per item its length and bytes.
pub(crate) fn vlen_utf8(items: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend((items.len() as u32).to_le_bytes());
    for s in items {
        out.extend((s.len() as u32).to_le_bytes());
        out.extend(s.as_bytes());
    }
    out
}

/// Zarr v2 dtype string (little-endian).
pub(crate) fn v2_dtype(d: DType) -> &'static str {
    match d {
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::U16 => "<u2",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U64 => "<u8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::Char => "|S1",
        DType::Str => "|O",
    }
}

pub(crate) fn v3_dtype(d: DType) -> &'static str {
    match d {
        DType::I8 => "int8",
        DType::U8 | DType::Char => "uint8",
        DType::I16 => "int16",
        DType::U16 => "uint16",
        DType::I32 => "int32",
        DType::U32 => "uint32",
        DType::I64 => "int64",
        DType::U64 => "uint64",
        DType::F32 => "float32",
        DType::F64 => "float64",
        DType::Str => "string",
    }
}

/// A number as JSON; non-finite floats as the strings Zarr uses.
pub(crate) fn num_json(v: f64) -> Value {
    if v.is_nan() {
        json!("NaN")
    } else if v == f64::INFINITY {
        json!("Infinity")
    } else if v == f64::NEG_INFINITY {
        json!("-Infinity")
    } else {
        json!(v)
    }
}

/// A fill value of type `d` as Zarr JSON.
pub(crate) fn fill_json(d: DType, v: f64) -> Value {
    match d {
        DType::F32 | DType::F64 => num_json(v),
        #[allow(clippy::cast_possible_truncation)]
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => json!(v as i64),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        _ => json!(v as u64),
    }
}

/// An attribute value as JSON (single numbers as scalars, as netCDF4-python/xarray see them).
pub(crate) fn attr_json(v: &AttrValue) -> Value {
    fn list<T: Copy>(x: &[T], f: impl Fn(T) -> Value) -> Value {
        if x.len() == 1 {
            f(x[0])
        } else {
            Value::Array(x.iter().map(|&v| f(v)).collect())
        }
    }
    match v {
        AttrValue::Text(s) => json!(s),
        AttrValue::Strings(s) => json!(s),
        AttrValue::I8(x) => list(x, |v| json!(v)),
        AttrValue::U8(x) => list(x, |v| json!(v)),
        AttrValue::I16(x) => list(x, |v| json!(v)),
        AttrValue::U16(x) => list(x, |v| json!(v)),
        AttrValue::I32(x) => list(x, |v| json!(v)),
        AttrValue::U32(x) => list(x, |v| json!(v)),
        AttrValue::I64(x) => list(x, |v| json!(v)),
        AttrValue::U64(x) => list(x, |v| json!(v)),
        AttrValue::F32(x) => list(x, |v| num_json(f64::from(v))),
        AttrValue::F64(x) => list(x, num_json),
    }
}

/// The attributes of a variable or dataset as a JSON object, without `skip`.
pub(crate) fn attrs_json(attrs: &rookery_cf::Attrs, skip: &[&str]) -> Map<String, Value> {
    attrs.iter().filter(|(n, _)| !skip.contains(n)).map(|(n, v)| (n.to_string(), attr_json(v))).collect()
}

/// One element of type `d` with value `v`, little-endian.
pub(crate) fn elem_bytes(d: DType, v: f64) -> Vec<u8> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    match d {
        DType::I8 => (v as i8).to_le_bytes().to_vec(),
        DType::U8 | DType::Char => vec![v as u8],
        DType::I16 => (v as i16).to_le_bytes().to_vec(),
        DType::U16 => (v as u16).to_le_bytes().to_vec(),
        DType::I32 => (v as i32).to_le_bytes().to_vec(),
        DType::U32 => (v as u32).to_le_bytes().to_vec(),
        DType::I64 => (v as i64).to_le_bytes().to_vec(),
        DType::U64 => (v as u64).to_le_bytes().to_vec(),
        DType::F32 => (v as f32).to_le_bytes().to_vec(),
        DType::F64 => v.to_le_bytes().to_vec(),
        DType::Str => Vec::new(),
    }
}

/// The `zarr.json` of variable `v` stored with chunk shape `chunks`: bytes (little-endian)
/// and gzip(1) (vlen-utf8 for strings), `_FillValue` in the attributes as xarray writes it.
pub(crate) fn v3_array(v: &rookery_cf::Variable, chunks: &[usize]) -> Value {
    let fv = v.attrs.get_f64("_FillValue").filter(|_| v.dtype.is_numeric());
    let dims: Vec<&str> = v.dims.iter().map(String::as_str).collect();
    let mut attrs = attrs_json(&v.attrs, &["_FillValue"]);
    let fill = match (v.dtype, fv) {
        (DType::Str, _) => json!(""),
        (d, Some(x)) => fill_json(d, x),
        (DType::F32 | DType::F64, None) => json!("NaN"),
        (_, None) => json!(0),
    };
    if let Some(x) = fv {
        // As xarray writes it for Zarr 3: floats (of any width) as base64 of the
        // little-endian f64 bytes.
        let a = match v.dtype {
            DType::F32 | DType::F64 => json!(base64::engine::general_purpose::STANDARD.encode(x.to_le_bytes())),
            d => fill_json(d, x),
        };
        attrs.insert("_FillValue".into(), a);
    }
    let first = if v.dtype == DType::Str {
        json!({"name": "vlen-utf8"})
    } else {
        json!({"name": "bytes", "configuration": {"endian": "little"}})
    };
    json!({
        "zarr_format": 3,
        "node_type": "array",
        "shape": v.shape,
        "data_type": v3_dtype(v.dtype),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill,
        "codecs": [first, {"name": "gzip", "configuration": {"level": 1}}],
        "attributes": attrs,
        "dimension_names": dims,
        "storage_transformers": [],
    })
}

/// The `.zarray` (zlib(1), little-endian) and `.zattrs` (with `_ARRAY_DIMENSIONS`) of variable
/// `v` stored with chunk shape `chunks`.
pub(crate) fn v2_array(v: &rookery_cf::Variable, chunks: &[usize]) -> (Value, Value) {
    let fv = v.attrs.get_f64("_FillValue").filter(|_| v.dtype.is_numeric());
    let mut attrs = attrs_json(&v.attrs, &["_FillValue"]);
    attrs.insert("_ARRAY_DIMENSIONS".into(), json!(v.dims));
    let zarray = json!({
        "zarr_format": 2,
        "shape": v.shape,
        "chunks": chunks,
        "dtype": v2_dtype(v.dtype),
        "compressor": {"id": "zlib", "level": 1},
        "fill_value": fv.map_or(Value::Null, |x| fill_json(v.dtype, x)),
        "filters": if v.dtype == DType::Str { json!([{"id": "vlen-utf8"}]) } else { Value::Null },
        "order": "C",
        "dimension_separator": ".",
    });
    (zarray, Value::Object(attrs))
}

/// Compresses one chunk as the stores here do: gzip(1) for Zarr 3, zlib(1) for Zarr 2.
pub(crate) fn compress(raw: &[u8], v3: bool) -> std::io::Result<Vec<u8>> {
    let level = flate2::Compression::new(1);
    if v3 {
        let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2), level);
        e.write_all(raw)?;
        e.finish()
    } else {
        let mut e = flate2::write::ZlibEncoder::new(Vec::with_capacity(raw.len() / 2), level);
        e.write_all(raw)?;
        e.finish()
    }
}

struct VarInfo {
    shape: Vec<usize>,
    chunks: Vec<usize>,
    dtype: DType,
    /// One element of the fill value (little-endian).
    fill: Vec<u8>,
}

/// A chunk being assembled: decoded bytes and how many elements are set.
struct Pending {
    data: Vec<u8>,
    set: usize,
}

/// A Zarr store being written.
pub struct ZarrWriter {
    tmp: PathBuf,
    dest: PathBuf,
    v3: bool,
    vars: HashMap<String, VarInfo>,
    pending: HashMap<(String, Vec<usize>), Pending>,
}

impl ZarrWriter {
    /// Creates the store for `ds` (all metadata written; no chunks) under a temporary name
    /// next to `dest`. `v3` selects Zarr format 3 (else 2).
    ///
    /// # Errors
    /// An I/O failure.
    pub fn create(dest: &Path, ds: &Dataset, opts: &WriteOptions, v3: bool) -> Result<ZarrWriter, IoError> {
        let tmp = crate::temp::TempPath::for_dest(dest)?;
        crate::temp::remove_path(tmp.path());
        std::fs::create_dir(tmp.path()).map_err(|e| io_error(dest, &e))?;
        // From here the writer's Drop removes the directory on every error path.
        let mut w =
            ZarrWriter { tmp: tmp.keep(), dest: dest.to_path_buf(), v3, vars: HashMap::new(), pending: HashMap::new() };
        w.define(ds, opts).map_err(|e| io_error(dest, &e))?;
        Ok(w)
    }

    fn define(&mut self, ds: &Dataset, opts: &WriteOptions) -> std::io::Result<()> {
        let root = &self.tmp;
        let gattrs = Value::Object(attrs_json(&ds.attrs, &[]));
        let mut consolidated = Map::new();
        for v in &ds.vars {
            let chunks: Vec<usize> = if v.dtype.is_numeric() {
                crate::write::chunk_shape(v, opts.time_dim.as_deref())
            } else {
                v.shape.iter().map(|&n| n.max(1)).collect()
            };
            let fv = v.attrs.get_f64("_FillValue").filter(|_| v.dtype.is_numeric());
            let dir = root.join(&v.name);
            std::fs::create_dir_all(&dir)?;
            if self.v3 {
                let meta = v3_array(v, &chunks);
                write_json(&dir.join("zarr.json"), &meta)?;
                consolidated.insert(v.name.clone(), meta);
            } else {
                let (zarray, attrs) = v2_array(v, &chunks);
                write_json(&dir.join(".zarray"), &zarray)?;
                write_json(&dir.join(".zattrs"), &attrs)?;
                consolidated.insert(format!("{}/.zarray", v.name), zarray);
                consolidated.insert(format!("{}/.zattrs", v.name), attrs);
            }
            self.vars.insert(
                v.name.clone(),
                VarInfo {
                    shape: v.shape.clone(),
                    chunks,
                    dtype: v.dtype,
                    fill: elem_bytes(v.dtype, fv.unwrap_or(0.0)),
                },
            );
        }
        if self.v3 {
            let meta = json!({
                "zarr_format": 3,
                "node_type": "group",
                "attributes": gattrs,
                "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": consolidated},
            });
            write_json(&root.join("zarr.json"), &meta)?;
        } else {
            let group = json!({"zarr_format": 2});
            write_json(&root.join(".zgroup"), &group)?;
            write_json(&root.join(".zattrs"), &gattrs)?;
            consolidated.insert(".zgroup".into(), group);
            consolidated.insert(".zattrs".into(), gattrs);
            write_json(&root.join(".zmetadata"), &json!({"metadata": consolidated, "zarr_consolidated_format": 1}))?;
        }
        Ok(())
    }

    /// Writes `data` at `start` into variable `var`.
    ///
    /// # Errors
    /// Unknown variable, selection outside the variable, type mismatch, I/O failure.
    pub fn write(&mut self, var: &str, start: &[usize], data: &Array) -> Result<(), IoError> {
        let werr = |msg: String| IoError::Write { path: self.dest.clone(), msg };
        let info = self.vars.get(var).ok_or_else(|| werr(format!("no variable {var} in the output")))?;
        let shape = data.shape();
        if shape.contains(&0) {
            return Ok(());
        }
        let nd = info.shape.len();
        let start: Vec<usize> = if start.is_empty() { vec![0; nd] } else { start.to_vec() };
        if start.len() != nd
            || shape.len() != nd
            || (0..nd).any(|d| start[d] + shape[d] > info.shape[d])
            || (data.dtype() != info.dtype && !(info.dtype == DType::Char && data.dtype() == DType::U8))
        {
            return Err(werr(format!(
                "variable {var}: cannot write {:?} {} at {start:?} into shape {:?}",
                shape,
                data.dtype().cdl_name(),
                info.shape
            )));
        }
        if info.dtype == DType::Str {
            if start.iter().any(|&s| s != 0) || shape != info.shape {
                return Err(werr(format!("variable {var}: strings must be written whole")));
            }
            let key = self.chunk_key(var, &vec![0; nd]);
            let bytes = le_bytes(data);
            return self.store(&key, &bytes).map_err(|e| io_error(&self.dest, &e));
        }
        let esize = info.dtype.size();
        let bytes = le_bytes(data);
        let chunks = info.chunks.clone();
        let ashape = info.shape.clone();
        let fill = info.fill.clone();
        // Chunk grid range touched by the write.
        let lo: Vec<usize> = (0..nd).map(|d| start[d] / chunks[d]).collect();
        let hi: Vec<usize> = (0..nd).map(|d| (start[d] + shape[d] - 1) / chunks[d]).collect();
        let mut idx = lo.clone();
        let chunk_elems: usize = chunks.iter().product();
        loop {
            // Intersection of this chunk with the write, in array coordinates.
            let c0: Vec<usize> = (0..nd).map(|d| (idx[d] * chunks[d]).max(start[d])).collect();
            let c1: Vec<usize> = (0..nd).map(|d| ((idx[d] + 1) * chunks[d]).min(start[d] + shape[d])).collect();
            let n: usize = (0..nd).map(|d| c1[d] - c0[d]).product();
            let valid: usize =
                (0..nd).map(|d| ((idx[d] + 1) * chunks[d]).min(ashape[d]) - idx[d] * chunks[d]).product();
            let k = (var.to_string(), idx.clone());
            let p = self.pending.entry(k.clone()).or_insert_with(|| Pending { data: fill.repeat(chunk_elems), set: 0 });
            copy_region(&bytes, &shape, &start, &mut p.data, &chunks, &idx, &c0, &c1, esize);
            p.set += n;
            if p.set >= valid {
                if let Some(p) = self.pending.remove(&k) {
                    let key = self.chunk_key(var, &idx);
                    self.store(&key, &p.data).map_err(|e| io_error(&self.dest, &e))?;
                }
            }
            // Next chunk (odometer).
            let mut d = nd;
            loop {
                if d == 0 {
                    return Ok(());
                }
                d -= 1;
                idx[d] += 1;
                if idx[d] <= hi[d] {
                    break;
                }
                idx[d] = lo[d];
            }
        }
    }

    fn chunk_key(&self, var: &str, idx: &[usize]) -> PathBuf {
        let mut p = self.tmp.join(var);
        if self.v3 {
            p.push("c");
            for i in idx {
                p.push(i.to_string());
            }
        } else if idx.is_empty() {
            p.push("0");
        } else {
            p.push(idx.iter().map(ToString::to_string).collect::<Vec<_>>().join("."));
        }
        p
    }

    /// Compresses and writes one chunk.
    fn store(&self, path: &Path, raw: &[u8]) -> std::io::Result<()> {
        let enc = compress(raw, self.v3)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, enc)
    }

    /// Writes the partial chunks left and closes the store, still under its temporary name;
    /// [`Staged::commit`] renames it.
    ///
    /// # Errors
    /// I/O failure (the temporary directory is then removed).
    pub fn close(mut self) -> Result<Staged, IoError> {
        let pending = std::mem::take(&mut self.pending);
        for ((var, idx), p) in pending {
            let key = self.chunk_key(&var, &idx);
            self.store(&key, &p.data).map_err(|e| io_error(&self.dest, &e))?;
        }
        Ok(Staged::new(std::mem::take(&mut self.tmp), std::mem::take(&mut self.dest)))
    }

    /// Closes the store and renames it to its final name.
    ///
    /// # Errors
    /// As [`ZarrWriter::close`], or a rename failure.
    pub fn finish(self) -> Result<PathBuf, IoError> {
        self.close()?.commit()
    }
}

impl Drop for ZarrWriter {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            crate::temp::remove_path(&self.tmp);
        }
    }
}

/// A failed file write of the store at `dest`: [`IoError::DiskFull`] for want of space.
fn io_error(dest: &Path, e: &std::io::Error) -> IoError {
    if crate::space::is_no_space(e) {
        crate::write::disk_full(dest)
    } else {
        IoError::Write { path: dest.to_path_buf(), msg: e.to_string() }
    }
}

fn write_json(path: &Path, v: &Value) -> std::io::Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(std::io::Error::other)?;
    std::fs::write(path, s)
}

/// Copies the region `c0..c1` of a write (`src`: `shape` elements at `start`) into the chunk
/// buffer of chunk `idx`, one run along the last axis at a time.
#[allow(clippy::too_many_arguments)]
pub(crate) fn copy_region(
    src: &[u8],
    shape: &[usize],
    start: &[usize],
    dst: &mut [u8],
    chunks: &[usize],
    idx: &[usize],
    c0: &[usize],
    c1: &[usize],
    esize: usize,
) {
    let nd = shape.len();
    if nd == 0 {
        dst[..esize].copy_from_slice(&src[..esize]);
        return;
    }
    let sstride = strides(shape);
    let cstride = strides(chunks);
    let last = nd - 1;
    let run = (c1[last] - c0[last]) * esize;
    let mut pos = c0.to_vec();
    loop {
        let mut si = 0;
        let mut di = 0;
        for d in 0..nd {
            si += (pos[d] - start[d]) * sstride[d];
            di += (pos[d] - idx[d] * chunks[d]) * cstride[d];
        }
        dst[di * esize..di * esize + run].copy_from_slice(&src[si * esize..si * esize + run]);
        let mut d = last;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            pos[d] += 1;
            if pos[d] < c1[d] {
                break;
            }
            pos[d] = c0[d];
        }
    }
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}
