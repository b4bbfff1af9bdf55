//! Intake-style CSV catalogues (roocs.md §2.5): one row per file with `ds_id, path, size,
//! <facets...>, start_time, end_time, bbox, level`, plain or gzipped, as catalog-maker writes
//! them. A catalogue is loaded once into an index by dataset id and reloaded when its file
//! changes. [`build`] writes one for a directory tree (what catalog-maker does).

use crate::project::Project;
use crate::DaopsError;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// daops's `MIN_DATETIME`: the start time of a row (or request) whose start is undefined.
pub const MIN_DATETIME: &str = "0001-01-01T00:00:00";
/// daops's `MAX_DATETIME`: the end time of a row (or request) whose end is undefined.
pub const MAX_DATETIME: &str = "9999-12-30T00:00:00";

/// One file of a catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Dataset id the file belongs to: the project name and the directory facets joined by dots.
    pub ds_id: String,
    /// Path relative to the project's base directory.
    pub path: String,
    /// File size in bytes as the catalogue records it (0 when missing or unparsable).
    pub size: u64,
    /// ISO start time, or `MIN_DATETIME` when undefined.
    pub start_time: String,
    /// ISO end time, or `MAX_DATETIME` when undefined.
    pub end_time: String,
}

#[derive(Debug, Default)]
struct Index {
    by_id: HashMap<String, Vec<Row>>,
}

/// A catalogue file with its loaded index.
#[derive(Debug)]
pub struct Catalog {
    path: PathBuf,
    loaded: Mutex<Option<(SystemTime, std::sync::Arc<Index>)>>,
}

fn norm_time(s: &str, default: &str) -> String {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("undefined") || t.eq_ignore_ascii_case("nan") {
        default.to_string()
    } else {
        t.to_string()
    }
}

impl Catalog {
    /// A catalogue at `path` (read on first use).
    #[must_use]
    pub fn new(path: PathBuf) -> Catalog {
        Catalog { path, loaded: Mutex::new(None) }
    }

    fn load(&self) -> Result<std::sync::Arc<Index>, DaopsError> {
        let bad = |m: String| DaopsError::Config(format!("catalogue {}: {m}", self.path.display()));
        let mtime = std::fs::metadata(&self.path).and_then(|m| m.modified()).map_err(|e| bad(e.to_string()))?;
        let mut guard = self.loaded.lock().map_err(|_| bad("index lock poisoned".into()))?;
        if let Some((t, idx)) = guard.as_ref() {
            if *t == mtime {
                return Ok(idx.clone());
            }
        }
        let bytes = std::fs::read(&self.path).map_err(|e| bad(e.to_string()))?;
        // gzip is recognised by its magic bytes, whatever the file is called.
        let reader: Box<dyn Read + '_> = if bytes.starts_with(&[0x1f, 0x8b]) {
            Box::new(flate2::read::GzDecoder::new(bytes.as_slice()))
        } else {
            Box::new(bytes.as_slice())
        };
        let mut csv = csv::ReaderBuilder::new().flexible(false).from_reader(reader);
        let headers = csv.headers().map_err(|e| bad(e.to_string()))?.clone();
        let col = |name: &str| {
            headers.iter().position(|h| h.trim() == name).ok_or_else(|| bad(format!("no '{name}' column")))
        };
        let (ci, cp, cs, cst, cet) = (col("ds_id")?, col("path")?, col("size")?, col("start_time")?, col("end_time")?);
        let mut idx = Index::default();
        for (n, rec) in csv.records().enumerate() {
            let rec = rec.map_err(|e| bad(format!("row {}: {e}", n + 1)))?;
            let get = |c: usize| rec.get(c).unwrap_or("").to_string();
            let row = Row {
                ds_id: get(ci),
                path: get(cp),
                size: get(cs).trim().parse::<f64>().map_or(0, |x| {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let v = x.max(0.0) as u64;
                    v
                }),
                start_time: norm_time(&get(cst), MIN_DATETIME),
                end_time: norm_time(&get(cet), MAX_DATETIME),
            };
            if row.path.contains("..") || row.path.starts_with('/') {
                return Err(bad(format!("row {}: path '{}' leaves the base directory", n + 1, row.path)));
            }
            idx.by_id.entry(row.ds_id.clone()).or_default().push(row);
        }
        let idx = std::sync::Arc::new(idx);
        *guard = Some((mtime, idx.clone()));
        Ok(idx)
    }

    /// Every dataset id the catalogue lists, sorted.
    ///
    /// # Errors
    /// The catalogue cannot be read or parsed.
    pub fn ids(&self) -> Result<Vec<String>, DaopsError> {
        let mut v: Vec<String> = self.load()?.by_id.keys().cloned().collect();
        v.sort();
        Ok(v)
    }

    /// Rows of `ds_id` overlapping `start..=end` (ISO strings compared lexicographically, as
    /// daops does); `None` when the id is not in the catalogue at all.
    ///
    /// # Errors
    /// The catalogue cannot be read or parsed.
    pub fn search(&self, ds_id: &str, start: &str, end: &str) -> Result<Option<Vec<Row>>, DaopsError> {
        let idx = self.load()?;
        Ok(idx.by_id.get(ds_id).map(|rows| {
            rows.iter().filter(|r| r.end_time.as_str() >= start && r.start_time.as_str() <= end).cloned().collect()
        }))
    }
}

