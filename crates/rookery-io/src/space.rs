//! Free space on a file system, and telling a full disk from other write failures.
//!
//! A full disk shows up differently in each writer: libnetcdf answers `NetCDF: HDF error`
//! (-101) for a NetCDF-4 file and errno `ENOSPC` for a classic one; Zarr chunks are plain
//! file writes (`ErrorKind::StorageFull`). [`is_disk_full`] decides from typed signals only:
//! the library's code, the errno the failing call left, or the file system's free space at
//! the moment of the failure.

use std::path::Path;

/// Space of the file system holding `path` (or its nearest existing ancestor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Space {
    /// Bytes an unprivileged writer may still use.
    pub available: u64,
    /// Size of the file system in bytes.
    pub total: u64,
}

/// The space of the file system holding `path`; `None` when it cannot be asked.
#[must_use]
pub fn space(path: &Path) -> Option<Space> {
    let mut p = path;
    loop {
        if let Ok(s) = rustix::fs::statvfs(p) {
            return Some(Space {
                available: s.f_bavail.saturating_mul(s.f_frsize),
                total: s.f_blocks.saturating_mul(s.f_frsize),
            });
        }
        p = p.parent()?;
    }
}

/// Bytes available on the file system holding `path`.
#[must_use]
pub fn available(path: &Path) -> Option<u64> {
    space(path).map(|s| s.available)
}

/// Whether an OS error code means "no space" (`ENOSPC`, or a quota: `EDQUOT`).
#[must_use]
pub fn is_no_space_code(code: i32) -> bool {
    code == libc::ENOSPC || code == libc::EDQUOT
}

/// Whether an I/O error means "no space".
#[must_use]
pub fn is_no_space(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || e.raw_os_error().is_some_and(is_no_space_code)
}

/// The errno the calling thread's last failing system call left (read right after a library
/// call failed, before anything else runs on the thread).
#[must_use]
pub fn last_errno() -> Option<i32> {
    std::io::Error::last_os_error().raw_os_error().filter(|&c| c != 0)
}

/// Whether a write into `dir` that just failed failed for want of space: the library's or the
/// OS's code says so, or fewer than `need` bytes are left on the file system.
#[must_use]
pub fn is_disk_full(dir: &Path, codes: &[Option<i32>], need: u64) -> bool {
    codes.iter().flatten().any(|&c| is_no_space_code(c)) || available(dir).is_some_and(|a| a < need)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_of_a_directory_and_a_missing_child() {
        let d = tempfile::tempdir().unwrap();
        let s = space(d.path()).unwrap();
        assert!(s.total >= s.available && s.total > 0);
        assert_eq!(space(&d.path().join("not/yet")).map(|s| s.total), Some(s.total));
        assert!(is_no_space(&std::io::Error::from_raw_os_error(libc::ENOSPC)));
        assert!(!is_no_space(&std::io::Error::from_raw_os_error(libc::EACCES)));
        assert!(!is_disk_full(d.path(), &[Some(libc::EACCES), None], 0));
        assert!(is_disk_full(d.path(), &[None, Some(libc::ENOSPC)], 0));
        assert!(is_disk_full(d.path(), &[], u64::MAX));
    }
}
