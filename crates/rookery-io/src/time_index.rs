//! The time index of a multi-file dataset, cached on disk so that a dataset of many files
//! opens without reading every file.
//!
//! ```text
//!   <cache dir>/time-index/<fnv(sorted absolute paths)>.json      (atomic write: tmp + rename)
//!     { "version", "key" (time variable, bounds, time dimension),
//!       "files": [{ "path", "size", "mtime_ns", "ino",                  (the validator)
//!                   "len", "units", "calendar", "structure", "compressed", "first_last",
//!                   "time": [f64 bits...], "bounds": [f64 bits...] }] }
//! ```
//!
//! For each file: the length of its time dimension, its time values and bounds (as the bits of
//! the stored `double`s, so what the index gives back is exactly what the file holds), the
//! time units and calendar, a hash of its structure (variables, their dimensions, types and
//! non-time lengths) and whether it is compressed. An entry is used only while the file's
//! size, modification time (ns) and inode are the ones recorded; any other file is read again
//! and the index rewritten. An index that cannot be read or parsed is ignored (the files are
//! read), one that cannot be written is skipped: the index never fails an open.
//!
//! The cache directory is the block cache's ([`crate::CacheConfig`]: `ROOKERY_CACHE_DIR`, ...);
//! no directory (a budget of 0) means no index.

use rookery_cf::Dataset;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const VERSION: u64 = 1;

/// What identifies one version of a file: size, modification time and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: i128,
    ino: u64,
}

impl Stamp {
    /// The stamp of the local file `path` (`None` when it cannot be read).
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        let mtime = m.modified().ok()?;
        let mtime_ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i128::try_from(d.as_nanos()).ok()?,
            Err(e) => -i128::try_from(e.duration().as_nanos()).ok()?,
        };
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let ino = 0;
        Some(Stamp { size: m.len(), mtime_ns, ino })
    }
}

/// What the join needs of one file without opening it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FileMeta {
    /// Length of the time dimension.
    pub(crate) len: usize,
    /// Units and calendar of the time variable.
    pub(crate) units: Option<String>,
    pub(crate) calendar: Option<String>,
    /// First and last time value (raw, in the file's units).
    pub(crate) first_last: Option<(f64, f64)>,
    /// Hash of the file's structure ([`structure`]).
    pub(crate) structure: u64,
    /// [`crate::Source::compressed`] of the file.
    pub(crate) compressed: Option<bool>,
    /// The time variable's values, when it is stored as `double`.
    pub(crate) time: Option<Vec<f64>>,
    /// The time bounds' values (row-major, `len` rows), when stored as `double`.
    pub(crate) bounds: Option<Vec<f64>>,
}

/// A hash of what must agree between joined files: every variable's name, dimensions, type
/// and lengths (the time dimension's length left out). Two files with the same hash pass the
/// join's compatibility check against each other.
pub(crate) fn structure(ds: &Dataset, time_dim: &str) -> u64 {
    let mut vars: Vec<_> = ds.vars.iter().collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for v in vars {
        let mut s = format!("{}|{}|", v.name, v.dtype.cdl_name());
        for (d, n) in v.dims.iter().zip(&v.shape) {
            let n = if d == time_dim { 0 } else { *n };
            s.push_str(&format!("{d}={n},"));
        }
        parts.push(s.into_bytes());
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    fnv(&refs)
}

/// FNV-1a, 64 bits (as the block cache's keys): stable across builds and platforms.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The index of one set of files.
pub(crate) struct TimeIndex {
    file: Option<PathBuf>,
    /// The time variable, its bounds and the time dimension the entries were made for.
    key: String,
    entries: Vec<(PathBuf, Stamp, FileMeta)>,
}

fn bits(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| Value::from(x.to_bits())).collect())
}

