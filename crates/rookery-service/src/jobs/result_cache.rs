//! The result cache: outputs of finished data operations, keyed by the normalised request —
//! the process, its inputs, the inputs' fingerprint (resolved files with sizes and
//! modification times, the fixes that apply: `Daops::inputs_fingerprint`) and rookery's
//! version. An identical request is answered by linking the cached files into its own job
//! directory, with no engine work; a touched input file or another rookery version misses.
//!
//! On disk, under `<data_dir>/result-cache/`: one directory per key holding `entry.json` and
//! the files (hard links to the first job's outputs where the file system allows, so a cached
//! result costs no space while that job is kept, and outlives it while it is used). The total
//! size is bounded: the least recently used entries are removed first; entries unused for
//! longer than the jobs' retention go too.

use super::{JobResult, ResultFile};
use crate::process::Inputs;
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// The cache of a data directory.
#[derive(Clone, Debug)]
pub struct ResultCache {
    dir: PathBuf,
    max_bytes: u64,
    /// Milliseconds an entry is kept after its last use (`None`: no limit).
    max_age_ms: Option<i64>,
}

/// What `entry.json` records.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// The job whose outputs these are.
    job: String,
    process: String,
    /// Milliseconds since the epoch.
    created: i64,
    last_used: i64,
    hits: u64,
    bytes: u64,
    files: Vec<ResultFile>,
}

/// A cached result linked into a job's directory.
#[derive(Debug)]
pub struct Hit {
    /// The job that computed it.
    pub job: String,
    /// The files, as that job listed them.
    pub files: Vec<ResultFile>,
}

/// `rookery cache results stats`.
#[derive(Debug, Serialize)]
pub struct CacheStats {
    /// The cache directory.
    pub dir: PathBuf,
    /// Results kept.
    pub entries: usize,
    /// Their size.
    pub bytes: u64,
    /// The size bound.
    pub max_bytes: u64,
    /// Requests answered from the kept results.
    pub hits: u64,
    /// Per entry: (original job, process, bytes, hits, last used ms).
    pub items: Vec<(String, String, u64, u64, i64)>,
}

fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}

