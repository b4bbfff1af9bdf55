//! The one storage interface of rookery-io: bytes of one object (a local file, an http(s) URL,
//! an S3 object) read by range, and the adapters the format libraries read through.
//!
//! ```text
//!   RangeSource: location, length, validator, fetch(offset, len) → exactly len bytes
//!     ├─ FileSource     a local file, positional reads; opened only through the context
//!     │                 (IoContext::file: the real path must lie below its roots)
//!     ├─ HttpSource     (client.rs) an http(s) URL through HttpClient: egress policy checked
//!     │                 on every request and redirect, normal form; s3:// names become
//!     │                 their HTTPS URLs (s3.rs) and are signed when credentials are set
//!     └─ CachedStorage  (cached.rs) any RangeSource read through the BlockCache
//!                       (what Remote::open returns)
//!   adapters (the libraries sit on the interface, never on a transport of their own)
//!     ├─ hdf5-reader / netcdf-reader Storage   impl for CachedStorage (cached.rs; pieces
//!     │                                        handed out without copying)
//!     └─ zarrs ReadableStorageTraits           ZStore (zarr/store.rs): keys → RangeSources
//!                                              through the Fetcher (each location through
//!                                              the context first)
//! ```
//!
//! Local NetCDF files are read by netcdf-reader's own positional `FileStorage` and the chunk
//! reader's pread (chunks.rs), after the same context check.

use crate::remote::RemoteError;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bytes of one object by range: the interface every byte source implements (see the
/// module documentation).
pub trait RangeSource: Send + Sync {
    /// The object's location: its URL, or a local file's path (cache key and messages).
    fn url(&self) -> &str;
    /// Length in bytes.
    fn len(&self) -> u64;
    /// Whether the object is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Identifies this version of the object (e.g. from its `ETag`); `None`: unknown, so it
    /// is not cached on disk.
    fn validator(&self) -> Option<String>;
    /// Exactly `len` bytes from `offset`.
    ///
    /// # Errors
    /// A range beyond the end, or any failure of the transport: one line naming the
    /// location ([`RemoteError::status`] tells an HTTP answer).
    fn fetch(&self, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError>;
    /// Exactly `buf.len()` bytes from `offset` into `buf` (the cache fetches one piece with
    /// several requests at once this way, without copying).
    ///
    /// # Errors
    /// As [`RangeSource::fetch`].
    fn fetch_into(&self, offset: u64, buf: &mut [u8]) -> Result<(), RemoteError> {
        buf.copy_from_slice(&self.fetch(offset, buf.len())?);
        Ok(())
    }
}

/// A local file read by position. Opened through [`crate::IoContext::file`] (or, inside
/// the crate, with a path the context already allowed).
pub struct FileSource {
    path: PathBuf,
    name: String,
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    /// Opens `real` (a path the context allowed), named `name` in messages.
    pub(crate) fn open(real: &Path, name: &Path) -> std::io::Result<FileSource> {
        let file = std::fs::File::open(real)?;
        let len = file.metadata()?.len();
        Ok(FileSource { path: real.to_path_buf(), name: name.display().to_string(), file, len })
    }

    /// The path opened (the real path when the context is restricted).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl RangeSource for FileSource {
    fn url(&self) -> &str {
        &self.name
    }

    fn len(&self) -> u64 {
        self.len
    }

    /// Local files are read directly, never through the block cache.
    fn validator(&self) -> Option<String> {
        None
    }

    fn fetch(&self, offset: u64, len: usize) -> Result<Vec<u8>, RemoteError> {
        if offset.checked_add(len as u64).is_none_or(|end| end > self.len) {
            return Err(RemoteError::new(&self.name, "beyond the end of the file"));
        }
        let mut buf = vec![0u8; len];
        self.file.read_exact_at(&mut buf, offset).map_err(|e| RemoteError::new(&self.name, e.to_string()))?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EgressPolicy, IoContext, IoError};

    #[test]
    fn local_files_open_through_the_context_and_read_by_range() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("data");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::write(root.join("x.bin"), b"0123456789").expect("write");
        std::fs::write(tmp.path().join("secret"), b"k").expect("write");
        let ctx = IoContext::from_env().restrict(std::slice::from_ref(&root), EgressPolicy::Open);
        let f = ctx.file(&root.join("x.bin")).expect("open");
        assert_eq!(f.len(), 10);
        assert_eq!(f.fetch(3, 4).expect("read"), b"3456");
        assert!(f.fetch(8, 4).is_err());
        assert!(matches!(ctx.file(&tmp.path().join("secret")), Err(IoError::Refused(_))));
        assert!(matches!(ctx.file(&root.join("missing")), Err(IoError::NotFound(_))));
    }
}
