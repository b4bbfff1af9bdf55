//! An on-disk cache of regridding weights, named as clisops names it:
//! `weights_{hash_src}_{hash_dst}_{peri|unperi}_{skip-degen|no-skip-degen}_{method}.nc` in the
//! xESMF layout plus a `.json` metadata sidecar.
//!
//! Safe across processes without locks: files are written to a temporary file in the cache
//! directory and atomically renamed, so a reader sees either no file or a complete one. Two
//! processes missing at the same time both compute; the last rename wins (the contents are
//! identical). A corrupt or unreadable file is recomputed and replaced, with a warning.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::grid::Grid;
use crate::weights::Weights;
use crate::{compute_weights, Method, RegridError, WeightOptions};

/// The result of a cache look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOutcome {
    /// Whether the weights came from the cache (memory or disk) rather than being computed.
    pub hit: bool,
    /// The cache id (`{hash_src}_{hash_dst}_{peri|unperi}_{skip-degen|no-skip-degen}_{method}`).
    pub id: String,
    /// The weights file.
    pub path: PathBuf,
}

/// A weights cache in a directory (created on first write), with an in-process memory layer.
#[derive(Debug)]
pub struct WeightsCache {
    dir: PathBuf,
    mem: Mutex<HashMap<String, Arc<Weights>>>,
}

impl WeightsCache {
    /// A cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> WeightsCache {
        WeightsCache { dir: dir.into(), mem: Mutex::new(HashMap::new()) }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The clisops weights id of a regridding.
    pub fn id(src: &Grid, dst: &Grid, method: Method, opts: &WeightOptions) -> String {
        format!(
            "{}_{}_{}_{}_{}",
            src.hash(),
            dst.hash(),
            if opts.periodic_for(src) { "peri" } else { "unperi" },
            if opts.ignore_degenerate { "skip-degen" } else { "no-skip-degen" },
            method.as_str()
        )
    }

    /// Path of the weights file of `id`.
    pub fn path_for(&self, id: &str) -> PathBuf {
        self.dir.join(format!("weights_{id}.nc"))
    }

    /// Returns cached weights or computes, stores and returns them.
    pub fn get_or_compute(
        &self,
        src: &Grid,
        dst: &Grid,
        method: Method,
        opts: &WeightOptions,
    ) -> Result<(Arc<Weights>, CacheOutcome), RegridError> {
        // post_mask_source changes the weights but is not part of the clisops id.
        let mut id = Self::id(src, dst, method, opts);
        if opts.post_mask_source_domain_edge {
            id.push_str("_domain-edge");
        }
        let path = self.path_for(&id);
        let outcome = |hit| CacheOutcome { hit, id: id.clone(), path: path.clone() };
        if let Some(w) = self.mem.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok((w.clone(), outcome(true)));
        }
        let (n_src, n_dst) = (src.ncells(), dst.ncells());
        if path.exists() {
            match Weights::read_xesmf_sized(&path, n_src, n_dst) {
                Ok(w) => {
                    let w = Arc::new(w);
                    self.remember(&id, &w);
                    return Ok((w, outcome(true)));
                }
                Err(e) => {
                    tracing::warn!("cached weights {} are unreadable ({e}); recomputing", path.display());
                }
            }
        }
        let w = Arc::new(compute_weights(src, dst, method, opts)?);
        std::fs::create_dir_all(&self.dir).map_err(|e| RegridError::Io {
            context: format!("cannot create cache directory {}", self.dir.display()),
            source: e,
        })?;
        w.write_xesmf_method(&path, method)?;
        if let Err(e) = self.write_sidecar(&id, src, dst, method, opts) {
            tracing::warn!("cannot write weights metadata for {id}: {e}");
        }
        self.remember(&id, &w);
        Ok((w, outcome(false)))
    }

    fn remember(&self, id: &str, w: &Arc<Weights>) {
        self.mem.lock().unwrap_or_else(|e| e.into_inner()).insert(id.to_string(), w.clone());
    }

    fn write_sidecar(
        &self,
        id: &str,
        src: &Grid,
        dst: &Grid,
        method: Method,
        opts: &WeightOptions,
    ) -> std::io::Result<()> {
        let kind = |g: &Grid| match g.kind() {
            crate::GridKind::Rectilinear => "regular_lat_lon",
            crate::GridKind::Curvilinear => "curvilinear",
            crate::GridKind::Unstructured => "unstructured",
        };
        let extent = |g: &Grid| {
            if g.is_global_lon() {
                "global"
            } else {
                "regional"
            }
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut s = |k: &str, v: &str| fields.push((k.to_string(), json_str(v)));
        s("source_uid", &src.hash());
        s("target_uid", &dst.hash());
        s("source_type", kind(src));
        s("target_type", kind(dst));
        s("source_extent_lon", extent(src));
        s("target_extent_lon", extent(dst));
        s("source_format", "CF");
        s("target_format", "CF");
        s("format", "xESMF");
        s("ignore_degenerate", if opts.ignore_degenerate { "True" } else { "False" });
        s("periodic", if opts.periodic_for(src) { "True" } else { "False" });
        s("post_mask_source", if opts.post_mask_source_domain_edge { "domain_edge" } else { "None" });
        s("method", method.as_str());
        s("uid", id);
        s("filename", &format!("weights_{id}.nc"));
        s("tool", concat!("rookery-regrid_v", env!("CARGO_PKG_VERSION")));
        for (k, g) in [("source", src), ("target", dst)] {
            fields.push((format!("{k}_nlat"), g.nlat().to_string()));
            fields.push((format!("{k}_nlon"), g.nlon().to_string()));
            fields.push((format!("{k}_ncells"), g.ncells().to_string()));
        }
        fields.sort();
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("    {}: {}", json_str(k), v)).collect();
        let text = format!("{{\n{}\n}}", body.join(",\n"));
        let mut tmp = tempfile::Builder::new().prefix(".weights_").suffix(".json.tmp").tempfile_in(&self.dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.persist(self.dir.join(format!("weights_{id}.json"))).map_err(|e| e.error)?;
        Ok(())
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
