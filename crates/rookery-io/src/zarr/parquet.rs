//! Kerchunk Parquet ("lazy") references as a key/value store.
//!
//! ```text
//!   refs.parq/.zmetadata          {"metadata": {zarr key: JSON doc}, "record_size": N}
//!   refs.parq/<var>/refs.<k>.parq columns path, offset, size, raw (any may be absent)
//!   key "<var>/i.j.k" → n = C-order ravel of (i, j, k) over the chunk grid of <var>
//!                     → file refs.<n / N>.parq, row n % N (files are read once, on demand)
//!   row: raw ≠ null → inline bytes; path = null → missing chunk (fill value);
//!        offset = size = 0 → the whole target; else [path, offset, size]
//! ```

use super::error::ZarrError;
use super::refs::{prefetch_refs, read_ref, Ref};
use super::store::{Fetcher, KeyStore, Loc};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The chunk grid of one array (chunks per dimension).
struct Grid {
    chunks_per_dim: Vec<u64>,
}

/// The rows of one refs file (`None`: a missing chunk).
type Rows = Arc<Vec<Option<Ref>>>;

/// A Parquet reference directory.
pub(crate) struct ParquetRefs {
    root: Loc,
    /// Relative targets resolve against the directory holding the reference directory.
    base: Loc,
    fetch: Arc<Fetcher>,
    record_size: u64,
    grids: HashMap<String, Grid>,
    files: Mutex<HashMap<(String, u64), Rows>>,
}

impl ParquetRefs {
    /// Reads `.zmetadata` of the reference directory at `root`; returns the store and the
    /// metadata documents (key → JSON text).
    pub(crate) fn open(root: &Loc, fetch: Arc<Fetcher>) -> Result<(ParquetRefs, HashMap<String, Vec<u8>>), ZarrError> {
        let zloc = root.join(".zmetadata");
        let doc = fetch.read(&zloc, None)?.ok_or_else(|| ZarrError::NotFound { what: zloc.display() })?;
        let v: Value = serde_json::from_slice(&doc).map_err(|e| ZarrError::InvalidJson(e).at(zloc.display()))?;
        let record_size = v
            .get("record_size")
            .and_then(Value::as_u64)
            .filter(|&n| n > 0)
            .ok_or_else(|| ZarrError::invalid("no positive \"record_size\"").at(zloc.display()))?;
        let Some(Value::Object(md)) = v.get("metadata") else {
            return Err(ZarrError::invalid("no \"metadata\" object").at(zloc.display()));
        };
        let mut meta = HashMap::new();
        let mut grids = HashMap::new();
        for (k, doc) in md {
            // Values are JSON documents (objects), or their text.
            let text = match doc {
                Value::String(s) => s.as_bytes().to_vec(),
                other => {
                    serde_json::to_vec(other).map_err(|e| ZarrError::Json(e).at(format!("{}: {k}", zloc.display())))?
                }
            };
            if let Some(field) = k.strip_suffix("/.zarray") {
                let z: Value = serde_json::from_slice(&text)
                    .map_err(|e| ZarrError::Json(e).at(format!("{}: {k}", zloc.display())))?;
                let nums =
                    |name: &str| -> Option<Vec<u64>> { z.get(name)?.as_array()?.iter().map(Value::as_u64).collect() };
                let (Some(shape), Some(chunks)) = (nums("shape"), nums("chunks")) else {
                    return Err(ZarrError::invalid("no shape/chunks").at(format!("{}: {k}", zloc.display())));
                };
                let chunks_per_dim = if shape.is_empty() {
                    vec![1]
                } else {
                    shape.iter().zip(&chunks).map(|(&s, &c)| if c == 0 { 0 } else { s.div_ceil(c) }).collect()
                };
                grids.insert(field.to_string(), Grid { chunks_per_dim });
            }
            meta.insert(k.clone(), text);
        }
        Ok((
            ParquetRefs {
                root: root.clone(),
                base: root.parent(),
                fetch,
                record_size,
                grids,
                files: Mutex::new(HashMap::new()),
            },
            meta,
        ))
    }

