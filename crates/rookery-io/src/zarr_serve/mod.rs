//! A dataset served as a live Zarr store: the metadata documents and, on demand, the chunks of
//! any [`Source`] (an aggregated, fixed dataset), for an HTTP data API.
//!
//! ```text
//!   ZarrView::new(source, Some((raw dataset, kerchunk FileRefs of the raw files)))
//!     per variable: passthrough when the raw files' chunk of it can be sent as it is
//!                   (same dims, shape, type and decoding attributes after the fixes,
//!                   chunks of 256 KiB-8 MiB decoded or the whole array): .zarray from the
//!                   references (kerchunk's [shuffle, zlib] filters), chunk = file bytes
//!                   otherwise:   read through the source, re-encoded: zlib(1) (v2) or
//!                   bytes + gzip(1) (v3), on the variable's serving chunk grid
//!   v2 documents: .zmetadata .zgroup .zattrs <var>/.zarray <var>/.zattrs; chunks <var>/i.j.k
//!   v3 documents: zarr.json (inline consolidated metadata), <var>/zarr.json; chunks <var>/c/i/j/k
//! ```
//!
//! Serving chunk grid (the size guard): the source files' chunk shape when the variable is
//! referenced, else the writer's (one time step per chunk for fields); then, while a chunk
//! holds more than [`MAX_CHUNK_BYTES`] decoded, the largest chunk dimension is halved, and while
//! it holds less than [`MIN_CHUNK_BYTES`] (and is not the whole array), the outermost dimension
//! not yet whole is grown. A variable passes through only when its files' chunks already fit
//! (256 KiB–8 MiB, or the whole array). Zarr 3 chunks are always re-encoded (numcodecs'
//! shuffle/zlib are not Zarr 3 core codecs).

mod refs;

pub use refs::{RefTargets, PARQ_RECORD_SIZE};

use crate::kerchunk::{Chunk, FileRefs};
use crate::zarr_write::{attrs_json, compress, copy_region, elem_bytes, le_bytes, v2_array, v3_array};
use crate::{IoContext, IoError, RangeSource, Source};
use rookery_cf::{DType, Dataset, Variable};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The largest chunk (decoded bytes) served; larger source chunks are split.
pub const MAX_CHUNK_BYTES: usize = 8 << 20;
/// The smallest chunk (decoded bytes) served unless it is the whole array; smaller source
/// chunks are merged.
pub const MIN_CHUNK_BYTES: usize = 256 << 10;

/// Attributes that change how stored values decode: a passthrough variable must keep them.
const DECODING: &[&str] = &["_FillValue", "missing_value", "scale_factor", "add_offset", "units", "calendar"];

/// Why a key cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No such variable, document or chunk (out of the grid, or a chunk never written).
    #[error("no such key: {0}")]
    NotFound(String),
    /// The data could not be read or encoded.
    #[error(transparent)]
    Io(#[from] IoError),
}

/// A chunk passed through from the source files.
#[derive(Clone, Debug)]
struct Pass {
    zarray: Map<String, Value>,
    refs: BTreeMap<Vec<u64>, Chunk>,
}

/// One served variable.
#[derive(Clone, Debug)]
pub struct ServedVar {
    /// The variable as the source describes it (after fixes).
    pub var: Variable,
    /// Serving chunk shape.
    pub chunks: Vec<usize>,
    pass: Option<Pass>,
}

impl ServedVar {
    /// Whether Zarr 2 chunks are the source files' bytes, unchanged.
    #[must_use]
    pub fn passthrough(&self) -> bool {
        self.pass.is_some()
    }

    /// The codec of Zarr 2 chunks, in words.
    #[must_use]
    pub fn v2_codec(&self) -> String {
        match &self.pass {
            Some(p) => format!(
                "passthrough (filters {}, compressor {})",
                p.zarray.get("filters").map_or_else(|| "null".into(), Value::to_string),
                p.zarray.get("compressor").map_or_else(|| "null".into(), Value::to_string)
            ),
            None => "re-encoded: zlib level 1".into(),
        }
    }

    /// The variable's attributes as JSON (as `.zattrs` holds them, with `_FillValue`).
    #[must_use]
    pub fn attributes(&self) -> Map<String, Value> {
        attrs_json(&self.var.attrs, &[])
    }

    fn grid(&self) -> Vec<usize> {
        self.var.shape.iter().zip(&self.chunks).map(|(&n, &c)| n.div_ceil(c.max(1))).collect()
    }
}

/// A dataset's Zarr view (see the module documentation).
#[derive(Clone, Debug)]
pub struct ZarrView {
    /// Global attributes.
    pub attrs: Map<String, Value>,
    /// Variables, in the source's order.
    pub vars: Vec<ServedVar>,
}

/// The dimension whose coordinate has time units (`... since ...`), if any.
fn time_dim(ds: &Dataset) -> Option<String> {
    ds.vars
        .iter()
        .find(|v| {
            v.dims.len() == 1 && v.dims[0] == v.name && v.attrs.get_str("units").is_some_and(|u| u.contains(" since "))
        })
        .map(|v| v.name.clone())
}

