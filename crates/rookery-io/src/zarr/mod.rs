//! Zarr v2/v3 stores and Kerchunk references as sources.
//!
//! ```text
//!   input ──detect()──► Kind
//!     Refs     *.json | *.json.zst | *.zst | *.zstd, or a file that sniffs as JSON/zstd
//!     Parquet  *.parq | *.parquet, or a directory whose .zmetadata has "record_size"
//!     Store    *.zarr, or a directory holding .zgroup/.zarray/zarr.json/.zmetadata
//!   ZarrSource::open ─► KeyStore (store.rs: directory / URL prefix; refs.rs; parquet.rs)
//!                    ─► metadata documents (meta.rs) ─► zarrs Array per root-level array
//!                    ─► rookery_cf::Dataset (dims from _ARRAY_DIMENSIONS / dimension_names)
//!   read(var, start, count) ─► zarrs retrieve_array_subset: only the intersecting chunks,
//!                              decoded in parallel; a missing chunk reads as the fill value
//! ```
//!
//! Fill values: a Zarr v2 `fill_value` becomes `_FillValue` unless the attributes have one
//! (Kerchunk moves `_FillValue` there; `null` means none). For Zarr v3, as xarray does, only
//! the `_FillValue` attribute counts. Reference targets and store URLs are read through the
//! HTTP client and block cache of [`crate::Remote`]; `s3://` targets are read anonymously
//! over HTTPS (`https://<bucket>.s3.amazonaws.com/<key>`, or `$ROOKERY_S3_ENDPOINT` /
//! `$AWS_ENDPOINT_URL` + `/<bucket>/<key>`). Only the root group is read; string and char
//! arrays are skipped with a warning.

mod error;
mod meta;
mod parquet;
mod refs;
mod store;

use crate::nc::one_line;
use crate::{IoContext, IoError, Source};
use ndarray::{ArrayD, IxDyn};
use rookery_cf::{Array, DType, Dataset, Dim, Variable};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store::{is_meta_key, split_query, Fetcher, KeyStore, Loc, PrefixStore, ZStore};
use zarrs::array::{ArrayCreateError, ArraySubset, ElementOwned};

/// What kind of Zarr-like input a path or URL is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZarrKind {
    /// A Kerchunk JSON reference file (possibly zstd-compressed).
    Refs,
    /// A Kerchunk Parquet reference directory.
    ParquetRefs,
    /// A Zarr v2 or v3 store.
    Store,
}

/// The kind of `input` when it is a Zarr store or a Kerchunk reference (by name, then by
/// content for local inputs); `None` for anything else (NetCDF).
#[must_use]
pub fn detect(input: &str) -> Option<ZarrKind> {
    let (name, _) = split_query(input);
    let lower = name.trim_end_matches('/').to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| lower.ends_with(e));
    if ends(&[".json", ".json.zst", ".zst", ".zstd"]) {
        return Some(ZarrKind::Refs);
    }
    if ends(&[".parq", ".parquet"]) {
        return Some(ZarrKind::ParquetRefs);
    }
    if crate::is_url(input) {
        return ends(&[".zarr"]).then_some(ZarrKind::Store);
    }
    let p = Path::new(input);
    if p.is_dir() {
        if let Ok(z) = std::fs::read(p.join(".zmetadata")) {
            let parquet =
                serde_json::from_slice::<serde_json::Value>(&z).ok().is_some_and(|v| v.get("record_size").is_some());
            return Some(if parquet { ZarrKind::ParquetRefs } else { ZarrKind::Store });
        }
        if ends(&[".zarr"]) || [".zgroup", ".zarray", "zarr.json"].iter().any(|f| p.join(f).is_file()) {
            return Some(ZarrKind::Store);
        }
        return None;
    }
    if p.is_file() && !ends(&[".nc", ".nc4", ".nc3", ".cdf", ".netcdf", ".h5", ".hdf5"]) {
        let mut head = [0u8; 64];
        let n = std::fs::File::open(p).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
        let head = &head[..n];
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        {
            return Some(ZarrKind::Refs);
        }
    }
    None
}

/// A Zarr store or Kerchunk reference set opened for reading.
pub struct ZarrSource {
    label: String,
    ds: Dataset,
    arrays: HashMap<String, zarrs::array::Array<ZStore>>,
    store: Arc<ZStore>,
}

fn dtype_of(dt: &zarrs::array::DataType) -> Option<DType> {
    use zarrs::array::data_type as z;
    Some(if dt.is::<z::Int8DataType>() {
        DType::I8
    } else if dt.is::<z::UInt8DataType>() {
        DType::U8
    } else if dt.is::<z::Int16DataType>() {
        DType::I16
    } else if dt.is::<z::UInt16DataType>() {
        DType::U16
    } else if dt.is::<z::Int32DataType>() {
        DType::I32
    } else if dt.is::<z::UInt32DataType>() {
        DType::U32
    } else if dt.is::<z::Int64DataType>() {
        DType::I64
    } else if dt.is::<z::UInt64DataType>() {
        DType::U64
    } else if dt.is::<z::Float32DataType>() {
        DType::F32
    } else if dt.is::<z::Float64DataType>() {
        DType::F64
    } else {
        return None;
    })
}

