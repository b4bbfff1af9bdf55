//! Temporary outputs: the hidden name an output is built under, and the guard that removes it.
//!
//! ```text
//!  TempPath::for_dest(dest)   .<name>.<pid>.tmp next to dest (checked: one path component,
//!        │                    no NUL or control character, short enough)
//!        │ dropped on any error path  ──► removed (file or directory)
//!        ▼
//!  Staged (complete, closed)  ── commit ──► renamed to dest;  dropped ──► removed
//! ```
//!
//! The guard exists before anything is created, so a failure while creating the file (a full
//! disk, a refused name) leaves nothing behind either.

use crate::IoError;
use std::path::{Path, PathBuf};

/// Longest file name most file systems take (bytes).
const NAME_MAX: usize = 255;

/// A temporary output path, removed when dropped unless [`TempPath::keep`] took it.
#[derive(Debug)]
pub struct TempPath {
    path: PathBuf,
}

impl TempPath {
    /// The hidden temporary name next to `dest` (`.<name>.<pid>.tmp`), guarded.
    ///
    /// # Errors
    /// `dest` has no usable file name: none, a NUL or other control character (C would cut the
    /// name there and the file could not be found again to be removed), or too long.
    pub fn for_dest(dest: &Path) -> Result<TempPath, IoError> {
        let bad = |msg: &str| IoError::Write { path: PathBuf::from(escape(&dest.to_string_lossy())), msg: msg.into() };
        let name = dest.file_name().ok_or_else(|| bad("not a file name"))?.to_string_lossy();
        if name.chars().any(char::is_control) || dest.to_string_lossy().contains('\0') {
            return Err(bad("the file name contains a control character"));
        }
        let tmp_name = format!(".{name}.{}.tmp", std::process::id());
        if tmp_name.len() > NAME_MAX {
            return Err(bad(&format!("the file name is too long ({} bytes)", name.len())));
        }
        Ok(TempPath { path: dest.with_file_name(tmp_name) })
    }

    /// The temporary path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Disarms the guard: the caller owns the path now.
    #[must_use]
    pub fn keep(mut self) -> PathBuf {
        std::mem::take(&mut self.path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            remove_path(&self.path);
        }
    }
}

/// Removes a temporary file or directory (a Zarr store); a missing one is fine.
pub(crate) fn remove_path(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// `s` with control characters escaped (`\0`, `\n`, `\u{1b}`), for one-line messages.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_removes_unless_kept() {
        let d = tempfile::tempdir().unwrap();
        let t = TempPath::for_dest(&d.path().join("a.nc")).unwrap();
        assert!(t.path().file_name().unwrap().to_string_lossy().starts_with(".a.nc."));
        std::fs::write(t.path(), b"x").unwrap();
        let p = t.path().to_path_buf();
        drop(t);
        assert!(!p.exists());
        let t = TempPath::for_dest(&d.path().join("b.nc")).unwrap();
        std::fs::create_dir(t.path()).unwrap();
        std::fs::write(t.path().join("zarr.json"), b"{}").unwrap();
        let p = t.keep();
        assert!(p.is_dir(), "kept");
    }

    #[test]
    fn names_c_would_cut_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let e = TempPath::for_dest(&d.path().join("tas_rcp60\0\0x.nc")).unwrap_err().to_string();
        assert!(e.contains("control character") && e.contains("rcp60\\0\\0x") && !e.contains('\0'), "{e}");
        assert!(TempPath::for_dest(&d.path().join("a\nb.nc")).is_err());
        assert!(TempPath::for_dest(&d.path().join("x".repeat(250))).is_err());
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a\0b\nc\u{1b}é"), "a\\0b\\nc\\u{1b}é");
    }
}