/// The serving chunk shape from a starting one: the largest chunk dimension halved until a
/// chunk holds at most [`MAX_CHUNK_BYTES`]; then, while a chunk holds less than
/// [`MIN_CHUNK_BYTES`] and is not the whole array, the outermost dimension not yet whole grown
/// (so a client does not make one request per tiny chunk).
fn guard(mut chunks: Vec<usize>, shape: &[usize], esize: usize) -> Vec<usize> {
    let bytes = |c: &[usize]| c.iter().product::<usize>() * esize;
    while bytes(&chunks) > MAX_CHUNK_BYTES {
        let Some((i, _)) = chunks.iter().enumerate().max_by_key(|(_, &c)| c) else { break };
        if chunks[i] <= 1 {
            break;
        }
        chunks[i] = chunks[i].div_ceil(2);
    }
    while bytes(&chunks) < MIN_CHUNK_BYTES {
        let Some(i) = (0..chunks.len()).find(|&i| chunks[i] < shape[i]) else { break };
        let factor = MIN_CHUNK_BYTES.div_ceil(bytes(&chunks).max(1));
        chunks[i] = chunks[i].saturating_mul(factor).min(shape[i]);
    }
    chunks
}

/// The Zarr 2 key of a chunk position (`0` for a scalar).
fn v2_key(idx: &[usize]) -> String {
    if idx.is_empty() {
        "0".into()
    } else {
        idx.iter().map(ToString::to_string).collect::<Vec<_>>().join(".")
    }
}

fn as_usizes(v: &Value) -> Vec<usize> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_u64).map(|x| x as usize).collect()).unwrap_or_default()
}

impl ZarrView {
    /// The view of `src`; `raw` (the unfixed dataset and the references of its files) lets
    /// unchanged variables pass their chunks through.
    #[must_use]
    pub fn new(src: &dyn Source, raw: Option<(&Dataset, &FileRefs)>) -> ZarrView {
        let ds = src.dataset();
        let tdim = time_dim(ds);
        let vars = ds
            .vars
            .iter()
            .map(|v| {
                let rv = raw.and_then(|(d, r)| Some((d.var(&v.name)?, r.vars.iter().find(|x| x.name == v.name)?)));
                let native = rv
                    .map(|(_, r)| as_usizes(&r.zarray["chunks"]))
                    .filter(|c| c.len() == v.shape.len() && c.iter().all(|&x| x > 0));
                let base = if !v.dtype.is_numeric() {
                    v.shape.iter().map(|&n| n.max(1)).collect()
                } else if let Some(c) = &native {
                    c.clone()
                } else {
                    crate::write::chunk_shape(v, tdim.as_deref())
                };
                let chunks = if v.dtype == DType::Str { base } else { guard(base, &v.shape, v.dtype.size()) };
                let pass = rv.and_then(|(rvar, r)| {
                    let same = rvar.dims == v.dims
                        && rvar.shape == v.shape
                        && rvar.dtype == v.dtype
                        && v.dtype.is_numeric()
                        && DECODING.iter().all(|a| rvar.attrs.get(a) == v.attrs.get(a))
                        && native.as_ref() == Some(&chunks)
                        && as_usizes(&r.zarray["shape"]) == v.shape;
                    same.then(|| Pass { zarray: r.zarray.clone(), refs: r.chunks.clone() })
                });
                ServedVar { var: v.clone(), chunks, pass }
            })
            .collect();
        ZarrView { attrs: attrs_json(&ds.attrs, &[]), vars }
    }

    /// Variable `name`.
    #[must_use]
    pub fn var(&self, name: &str) -> Option<&ServedVar> {
        self.vars.iter().find(|v| v.var.name == name)
    }

    /// A Zarr 2 variable's `.zarray` and `.zattrs`.
    fn v2_docs(v: &ServedVar) -> (Value, Value) {
        let (zarray, zattrs) = v2_array(&v.var, &v.chunks);
        match &v.pass {
            Some(p) => (Value::Object(p.zarray.clone()), zattrs),
            None => (zarray, zattrs),
        }
    }

    /// The Zarr 2 consolidated metadata (`.zmetadata`).
    #[must_use]
    pub fn zmetadata(&self) -> Value {
        let mut m = Map::new();
        m.insert(".zgroup".into(), json!({"zarr_format": 2}));
        m.insert(".zattrs".into(), Value::Object(self.attrs.clone()));
        for v in &self.vars {
            let (a, b) = Self::v2_docs(v);
            m.insert(format!("{}/.zarray", v.var.name), a);
            m.insert(format!("{}/.zattrs", v.var.name), b);
        }
        json!({"metadata": m, "zarr_consolidated_format": 1})
    }

    /// A Zarr 2 metadata document by key (`.zgroup`, `.zattrs`, `<var>/.zarray`, `<var>/.zattrs`).
    #[must_use]
    pub fn v2_doc(&self, key: &str) -> Option<Value> {
        match key {
            ".zmetadata" => Some(self.zmetadata()),
            ".zgroup" => Some(json!({"zarr_format": 2})),
            ".zattrs" => Some(Value::Object(self.attrs.clone())),
            _ => {
                let (var, doc) = key.rsplit_once('/')?;
                let v = self.var(var)?;
                let (a, b) = Self::v2_docs(v);
                match doc {
                    ".zarray" => Some(a),
                    ".zattrs" => Some(b),
                    _ => None,
                }
            }
        }
    }