impl ZarrSource {
    /// Opens a Kerchunk reference file/directory or a Zarr store (path or `http(s)://` URL)
    /// and reads its metadata; URLs and reference targets are read through `remote`.
    ///
    /// # Errors
    /// Unreadable or invalid reference file or metadata; an input of no known kind.
    pub fn open(ctx: &IoContext, input: &str) -> Result<ZarrSource, IoError> {
        let kind = detect(input).ok_or_else(|| IoError::Read {
            path: PathBuf::from(input),
            msg: "not a Zarr store or Kerchunk reference".into(),
        })?;
        Self::open_as(ctx, input, kind)
    }

    /// [`ZarrSource::open`] with the kind given.
    ///
    /// # Errors
    /// As [`ZarrSource::open`].
    pub fn open_as(ctx: &IoContext, input: &str, kind: ZarrKind) -> Result<ZarrSource, IoError> {
        let fetch = Fetcher::new(ctx);
        let loc = Loc::parse(input);
        let err = |what: &str, e: error::ZarrError| IoError::Read {
            path: PathBuf::from(format!("{what}{input}")),
            msg: one_line(&e.to_string()),
        };
        let (docs, inner): (HashMap<String, Vec<u8>>, Arc<dyn KeyStore>) = match kind {
            ZarrKind::Refs => {
                let doc = refs::read_doc(&loc, &fetch).map_err(|e| err("reference file ", e))?;
                let refs = refs::parse_refs(&doc).map_err(|e| err("reference file ", e))?;
                let mut docs = HashMap::new();
                for (k, r) in &refs {
                    if is_meta_key(k) {
                        if let refs::Ref::Inline(b) = r {
                            docs.insert(k.clone(), b.clone());
                        }
                    }
                }
                (docs, Arc::new(refs::RefStore { refs, base: loc.parent(), fetch }))
            }
            ZarrKind::ParquetRefs => {
                let (store, docs) =
                    parquet::ParquetRefs::open(&loc, fetch).map_err(|e| err("Parquet references ", e))?;
                (docs, Arc::new(store))
            }
            ZarrKind::Store => {
                let docs = meta::store_docs(&loc, &fetch).map_err(|e| err("Zarr store ", e))?;
                (docs, Arc::new(PrefixStore { root: loc.clone(), fetch }))
            }
        };
        Self::build(input, docs, inner)
    }

    fn build(input: &str, docs: HashMap<String, Vec<u8>>, inner: Arc<dyn KeyStore>) -> Result<ZarrSource, IoError> {
        let (names, nested) = meta::array_names(&docs);
        if nested {
            tracing::warn!("{input}: arrays in sub-groups are ignored; only the root group is read");
        }
        let global = meta::global_attrs(&docs);
        let store = Arc::new(ZStore { meta: docs, inner });
        let zstore = Arc::clone(&store);
        let mut dims: Vec<Dim> = Vec::new();
        let mut vars = Vec::new();
        let mut arrays = HashMap::new();
        for name in names {
            let arr = match zarrs::array::Array::open(Arc::clone(&store), &format!("/{name}")) {
                Ok(a) => a,
                Err(
                    e @ (ArrayCreateError::DataTypeCreateError(_)
                    | ArrayCreateError::InvalidFillValue { .. }
                    | ArrayCreateError::InvalidFillValueMetadata { .. }),
                ) => {
                    tracing::warn!("{input}: array {name} is skipped: {}", one_line(&e.to_string()));
                    continue;
                }
                Err(e) => {
                    return Err(IoError::Read {
                        path: PathBuf::from(input),
                        msg: format!("array {name}: {}", one_line(&e.to_string())),
                    })
                }
            };
            let Some(dtype) = dtype_of(arr.data_type()) else {
                tracing::warn!("{input}: array {name} has an unsupported data type and is skipped");
                continue;
            };
            let shape: Vec<usize> =
                arr.shape().iter().map(|&n| usize::try_from(n)).collect::<Result<_, _>>().map_err(|_| {
                    IoError::Read { path: PathBuf::from(input), msg: format!("array {name} is too large") }
                })?;
            let names_attr: Option<Vec<String>> =
                arr.attributes().get("_ARRAY_DIMENSIONS").and_then(|v| serde_json::from_value(v.clone()).ok());
            let names_v3: Option<Vec<String>> =
                arr.dimension_names().as_ref().and_then(|d| d.iter().cloned().collect());
            let var_dims: Vec<String> = match names_v3.or(names_attr) {
                Some(d) if d.len() == shape.len() => d,
                _ => (0..shape.len()).map(|i| format!("{name}_dim{i}")).collect(),
            };
            for (d, &n) in var_dims.iter().zip(&shape) {
                match dims.iter().find(|x| &x.name == d) {
                    Some(x) if x.len != n => {
                        return Err(IoError::Read {
                            path: PathBuf::from(input),
                            msg: format!("dimension {d} has length {} and {n} (array {name})", x.len),
                        })
                    }
                    Some(_) => {}
                    None => dims.push(Dim { name: d.clone(), len: n, unlimited: false }),
                }
            }
            let mut attrs = meta::convert_attrs(arr.attributes(), Some(dtype));
            if attrs.get("_FillValue").is_none() {
                if let zarrs::array::ArrayMetadata::V2(m) = arr.metadata() {
                    let fv = serde_json::to_value(&m.fill_value).unwrap_or(serde_json::Value::Null);
                    if let Some(v) = meta::typed_value(&fv, dtype) {
                        attrs.0.insert(0, ("_FillValue".to_string(), v));
                    }
                }
            }
            vars.push(Variable { name: name.clone(), dims: var_dims, shape, dtype, attrs });
            arrays.insert(name, arr);
        }
        // Coordinate variables first (as NetCDF files usually order them), then the rest.
        vars.sort_by_key(|v| usize::from(!(v.dims.len() == 1 && v.dims[0] == v.name)));
        Ok(ZarrSource { label: input.to_string(), ds: Dataset { dims, vars, attrs: global }, arrays, store: zstore })
    }