fn unbits(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(|x| x.as_u64().map(f64::from_bits)).collect()
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl TimeIndex {
    /// The index of `paths` in `cache_dir` (empty when there is none, it is unreadable, or it
    /// was made for another time variable).
    pub(crate) fn load(cache_dir: Option<&Path>, paths: &[PathBuf], key: &str) -> TimeIndex {
        let file = cache_dir.map(|d| {
            let mut sorted: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
            sorted.sort();
            let names: Vec<Vec<u8>> = sorted.iter().map(|p| p.to_string_lossy().into_owned().into_bytes()).collect();
            let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
            d.join("time-index").join(format!("{:016x}.json", fnv(&refs)))
        });
        let mut idx = TimeIndex { file, key: key.to_string(), entries: Vec::new() };
        if let Some(text) = idx.file.as_ref().and_then(|f| std::fs::read(f).ok()) {
            match serde_json::from_slice::<Value>(&text).ok().and_then(|v| idx.parse(&v)) {
                Some(entries) => idx.entries = entries,
                None => tracing::warn!(
                    "ignoring the unreadable time index {}",
                    idx.file.as_ref().map_or(String::new(), |f| f.display().to_string())
                ),
            }
        }
        idx
    }

    fn parse(&self, v: &Value) -> Option<Vec<(PathBuf, Stamp, FileMeta)>> {
        if v.get("version")?.as_u64()? != VERSION || v.get("key")?.as_str()? != self.key {
            return Some(Vec::new());
        }
        let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
        v.get("files")?
            .as_array()?
            .iter()
            .map(|e| {
                let stamp = Stamp {
                    size: e.get("size")?.as_u64()?,
                    mtime_ns: e.get("mtime_ns")?.as_str()?.parse().ok()?,
                    ino: e.get("ino")?.as_u64()?,
                };
                let len = usize::try_from(e.get("len")?.as_u64()?).ok()?;
                let time = match e.get("time")? {
                    Value::Null => None,
                    t => Some(unbits(t).filter(|t| t.len() == len)?),
                };
                let bounds = match e.get("bounds")? {
                    Value::Null => None,
                    b => Some(unbits(b).filter(|b| len == 0 || b.len() % len == 0)?),
                };
                let first_last = match e.get("first_last")? {
                    Value::Null => None,
                    f => match unbits(f)?.as_slice() {
                        [a, b] => Some((*a, *b)),
                        _ => return None,
                    },
                };
                let meta = FileMeta {
                    len,
                    first_last,
                    units: s(e, "units"),
                    calendar: s(e, "calendar"),
                    structure: e.get("structure")?.as_str()?.parse().ok()?,
                    compressed: e.get("compressed")?.as_bool().map(Some).unwrap_or(None),
                    time,
                    bounds,
                };
                Some((PathBuf::from(e.get("path")?.as_str()?), stamp, meta))
            })
            .collect()
    }

    /// The entry of `path` when the file still has the stamp it was indexed with.
    pub(crate) fn get(&self, path: &Path, stamp: Option<Stamp>) -> Option<&FileMeta> {
        let stamp = stamp?;
        let abs = absolute(path);
        self.entries.iter().find(|(p, s, _)| *p == abs && *s == stamp).map(|(_, _, m)| m)
    }

    /// Writes the index of `files` (path, stamp, metadata) when it differs from the loaded one.
    pub(crate) fn store(&self, files: &[(&Path, Option<Stamp>, &FileMeta)]) {
        let Some(target) = &self.file else { return };
        if files.iter().any(|(_, s, _)| s.is_none()) {
            return;
        }
        let same = files.len() == self.entries.len() && files.iter().all(|(p, s, m)| self.get(p, *s) == Some(m));
        if same {
            refresh(target);
            return;
        }
        let entries: Vec<Value> = files
            .iter()
            .filter_map(|(p, s, m)| {
                let s = (*s)?;
                Some(json!({
                    "path": absolute(p).to_string_lossy(),
                    "size": s.size, "mtime_ns": s.mtime_ns.to_string(), "ino": s.ino,
                    "len": m.len, "units": m.units, "calendar": m.calendar,
                    "structure": m.structure.to_string(), "compressed": m.compressed,
                    "first_last": m.first_last.map(|(a, b)| bits(&[a, b])),
                    "time": m.time.as_deref().map(bits), "bounds": m.bounds.as_deref().map(bits),
                }))
            })
            .collect();
        let doc = json!({ "version": VERSION, "key": self.key, "files": entries });
        if let Err(e) = write_atomic(target, doc.to_string().as_bytes()) {
            tracing::warn!("cannot write the time index {}: {e}", target.display());
        }
        remove_stale(target);
    }
}

/// Indexes unused for this long are removed when another is written.
const STALE: Duration = Duration::from_secs(30 * 86_400);

fn age(p: &Path) -> Option<Duration> {
    std::fs::metadata(p).ok()?.modified().ok()?.elapsed().ok()
}

/// Marks an index as used (its modification time, at most once a day).
fn refresh(target: &Path) {
    if age(target).is_some_and(|a| a > Duration::from_secs(86_400)) {
        let _ = std::fs::File::options().write(true).open(target).and_then(|f| f.set_modified(SystemTime::now()));
    }
}

/// Removes the indexes (and leftover temporary files) of the directory unused for [`STALE`].
fn remove_stale(target: &Path) {
    let Some(dir) = target.parent() else { return };
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if p != target && age(&p).is_some_and(|a| a > STALE) {
            let _ = std::fs::remove_file(&p);
        }
    }
}

fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.{:?}.tmp",
        target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id(),
        std::thread::current().id()
    ));
    let res =
        std::fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| std::fs::rename(&tmp, target));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}
