//! What a result computed from a collection depends on, for a result cache's key: each item's
//! resolved files with their sizes and modification times, and the fix records that apply to
//! it. A changed, added or removed file, or a changed fix, changes the fingerprint.

use crate::{Daops, DaopsError};
use std::fmt::Write as _;

impl Daops {
    /// The fingerprint of `collection`'s inputs as text (one line per file and fix), or `None`
    /// when an input cannot be fingerprinted from metadata (a remote URL, whose content may
    /// change without a size or time the node can see): such requests are not cached.
    ///
    /// # Errors
    /// The collection cannot be resolved (the operation would fail the same way).
    pub fn inputs_fingerprint(&self, collection: &[String]) -> Result<Option<String>, DaopsError> {
        let mut out = String::new();
        for d in self.datasets(collection, None, None)? {
            let _ = writeln!(out, "dataset {}", d.key());
            for f in &d.files {
                let s = f.to_string_lossy();
                if s.contains("://") {
                    return Ok(None);
                }
                let Ok(meta) = std::fs::metadata(f) else { return Ok(None) };
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let _ = writeln!(out, "file {s} {} {mtime}", meta.len());
            }
            if let Some(id) = &d.ds_id {
                for r in self.fixes.matching(id) {
                    let _ = writeln!(out, "fix {r:?}");
                }
            }
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use crate::{config::Config, Daops};

    #[test]
    fn a_touched_file_changes_the_fingerprint_and_a_url_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.nc");
        std::fs::write(&f, b"x").unwrap();
        let d = Daops::new(Config::default()).unwrap().with_root(dir.path());
        let p = f.to_string_lossy().into_owned();
        let a = d.inputs_fingerprint(std::slice::from_ref(&p)).unwrap().unwrap();
        assert!(a.contains(&p), "{a}");
        assert_eq!(d.inputs_fingerprint(std::slice::from_ref(&p)).unwrap().unwrap(), a);
        std::fs::write(&f, b"xy").unwrap();
        assert_ne!(d.inputs_fingerprint(std::slice::from_ref(&p)).unwrap().unwrap(), a);
    }
}