    fn fail(&self, msg: String) -> IoError {
        IoError::Read { path: PathBuf::from(&self.label), msg: one_line(&msg) }
    }

    fn read_typed<T: ElementOwned>(&self, var: &str, start: &[usize], count: &[usize]) -> Result<ArrayD<T>, IoError> {
        let arr = self.arrays.get(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        let subset = ArraySubset::new_with_start_shape(
            start.iter().map(|&s| s as u64).collect(),
            count.iter().map(|&c| c as u64).collect(),
        )
        .map_err(|e| self.fail(format!("variable {var}: {e}")))?;
        self.prefetch(arr, &subset);
        let values: Vec<T> = match arr.retrieve_array_subset(&subset) {
            Ok(v) => v,
            Err(e) => {
                let msg = locate_failure(arr, &subset).unwrap_or_else(|| e.to_string());
                return Err(self.fail(format!("variable {var}: {msg}")));
            }
        };
        ArrayD::from_shape_vec(IxDyn(count), values).map_err(|e| self.fail(format!("variable {var}: {e}")))
    }
}

impl ZarrSource {
    /// Fetches the chunks of `subset` ahead of zarrs' per-chunk reads (coalesced ranges,
    /// several requests in flight: see [`KeyStore::prefetch`]). A failure only logs: the
    /// reads report it per chunk.
    fn prefetch(&self, arr: &zarrs::array::Array<ZStore>, subset: &ArraySubset) {
        let Ok(Some(chunks)) = arr.chunks_in_array_subset(subset) else { return };
        let keys: Vec<String> = chunks.indices().iter().map(|idx| arr.chunk_key(&idx).as_str().to_string()).collect();
        if keys.len() < 2 {
            return;
        }
        if let Err(e) = self.store.inner.prefetch(&keys) {
            tracing::debug!("{}: prefetch of {} chunks failed: {}", self.label, keys.len(), one_line(&e.to_string()));
        }
    }
}

/// The first chunk of `subset` that fails to read or decode, with its key.
fn locate_failure(arr: &zarrs::array::Array<ZStore>, subset: &ArraySubset) -> Option<String> {
    let chunks = arr.chunks_in_array_subset(subset).ok()??;
    for idx in &chunks.indices() {
        if let Err(e) = arr.retrieve_chunk::<zarrs::array::ArrayBytes<'static>>(&idx) {
            let key = arr.chunk_key(&idx);
            let msg = one_line(&e.to_string());
            // Our chunk references name the chunk already; other failures get its key.
            let named = matches!(error::ZarrError::find(&e), Some(error::ZarrError::Chunk { key: k, .. }) if k.as_str() == key.as_str());
            return Some(if named { msg } else { format!("chunk {key}: {msg}") });
        }
    }
    None
}

impl Source for ZarrSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        crate::check_selection(v, start, count).map_err(|e| self.fail(e.to_string()))?;
        if count.contains(&0) {
            return Ok(Array::zeros(v.dtype, count));
        }
        Ok(match v.dtype {
            DType::I8 => Array::I8(self.read_typed(var, start, count)?),
            DType::U8 => Array::U8(self.read_typed(var, start, count)?),
            DType::I16 => Array::I16(self.read_typed(var, start, count)?),
            DType::U16 => Array::U16(self.read_typed(var, start, count)?),
            DType::I32 => Array::I32(self.read_typed(var, start, count)?),
            DType::U32 => Array::U32(self.read_typed(var, start, count)?),
            DType::I64 => Array::I64(self.read_typed(var, start, count)?),
            DType::U64 => Array::U64(self.read_typed(var, start, count)?),
            DType::F32 => Array::F32(self.read_typed(var, start, count)?),
            DType::F64 => Array::F64(self.read_typed(var, start, count)?),
            DType::Char | DType::Str => return Err(self.fail(format!("variable {var}: text arrays are not supported"))),
        })
    }

    fn paths(&self) -> Vec<PathBuf> {
        vec![PathBuf::from(&self.label)]
    }
}