    /// The rows of `field/refs.<n>.parq`.
    fn rows(&self, field: &str, n: u64) -> Result<Rows, ZarrError> {
        let id = (field.to_string(), n);
        if let Some(r) = self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id) {
            return Ok(Arc::clone(r));
        }
        let loc = self.root.join(&format!("{field}/refs.{n}.parq"));
        let bytes = self.fetch.read(&loc, None)?.ok_or_else(|| ZarrError::NotFound { what: loc.display() })?;
        let rows = Arc::new(parse_rows(bytes).map_err(|e| e.at(loc.display()))?);
        self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, Arc::clone(&rows));
        Ok(rows)
    }
}

fn parse_rows(bytes: Vec<u8>) -> Result<Vec<Option<Ref>>, ZarrError> {
    let reader = SerializedFileReader::new(zarrs::storage::Bytes::from(bytes)).map_err(ZarrError::NotParquet)?;
    let iter = reader.get_row_iter(None).map_err(ZarrError::Parquet)?;
    let mut out = Vec::new();
    for row in iter {
        let row = row.map_err(ZarrError::Parquet)?;
        let (mut path, mut offset, mut size, mut raw) = (None, 0u64, 0u64, None);
        for (name, f) in row.get_column_iter() {
            let int = |f: &Field| -> Option<u64> {
                match f {
                    Field::Long(v) => u64::try_from(*v).ok(),
                    Field::Int(v) => u64::try_from(*v).ok(),
                    Field::ULong(v) => Some(*v),
                    Field::UInt(v) => Some(u64::from(*v)),
                    _ => None,
                }
            };
            match (name.as_str(), f) {
                ("path", Field::Str(s)) => path = Some(s.clone()),
                ("path", Field::Bytes(b)) => path = Some(String::from_utf8_lossy(b.data()).into_owned()),
                ("offset", f) => offset = int(f).unwrap_or(0),
                ("size", f) => size = int(f).unwrap_or(0),
                ("raw", Field::Bytes(b)) => raw = Some(b.data().to_vec()),
                ("raw", Field::Str(s)) => raw = Some(s.as_bytes().to_vec()),
                _ => {}
            }
        }
        out.push(match (raw, path) {
            (Some(r), _) => Some(Ref::Inline(r)),
            (None, None) => None,
            (None, Some(target)) if offset == 0 && size == 0 => Some(Ref::Whole { target }),
            (None, Some(target)) => Some(Ref::Range { target, offset, len: size }),
        });
    }
    Ok(out)
}

impl ParquetRefs {
    /// The reference of `key` (`None`: no such chunk).
    fn reference(&self, key: &str) -> Result<Option<Ref>, ZarrError> {
        let in_chunk = |e: ZarrError| ZarrError::Chunk { key: key.to_string(), source: Box::new(e) };
        let Some((field, chunk)) = key.rsplit_once('/') else {
            return Ok(None);
        };
        let Some(grid) = self.grids.get(field) else {
            return Ok(None);
        };
        let idx: Option<Vec<u64>> = chunk.split('.').map(|s| s.parse().ok()).collect();
        let Some(idx) = idx.filter(|i| i.len() == grid.chunks_per_dim.len()) else {
            return Ok(None);
        };
        let mut n = 0u64;
        for (&i, &g) in idx.iter().zip(&grid.chunks_per_dim) {
            if i >= g {
                return Ok(None);
            }
            n = n
                .checked_mul(g)
                .and_then(|x| x.checked_add(i))
                .ok_or_else(|| in_chunk(ZarrError::invalid("index overflow")))?;
        }
        let rows = self.rows(field, n / self.record_size).map_err(in_chunk)?;
        let row = usize::try_from(n % self.record_size).unwrap_or(usize::MAX);
        Ok(rows.get(row).cloned().flatten())
    }
}

impl KeyStore for ParquetRefs {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ZarrError> {
        match self.reference(key)? {
            Some(r) => read_ref(&self.fetch, &self.base, key, &r),
            None => Ok(None),
        }
    }

    fn prefetch(&self, keys: &[String]) -> Result<(), ZarrError> {
        let refs: Vec<Ref> =
            keys.iter().map(|k| self.reference(k)).filter_map(Result::transpose).collect::<Result<_, _>>()?;
        prefetch_refs(&self.fetch, &self.base, refs.iter())
    }
}
