//! Collection items → files (clisops `DatasetMapper`, roocs.md §2.3): DRS dataset ids, absolute
//! paths/globs/directories, download URLs (via `data_node_root`), and relative files.
//!
//! Ids are checked: every token is a plain name (no `..`, no `/`), and every file found must
//! lie inside the project's `base_dir` after resolving symlinks. When the resolver is
//! restricted (the service), absolute paths must lie inside a project `base_dir` or one of the
//! configured `[rookery] allowed_roots`.

use crate::catalog::{Catalog, MAX_DATETIME, MIN_DATETIME};
use crate::config::Config;
use crate::project::{projects, Project};
use crate::DaopsError;
use rookery_io::IoContext;
use rookery_ops::naming::ProjectTemplate;
use std::path::{Path, PathBuf};

/// A resolved collection item.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The text the user gave.
    pub input: String,
    /// The dataset id (given, or derived from a path under a project's `base_dir`).
    pub ds_id: Option<String>,
    /// The project, when known.
    pub project: Option<String>,
    /// The files, sorted.
    pub files: Vec<PathBuf>,
    /// The files came from a catalogue search that already applied the time window.
    pub from_catalog: bool,
}

impl Resolved {
    /// The key results are reported under: the dataset id, else the input.
    #[must_use]
    pub fn key(&self) -> &str {
        self.ds_id.as_deref().unwrap_or(&self.input)
    }
}

/// Resolves collection items with a configuration; what may be read is the I/O context's
/// decision ([`rookery_io::IoContext`]: every path and URL is checked there).
#[derive(Clone, Debug)]
pub struct Resolver {
    projects: Vec<Project>,
    catalogs: std::collections::HashMap<String, std::sync::Arc<Catalog>>,
    io: IoContext,
}

