//! A small tmpfs mounted for a test (disk-full tests): mounted when the test runs as root and
//! `mount` works, else `None` with the reason printed (the test is skipped). Unmounted when
//! dropped, also when the test fails.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// A tmpfs of `size` bytes on a new temporary directory.
    pub(crate) fn mount(size: u64) -> Option<Tmpfs> {
        let uid = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1).map(String::from))
            })
            .flatten();
        if uid.as_deref() != Some("0") {
            eprintln!("SKIPPED: disk-full test needs root to mount a tmpfs (running as uid {uid:?})");
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "rookery-test"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                eprintln!("SKIPPED: cannot mount a tmpfs: {}", String::from_utf8_lossy(&o.stderr).trim());
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                None
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes free.
    pub(crate) fn free(&self) -> u64 {
        rookery_io::space::available(self.path()).unwrap_or(0)
    }

    /// Fills the file system up to `leave` bytes free with `<dir>/filler` (appended to).
    pub(crate) fn fill(&self, leave: u64) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(self.filler()).unwrap();
        let block = vec![0x5au8; 64 << 10];
        loop {
            let free = self.free();
            if free <= leave {
                break;
            }
            let n = usize::try_from((free - leave).min(block.len() as u64)).unwrap();
            if f.write_all(&block[..n]).is_err() {
                break;
            }
        }
        let _ = f.sync_all();
    }

    /// Frees the space the filler took.
    pub(crate) fn unfill(&self) {
        let _ = std::fs::remove_file(self.filler());
    }

    pub(crate) fn filler(&self) -> PathBuf {
        self.path().join("filler")
    }

    /// Descriptors of this process open on files of this file system that were removed.
    pub(crate) fn deleted_descriptors(&self) -> Vec<String> {
        let prefix = self.path().to_string_lossy().into_owned();
        std::fs::read_dir("/proc/self/fd")
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_link(e.path()).ok())
                    .map(|l| l.to_string_lossy().into_owned())
                    .filter(|l| l.starts_with(&prefix) && l.ends_with("(deleted)"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every file below the mount but the filler, with its size.
    pub(crate) fn files(&self) -> Vec<(String, u64)> {
        fn walk(d: &Path, out: &mut Vec<(String, u64)>) {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.to_string_lossy().into_owned(), e.metadata().map_or(0, |m| m.len())));
                }
            }
        }
        let mut v = Vec::new();
        walk(self.path(), &mut v);
        v.retain(|(p, _)| Path::new(p) != self.filler());
        v
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount").arg(self.dir.path()).status().is_ok_and(|s| s.success());
        if !ok {
            // Busy (a descriptor still open): detach it so nothing stays mounted.
            let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
        }
    }
}
