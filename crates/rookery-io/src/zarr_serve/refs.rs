//! Kerchunk references of a served Zarr 2 view, in the two forms fsspec reads:
//!
//! ```text
//!   JSON v1             {"version": 1, "refs": {key: doc text | [url] | [url, offset, size] | inline}}
//!   Parquet directory   kerchunk.parq/.zmetadata           {"metadata": {key: doc}, "record_size": N,
//!                                                           "rookery_references": note}
//!                       kerchunk.parq/<var>/refs.<k>.parq  rows k*N .. min((k+1)*N, chunks) - 1 of
//!                                                           the variable's chunk grid in C order;
//!                                                           columns path, offset, size, raw
//! ```
//!
//! Passthrough variables reference the source files' byte ranges (at `file_url(path)`), every
//! other variable's chunks are whole-object references to this view's re-encoded chunks
//! (`chunk_url(var, key)`; offset = size = 0 in Parquet, as fsspec's `LazyReferenceMapper`
//! reads a URL-only reference). A record file is built on request from its N rows only (the
//! last one is not padded), with the same writer as `rookery kerchunk` (zstd columns).

use super::{v2_key, KeyError, ServedVar, ZarrView};
use crate::kerchunk::{chunk_json, parquet_rows, Chunk};
use crate::IoError;
use serde_json::{json, Map, Value};

/// Rows per Parquet reference file (fsspec's default record size).
pub const PARQ_RECORD_SIZE: usize = crate::kerchunk::DEFAULT_RECORD_SIZE;

/// Where a view's references point, and the note they carry.
pub struct RefTargets<'a> {
    /// The URL clients read a source file at, from its (canonical) path.
    pub file_url: &'a dyn Fn(&str) -> String,
    /// The URL of this view's chunk `key` of variable `var`: `chunk_url(var, key)`.
    pub chunk_url: &'a dyn Fn(&str, &str) -> String,
    /// What a reference client gets and cannot get (root `.zattrs` `rookery_references`).
    pub note: &'a str,
}

/// The grid position of C-order chunk number `n`.
fn unravel(mut n: usize, grid: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; grid.len()];
    for d in (0..grid.len()).rev() {
        idx[d] = n % grid[d].max(1);
        n /= grid[d].max(1);
    }
    idx
}

/// The reference of the chunk at `idx` of `v`; `None` for a chunk the files never wrote.
fn chunk_ref(v: &ServedVar, idx: &[usize], t: &RefTargets) -> Option<Chunk> {
    match &v.pass {
        Some(p) => {
            let pos: Vec<u64> = idx.iter().map(|&i| i as u64).collect();
            Some(match p.refs.get(&pos)? {
                Chunk::Range { path, offset, size } => {
                    Chunk::Range { path: (t.file_url)(path), offset: *offset, size: *size }
                }
                c => c.clone(),
            })
        }
        None => Some(Chunk::Range { path: (t.chunk_url)(&v.var.name, &v2_key(idx)), offset: 0, size: 0 }),
    }
}

/// Chunks in the grid of `v` (1 for a scalar; 0 when a dimension is empty).
fn chunk_count(v: &ServedVar) -> usize {
    v.grid().iter().product()
}

impl ZarrView {
    /// The root attributes with the note.
    fn noted_attrs(&self, note: &str) -> Map<String, Value> {
        let mut attrs = self.attrs.clone();
        attrs.insert("rookery_references".into(), json!(note));
        attrs
    }

    /// Kerchunk references (JSON version 1 `refs`) of the Zarr 2 view (see the module
    /// documentation).
    #[must_use]
    pub fn references(&self, t: &RefTargets) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(".zgroup".into(), json!(r#"{"zarr_format":2}"#));
        m.insert(".zattrs".into(), json!(Value::Object(self.noted_attrs(t.note)).to_string()));
        for v in &self.vars {
            let name = &v.var.name;
            let (a, b) = Self::v2_docs(v);
            m.insert(format!("{name}/.zarray"), json!(a.to_string()));
            m.insert(format!("{name}/.zattrs"), json!(b.to_string()));
            let grid = v.grid();
            for n in 0..chunk_count(v) {
                let idx = unravel(n, &grid);
                let val = match chunk_ref(v, &idx, t) {
                    None => continue,
                    Some(Chunk::Range { path, offset: 0, size: 0 }) => json!([path]),
                    Some(c) => chunk_json(&c),
                };
                m.insert(format!("{name}/{}", v2_key(&idx)), val);
            }
        }
        m
    }

    /// The `.zmetadata` of the Parquet reference directory.
    #[must_use]
    pub fn parquet_zmetadata(&self, note: &str) -> Value {
        let mut meta = Map::new();
        meta.insert(".zgroup".into(), json!({"zarr_format": 2}));
        meta.insert(".zattrs".into(), Value::Object(self.noted_attrs(note)));
        for v in &self.vars {
            let (a, b) = Self::v2_docs(v);
            meta.insert(format!("{}/.zarray", v.var.name), a);
            meta.insert(format!("{}/.zattrs", v.var.name), b);
        }
        json!({"metadata": meta, "record_size": PARQ_RECORD_SIZE, "rookery_references": note})
    }

    /// A key of the Parquet reference directory: `.zmetadata` (JSON) or
    /// `<var>/refs.<k>.parq` (a Parquet file).
    ///
    /// # Errors
    /// [`KeyError::NotFound`] for any other key, an unknown variable or a record beyond the
    /// variable's chunks; [`KeyError::Io`] if the Parquet writer fails.
    pub fn parquet_key(&self, key: &str, t: &RefTargets) -> Result<Vec<u8>, KeyError> {
        let missing = || KeyError::NotFound(key.to_string());
        if key == ".zmetadata" {
            return Ok(self.parquet_zmetadata(t.note).to_string().into_bytes());
        }
        let (var, file) = key.rsplit_once('/').ok_or_else(missing)?;
        let k: usize = file
            .strip_prefix("refs.")
            .and_then(|f| f.strip_suffix(".parq"))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
            .ok_or_else(missing)?;
        let v = self.var(var).ok_or_else(missing)?;
        let total = chunk_count(v);
        // An array without chunks still has its (empty) first record, as fsspec expects.
        let first = k.checked_mul(PARQ_RECORD_SIZE).filter(|&f| f < total || (k == 0 && total == 0));
        let first = first.ok_or_else(missing)?;
        let grid = v.grid();
        let refs: Vec<Option<Chunk>> =
            (first..total.min(first + PARQ_RECORD_SIZE)).map(|n| chunk_ref(v, &unravel(n, &grid), t)).collect();
        let rows: Vec<Option<&Chunk>> = refs.iter().map(Option::as_ref).collect();
        parquet_rows(&rows).map_err(|e| KeyError::Io(IoError::Read { path: key.into(), msg: e.to_string() }))
    }
}

#[cfg(test)]
mod tests {
    use super::unravel;

    #[test]
    fn chunk_numbers_unravel_in_c_order() {
        assert_eq!(unravel(0, &[]), Vec::<usize>::new());
        assert_eq!(unravel(5, &[3, 2]), vec![2, 1]);
        assert_eq!(unravel(7, &[2, 2, 2]), vec![1, 1, 1]);
        assert_eq!(unravel(4, &[3, 1, 2]), vec![2, 0, 0]);
    }
}
