//! Several files of one dataset combined along a dimension (normally `time`), as kerchunk's
//! `MultiZarrToZarr(concat_dims=[dim], coo_map={dim: "cf:dim"})`:
//!
//! - files are ordered by their first coordinate value (decoded with units and calendar);
//! - the coordinate variable's values (and its bounds') are concatenated, re-encoded in the
//!   earliest file's units and embedded as one uncompressed chunk (kerchunk leaves the bounds
//!   as they are, wrong when the files' units differ);
//! - other variables along the dimension keep their chunk references, the chunk keys shifted
//!   along its axis; their chunk shapes (and encodings) must match across files and every
//!   file but the last must fill its last chunk along the axis, otherwise the error is
//!   "chunk size mismatch in <file> <var>" (variables that small are embedded instead);
//! - variables without the dimension, and all attributes, come from the earliest file.

use super::{read_err, references, Chunk, FileRefs, RefOptions, VarRefs, MAX_INLINE_VAR};
use crate::zarr_write::le_bytes;
use crate::{IoError, NcSource, Source};
use rookery_cf::time::TimeCoder;
use rookery_cf::Array;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Part {
    path: PathBuf,
    src: NcSource,
    refs: FileRefs,
    /// Coordinate values as stored, with their units and calendar.
    raw: Vec<f64>,
    units: Option<String>,
    cal: Option<String>,
    /// Coordinate values in the earliest file's units.
    coord: Vec<f64>,
}

/// `values` in `units` re-encoded in `to` (unchanged when the units are the same or absent).
fn reencode(
    values: &[f64],
    units: Option<&str>,
    cal: Option<&str>,
    to: Option<(&str, Option<&str>)>,
) -> Result<Vec<f64>, IoError> {
    match (units, to) {
        (Some(u), Some((u0, c0))) if u != u0 => {
            let from = TimeCoder::new(u, cal)?;
            let to = TimeCoder::new(u0, c0)?;
            Ok(values.iter().map(|&x| to.encode(&from.decode(x)?)).collect::<Result<Vec<f64>, _>>()?)
        }
        _ => Ok(values.to_vec()),
    }
}

/// Combines the references of `paths` along dimension `dim`.
///
/// # Errors
/// A file that cannot be referenced, no coordinate variable `dim`, mismatched chunk shapes.
pub fn combine(io: &crate::IoContext, paths: &[PathBuf], dim: &str, opts: &RefOptions) -> Result<FileRefs, IoError> {
    combine_with_progress(io, paths, dim, opts, &mut |_| {})
}