/// A file name from a result: relative, no `..` (results list names under their job directory).
fn safe(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty() && p.is_relative() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

impl ResultCache {
    /// The cache under `data_dir`, bounded to `max_bytes`, no entry kept longer than
    /// `max_age_ms` after its last use.
    #[must_use]
    pub fn new(data_dir: &Path, max_bytes: u64, max_age_ms: Option<i64>) -> ResultCache {
        ResultCache { dir: data_dir.join("result-cache"), max_bytes, max_age_ms }
    }

    /// The key of a request: SHA-256 (hex) of the process, its inputs (sorted by name), the
    /// inputs' fingerprint and the version of the program.
    #[must_use]
    pub fn key(process: &str, inputs: &Inputs, fingerprint: &str, version: &str) -> String {
        use sha2::Digest;
        let doc = serde_json::json!({"process": process, "inputs": inputs, "data": fingerprint, "version": version});
        let mut h = sha2::Sha256::new();
        h.update(doc.to_string().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn read(&self, key: &str) -> Option<Entry> {
        serde_json::from_slice(&std::fs::read(self.dir.join(key).join("entry.json")).ok()?).ok()
    }

    fn write(path: &Path, e: &Entry) -> io::Result<()> {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(e).map_err(io::Error::other)?)?;
        std::fs::rename(tmp, path)
    }

    /// Links the result kept for `key` into `job_dir` and counts the hit; `None` when there
    /// is none, or when it cannot be linked whole (what was linked is removed again).
    #[must_use]
    pub fn restore(&self, key: &str, job_dir: &Path, now_ms: i64) -> Option<Hit> {
        let mut e = self.read(key)?;
        let src = self.dir.join(key).join("files");
        let mut done = Vec::new();
        for f in &e.files {
            let (from, to) = (src.join(&f.name), job_dir.join(&f.name));
            let ok = safe(&f.name)
                && std::fs::metadata(&from).is_ok_and(|m| m.len() == f.size)
                && link_or_copy(&from, &to).is_ok();
            if !ok {
                for p in done {
                    let _ = std::fs::remove_file(p);
                }
                return None;
            }
            done.push(to);
        }
        e.hits += 1;
        e.last_used = now_ms;
        if let Err(err) = Self::write(&self.dir.join(key).join("entry.json"), &e) {
            tracing::warn!("result cache: counting a hit of {key} failed: {err}");
        }
        Some(Hit { job: e.job, files: e.files })
    }

    /// Keeps the outputs of job `job` (in `job_dir`) under `key`. Results that link original
    /// files or list remote URLs are not kept (they cost nothing to make again). Then the
    /// least recently used entries go until the cache fits its bound.
    ///
    /// # Errors
    /// The cache directory cannot be written.
    pub fn store(
        &self,
        key: &str,
        job: &str,
        process: &str,
        job_dir: &Path,
        result: &JobResult,
        now_ms: i64,
    ) -> io::Result<()> {
        let own = |f: &ResultFile| f.sha256.is_some() && safe(&f.name);
        if result.files.is_empty() || !result.urls.is_empty() || !result.files.iter().all(own) {
            return Ok(());
        }
        let bytes: u64 = result.files.iter().map(|f| f.size).sum();
        if bytes > self.max_bytes {
            return Ok(());
        }
        let final_dir = self.dir.join(key);
        if final_dir.exists() {
            return Ok(());
        }
        let tmp = self.dir.join(format!(".tmp-{job}"));
        let _ = std::fs::remove_dir_all(&tmp);
        let made = (|| {
            for f in &result.files {
                link_or_copy(&job_dir.join(&f.name), &tmp.join("files").join(&f.name))?;
            }
            let e = Entry {
                job: job.to_string(),
                process: process.to_string(),
                created: now_ms,
                last_used: now_ms,
                hits: 0,
                bytes,
                files: result.files.clone(),
            };
            Self::write(&tmp.join("entry.json"), &e)?;
            std::fs::rename(&tmp, &final_dir)
        })();
        if made.is_err() {
            // Another job kept the same result meanwhile, or the disk refused: nothing half kept.
            let _ = std::fs::remove_dir_all(&tmp);
            if final_dir.exists() {
                return Ok(());
            }
        }
        made?;
        self.evict(now_ms)
    }

    fn entries(&self) -> io::Result<Vec<(String, Entry)>> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for d in rd.flatten() {
            let name = d.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if let Some(e) = self.read(&name) {
                out.push((name, e));
            }
        }
        Ok(out)
    }

    fn evict(&self, now_ms: i64) -> io::Result<()> {
        let mut all = self.entries()?;
        let mut total: u64 = all.iter().map(|(_, e)| e.bytes).sum();
        all.sort_by_key(|(_, e)| e.last_used);
        for (k, e) in all {
            let expired = self.max_age_ms.is_some_and(|a| e.last_used < now_ms - a);
            if total <= self.max_bytes && !expired {
                continue;
            }
            std::fs::remove_dir_all(self.dir.join(&k))?;
            total -= e.bytes;
        }
        Ok(())
    }

    /// What the cache holds.
    ///
    /// # Errors
    /// The cache directory cannot be read.
    pub fn stats(&self) -> io::Result<CacheStats> {
        let mut all = self.entries()?;
        all.sort_by_key(|(_, e)| std::cmp::Reverse(e.last_used));
        Ok(CacheStats {
            dir: self.dir.clone(),
            entries: all.len(),
            bytes: all.iter().map(|(_, e)| e.bytes).sum(),
            max_bytes: self.max_bytes,
            hits: all.iter().map(|(_, e)| e.hits).sum(),
            items: all.into_iter().map(|(_, e)| (e.job, e.process, e.bytes, e.hits, e.last_used)).collect(),
        })
    }

    /// Removes every kept result; returns how many there were.
    ///
    /// # Errors
    /// The cache directory cannot be read or an entry cannot be removed.
    pub fn clear(&self) -> io::Result<usize> {
        let all = self.entries()?;
        for (k, _) in &all {
            std::fs::remove_dir_all(self.dir.join(k))?;
        }
        Ok(all.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(dir: &Path, name: &str, bytes: usize) -> JobResult {
        std::fs::write(dir.join(name), vec![7u8; bytes]).unwrap();
        JobResult {
            files: vec![ResultFile { name: name.into(), size: bytes as u64, sha256: Some("x".into()) }],
            ..JobResult::default()
        }
    }

    #[test]
    fn keys_change_with_inputs_data_and_version() {
        let mut i = Inputs::new();
        i.insert("collection".into(), vec!["a".into()]);
        let k = ResultCache::key("subset", &i, "file a 1 2", "1.0");
        assert_eq!(k, ResultCache::key("subset", &i, "file a 1 2", "1.0"));
        assert_ne!(k, ResultCache::key("subset", &i, "file a 1 3", "1.0"));
        assert_ne!(k, ResultCache::key("subset", &i, "file a 1 2", "1.1"));
        assert_ne!(k, ResultCache::key("average", &i, "file a 1 2", "1.0"));
        i.insert("time".into(), vec!["2000/2001".into()]);
        assert_ne!(k, ResultCache::key("subset", &i, "file a 1 2", "1.0"));
    }

    #[test]
    fn restores_links_and_evicts_the_least_recently_used() {
        let t = tempfile::tempdir().unwrap();
        let c = ResultCache::new(t.path(), 250, None);
        let (j1, j2, j3) = (t.path().join("j1"), t.path().join("j2"), t.path().join("j3"));
        for d in [&j1, &j2, &j3] {
            std::fs::create_dir_all(d).unwrap();
        }
        assert!(c.restore("k1", &j2, 1).is_none());
        c.store("k1", "job1", "subset", &j1, &result(&j1, "a.nc", 100), 1).unwrap();
        let hit = c.restore("k1", &j2, 2).unwrap();
        assert_eq!(hit.job, "job1");
        assert_eq!(std::fs::read(j2.join("a.nc")).unwrap(), vec![7u8; 100]);
        c.store("k2", "job3", "subset", &j3, &result(&j3, "b.nc", 100), 3).unwrap();
        let s = c.stats().unwrap();
        assert_eq!((s.entries, s.bytes, s.hits), (2, 200, 1));
        // A third entry does not fit: k1 (last used at 2) goes, k2 (3) and k3 stay.
        c.store("k3", "job3", "average", &j3, &result(&j3, "c.nc", 100), 4).unwrap();
        assert!(c.restore("k1", &j2, 5).is_none());
        assert_eq!(c.stats().unwrap().entries, 2);
        // A result linking original files (no checksum) is not kept.
        let mut r = result(&j3, "d.nc", 10);
        r.files[0].sha256 = None;
        c.store("k4", "job4", "subset", &j3, &r, 6).unwrap();
        assert!(c.restore("k4", &j2, 7).is_none());
        assert_eq!(c.clear().unwrap(), 2);
        assert_eq!(c.stats().unwrap().entries, 0);
    }

    #[test]
    fn entries_unused_past_the_retention_go() {
        let t = tempfile::tempdir().unwrap();
        let c = ResultCache::new(t.path(), 1000, Some(100));
        let j = t.path().join("j");
        std::fs::create_dir_all(&j).unwrap();
        c.store("old", "job1", "subset", &j, &result(&j, "a.nc", 10), 1_000).unwrap();
        c.store("new", "job2", "subset", &j, &result(&j, "b.nc", 10), 1_050).unwrap();
        assert_eq!(c.stats().unwrap().entries, 2);
        // At 1,150 the first (last used at 1,000) is past 100 ms, the second not.
        c.store("newer", "job3", "subset", &j, &result(&j, "c.nc", 10), 1_150).unwrap();
        assert!(c.restore("old", &t.path().join("x"), 1_151).is_none());
        assert_eq!(c.stats().unwrap().entries, 2);
    }
}
