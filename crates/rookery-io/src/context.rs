//! The context every read goes through: which local files and URLs may be read, and the HTTP
//! client (egress policy, S3 credentials) and block cache that URLs are read with.
//!
//! ```text
//!   IoContext::from_env()              any local path, any URL (the command line)
//!   .restrict(roots, egress policy)    the service: files only below the roots, URLs only
//!                                      under the allow-list (remote.rs checks every request
//!                                      and redirect hop, in normal form: egress.rs)
//!   .with_root(dir)                    one more readable directory (a job's own)
//!   .with_cancel(flag)                 the job's cancellation flag (cancel.rs)
//!
//!   every byte source a job opens asks here first:
//!     ctx.local(path) ─► the real path to open (symlinks and `..` resolved), or Refused
//!     ctx.url(url)    ─► the URL to request (normal form), or Refused
//!   NetCDF files, Kerchunk reference files and their targets (absolute, relative, file://),
//!   Zarr stores and Parquet references, directory listings and globs.
//! ```
//!
//! A refusal reads the same whether or not the file exists, and never tells a size.

use crate::egress::EgressPolicy;
use crate::{Cancel, IoError, Remote};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Which local files may be read, and the remote client (see the module documentation).
#[derive(Clone)]
pub struct IoContext {
    remote: Arc<Remote>,
    /// Canonical directories below which files may be read; `None`: any file.
    roots: Option<Arc<Vec<PathBuf>>>,
    /// Set when the work reading through this context is to stop (see [`Cancel`]).
    cancel: Cancel,
}

impl std::fmt::Debug for IoContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IoContext").field("roots", &self.roots).finish_non_exhaustive()
    }
}

impl IoContext {
    /// Any local file, URLs through `remote` under its own policy.
    #[must_use]
    pub fn new(remote: Arc<Remote>) -> IoContext {
        IoContext { remote, roots: None, cancel: Cancel::default() }
    }

    /// Any local file and any URL, with the HTTP client and cache configured from the
    /// environment ([`Remote::from_env`]).
    #[must_use]
    pub fn from_env() -> IoContext {
        IoContext::new(Remote::from_env())
    }

    /// Files only below `roots` (symlinks resolved), URLs only as `egress` allows. The block
    /// cache is shared with `self`; the HTTP client is a new one under `egress`.
    #[must_use]
    pub fn restrict(&self, roots: &[PathBuf], egress: EgressPolicy) -> IoContext {
        let roots = roots.iter().filter_map(|r| real_path(&absolute(r))).collect();
        IoContext { remote: self.remote.with_policy(egress), roots: Some(Arc::new(roots)), cancel: self.cancel.clone() }
    }

    /// This context with `dir` readable too (when restricted).
    #[must_use]
    pub fn with_root(&self, dir: &Path) -> IoContext {
        let roots = self.roots.as_ref().map(|r| {
            let mut v = (**r).clone();
            v.extend(real_path(&absolute(dir)));
            Arc::new(v)
        });
        IoContext { remote: Arc::clone(&self.remote), roots, cancel: self.cancel.clone() }
    }

    /// This context with `cancel` as its cancellation flag (a job's: set when it is dismissed).
    #[must_use]
    pub fn with_cancel(&self, cancel: Cancel) -> IoContext {
        IoContext { cancel, ..self.clone() }
    }

    /// The cancellation flag the work reading through this context checks.
    #[must_use]
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Whether local paths are restricted.
    #[must_use]
    pub fn is_restricted(&self) -> bool {
        self.roots.is_some()
    }

    /// The HTTP client and block cache.
    #[must_use]
    pub fn remote(&self) -> &Arc<Remote> {
        &self.remote
    }

    /// The S3 settings (`s3://` names, request signing).
    #[must_use]
    pub fn s3(&self) -> &crate::s3::S3Config {
        self.remote.http().s3()
    }

