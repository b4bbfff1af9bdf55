//! Datasets for a data API: which dataset ids a configuration lists, and a dataset opened for
//! serving (resolved and consolidated as a process's `collection` item, its fixes applied, its
//! Zarr view and the Kerchunk references of its files built once).
//!
//! ```text
//!   Daops::list_datasets(project)   catalogue projects: the ids their catalogue lists;
//!                                   other projects: every directory below base_dir holding
//!                                   *.nc files, named <project>.<dir>.<dir>... (ids whose
//!                                   parts are plain names), plus fixed_path_mappings ids
//!   Daops::serve_dataset(id)        resolve (ids only, never paths) → consolidate → open →
//!                                   fixes → ServedDataset { source, view, refs, version }
//!   ServeCache                      ids → opened datasets, kept `ttl` (files and fixes are
//!                                   re-read after that)
//! ```

use crate::{Daops, DaopsError};
use rookery_io::kerchunk::{self, FileRefs, RefOptions};
use rookery_io::zarr_serve::ZarrView;
use rookery_io::Source;
use rookery_ops::OpError;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Directory levels walked below a project's `base_dir` when listing.
const MAX_DEPTH: usize = 24;
/// Directories visited per project when listing (a bound for huge archives: use a catalogue).
const MAX_DIRS: usize = 200_000;

/// A dataset opened for serving.
pub struct ServedDataset {
    /// The dataset id.
    pub id: String,
    /// Its project.
    pub project: String,
    /// Its files, in time order.
    pub files: Vec<PathBuf>,
    /// Public download URL of each file (`data_node_root`), when the project has one.
    pub download_urls: Vec<Option<String>>,
    /// Ids of the fix records applied.
    pub fixes: Vec<String>,
    /// The aggregated, fixed dataset.
    pub source: Box<dyn Source>,
    /// Kerchunk references of the files (unfixed), when they can be built.
    pub refs: Result<FileRefs, String>,
    /// Its Zarr view.
    pub view: ZarrView,
    /// The CF roles found (main variable, coordinates, grid type), when detectable.
    pub info: Option<rookery_cf::CfInfo>,
    /// First and last time step (ISO) and the number of steps, when the dataset has a time axis.
    pub time_range: Option<(String, String, usize)>,
    /// Changes whenever a file (path, size, modification time) or the fixes applied change.
    pub version: String,
}

impl std::fmt::Debug for ServedDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedDataset").field("id", &self.id).field("files", &self.files).finish_non_exhaustive()
    }
}

/// A name usable as one part of a dataset id.
fn plain(part: &str) -> bool {
    !part.is_empty() && !part.contains(['.', '/', '\\', '*', '?', '[', ' ']) && part != ".."
}

fn walk(dir: &Path, prefix: &str, depth: usize, budget: &mut usize, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut subdirs = Vec::new();
    let mut has_nc = false;
    for e in rd.filter_map(Result::ok) {
        let Ok(t) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if t.is_dir() {
            subdirs.push(name);
        } else if t.is_file() && name.ends_with(".nc") {
            has_nc = true;
        }
    }
    // An id names a directory below the project (at least two parts after the project).
    if has_nc && prefix.matches('.').count() >= 2 {
        out.push(prefix.to_string());
    }
    if depth == 0 {
        return;
    }
    subdirs.sort();
    for s in subdirs.into_iter().filter(|s| plain(s)) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        walk(&dir.join(&s), &format!("{prefix}.{s}"), depth - 1, budget, out);
    }
}

impl Daops {
    /// The dataset ids of every project (or of `project`), as (project, id), sorted by
    /// project (configuration order) then id. See the module documentation for the rule.
    ///
    /// # Errors
    /// A catalogue that cannot be read.
    pub fn list_datasets(&self, project: Option<&str>) -> Result<Vec<(String, String)>, DaopsError> {
        let mut out = Vec::new();
        for p in self.resolver.projects().iter().filter(|p| project.is_none_or(|n| n == p.name)) {
            let mut ids = Vec::new();
            if let Some(cat) = self.resolver.catalog(&p.name) {
                ids = cat.ids()?;
            } else if let Some(base) = &p.base_dir {
                let mut budget = MAX_DIRS;
                walk(base, &p.name, MAX_DEPTH, &mut budget, &mut ids);
                ids.extend(p.fixed_path_mappings.iter().map(|(k, _)| k.clone()));
                ids.sort();
                ids.dedup();
            }
            out.extend(ids.into_iter().map(|i| (p.name.clone(), i)));
        }
        Ok(out)
    }

