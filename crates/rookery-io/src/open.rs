//! Inputs: a file, a glob, a directory (its `*.nc` files), an `http(s)://` URL, a Zarr store
//! or a Kerchunk reference (local or URL; see [`crate::detect_zarr`]), or several of these.
//! Every path and URL is checked by the [`IoContext`] before anything looks at it.

use crate::zarr::{detect, ZarrSource};
use crate::{is_url, AggSource, IndexStats, IoContext, IoError, NcSource, Opener, Source};
use rayon::prelude::*;
use rookery_cf::Dataset;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn is_netcdf_name(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("nc" | "nc4" | "nc3" | "cdf" | "netcdf"))
}

/// Expands each input (file, glob pattern, or directory) into a sorted, de-duplicated list of
/// files. URLs are kept as they are (no globbing), in a `PathBuf` holding the URL text.
///
/// # Errors
/// An input the context refuses, an input that does not exist, a bad glob, or nothing found.
pub fn expand_inputs(ctx: &IoContext, inputs: &[String]) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for input in inputs {
        // s3://bucket/key: the object's HTTP(S) URL (signed when credentials are set).
        let s3_url = ctx.s3().to_url(input);
        let input = s3_url.as_ref().unwrap_or(input);
        let p = Path::new(input);
        if is_url(input) {
            ctx.url(input)?;
            out.push(PathBuf::from(input));
            continue;
        }
        // Before anything looks at the file system: a refusal tells nothing of what is there.
        ctx.local(&glob_base(p))?;
        if !input.contains(['*', '?', '[']) && detect(input).is_some() {
            out.push(PathBuf::from(input));
        } else if input.contains(['*', '?', '[']) && !p.exists() {
            let paths = glob::glob(input)
                .map_err(|e| IoError::Read { path: p.to_path_buf(), msg: format!("bad glob pattern: {e}") })?;
            let mut found: Vec<PathBuf> = paths
                .filter_map(Result::ok)
                .filter(|f| ctx.local(f).is_ok())
                .filter(|f| f.is_file() || f.to_str().and_then(detect).is_some())
                .collect();
            if found.is_empty() {
                return Err(IoError::NoFiles(input.clone()));
            }
            found.sort();
            out.extend(found);
        } else if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| IoError::Read { path: p.to_path_buf(), msg: e.to_string() })?;
            let mut found: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| ctx.local(f).is_ok() && f.is_file() && is_netcdf_name(f))
                .collect();
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

/// The part of a path before its first glob character, cut at a `/` (the path itself when it
/// has none): what must be readable before the pattern is expanded.
#[must_use]
pub fn glob_base(p: &Path) -> PathBuf {
    let text = p.to_string_lossy();
    match text.find(['*', '?', '[']) {
        Some(i) => PathBuf::from(text[..i].rsplit_once('/').map_or(".", |(d, _)| if d.is_empty() { "/" } else { d })),
        None => p.to_path_buf(),
    }
}

/// Opens one input: a Zarr store or Kerchunk reference, a NetCDF URL or a local NetCDF file.
fn open_one(ctx: &IoContext, p: &Path) -> Result<Box<dyn Source>, IoError> {
    let text = p.to_str();
    if text.is_none_or(|s| !is_url(s)) {
        // Checked before `detect` reads the file's first bytes.
        ctx.local(p)?;
    }
    if let Some((s, kind)) = text.and_then(|s| detect(s).map(|k| (s, k))) {
        return Ok(Box::new(ZarrSource::open_as(ctx, s, kind)?));
    }
    Ok(Box::new(match text.filter(|s| is_url(s)) {
        Some(url) => NcSource::open_url(ctx, url)?,
        None => NcSource::open(ctx, p)?,
    }))
}

/// Whether `p` is a local file (not a URL, Zarr store or Kerchunk reference).
fn is_local_file(p: &Path) -> bool {
    p.to_str().is_none_or(|s| !is_url(s) && detect(s).is_none())
}

/// Opens the given files as one dataset (joined along time when there are several), local
/// files and URLs as the context allows. Several local files are joined through their time
/// index (see [`open_paths_indexed`]).
///
/// # Errors
/// See [`IoContext::local`], [`NcSource::open`], [`ZarrSource::open_as`] and [`AggSource::new`].
pub fn open_paths(ctx: &IoContext, paths: &[PathBuf]) -> Result<Box<dyn Source>, IoError> {
    if paths.len() > 1 && paths.iter().all(|p| is_local_file(p)) {
        return Ok(Box::new(open_paths_indexed(ctx, paths)?.0));
    }
    let mut sources: Vec<Box<dyn Source>> = paths.par_iter().map(|p| open_one(ctx, p)).collect::<Result<_, _>>()?;
    if sources.len() == 1 {
        if let Some(s) = sources.pop() {
            return Ok(s);
        }
    }
    Ok(Box::new(AggSource::new(sources)?))
}

/// Joins the local files `paths` along time, with the time index of the set kept in the
/// context's cache directory (`<dir>/time-index/`; none when the disk cache is off): files
/// unchanged since they were indexed (size, modification time, inode) are opened only when
/// their data are read. Every path is checked by the context first.
///
/// # Errors
/// As [`open_paths`].
pub fn open_paths_indexed(ctx: &IoContext, paths: &[PathBuf]) -> Result<(AggSource, IndexStats), IoError> {
    let real: Vec<PathBuf> = paths.iter().map(|p| ctx.local(p)).collect::<Result<_, _>>()?;
    let c = ctx.clone();
    let opener: Opener = Arc::new(move |p: &Path, like: Option<(&Dataset, &str)>| match like {
        Some((template, time_dim)) if is_local_file(p) => {
            Ok(Box::new(NcSource::open_like(&c, p, template, time_dim)?) as Box<dyn Source>)
        }
        _ => open_one(&c, p),
    });
    let dir = ctx.remote().cache().config().dir.clone();
    AggSource::open_indexed(paths, &real, opener, dir.as_deref())
}

/// Expands `inputs` and opens them as one dataset.
///
/// # Errors
/// See [`expand_inputs`] and [`open_paths`].
pub fn open(ctx: &IoContext, inputs: &[String]) -> Result<Box<dyn Source>, IoError> {
    open_paths(ctx, &expand_inputs(ctx, inputs)?)
}