    /// The Zarr 3 group `zarr.json` (with inline consolidated metadata).
    #[must_use]
    pub fn v3_group(&self) -> Value {
        let meta: Map<String, Value> =
            self.vars.iter().map(|v| (v.var.name.clone(), v3_array(&v.var, &v.chunks))).collect();
        json!({
            "zarr_format": 3,
            "node_type": "group",
            "attributes": self.attrs,
            "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": meta},
        })
    }

    /// A Zarr 3 variable's `zarr.json`.
    #[must_use]
    pub fn v3_array(&self, var: &str) -> Option<Value> {
        self.var(var).map(|v| v3_array(&v.var, &v.chunks))
    }

    /// The grid position a chunk key names (`i.j.k` for Zarr 2, `c/i/j/k` for Zarr 3), if it
    /// lies inside the grid of `v`.
    fn position(v: &ServedVar, key: &str, v3: bool) -> Option<Vec<usize>> {
        let parts: Vec<&str> = if v3 {
            let rest = key.strip_prefix('c')?;
            if rest.is_empty() {
                Vec::new()
            } else {
                rest.strip_prefix('/')?.split('/').collect()
            }
        } else if v.var.shape.is_empty() && key == "0" {
            Vec::new()
        } else {
            key.split('.').collect()
        };
        let idx: Vec<usize> = parts
            .iter()
            .map(|p| if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) { None } else { p.parse().ok() })
            .collect::<Option<_>>()?;
        let grid = v.grid();
        (idx.len() == grid.len() && idx.iter().zip(&grid).all(|(i, n)| i < n)).then_some(idx)
    }

    /// The stored (encoded) bytes of chunk `key` of variable `var`: the source files' bytes
    /// when the variable passes through (Zarr 2 only), else read from `src` and encoded.
    ///
    /// # Errors
    /// [`KeyError::NotFound`] for an unknown variable or a key outside the grid (or a chunk
    /// the files never wrote, which Zarr reads as the fill value); read failures.
    pub fn chunk(&self, src: &dyn Source, io: &IoContext, var: &str, key: &str, v3: bool) -> Result<Vec<u8>, KeyError> {
        let missing = || KeyError::NotFound(format!("{var}/{key}"));
        let v = self.var(var).ok_or_else(missing)?;
        let idx = Self::position(v, key, v3).ok_or_else(missing)?;
        if let (Some(p), false) = (&v.pass, v3) {
            let pos: Vec<u64> = idx.iter().map(|&i| i as u64).collect();
            return match p.refs.get(&pos).ok_or_else(missing)? {
                Chunk::Inline(b) => Ok(b.clone()),
                Chunk::Range { path, offset, size } => {
                    let f = io.file(std::path::Path::new(path))?;
                    let len = usize::try_from(*size).map_err(|_| missing())?;
                    Ok(f.fetch(*offset, len).map_err(IoError::from)?)
                }
            };
        }
        let shape = &v.var.shape;
        let start: Vec<usize> = idx.iter().zip(&v.chunks).map(|(i, c)| i * c).collect();
        let count: Vec<usize> = start.iter().zip(&v.chunks).zip(shape).map(|((s, c), n)| (*c).min(n - s)).collect();
        let a = src.read(var, &start, &count)?;
        let bytes = le_bytes(&a);
        let raw = if v.var.dtype == DType::Str || count == v.chunks {
            bytes
        } else {
            let esize = v.var.dtype.size();
            let fv = v.var.attrs.get_f64("_FillValue").unwrap_or(0.0);
            let mut full = elem_bytes(v.var.dtype, fv).repeat(v.chunks.iter().product());
            let end: Vec<usize> = start.iter().zip(&count).map(|(s, c)| s + c).collect();
            copy_region(&bytes, &count, &start, &mut full, &v.chunks, &idx, &start, &end, esize);
            full
        };
        compress(&raw, v3).map_err(|e| KeyError::Io(IoError::Read { path: var.into(), msg: e.to_string() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_keeps_chunks_between_256_kib_and_8_mib() {
        assert_eq!(guard(vec![1, 360, 720], &[3650, 360, 720], 4), vec![1, 360, 720]);
        assert_eq!(guard(vec![3650, 360, 720], &[3650, 360, 720], 4), vec![115, 180, 90]);
        assert_eq!(guard(vec![1, 1, 1 << 30], &[1, 1, 1 << 30], 8), vec![1, 1, 1 << 20]);
        // Tiny chunks are merged along the outermost axes; a small array is one chunk.
        assert_eq!(guard(vec![1, 5, 5], &[34303, 5, 5], 4), vec![2622, 5, 5]);
        assert_eq!(guard(vec![1, 5, 5], &[100, 5, 5], 4), vec![100, 5, 5]);
        assert_eq!(guard(vec![1, 2, 5], &[3, 4, 5], 8), vec![3, 4, 5]);
    }
}