    /// Opens dataset `id` for serving (see the module documentation): the files a process's
    /// `collection` item `id` reads, the same fixes.
    ///
    /// # Errors
    /// Not a dataset id (a path or URL) or an unknown one ([`DaopsError::UnknownDataset`]);
    /// unreadable files; a fix that cannot be applied.
    pub fn serve_dataset(&self, id: &str) -> Result<ServedDataset, DaopsError> {
        let unknown = || DaopsError::UnknownDataset(format!("{id} is not in the list of available data."));
        let parts: Vec<&str> = id.split('.').collect();
        if parts.len() < 3 || !parts.iter().all(|p| plain(p)) || id.contains(['/', '\\']) {
            return Err(unknown());
        }
        let d = match self.datasets(&[id.to_string()], None, None) {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            Ok(_) => return Err(unknown()),
            Err(e @ (DaopsError::InvalidCollection(_) | DaopsError::InvalidProject(_))) => {
                return Err(DaopsError::UnknownDataset(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        if d.ds_id.as_deref() != Some(id) {
            return Err(unknown());
        }
        let raw = rookery_io::open_paths(self.io(), &d.files).map_err(OpError::from)?;
        let raw_ds = raw.dataset().clone();
        let (source, fixes) = self.fixes.apply(raw, id)?;
        let opts = RefOptions { inline_threshold: 500, url_prefix: None };
        let refs = match d.files.as_slice() {
            [one] => kerchunk::references(self.io(), one, &opts),
            many => {
                let dim = rookery_cf::CfInfo::detect(&raw_ds)
                    .ok()
                    .and_then(|i| i.time_dim(&raw_ds))
                    .map_or_else(|| "time".to_string(), str::to_string);
                kerchunk::combine(self.io(), many, &dim, &opts)
            }
        }
        .map_err(|e| e.to_string());
        let info = rookery_cf::CfInfo::detect(source.dataset()).ok();
        let time_range = match &info {
            Some(i) => rookery_ops::subset::time_axis(source.as_ref(), i)?
                .and_then(|t| Some((t.times.first()?.iso(), t.times.last()?.iso(), t.times.len()))),
            None => None,
        };
        let view = ZarrView::new(source.as_ref(), refs.as_ref().ok().map(|r| (&raw_ds, r)));
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for f in &d.files {
            f.hash(&mut h);
            if let Ok(m) = std::fs::metadata(f) {
                m.len().hash(&mut h);
                m.modified().ok().hash(&mut h);
            }
        }
        fixes.hash(&mut h);
        let project = d.project.clone().unwrap_or_default();
        let download_urls = d
            .files
            .iter()
            .map(|f| self.resolver.project(&project).and_then(|p| self.resolver.download_url(p, f)))
            .collect();
        Ok(ServedDataset {
            id: id.to_string(),
            project,
            files: d.files,
            download_urls,
            fixes,
            source,
            refs,
            view,
            info,
            time_range,
            version: format!("{:016x}", h.finish()),
        })
    }
}

/// Opened datasets by id, each kept for a while (a value held by the service's state).
#[derive(Debug)]
pub struct ServeCache {
    ttl: Duration,
    max: usize,
    map: Mutex<HashMap<String, (Instant, Arc<ServedDataset>)>>,
}

impl ServeCache {
    /// At most `max` datasets, each kept `ttl`.
    #[must_use]
    pub fn new(ttl: Duration, max: usize) -> ServeCache {
        ServeCache { ttl, max: max.max(1), map: Mutex::new(HashMap::new()) }
    }

    /// Dataset `id`, opened with `daops` unless a fresh one is kept.
    ///
    /// # Errors
    /// As [`Daops::serve_dataset`].
    pub fn get(&self, daops: &Daops, id: &str) -> Result<Arc<ServedDataset>, DaopsError> {
        let now = Instant::now();
        {
            let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((t, d)) = map.get(id) {
                if now.duration_since(*t) < self.ttl {
                    return Ok(d.clone());
                }
            }
        }
        let d = Arc::new(daops.serve_dataset(id)?);
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, (t, _)| now.duration_since(*t) < self.ttl);
        if map.len() >= self.max {
            if let Some(oldest) = map.iter().min_by_key(|(_, (t, _))| *t).map(|(k, _)| k.clone()) {
                map.remove(&oldest);
            }
        }
        map.insert(id.to_string(), (now, d.clone()));
        Ok(d)
    }
}