/// [`combine`], calling `progress` with the number of files done after each file.
///
/// # Errors
/// See [`combine`].
pub fn combine_with_progress(
    io: &crate::IoContext,
    paths: &[PathBuf],
    dim: &str,
    opts: &RefOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<FileRefs, IoError> {
    if paths.is_empty() {
        return Err(IoError::NoFiles("(no inputs)".into()));
    }
    let mut parts = Vec::new();
    for p in paths {
        let src = NcSource::open(io, p)?;
        let refs = references(io, p, opts)?;
        let cv = src
            .dataset()
            .var(dim)
            .ok_or_else(|| read_err(p, &format!("no coordinate variable {dim} to combine along")))?
            .clone();
        let raw: Vec<f64> = src
            .read_all(dim)?
            .to_f64()
            .ok_or_else(|| read_err(p, &format!("variable {dim} is not numeric")))?
            .iter()
            .copied()
            .collect();
        parts.push(Part {
            path: p.clone(),
            src,
            refs,
            raw,
            units: cv.attrs.get_str("units").map(str::to_string),
            cal: cv.attrs.get_str("calendar").map(str::to_string),
            coord: Vec::new(),
        });
        progress(parts.len());
    }
    // Order by the first coordinate value, compared in the units of the first file given;
    // then every file's values in the earliest file's units (as the multi-file aggregation).
    let key_units = parts[0].units.clone().map(|u| (u, parts[0].cal.clone()));
    let key_to = key_units.as_ref().map(|(u, c)| (u.as_str(), c.as_deref()));
    let mut keyed = Vec::new();
    for p in parts {
        let k = reencode(&p.raw[..p.raw.len().min(1)], p.units.as_deref(), p.cal.as_deref(), key_to)?;
        keyed.push((k.first().copied().unwrap_or(f64::NAN), p));
    }
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut parts: Vec<Part> = keyed.into_iter().map(|(_, p)| p).collect();
    let target = parts[0].units.clone().map(|u| (u, parts[0].cal.clone()));
    let to = target.as_ref().map(|(u, c)| (u.as_str(), c.as_deref()));
    for p in &mut parts {
        p.coord = reencode(&p.raw, p.units.as_deref(), p.cal.as_deref(), to)?;
    }
    // The coordinate's bounds are in its units: re-encoded and embedded with it.
    let bounds: Vec<String> = parts[0]
        .src
        .dataset()
        .var(dim)
        .map(|cv| {
            ["bounds", "climatology"].iter().filter_map(|a| cv.attrs.get_str(a).map(|b| b.trim().to_string())).collect()
        })
        .unwrap_or_default();
    let total: usize = parts.iter().map(|p| p.coord.len()).sum();
    let mut out = parts[0].refs.clone();
    for (vi, v) in parts[0].refs.vars.iter().enumerate() {
        let dims: Vec<String> = v.zattrs["_ARRAY_DIMENSIONS"]
            .as_array()
            .map(|a| a.iter().filter_map(|d| d.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let Some(axis) = dims.iter().position(|d| d == dim) else {
            continue;
        };
        out.vars[vi] = if v.name == dim {
            coordinate(v, &parts)
        } else if bounds.contains(&v.name) {
            coordinate_bounds(v, axis, &parts, to)?
        } else {
            concat(v, axis, &parts, total, &parts[0].path)?
        };
    }
    Ok(out)
}

/// `v` with all its values `a` embedded as one uncompressed little-endian chunk.
fn embedded(v: &VarRefs, a: &Array) -> VarRefs {
    let shape = a.shape();
    let mut zarray = v.zarray.clone();
    zarray.insert("shape".into(), json!(shape));
    zarray.insert("chunks".into(), json!(shape.iter().map(|&n| n.max(1)).collect::<Vec<_>>()));
    zarray.insert("dtype".into(), json!(crate::zarr_write::v2_dtype(a.dtype())));
    zarray.insert("filters".into(), Value::Null);
    zarray.insert("compressor".into(), Value::Null);
    let mut chunks = BTreeMap::new();
    if !shape.contains(&0) {
        chunks.insert(vec![0; shape.len()], Chunk::Inline(le_bytes(a)));
    }
    VarRefs { name: v.name.clone(), zarray, zattrs: v.zattrs.clone(), chunks }
}

/// The coordinate variable: all values, embedded as one little-endian f64 chunk.
fn coordinate(v: &VarRefs, parts: &[Part]) -> VarRefs {
    let values: Vec<f64> = parts.iter().flat_map(|p| p.coord.iter().copied()).collect();
    embedded(v, &Array::F64(ndarray::Array1::from(values).into_dyn()))
}

/// The coordinate's bounds: every file's values re-encoded in the earliest file's units,
/// embedded as one little-endian f64 chunk.
fn coordinate_bounds(
    v: &VarRefs,
    axis: usize,
    parts: &[Part],
    to: Option<(&str, Option<&str>)>,
) -> Result<VarRefs, IoError> {
    let mut arrays = Vec::new();
    for p in parts {
        let a = p.src.read_all(&v.name)?;
        let shape = a.shape();
        let vals: Vec<f64> = a
            .to_f64()
            .ok_or_else(|| read_err(&p.path, &format!("variable {} is not numeric", v.name)))?
            .iter()
            .copied()
            .collect();
        let vals = reencode(&vals, p.units.as_deref(), p.cal.as_deref(), to)?;
        let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), vals)
            .map_err(|e| read_err(&p.path, &format!("variable {}: {e}", v.name)))?;
        arrays.push(Array::F64(a));
    }
    let a = Array::concat(axis, &arrays)
        .ok_or_else(|| IoError::Inconsistent(format!("variable {} has different shapes in the files", v.name)))?;
    Ok(embedded(v, &a))
}

/// A variable along the dimension: chunk keys shifted file by file.
fn concat(v: &VarRefs, axis: usize, parts: &[Part], total: usize, first: &Path) -> Result<VarRefs, IoError> {
    let cshape = v.chunk_shape();
    let ct = cshape.get(axis).copied().unwrap_or(1).max(1);
    let same = |a: &VarRefs| {
        a.chunk_shape() == cshape
            && a.zarray.get("dtype") == v.zarray.get("dtype")
            && a.zarray.get("filters") == v.zarray.get("filters")
            && a.zarray.get("compressor") == v.zarray.get("compressor")
    };
    let mut chunks = BTreeMap::new();
    let mut offset = 0u64;
    let mut mismatch: Option<&Path> = None;
    for (i, p) in parts.iter().enumerate() {
        let Some(pv) = p.refs.vars.iter().find(|x| x.name == v.name) else {
            return Err(read_err(&p.path, &format!("variable {} missing (present in {})", v.name, first.display())));
        };
        let n = pv.shape().get(axis).copied().unwrap_or(0);
        if !same(pv) {
            return Err(IoError::Inconsistent(format!("chunk size mismatch in {} {}", p.path.display(), v.name)));
        }
        if i + 1 < parts.len() && n % ct != 0 {
            mismatch = Some(&p.path);
            break;
        }
        for (idx, c) in &pv.chunks {
            let mut k = idx.clone();
            k[axis] += offset / ct;
            chunks.insert(k, c.clone());
        }
        offset += n;
    }
    let mut zarray = v.zarray.clone();
    let mut shape = v.shape();
    shape[axis] = total as u64;
    zarray.insert("shape".into(), json!(shape));
    if let Some(bad) = mismatch {
        return embed_all(v, axis, parts, &shape, bad);
    }
    Ok(VarRefs { name: v.name.clone(), zarray, zattrs: v.zattrs.clone(), chunks })
}

/// A small variable whose chunks cannot be concatenated: all values read and embedded.
fn embed_all(v: &VarRefs, axis: usize, parts: &[Part], shape: &[u64], bad: &Path) -> Result<VarRefs, IoError> {
    let mismatch = || {
        IoError::Inconsistent(format!(
            "chunk size mismatch in {} {} (irregular last chunk along the dimension)",
            bad.display(),
            v.name
        ))
    };
    let elem = parts[0].src.dataset().var(&v.name).map_or(0, |x| x.dtype.size());
    let nbytes = shape.iter().product::<u64>() as usize * elem;
    if nbytes > MAX_INLINE_VAR || elem == 0 {
        return Err(mismatch());
    }
    let arrays = parts.iter().map(|p| p.src.read_all(&v.name)).collect::<Result<Vec<Array>, IoError>>()?;
    let a = Array::concat(axis, &arrays).ok_or_else(mismatch)?;
    Ok(embedded(v, &a))
}