fn is_netcdf(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("nc" | "nc4" | "gz"))
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Resolver {
    /// A resolver over the projects of `cfg`, reading as `io` allows.
    ///
    /// # Errors
    /// Malformed project sections.
    pub fn new(cfg: &Config, io: IoContext) -> Result<Resolver, DaopsError> {
        let projects = projects(cfg)?;
        let catalogs = projects
            .iter()
            .filter(|p| p.use_catalog)
            .filter_map(|p| Some((p.name.clone(), std::sync::Arc::new(Catalog::new(p.catalog.clone()?)))))
            .collect();
        Ok(Resolver { projects, catalogs, io })
    }

    /// The directories a restricted context may read: the projects' `base_dir`s,
    /// `[rookery] allowed_roots`, and the roocs-grids directory (`[regrid] grids_dir`, or
    /// `ROOKERY_GRIDS_DIR`), whose files named grid ids stand for.
    #[must_use]
    pub fn data_roots(&self, cfg: &Config) -> Vec<PathBuf> {
        let mut roots: Vec<PathBuf> = self.projects.iter().filter_map(|p| p.base_dir.clone()).collect();
        roots.extend(cfg.list("rookery", "allowed_roots").into_iter().map(PathBuf::from));
        roots.extend(std::env::var_os("ROOKERY_GRIDS_DIR").filter(|d| !d.is_empty()).map(PathBuf::from));
        roots.extend(cfg.path("regrid", "grids_dir"));
        roots
    }

    /// This resolver reading as `io` allows.
    #[must_use]
    pub fn with_io(mut self, io: IoContext) -> Resolver {
        self.io = io;
        self
    }

    /// The I/O context files and URLs are checked and read with.
    #[must_use]
    pub fn io(&self) -> &IoContext {
        &self.io
    }

    /// Whether paths and URLs are restricted.
    #[must_use]
    pub fn is_restricted(&self) -> bool {
        self.io.is_restricted()
    }

    /// The projects.
    #[must_use]
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// Project `name`.
    #[must_use]
    pub fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// The catalogue of project `name`, when it looks ids up in one.
    #[must_use]
    pub fn catalog(&self, name: &str) -> Option<&Catalog> {
        self.catalogs.get(name).map(std::sync::Arc::as_ref)
    }

    /// Naming templates of every project, in configuration order.
    #[must_use]
    pub fn templates(&self) -> Vec<ProjectTemplate> {
        self.projects.iter().filter_map(Project::template).collect()
    }

    /// clisops `url_to_file_path`.
    ///
    /// # Errors
    /// No project's `data_node_root` matches.
    pub fn url_to_path(&self, url: &str) -> Result<(PathBuf, &Project), DaopsError> {
        for p in &self.projects {
            let (Some(root), Some(base)) = (&p.data_node_root, &p.base_dir) else { continue };
            if let Some(pos) = url.find(root.as_str()) {
                let rest = &url[pos + root.len()..];
                return Ok((base.join(rest.trim_start_matches('/')), p));
            }
        }
        Err(DaopsError::InvalidProject(format!(
            "The project could not be identified from the URL {url} so it could not be mapped to a file path."
        )))
    }

    /// The download URL of a file of project `p` (`data_node_root` + path below `base_dir`).
    #[must_use]
    pub fn download_url(&self, p: &Project, file: &Path) -> Option<String> {
        let root = p.data_node_root.as_ref()?;
        let base = p.base_dir.as_ref()?;
        let rel = file.strip_prefix(base).ok()?;
        Some(format!("{}/{}", root.trim_end_matches('/'), rel.to_string_lossy()))
    }

    fn check_allowed(&self, path: &Path) -> Result<(), DaopsError> {
        self.io.local(path).map(drop).map_err(refused)
    }

    /// The project a path belongs to: the first `is_default_for_path` project whose
    /// `base_dir` contains it.
    fn project_for_path(&self, path: &Path) -> Option<&Project> {
        let c = canonical(path);
        self.projects.iter().find(|p| {
            p.is_default_for_path
                && p.base_dir.as_ref().is_some_and(|b| path.starts_with(b) || c.starts_with(canonical(b)))
        })
    }

    /// Resolves one item.
    ///
    /// # Errors
    /// Unknown project or dataset, paths outside the allowed roots, nothing found.
    pub fn resolve(&self, item: &str) -> Result<Resolved, DaopsError> {
        self.resolve_in(item, None)
    }

    /// Resolves one item for a request covering `window` (ISO start, end): catalogue projects
    /// return only the files overlapping it (daops's catalogue search).
    ///
    /// # Errors
    /// As [`Resolver::resolve`]; a catalogue dataset with no file in the window.
    pub fn resolve_in(&self, item: &str, window: Option<(&str, &str)>) -> Result<Resolved, DaopsError> {
        let item = item.trim();
        if item.is_empty() {
            return Err(DaopsError::InvalidCollection("CollectionParameter must be provided".into()));
        }
        // s3://bucket/key: its HTTP(S) URL (rookery_io::s3), then as any URL.
        let s3 = self.io.s3().to_url(item);
        let item = s3.as_deref().unwrap_or(item);
        if item.starts_with("http://") || item.starts_with("https://") {
            // A data node's URL maps to its local file; any other URL is read over HTTP
            // (byte ranges, cached), if allowed.
            let Ok((path, p)) = self.url_to_path(item) else {
                self.io.url(item).map_err(refused)?;
                return Ok(Resolved {
                    input: item.to_string(),
                    ds_id: None,
                    project: None,
                    files: vec![PathBuf::from(item)],
                    from_catalog: false,
                });
            };
            let mut r = self.resolve_path(&path, item)?;
            r.project.get_or_insert_with(|| p.name.clone());
            return Ok(r);
        }
        let path = Path::new(item);
        let looks_like_path = item.starts_with('/') || item.starts_with("./") || item.starts_with("../");
        // A relative name is a file only where the context may read (else its existence
        // would show through the message).
        let readable = || path.exists() && self.io.local(path).is_ok();
        if looks_like_path || readable() || (item.contains('/') && item.contains('*')) {
            return self.resolve_path(path, item);
        }
        if item.matches('.').count() > 1 {
            return self.resolve_id(item, window);
        }
        Err(DaopsError::InvalidCollection(format!(
            "'{item}' is neither a dataset id nor an existing file or directory"
        )))
    }

    fn resolve_path(&self, path: &Path, input: &str) -> Result<Resolved, DaopsError> {
        let text = path.to_string_lossy();
        // Before anything looks at the file system (a refusal tells nothing of what is there):
        // the path itself, or a pattern's directory part.
        let base = rookery_io::glob_base(path);
        self.check_allowed(&base)?;
        let files: Vec<PathBuf> = if text.contains(['*', '?', '[']) && !path.exists() {
            let mut f: Vec<PathBuf> = glob::glob(&text)
                .map_err(|e| DaopsError::InvalidCollection(format!("bad glob pattern {text}: {e}")))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            f.sort();
            f
        } else if path.exists() && rookery_io::detect_zarr(&text).is_some() {
            // A Zarr store or a Parquet reference directory is one input, not a directory of files.
            vec![path.to_path_buf()]
        } else if path.is_dir() {
            let mut f: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| DaopsError::Missing(format!("cannot read {}: {e}", path.display())))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_netcdf(p))
                .collect();
            f.sort();
            f
        } else if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            return Err(DaopsError::NoSuchPath(format!("no such file or directory: {}", path.display())));
        };
        if files.is_empty() {
            return Err(DaopsError::NoSuchPath(format!("no NetCDF files match {input}")));
        }
        for f in &files {
            self.check_allowed(f)?;
        }
        let project = self.project_for_path(&files[0]);
        let ds_id = project.and_then(|p| {
            let base = p.base_dir.as_ref()?;
            let dir = files[0].parent()?;
            // The project was matched on canonical paths: derive the id the same way, so
            // `a/../b` spellings of a path under base_dir get their id too.
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            let (dir, base) = (canon(dir), canon(base));
            let rel = dir.strip_prefix(&base).ok()?;
            let mut id = p.name.clone();
            for c in rel.components() {
                id.push('.');
                id.push_str(&c.as_os_str().to_string_lossy());
            }
            Some(id)
        });
        Ok(Resolved {
            input: input.to_string(),
            ds_id,
            project: project.map(|p| p.name.clone()),
            files,
            from_catalog: false,
        })
    }

    fn resolve_id(&self, id: &str, window: Option<(&str, &str)>) -> Result<Resolved, DaopsError> {
        let tokens: Vec<&str> = id.split('.').collect();
        let pname = tokens[0].to_ascii_lowercase();
        let p = self.project(&pname).ok_or_else(|| {
            DaopsError::InvalidProject(format!(
                "The project supplied is not known: '{}' (dataset id {id}; known projects: {})",
                tokens[0],
                self.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        let base = p
            .base_dir
            .clone()
            .ok_or_else(|| DaopsError::InvalidProject(format!("project {} has no base_dir configured", p.name)))?;
        for t in &tokens[1..] {
            if t.is_empty() || *t == ".." || t.contains(['/', '\\', '*', '?', '[']) {
                return Err(DaopsError::InvalidCollection(format!(
                    "'{id}' is not a valid dataset id (bad component '{t}')"
                )));
            }
        }
        if let Some(cat) = self.catalogs.get(&p.name) {
            let not_found = || DaopsError::UnknownDataset(format!("{id} is not in the list of available data."));
            let all = cat.search(id, MIN_DATETIME, MAX_DATETIME)?.ok_or_else(not_found)?;
            let rows = match window {
                Some((s, e)) => cat.search(id, s, e)?.unwrap_or_default(),
                None => all,
            };
            if rows.is_empty() {
                return Err(DaopsError::Op(rookery_ops::OpError::NoData(format!(
                    "No files found in given time range for {id}"
                ))));
            }
            let mut files: Vec<PathBuf> = rows.iter().map(|r| base.join(&r.path)).collect();
            files.sort();
            files.dedup();
            if let Some(missing) = files.iter().find(|f| !f.is_file()) {
                return Err(DaopsError::Missing(format!(
                    "{} is listed in the catalogue of {} but does not exist",
                    missing.display(),
                    p.name
                )));
            }
            return Ok(Resolved {
                input: id.to_string(),
                ds_id: Some(id.to_string()),
                project: Some(p.name.clone()),
                files,
                from_catalog: true,
            });
        }
        let pattern = match p.fixed_path_mappings.iter().find(|(k, _)| k == id) {
            Some((_, rel)) => base.join(rel),
            None => tokens[1..].iter().fold(base.clone(), |acc, t| acc.join(t)).join("*.nc"),
        };
        let mut files: Vec<PathBuf> = glob::glob(&pattern.to_string_lossy())
            .map_err(|e| DaopsError::InvalidCollection(format!("bad path for {id}: {e}")))?
            .filter_map(Result::ok)
            .filter(|f| f.is_file())
            .collect();
        files.sort();
        let cbase = canonical(&base);
        if let Some(out) = files.iter().find(|f| !canonical(f).starts_with(&cbase)) {
            return Err(DaopsError::InvalidCollection(format!(
                "{} of dataset {id} resolves outside the project's base_dir",
                out.display()
            )));
        }
        if files.is_empty() {
            return Err(DaopsError::UnknownDataset(format!("{id} is not in the list of available data.")));
        }
        Ok(Resolved {
            input: id.to_string(),
            ds_id: Some(id.to_string()),
            project: Some(p.name.clone()),
            files,
            from_catalog: false,
        })
    }
}

/// A refusal of the I/O context as a collection error (the request is at fault).
fn refused(e: rookery_io::IoError) -> DaopsError {
    DaopsError::InvalidCollection(e.to_string())
}