    /// The path to open for `path`: unchanged when unrestricted; otherwise its real path
    /// (symlinks and dot segments resolved), which must lie below a root.
    ///
    /// # Errors
    /// [`IoError::Refused`], the same for a file that exists and one that does not.
    pub fn local(&self, path: &Path) -> Result<PathBuf, IoError> {
        let Some(roots) = &self.roots else { return Ok(path.to_path_buf()) };
        match real_path(&absolute(path)) {
            Some(real) if roots.iter().any(|r| real.starts_with(r)) => Ok(real),
            _ => Err(IoError::Refused(format!("{} is outside the directories this server may read", path.display()))),
        }
    }

    /// The local file `path` as a [`crate::RangeSource`], opened at the path
    /// [`IoContext::local`] allows.
    ///
    /// # Errors
    /// [`IoError::Refused`] as [`IoContext::local`]; [`IoError::NotFound`] for a readable
    /// location that does not exist; [`IoError::Read`] for other failures to open it.
    pub fn file(&self, path: &Path) -> Result<crate::FileSource, IoError> {
        let real = self.local(path)?;
        crate::FileSource::open(&real, path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IoError::NotFound(path.to_path_buf()),
            _ => IoError::Read { path: path.to_path_buf(), msg: e.to_string() },
        })
    }

    /// The URL to request for `url`: checked against the egress policy, in the normal form
    /// the HTTP client sends (see [`EgressPolicy::admit`]).
    ///
    /// # Errors
    /// [`IoError::Refused`] naming the URL and the reason.
    pub fn url(&self, url: &str) -> Result<String, IoError> {
        self.remote.http().policy().admit(url).map_err(|e| IoError::Refused(e.to_string()))
    }
}

/// `p` made absolute against the working directory (lexically; nothing resolved).
fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p))
    }
}

/// The real location of absolute `p`: its longest existing ancestor with symlinks and dot
/// segments resolved, followed by the components that do not exist (yet). `None` when a
/// `..` follows a component that does not exist (nothing can be said of where it leads).
fn real_path(p: &Path) -> Option<PathBuf> {
    let comps: Vec<Component<'_>> = p.components().collect();
    for k in (1..=comps.len()).rev() {
        let head: PathBuf = comps[..k].iter().collect();
        let Ok(mut real) = std::fs::canonicalize(&head) else { continue };
        for c in &comps[k..] {
            match c {
                Component::Normal(s) => real.push(s),
                Component::CurDir => {}
                _ => return None,
            }
        }
        return Some(real);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_roots_only() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("data");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/x.nc"), b"x").expect("write");
        std::fs::write(tmp.path().join("secret.key"), b"k").expect("write");
        std::os::unix::fs::symlink(tmp.path().join("secret.key"), root.join("a/link.nc")).expect("symlink");
        let ctx = IoContext::from_env().restrict(std::slice::from_ref(&root), EgressPolicy::Open);
        assert!(ctx.local(&root.join("a/x.nc")).is_ok());
        assert!(ctx.local(&root.join("a/missing.nc")).is_ok(), "inside, missing: open says not found");
        for bad in [
            tmp.path().join("secret.key"),
            tmp.path().join("missing.key"),
            root.join("a/../../secret.key"),
            root.join("a/../../missing.key"),
            root.join("a/link.nc"),
            root.join("nope/../../secret.key"),
            PathBuf::from("/etc/passwd"),
        ] {
            let e = ctx.local(&bad).expect_err("refused");
            assert!(matches!(e, IoError::Refused(_)), "{bad:?}");
            assert!(!e.to_string().contains("bytes") && !e.to_string().contains("exist"), "{e}");
        }
        let job = tmp.path().join("job");
        std::fs::create_dir_all(&job).expect("mkdir");
        assert!(ctx.local(&job.join("o.nc")).is_err());
        assert!(ctx.with_root(&job).local(&job.join("o.nc")).is_ok());
        assert!(IoContext::from_env().local(Path::new("/etc/passwd")).is_ok());
    }
}
