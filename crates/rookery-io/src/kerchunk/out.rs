//! Writing references: JSON version 1 (`{"version":1,"refs":{...}}`), zstd-compressed when
//! the name ends in `.zst`, or fsspec's lazy Parquet form when the name ends in `.parq` /
//! `.parquet` (a directory):
//!
//! ```text
//!   refs.parq/.zmetadata          {"metadata": {".zgroup": {...}, "<var>/.zarray": {...}, ...},
//!                                  "record_size": N}
//!   refs.parq/<var>/refs.<k>.parq rows k*N .. (k+1)*N-1 of the variable's chunks in C order of
//!                                 the chunk grid; columns path (utf8), offset, size (int64),
//!                                 raw (binary); absent chunks: path and raw null; padded to N
//!                                 rows; zstd
//! ```
//!
//! Scalars and arrays without chunks still get their row files (all rows null), as
//! `LazyReferenceMapper` expects a file per record of every array. Everything is written
//! under a temporary name and renamed at the end.

use super::{Chunk, FileRefs, VarRefs};
use crate::write::{remove_path, temp_path};
use crate::IoError;
use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A failure writing a reference file (reported as [`IoError::Write`] of the destination).
#[derive(Debug, thiserror::Error)]
enum OutError {
    /// A file system operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The JSON document could not be produced.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// The zstd codec failed.
    #[error("{0}")]
    Zstd(zarrs::array::CodecError),
    /// The row files of a variable could not be written.
    #[error("{var}: {source}")]
    Rows {
        /// The variable.
        var: String,
        /// Why.
        source: parquet::errors::ParquetError,
    },
}

/// Default rows per Parquet file (as `LazyReferenceMapper.create`).
pub const DEFAULT_RECORD_SIZE: usize = 10_000;

/// Writes `refs` to `dest` in the form its name selects (see the module documentation).
///
/// # Errors
/// I/O failures; nothing is left behind.
pub fn write(refs: &FileRefs, dest: &Path, record_size: usize) -> Result<PathBuf, IoError> {
    let werr = |msg: String| IoError::Write { path: dest.to_path_buf(), msg };
    let tmp = temp_path(dest)?;
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let parquet = name.ends_with(".parq") || name.ends_with(".parquet");
    let r = if parquet {
        write_parquet(refs, &tmp, record_size.max(1))
    } else {
        write_json(refs, &tmp, name.ends_with(".zst"))
    };
    if let Err(e) = r {
        remove_path(&tmp);
        return Err(werr(e.to_string()));
    }
    if parquet && dest.is_dir() {
        let _ = std::fs::remove_dir_all(dest);
    }
    std::fs::rename(&tmp, dest).map_err(|e| {
        remove_path(&tmp);
        werr(e.to_string())
    })?;
    Ok(dest.to_path_buf())
}

fn write_json(refs: &FileRefs, tmp: &Path, zst: bool) -> Result<(), OutError> {
    let doc = json!({"version": 1, "refs": Value::Object(refs.to_refs())});
    let text = serde_json::to_vec(&doc)?;
    let bytes = if zst { zstd(text)? } else { text };
    Ok(std::fs::write(tmp, bytes)?)
}

/// Zstandard (level 3) through the codec of `zarrs`.
fn zstd(data: Vec<u8>) -> Result<Vec<u8>, OutError> {
    use zarrs::array::codec::api::{BytesToBytesCodecTraits, CodecOptions};
    let codec = zarrs::array::codec::ZstdCodec::new(3, false);
    codec
        .encode(std::borrow::Cow::Owned(data), &CodecOptions::default())
        .map(std::borrow::Cow::into_owned)
        .map_err(OutError::Zstd)
}

fn write_parquet(refs: &FileRefs, dir: &Path, record_size: usize) -> Result<(), OutError> {
    std::fs::create_dir(dir)?;
    let mut meta = Map::new();
    meta.insert(".zgroup".into(), json!({"zarr_format": 2}));
    meta.insert(".zattrs".into(), Value::Object(refs.attrs.clone()));
    for v in &refs.vars {
        meta.insert(format!("{}/.zarray", v.name), Value::Object(v.zarray.clone()));
        meta.insert(format!("{}/.zattrs", v.name), Value::Object(v.zattrs.clone()));
        write_var(v, &dir.join(&v.name), record_size)?;
    }
    let doc = json!({"metadata": meta, "record_size": record_size});
    Ok(std::fs::write(dir.join(".zmetadata"), doc.to_string())?)
}

/// C-order linear index of a chunk in the grid.
fn ravel(idx: &[u64], grid: &[u64]) -> u64 {
    idx.iter().zip(grid).fold(0, |acc, (&i, &g)| acc * g + i)
}

