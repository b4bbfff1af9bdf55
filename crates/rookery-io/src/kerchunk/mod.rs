//! Kerchunk references: the byte ranges of NetCDF chunks as a Zarr v2 store that fsspec's
//! `ReferenceFileSystem` (and rookery itself) can read without the original format.
//!
//! ```text
//!   NetCDF-4 file ──hdf.rs──┐   per variable: .zarray (compressor null, filters
//!   NetCDF-3 file ──nc3.rs──┴─► FileRefs       [shuffle, zlib] as kerchunk writes them),
//!                               │              .zattrs (+ _ARRAY_DIMENSIONS), chunk refs
//!        several files ─combine.rs─► one FileRefs concatenated along time
//!                               │
//!                               └─out.rs──► JSON v1 (.json, .json.zst) or Parquet (refs.parq/)
//! ```
//!
//! Chunk keys follow kerchunk: `<var>/<i.j.k>` from the chunk grid position; chunks never
//! written have no key; chunks smaller than the inline threshold are embedded. Variables
//! whose encoding cannot be expressed (other HDF5 filters, per-chunk filter masks, strings,
//! chars, padded unlimited extents) are read and embedded uncompressed when smaller than
//! [`MAX_INLINE_VAR`], else they are an error naming the file and the variable.

mod combine;
mod hdf;
mod nc3;
mod out;

pub use combine::{combine, combine_with_progress};
pub use out::{parquet_rows, write, DEFAULT_RECORD_SIZE};

use crate::zarr_write::{attrs_json, fill_json, le_bytes, v2_dtype};
use crate::{IoError, NcSource, Source};
use rookery_cf::{DType, Variable};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Variables read and embedded (because their encoding cannot be referenced) may be at most
/// this many bytes.
pub const MAX_INLINE_VAR: usize = 1 << 20;

/// How to build references.
#[derive(Clone, Debug)]
pub struct RefOptions {
    /// Chunks smaller than this many bytes are embedded (kerchunk's default: 500).
    pub inline_threshold: usize,
    /// Replaces the directory of each file path in the references (e.g.
    /// `https://node/thredds/fileServer/cmip6/...`); `None`: absolute local paths.
    pub url_prefix: Option<String>,
}

impl Default for RefOptions {
    fn default() -> Self {
        RefOptions { inline_threshold: 500, url_prefix: None }
    }
}

/// One chunk's data.
#[derive(Clone, Debug, PartialEq)]
pub enum Chunk {
    /// `size` bytes at `offset` of `path`.
    Range {
        /// File path or URL.
        path: String,
        /// Byte offset.
        offset: u64,
        /// Byte count.
        size: u64,
    },
    /// Embedded bytes.
    Inline(Vec<u8>),
}

/// The references of one variable.
#[derive(Clone, Debug)]
pub struct VarRefs {
    /// Variable name (the Zarr array path).
    pub name: String,
    /// `.zarray` document.
    pub zarray: Map<String, Value>,
    /// `.zattrs` document (with `_ARRAY_DIMENSIONS`).
    pub zattrs: Map<String, Value>,
    /// Chunks by grid position (empty for a scalar).
    pub chunks: BTreeMap<Vec<u64>, Chunk>,
}

impl VarRefs {
    /// Array shape from `.zarray`.
    #[must_use]
    pub fn shape(&self) -> Vec<u64> {
        json_u64s(&self.zarray["shape"])
    }

    /// Chunk shape from `.zarray`.
    #[must_use]
    pub fn chunk_shape(&self) -> Vec<u64> {
        json_u64s(&self.zarray["chunks"])
    }

    /// The Zarr key of a chunk.
    #[must_use]
    pub fn key(&self, idx: &[u64]) -> String {
        if idx.is_empty() {
            format!("{}/0", self.name)
        } else {
            let parts: Vec<String> = idx.iter().map(ToString::to_string).collect();
            format!("{}/{}", self.name, parts.join("."))
        }
    }
}

fn json_u64s(v: &Value) -> Vec<u64> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default()
}

/// The references of one dataset (one file, or several combined).
#[derive(Clone, Debug)]
pub struct FileRefs {
    /// Global attributes (root `.zattrs`).
    pub attrs: Map<String, Value>,
    /// Variables in file order.
    pub vars: Vec<VarRefs>,
}

