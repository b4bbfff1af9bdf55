//! `rookery kerchunk`: Kerchunk references for NetCDF-3/NetCDF-4 files — local, `http(s)://`
//! or `s3://` (read through the block cache under the egress policy; the input URLs are the
//! targets) — one file or several combined along time, written as JSON v1 (`.json`,
//! `.json.zst`) or lazy Parquet (`.parq`).

use super::Failure;
use rookery_io::kerchunk::{self, Chunk, RefOptions};
use std::path::PathBuf;

/// Options of `rookery kerchunk`.
#[derive(clap::Args)]
pub(crate) struct KerchunkArgs {
    /// NetCDF files, globs, directories, `http(s)://` or `s3://` URLs, or a dataset id
    /// (several files form one dataset, combined along `--combine`).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// Output: `refs.json`, `refs.json.zst` (zstd) or `refs.parq` (Parquet directory).
    #[arg(long, short)]
    pub(crate) output: PathBuf,
    /// Dimension along which several files are combined.
    #[arg(long, default_value = "time")]
    pub(crate) combine: String,
    /// URL (or directory) that replaces each file's directory in the references, e.g.
    /// `https://node/thredds/fileServer/cmip6/...`; default: absolute local paths, and the
    /// URLs as given for remote inputs.
    #[arg(long = "url-prefix")]
    pub(crate) url_prefix: Option<String>,
    /// Chunks smaller than this many bytes are embedded in the references.
    #[arg(long = "inline-threshold", default_value_t = 500)]
    pub(crate) inline_threshold: usize,
    /// Rows per Parquet file (Parquet output only).
    #[arg(long = "record-size", default_value_t = kerchunk::DEFAULT_RECORD_SIZE)]
    pub(crate) record_size: usize,
}

/// Writes the references and prints a summary.
pub(crate) fn run(daops: &rookery_daops::Daops, a: &KerchunkArgs) -> Result<(), Failure> {
    let name = a.output.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ![".json", ".zst", ".zstd", ".parq", ".parquet"].iter().any(|e| name.ends_with(e)) {
        return Err(Failure::request(format!(
            "output {} must end in .json, .json.zst or .parq (the reference format is chosen by the name)",
            a.output.display()
        )));
    }
    let datasets = daops.cli_datasets(&a.inputs, None, None)?;
    if datasets.len() > 1 {
        return Err(Failure::request("one dataset per reference set: give the files or the id of one dataset"));
    }
    let files: Vec<PathBuf> = datasets.into_iter().flat_map(|d| d.files).collect();
    if let Some(u) = files.iter().find(|f| rookery_io::detect_zarr(&f.to_string_lossy()).is_some()) {
        return Err(Failure::request(format!(
            "{}: references are generated from NetCDF files, not from Zarr stores or reference sets",
            u.display()
        )));
    }
    let opts = RefOptions { inline_threshold: a.inline_threshold, url_prefix: a.url_prefix.clone() };
    let mut refs = if files.len() == 1 {
        kerchunk::references(daops.io(), &files[0], &opts)?
    } else {
        let bar = super::progress_bar();
        if let Some(b) = &bar {
            b.set_length(files.len() as u64);
        }
        let r = kerchunk::combine_with_progress(daops.io(), &files, &a.combine, &opts, &mut |n| {
            if let Some(b) = &bar {
                super::advance(b, n as u64);
            }
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        r?
    };
    if a.url_prefix.is_none() {
        s3_targets(daops.io(), &a.inputs, &mut refs);
    }
    if let Some(parent) = a.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::io(format!("cannot create directory {}: {e}", parent.display())))?;
    }
    let out = kerchunk::write(&refs, &a.output, a.record_size)?;
    let (mut nref, mut ninline, mut inline_bytes) = (0usize, 0usize, 0usize);
    for v in &refs.vars {
        for c in v.chunks.values() {
            match c {
                Chunk::Range { .. } => nref += 1,
                Chunk::Inline(b) => {
                    ninline += 1;
                    inline_bytes += b.len();
                }
            }
        }
    }
    eprintln!(
        "{} files, {} variables: {nref} chunk references, {ninline} embedded chunks ({inline_bytes} bytes)",
        files.len(),
        refs.vars.len()
    );
    println!("{}", out.display());
    Ok(())
}

/// `s3://bucket/key` inputs stay `s3://` names in the references (they were read through
/// their HTTPS URLs), as kerchunk writes them.
fn s3_targets(io: &rookery_io::IoContext, inputs: &[String], refs: &mut kerchunk::FileRefs) {
    let names: Vec<(String, String)> =
        inputs.iter().filter_map(|i| io.s3().to_url(i).map(|u| (u, i.clone()))).collect();
    if names.is_empty() {
        return;
    }
    for v in &mut refs.vars {
        for c in v.chunks.values_mut() {
            if let Chunk::Range { path, .. } = c {
                if let Some((_, name)) = names.iter().find(|(u, _)| u == path) {
                    path.clone_from(name);
                }
            }
        }
    }
}