/// Writes a catalogue (CSV) of every NetCDF file below the project's `base_dir`, one row per
/// file, datasets being the directories holding files. Times and bounding boxes are read
/// from the files.
///
/// # Errors
/// Unreadable directories; a project without `base_dir`.
pub fn build(io: &rookery_io::IoContext, project: &Project, out: &mut dyn std::io::Write) -> Result<usize, DaopsError> {
    build_with_progress(io, project, out, &mut |_, _| {})
}

/// [`build`], calling `progress(done, total)` after each file.
///
/// # Errors
/// See [`build`].
pub fn build_with_progress(
    io: &rookery_io::IoContext,
    project: &Project,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, DaopsError> {
    let base = project
        .base_dir
        .clone()
        .ok_or_else(|| DaopsError::Config(format!("project {} has no base_dir", project.name)))?;
    let mut files = Vec::new();
    walk(&base, &mut files)?;
    files.sort();
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["ds_id".to_string(), "path".into(), "size".into()];
    header.extend(project.facet_rule.iter().cloned());
    header.extend(["start_time", "end_time", "bbox", "level"].map(String::from));
    w.write_record(&header).map_err(|e| DaopsError::Config(e.to_string()))?;
    let mut n = 0;
    for (k, f) in files.iter().enumerate() {
        progress(k, files.len());
        let Ok(rel) = f.strip_prefix(&base) else { continue };
        let Some(dir) = rel.parent() else { continue };
        let tokens: Vec<String> = dir.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let ds_id = std::iter::once(project.name.clone()).chain(tokens.iter().cloned()).collect::<Vec<_>>().join(".");
        let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        let (start, end, bbox, level) = describe(io, f);
        let mut rec = vec![ds_id, rel.to_string_lossy().into_owned(), size.to_string()];
        let mut facets = vec![project.name.clone()];
        facets.extend(tokens.iter().cloned());
        for i in 0..project.facet_rule.len() {
            rec.push(facets.get(i).cloned().unwrap_or_default());
        }
        rec.extend([start, end, bbox, level]);
        w.write_record(&rec).map_err(|e| DaopsError::Config(e.to_string()))?;
        n += 1;
    }
    w.flush().map_err(|e| DaopsError::Config(e.to_string()))?;
    Ok(n)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DaopsError> {
    let rd = std::fs::read_dir(dir).map_err(|e| DaopsError::Missing(format!("cannot read {}: {e}", dir.display())))?;
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "nc") {
            out.push(p);
        }
    }
    Ok(())
}

/// (start_time, end_time, bbox, level) of a file, "undefined" where unknown.
fn describe(io: &rookery_io::IoContext, f: &Path) -> (String, String, String, String) {
    let undefined = || ("undefined".to_string(), "undefined".to_string(), String::new(), String::new());
    let Ok(src) = rookery_io::NcSource::open(io, f) else { return undefined() };
    let ds = rookery_io::Source::dataset(&src).clone();
    let Ok(info) = rookery_cf::CfInfo::detect(&ds) else { return undefined() };
    let (start, end) = match rookery_ops::subset::time_axis(&src, &info) {
        Ok(Some(t)) => match (t.times.first(), t.times.last()) {
            (Some(a), Some(b)) => (a.iso(), b.iso()),
            _ => ("undefined".into(), "undefined".into()),
        },
        _ => ("undefined".into(), "undefined".into()),
    };
    let range = |v: &Option<String>| -> Option<(f64, f64)> {
        let a = rookery_io::Source::read_all(&src, v.as_deref()?).ok()?.to_f64()?;
        let vals: Vec<f64> = a.iter().copied().filter(|x| x.is_finite() && x.abs() < 1e3).collect();
        Some((
            vals.iter().copied().fold(f64::INFINITY, f64::min),
            vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ))
    };
    let bbox = match (range(&info.lon), range(&info.lat)) {
        (Some((x0, x1)), Some((y0, y1))) if x0.is_finite() && y0.is_finite() => {
            format!("{x0:.2}, {y0:.2}, {x1:.2}, {y1:.2}")
        }
        _ => String::new(),
    };
    let level = info
        .level
        .as_deref()
        .and_then(|l| rookery_io::Source::read_all(&src, l).ok()?.to_f64())
        .map(|a| a.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    (start, end, bbox, level)
}