/// The row files of one variable.
fn write_var(v: &VarRefs, dir: &Path, record_size: usize) -> Result<(), OutError> {
    std::fs::create_dir_all(dir)?;
    let shape = v.shape();
    let cs = v.chunk_shape();
    let grid: Vec<u64> = shape.iter().zip(&cs).map(|(&n, &c)| n.div_ceil(c.max(1))).collect();
    let n: u64 = grid.iter().product();
    let nrec = (n as usize).div_ceil(record_size).max(1);
    let mut rows: Vec<Vec<Option<&Chunk>>> = vec![vec![None; record_size]; nrec];
    for (idx, c) in &v.chunks {
        let k = ravel(idx, &grid) as usize;
        if let Some(r) = rows.get_mut(k / record_size) {
            r[k % record_size] = Some(c);
        }
    }
    for (k, r) in rows.iter().enumerate() {
        write_rows(&dir.join(format!("refs.{k}.parq")), r)
            .map_err(|source| OutError::Rows { var: v.name.clone(), source })?;
    }
    Ok(())
}

/// The `pandas` schema note fastparquet writes: without it fastparquet reads the REQUIRED
/// INT64 columns as nullable integers that pandas turns into floats, and fsspec then fails to
/// seek to a float offset.
fn pandas_metadata() -> String {
    let col = |name: &str, numpy: &str, pandas: &str| json!({"field_name": name, "metadata": null, "name": name, "numpy_type": numpy, "pandas_type": pandas});
    json!({
        "column_indexes": [],
        "columns": [
            col("path", "object", "unicode"),
            col("offset", "int64", "int64"),
            col("size", "int64", "int64"),
            col("raw", "object", "bytes"),
        ],
        "creator": {"library": "rookery", "version": env!("CARGO_PKG_VERSION")},
        "index_columns": [],
        "partition_columns": [],
    })
    .to_string()
}

fn write_rows(path: &Path, rows: &[Option<&Chunk>]) -> Result<(), parquet::errors::ParquetError> {
    rows_to(std::fs::File::create(path)?, rows)
}

/// One `refs.<k>.parq` file (the rows given, see the module documentation) in memory.
///
/// # Errors
/// The Parquet writer's failure (none expected writing to memory).
pub fn parquet_rows(rows: &[Option<&Chunk>]) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    let mut out = Vec::new();
    rows_to(&mut out, rows)?;
    Ok(out)
}

fn rows_to<W: std::io::Write + Send>(out: W, rows: &[Option<&Chunk>]) -> Result<(), parquet::errors::ParquetError> {
    let schema = Arc::new(parse_message_type(
        "message schema {
            OPTIONAL BYTE_ARRAY path (UTF8);
            REQUIRED INT64 offset;
            REQUIRED INT64 size;
            OPTIONAL BYTE_ARRAY raw;
        }",
    )?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_statistics_enabled(EnabledStatistics::None)
            .set_key_value_metadata(Some(vec![KeyValue::new("pandas".to_string(), pandas_metadata())]))
            .build(),
    );
    let mut w = SerializedFileWriter::new(out, schema, props)?;
    let (mut paths, mut pdef) = (Vec::new(), Vec::new());
    let (mut offs, mut sizes) = (Vec::new(), Vec::new());
    let (mut raws, mut rdef) = (Vec::new(), Vec::new());
    for r in rows {
        match r {
            Some(Chunk::Range { path, offset, size }) => {
                paths.push(ByteArray::from(path.as_bytes().to_vec()));
                pdef.push(1);
                offs.push(*offset as i64);
                sizes.push(*size as i64);
                rdef.push(0);
            }
            Some(Chunk::Inline(b)) => {
                pdef.push(0);
                offs.push(0);
                sizes.push(0);
                raws.push(ByteArray::from(b.clone()));
                rdef.push(1);
            }
            None => {
                pdef.push(0);
                offs.push(0);
                sizes.push(0);
                rdef.push(0);
            }
        }
    }
    let mut rg = w.next_row_group()?;
    let mut i = 0;
    while let Some(mut col) = rg.next_column()? {
        match i {
            0 => {
                col.typed::<ByteArrayType>().write_batch(&paths, Some(&pdef), None)?;
            }
            1 => {
                col.typed::<Int64Type>().write_batch(&offs, None, None)?;
            }
            2 => {
                col.typed::<Int64Type>().write_batch(&sizes, None, None)?;
            }
            _ => {
                col.typed::<ByteArrayType>().write_batch(&raws, Some(&rdef), None)?;
            }
        }
        col.close()?;
        i += 1;
    }
    rg.close()?;
    w.close()?;
    Ok(())
}
