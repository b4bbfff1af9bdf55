//! Inputs: a file, a glob, a directory (its `*.nc` files), an `http(s)://` URL, a Zarr store
//! or a Kerchunk reference (local or URL; see [`crate::detect_zarr`]), or several of these.

use crate::zarr::{detect, ZarrSource};
use crate::{is_url, AggSource, IoError, NcSource, Remote, Source};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn is_netcdf_name(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("nc" | "nc4" | "nc3" | "cdf" | "netcdf"))
}

/// Expands each input (file, glob pattern, or directory) into a sorted, de-duplicated list of
/// files. URLs are kept as they are (no globbing), in a `PathBuf` holding the URL text.
///
/// # Errors
/// An input that does not exist, a bad glob, or nothing found.
pub fn expand_inputs(inputs: &[String]) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for input in inputs {
        // s3://bucket/key: the object's HTTP(S) URL (signed when credentials are set).
        let s3_url = crate::s3::global().to_url(input);
        let input = s3_url.as_ref().unwrap_or(input);
        let p = Path::new(input);
        if is_url(input) || (!input.contains(['*', '?', '[']) && detect(input).is_some()) {
            out.push(PathBuf::from(input));
        } else if input.contains(['*', '?', '[']) && !p.exists() {
            let paths = glob::glob(input)
                .map_err(|e| IoError::Read { path: p.to_path_buf(), msg: format!("bad glob pattern: {e}") })?;
            let mut found: Vec<PathBuf> =
                paths.filter_map(Result::ok).filter(|f| f.is_file() || f.to_str().and_then(detect).is_some()).collect();
            if found.is_empty() {
                return Err(IoError::NoFiles(input.clone()));
            }
            found.sort();
            out.extend(found);
        } else if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| IoError::Read { path: p.to_path_buf(), msg: e.to_string() })?;
            let mut found: Vec<PathBuf> =
                rd.filter_map(Result::ok).map(|e| e.path()).filter(|f| f.is_file() && is_netcdf_name(f)).collect();
            if found.is_empty() {
                return Err(IoError::NoFiles(format!("directory {input}")));
            }
            found.sort();
            out.extend(found);
        } else if p.is_file() {
            out.push(p.to_path_buf());
        } else {
            return Err(IoError::NotFound(p.to_path_buf()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    if out.is_empty() {
        return Err(IoError::NoFiles(inputs.join(" ")));
    }
    Ok(out)
}

/// Opens the given files as one dataset (joined along time when there are several).
///
/// # Errors
/// See [`NcSource::open`] and [`AggSource::new`].
pub fn open_paths(paths: &[PathBuf]) -> Result<Box<dyn Source>, IoError> {
    open_paths_with(paths, &Remote::global())
}

/// [`open_paths`] with URLs read through `remote` (its HTTP client and block cache).
///
/// # Errors
/// See [`NcSource::open`], [`NcSource::open_url`] and [`AggSource::new`].
pub fn open_paths_with(paths: &[PathBuf], remote: &Remote) -> Result<Box<dyn Source>, IoError> {
    let mut sources: Vec<Box<dyn Source>> = paths
        .par_iter()
        .map(|p| -> Result<Box<dyn Source>, IoError> {
            let text = p.to_str();
            if let Some((s, kind)) = text.and_then(|s| detect(s).map(|k| (s, k))) {
                return Ok(Box::new(ZarrSource::open_as(s, kind, remote)?));
            }
            Ok(Box::new(match text.filter(|s| is_url(s)) {
                Some(url) => NcSource::open_url(url, remote)?,
                None => NcSource::open(p)?,
            }))
        })
        .collect::<Result<_, _>>()?;
    if sources.len() == 1 {
        if let Some(s) = sources.pop() {
            return Ok(s);
        }
    }
    Ok(Box::new(AggSource::new(sources)?))
}

/// Expands `inputs` and opens them as one dataset.
///
/// # Errors
/// See [`expand_inputs`] and [`open_paths`].
pub fn open(inputs: &[String]) -> Result<Box<dyn Source>, IoError> {
    open_paths(&expand_inputs(inputs)?)
}
