//! One `rookery serve` per SQLite data directory.
//!
//! A server with a SQLite job store treats the store as its own: at start it re-queues every
//! job a previous `serve` left running. A second `serve` on the same directory would take the
//! first one's live jobs and run them again, so `serve` holds an exclusive lock
//! (`flock` on `<data_dir>/serve.lock`, and on `<db>.serve.lock` when the SQLite file lives
//! elsewhere) for its whole life, with its pid written in the file for the refusal message.
//!
//! Not locked: `rookery worker` and `rookery run-job` (the Slurm executor's batch jobs), which
//! share a server's queue and claim jobs with leases, and servers on a PostgreSQL store (several
//! of them share one data directory by design). The lock is released by the kernel when the
//! process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Errors taking the lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live process holds it.
    #[error("the data directory {} is in use by another `rookery serve` ({}); stop it first, or give this server its own --data-dir (or a PostgreSQL --db, which several servers share)", dir.display(), pid.map_or_else(|| "pid unknown".to_string(), |p| format!("pid {p}")))]
    Held {
        /// The data directory (or SQLite file) the lock guards.
        dir: PathBuf,
        /// Pid the holder wrote in the lock file; `None` when it cannot be read.
        pid: Option<u32>,
    },
    /// The lock file cannot be opened or locked.
    #[error("cannot lock the data directory {}: {source}", dir.display())]
    Io {
        /// The data directory (or SQLite file) the lock guards.
        dir: PathBuf,
        /// The failure opening or locking the lock file.
        source: std::io::Error,
    },
}

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
    path: PathBuf,
}

impl DirLock {
    /// The lock file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes the exclusive lock `lock_file` guarding `dir` (named in messages).
///
/// # Errors
/// [`LockError::Held`] when another process holds it; [`LockError::Io`] when the file cannot
/// be opened or locked.
pub fn lock(dir: &Path, lock_file: &Path) -> Result<DirLock, LockError> {
    let io = |source| LockError::Io { dir: dir.to_path_buf(), source };
    let mut f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(lock_file).map_err(io)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            return Err(LockError::Held { dir: dir.to_path_buf(), pid: s.trim().parse().ok() });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // The pid is for the message of a refused second server; writing it may fail on a full
    // disk, which does not weaken the lock.
    let _ = f.set_len(0).and_then(|()| f.seek(SeekFrom::Start(0))).and_then(|_| writeln!(f, "{}", std::process::id()));
    Ok(DirLock { _file: f, path: lock_file.to_path_buf() })
}

/// The locks `rookery serve` takes for `cfg`: none for a PostgreSQL store; the data directory's,
/// and the SQLite file's when it lies outside the data directory.
///
/// # Errors
/// As [`lock`].
pub fn lock_for_serve(cfg: &crate::Config) -> Result<Vec<DirLock>, LockError> {
    if cfg.db_url().is_some() {
        return Ok(Vec::new());
    }
    let mut locks = vec![lock(&cfg.data_dir, &cfg.data_dir.join("serve.lock"))?];
    let db = cfg.db_path();
    if db.parent().is_some_and(|p| !same_dir(p, &cfg.data_dir)) {
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(".serve.lock");
        locks.push(lock(&db, &db.with_file_name(name))?);
    }
    Ok(locks)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(if p.as_os_str().is_empty() { Path::new(".") } else { p }).ok();
    match (canon(a), canon(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_owner_pid_and_released_on_drop() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("serve.lock");
        let first = lock(d.path(), &f).unwrap();
        let e = lock(d.path(), &f).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, LockError::Held { pid: Some(p), .. } if p == std::process::id()), "{msg}");
        assert!(msg.contains(&d.path().display().to_string()) && msg.contains(&format!("pid {}", std::process::id())));
        drop(first);
        let _again = lock(d.path(), &f).unwrap();
    }
}