impl FileRefs {
    /// All keys and values as kerchunk's `refs` mapping: metadata documents as JSON text,
    /// chunk references as `[path, offset, size]`, embedded chunks as text or `base64:`.
    #[must_use]
    pub fn to_refs(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(".zgroup".into(), json!(r#"{"zarr_format":2}"#));
        m.insert(".zattrs".into(), json!(Value::Object(self.attrs.clone()).to_string()));
        for v in &self.vars {
            m.insert(format!("{}/.zarray", v.name), json!(Value::Object(v.zarray.clone()).to_string()));
            m.insert(format!("{}/.zattrs", v.name), json!(Value::Object(v.zattrs.clone()).to_string()));
            for (idx, c) in &v.chunks {
                m.insert(v.key(idx), chunk_json(c));
            }
        }
        m
    }
}

/// A chunk as a JSON v1 value.
pub(crate) fn chunk_json(c: &Chunk) -> Value {
    match c {
        Chunk::Range { path, offset, size } => json!([path, offset, size]),
        Chunk::Inline(b) => match std::str::from_utf8(b) {
            // As kerchunk: valid UTF-8 as text, anything else base64 (text that itself
            // starts with "base64:" must be encoded too).
            Ok(s) if !s.starts_with("base64:") => json!(s),
            _ => {
                use base64::Engine;
                json!(format!("base64:{}", base64::engine::general_purpose::STANDARD.encode(b)))
            }
        },
    }
}

/// References for one NetCDF file (classic or NetCDF-4): a local path, or an `http(s)://`
/// URL read through the context (egress policy, block cache), which is then the chunks'
/// target.
///
/// # Errors
/// Not a NetCDF file, read failures, or a variable that can be neither referenced nor
/// embedded.
pub fn references(io: &crate::IoContext, path: &Path, opts: &RefOptions) -> Result<FileRefs, IoError> {
    let src = NcSource::open(io, path)?;
    let ctx = Ctx { src: &src, path, url: ref_url(path, opts.url_prefix.as_deref()), opts };
    let magic = ctx.read_bytes(0, 4)?;
    let vars = if magic[..3] == *b"CDF" { nc3::variables(&ctx)? } else { hdf::variables(&ctx)? };
    Ok(FileRefs { attrs: attrs_json(&src.dataset().attrs, &[]), vars })
}

/// What the per-format builders need.
pub(crate) struct Ctx<'a> {
    pub src: &'a NcSource,
    pub path: &'a Path,
    /// The path or URL written into the references.
    pub url: String,
    pub opts: &'a RefOptions,
}

impl Ctx<'_> {
    /// `.zarray` for a variable of `dtype` (Zarr dtype string), shape and chunks.
    pub(crate) fn zarray(&self, v: &Variable, dtype: &str, chunks: &[u64], filters: Value) -> Map<String, Value> {
        let fill = v
            .attrs
            .get_f64("_FillValue")
            .filter(|_| v.dtype.is_numeric())
            .map_or(Value::Null, |x| fill_json(v.dtype, x));
        let m = json!({
            "chunks": chunks,
            "compressor": null,
            "dtype": dtype,
            "fill_value": fill,
            "filters": filters,
            "order": "C",
            "shape": v.shape,
            "zarr_format": 2,
        });
        match m {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// `.zattrs` of a variable: its attributes without `_FillValue`, plus `_ARRAY_DIMENSIONS`.
    pub(crate) fn zattrs(&self, v: &Variable) -> Map<String, Value> {
        let mut a = attrs_json(&v.attrs, &["_FillValue"]);
        a.insert("_ARRAY_DIMENSIONS".into(), json!(v.dims));
        a
    }

    /// Reads `size` bytes at `offset` of the file (a remote file through the block cache).
    pub(crate) fn read_bytes(&self, offset: u64, size: u64) -> Result<Vec<u8>, IoError> {
        let n = usize::try_from(size).map_err(|_| read_err(self.path, "chunk too large"))?;
        if let Some(st) = self.src.remote_storage() {
            use crate::storage::RangeSource;
            return st.fetch(offset, n).map_err(IoError::from);
        }
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::open(self.path).map_err(|e| read_err(self.path, &e.to_string()))?;
        let mut b = vec![0u8; n];
        f.read_exact_at(&mut b, offset).map_err(|e| read_err(self.path, &format!("bytes {offset}+{size}: {e}")))?;
        Ok(b)
    }

    /// A chunk at `offset`, embedded if smaller than the inline threshold.
    pub(crate) fn chunk(&self, offset: u64, size: u64) -> Result<Chunk, IoError> {
        if (size as usize) < self.opts.inline_threshold {
            Ok(Chunk::Inline(self.read_bytes(offset, size)?))
        } else {
            Ok(Chunk::Range { path: self.url.clone(), offset, size })
        }
    }

    /// A variable that cannot be referenced (`why`): its values read and embedded as one
    /// uncompressed little-endian chunk, if small enough.
    pub(crate) fn embedded(&self, v: &Variable, why: &str) -> Result<VarRefs, IoError> {
        let nbytes = if v.dtype == DType::Str { 0 } else { v.nbytes() };
        if nbytes > MAX_INLINE_VAR {
            return Err(read_err(
                self.path,
                &format!("variable {} cannot be referenced ({why}) and is too large to embed ({nbytes} bytes)", v.name),
            ));
        }
        let a = self.src.read_all(&v.name)?;
        let bytes = le_bytes(&a);
        if bytes.len() > MAX_INLINE_VAR {
            return Err(read_err(
                self.path,
                &format!("variable {} cannot be referenced ({why}) and is too large to embed", v.name),
            ));
        }
        let chunks: Vec<u64> = v.shape.iter().map(|&n| n.max(1) as u64).collect();
        let filters = if v.dtype == DType::Str { json!([{"id": "vlen-utf8"}]) } else { Value::Null };
        let mut refs = BTreeMap::new();
        if !v.shape.contains(&0) {
            refs.insert(vec![0u64; v.shape.len()], Chunk::Inline(bytes));
        }
        Ok(VarRefs {
            name: v.name.clone(),
            zarray: self.zarray(v, v2_dtype(v.dtype), &chunks, filters),
            zattrs: self.zattrs(v),
            chunks: refs,
        })
    }
}

pub(crate) fn read_err(path: &Path, msg: &str) -> IoError {
    IoError::Read { path: path.to_path_buf(), msg: msg.to_string() }
}

/// The path or URL of `path` in the references: with a prefix, the prefix (without trailing
/// `/`) joined with the file name; otherwise the URL, or the absolute path of a local file.
fn ref_url(path: &Path, prefix: Option<&str>) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    match prefix {
        Some(p) => format!("{}/{name}", p.trim_end_matches('/')),
        None if path.to_str().is_some_and(crate::is_url) => path.to_string_lossy().into_owned(),
        None => std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path)).to_string_lossy().to_string(),
    }
}
