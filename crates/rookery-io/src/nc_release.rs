//! Letting go of a NetCDF output that failed.
//!
//! libnetcdf flushes a file before closing it and, when that flush fails (a full disk: HDF5
//! cannot write the chunks it caches), returns without closing it: the descriptor of the
//! temporary file stays open after the file is removed, and its space comes back only when
//! the process ends. So before a failed output is closed, the library's descriptors of it are
//! pointed at an anonymous in-memory file (`memfd`): the last flush then succeeds into memory
//! that is freed at once, and the library closes everything.

use netcdf::FileMut;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Closes `file`, written at `path`, discarding whatever it still had to write.
pub(crate) fn close_failed(file: FileMut, path: &Path) {
    // Held across the scan, the redirection and the close (the lock is re-entrant): no other
    // libnetcdf call can open or close a descriptor meanwhile.
    let _lock = netcdf_sys::libnetcdf_lock.lock();
    let n = redirect_to_memory(path);
    tracing::debug!("failed output {}: {n} descriptor(s) redirected before closing", path.display());
    drop(file);
}

/// Descriptors of this process open on the file at `path` (same device and inode).
fn descriptors_of(path: &Path) -> Vec<i32> {
    let Ok(m) = std::fs::metadata(path) else { return Vec::new() };
    let Ok(rd) = std::fs::read_dir("/proc/self/fd") else { return Vec::new() };
    rd.filter_map(Result::ok)
        .filter_map(|e| {
            let fd: i32 = e.file_name().to_str()?.parse().ok()?;
            let t = std::fs::metadata(e.path()).ok()?;
            (t.dev() == m.dev() && t.ino() == m.ino()).then_some(fd)
        })
        .collect()
}

/// Points every descriptor of `path` at one anonymous in-memory file; returns how many.
fn redirect_to_memory(path: &Path) -> usize {
    let fds = descriptors_of(path);
    if fds.is_empty() {
        return 0;
    }
    let Ok(mem) = rustix::fs::memfd_create("rookery-failed-output", rustix::fs::MemfdFlags::CLOEXEC) else {
        return 0;
    };
    let mut n = 0;
    for fd in fds {
        // SAFETY: `fd` is open (found just now) and belongs to libnetcdf/HDF5, which cannot
        // close it while we hold the library's lock, so its number cannot be reused meanwhile;
        // dup2 atomically makes it refer to our memfd (the library keeps using and then closes
        // it as before). No memory is read or written.
        #[allow(unsafe_code)]
        let r = unsafe { libc::dup2(mem.as_raw_fd(), fd) };
        if r == fd {
            n += 1;
        }
    }
    n
}
