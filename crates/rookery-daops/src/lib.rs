//! # rookery-daops — the data-aware layer
//!
//! Users name datasets, not files. This crate turns a *collection* (dataset ids, paths, globs,
//! URLs) into files, opens them (applying dataset fixes) and runs an operation per dataset,
//! naming outputs by project:
//!
//! ```text
//!   Config (roocs.ini: built-in defaults < /etc/roocs.ini < $ROOCS_CONFIG)
//!     └─ projects: base_dir, templates, facets, catalogs, data_node_root
//!   collection item ──resolve──► Resolved { ds_id, project, files }
//!                    └─consolidate(time)──► only the files overlapping the request
//!   Daops::{subset, average, regrid, concat}(collection, request, RunOptions)
//!       ──► ResultSet { per dataset: output paths, or original-file URLs }
//! ```
//!
//! This is the one conductor: the CLI, the service's processes and workflows, and the
//! coverage checker translate their arguments into a collection, a request and
//! [`RunOptions`] (fixes on/off, namer, output, progress, how paths form datasets) and call
//! it. A [`Daops`] is a value built once per process (or per job, with the job's directory
//! readable: [`Daops::with_root`]); what it may read is its [`rookery_io::IoContext`]
//! ([`Daops::restricted`] for the service).

pub mod catalog;
pub mod concat;
pub mod config;
pub mod consolidate;
pub mod edr;
pub mod estimate;
mod fingerprint;
pub mod fixes;
pub mod project;
pub mod resolve;
pub mod serve;
pub mod wildcard;
pub mod wis2;

pub use config::Config;
pub use resolve::{Resolved, Resolver};

use consolidate::{consolidate, YearFilter};
use rookery_ops::{FileNamer, NamerKind, OpError, OutputSpec, SubsetRequest, TimeComponents, TimeParam};
use std::path::PathBuf;

/// Errors of the data-aware layer.
#[derive(Debug, thiserror::Error)]
pub enum DaopsError {
    /// clisops `InvalidProject`.
    #[error("{0}")]
    InvalidProject(String),
    /// clisops `InvalidCollection`.
    #[error("{0}")]
    InvalidCollection(String),
    /// A file or directory that does not exist or cannot be read.
    #[error("{0}")]
    Missing(String),
    /// A dataset id the request names that no project holds (clisops `InvalidCollection`).
    #[error("{0}")]
    UnknownDataset(String),
    /// A file, directory or glob the request names that does not exist (or matches nothing).
    #[error("{0}")]
    NoSuchPath(String),
    /// A configuration file that cannot be read or parsed.
    #[error("{0}")]
    Config(String),
    /// A fix file (built-in or in `[fixes] dir`) that cannot be read or parsed.
    #[error("fix file {file}: {reason}")]
    FixFile {
        /// The file.
        file: String,
        /// What is wrong (the parser's or the system's message).
        reason: String,
    },
    /// A step of a fix record that cannot be applied to a dataset (a bad record, or a dataset
    /// lacking what the step needs).
    #[error(transparent)]
    Fix(Box<fixes::FixFailure>),
    /// An operation failed.
    #[error(transparent)]
    Op(#[from] OpError),
}

impl DaopsError {
    /// True when the request itself is at fault (exit code 2 / an OGC parameter exception).
    #[must_use]
    pub fn is_request_error(&self) -> bool {
        match self {
            DaopsError::InvalidProject(_) | DaopsError::InvalidCollection(_) | DaopsError::UnknownDataset(_) => true,
            // Exit code 1 as for any input file that cannot be read.
            DaopsError::Config(_)
            | DaopsError::FixFile { .. }
            | DaopsError::Fix(_)
            | DaopsError::Missing(_)
            | DaopsError::NoSuchPath(_) => false,
            DaopsError::Op(e) => e.is_request_error(),
        }
    }

    /// True when the request names a dataset, file or directory that does not exist (the
    /// service answers 404).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, DaopsError::UnknownDataset(_) | DaopsError::NoSuchPath(_))
    }
}

/// Outputs of an operation, per dataset (in request order).
#[derive(Clone, Debug, Default)]
pub struct ResultSet {
    /// (dataset id or input text, output files or original-file URLs).
    pub results: Vec<(String, Vec<String>)>,
}

impl ResultSet {
    /// Every output (file path or URL), in order.
    #[must_use]
    pub fn file_uris(&self) -> Vec<String> {
        self.results.iter().flat_map(|(_, f)| f.clone()).collect()
    }
}

/// Where a request reports how far it got: a fraction 0..1, from any thread.
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<dyn Fn(f64) + Send + Sync>>);

impl Progress {
    /// A reporter calling `f`.
    pub fn new(f: impl Fn(f64) + Send + Sync + 'static) -> Progress {
        Progress(Some(std::sync::Arc::new(f)))
    }

    /// Reports fraction `x` (clamped to 0..1).
    pub fn report(&self, x: f64) {
        if let Some(f) = &self.0 {
            f(if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 });
        }
    }

    /// The reporter of part `k` of `n` equal parts of this one.
    #[must_use]
    pub fn part(&self, k: usize, n: usize) -> Progress {
        match &self.0 {
            None => Progress(None),
            Some(f) => {
                let f = f.clone();
                #[allow(clippy::cast_precision_loss)]
                let (k, n) = (k as f64, n.max(1) as f64);
                Progress::new(move |x| f((k + x) / n))
            }
        }
    }

    /// An operation callback (`done` of `total` steps) reporting into this one.
    #[allow(clippy::cast_precision_loss)]
    pub fn steps(&self) -> impl Fn(u64, u64) + Sync + '_ {
        move |done, total| self.report(done as f64 / total.max(1) as f64)
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(on)" } else { "Progress(off)" })
    }
}

/// When a subset returns the original files instead of processing (rook's
/// `original_files` input and its aligned-files shortcut).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OriginalFiles {
    /// Always process (and apply the dataset's fixes): results to be merged elsewhere.
    Never,
    /// For datasets named by id, when the request selects whole files (rook's default).
    #[default]
    WhenAligned,
    /// Always (rook's `original_files=1`).
    Always,
}

/// Options shared by the operations of this layer.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where and how outputs are written.
    pub output: OutputSpec,
    /// File namer.
    pub namer: NamerKind,
    /// Apply dataset fixes on open.
    pub apply_fixes: bool,
    /// When to return the original files' URLs instead of processing (subset only).
    pub original_files: OriginalFiles,
    /// Progress of the request (the datasets of a collection share it equally).
    pub progress: Progress,
    /// How the collection is read: `false` (the service) each item is a dataset; `true` (the
    /// command line) dataset ids are datasets and all the paths given form one dataset joined
    /// along time (clisops `FileMapper`; see [`Daops::cli_datasets`]).
    pub join_paths: bool,
}

/// The ISO window of a request for catalogue searches (daops `parse_time`): the time
/// interval, else the time components' year range, else everything.
#[must_use]
pub fn time_window(time: Option<&TimeParam>, tc: Option<&TimeComponents>) -> (String, String) {
    let min = catalog::MIN_DATETIME.to_string();
    let max = catalog::MAX_DATETIME.to_string();
    match time {
        Some(TimeParam::Interval(a, b)) => (a.clone().unwrap_or(min), b.clone().unwrap_or(max)),
        Some(TimeParam::Series(v)) => (v.iter().min().cloned().unwrap_or(min), v.iter().max().cloned().unwrap_or(max)),
        None => match tc.and_then(|t| t.year.as_ref()) {
            Some(ys) if !ys.is_empty() => {
                let lo = ys.iter().min().copied().unwrap_or(1);
                let hi = ys.iter().max().copied().unwrap_or(9999);
                (format!("{lo:04}-01-01T00:00:00"), format!("{hi:04}-12-31T23:59:59"))
            }
            _ => (min, max),
        },
    }
}

/// An ensemble member: its label (dataset id or path) and its opened source.
type Member = (String, Box<dyn rookery_io::Source>);

/// A configured data-aware layer.
#[derive(Clone, Debug)]
pub struct Daops {
    /// The effective configuration.
    pub config: Config,
    /// Collection resolution.
    pub resolver: Resolver,
    /// Dataset fixes.
    pub fixes: fixes::FixCatalog,
    /// Polygon weights of `average_shape` already computed (shared by the clones
    /// [`with_root`](Self::with_root) makes for a service's jobs).
    pub shape_weights: std::sync::Arc<rookery_ops::average::PolygonCache>,
}

/// Splits collection items on commas (clisops `CollectionParameter`).
#[must_use]
pub fn split_collection(items: &[String]) -> Vec<String> {
    items.iter().flat_map(|i| i.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl Daops {
    /// From a configuration; any local path and URL allowed, the HTTP client and block cache
    /// configured from the environment.
    ///
    /// # Errors
    /// Malformed project sections.
    pub fn new(config: Config) -> Result<Daops, DaopsError> {
        Daops::with_io(config, rookery_io::IoContext::from_env())
    }

    /// From a configuration, reading as `io` allows.
    ///
    /// # Errors
    /// Malformed project sections.
    pub fn with_io(config: Config, io: rookery_io::IoContext) -> Result<Daops, DaopsError> {
        let resolver = Resolver::new(&config, io)?;
        let fixes = fixes::FixCatalog::load(&config)?;
        Ok(Daops { config, resolver, fixes, shape_weights: std::sync::Arc::default() })
    }

    /// Restricted for the service: local files only below the projects' `base_dir`s and
    /// `[rookery] allowed_roots`; URLs only under `[rookery] allowed_urls` (and `extra_urls`,
    /// e.g. the peers a node fetches results from), at public addresses unless their host is
    /// listed or the address is in `[rookery] allowed_networks`. Every byte source goes
    /// through this one check ([`rookery_io::IoContext`]): collection paths, reference
    /// targets, Zarr stores, redirects.
    ///
    /// # Errors
    /// A network in `allowed_networks` that does not parse.
    pub fn restricted(mut self, extra_urls: &[String]) -> Result<Daops, DaopsError> {
        let mut urls = self.config.list("rookery", "allowed_urls");
        urls.extend(extra_urls.iter().cloned());
        let nets = self.config.list("rookery", "allowed_networks");
        let policy = rookery_io::EgressPolicy::allow_list(&urls, &nets)
            .map_err(|e| DaopsError::Config(format!("[rookery] allowed_networks: {e}")))?;
        let io = self.resolver.io().restrict(&self.resolver.data_roots(&self.config), policy);
        self.resolver = self.resolver.with_io(io);
        Ok(self)
    }

    /// This layer with `dir` readable too: a job's own directory, whose files (a workflow's
    /// intermediate outputs) later steps read.
    #[must_use]
    pub fn with_root(&self, dir: &std::path::Path) -> Daops {
        let mut d = self.clone();
        d.resolver = d.resolver.with_io(self.resolver.io().with_root(dir));
        d
    }

    /// This layer with `cancel` as its cancellation flag: the operations stop at their next
    /// block (or dataset) once it is set, leaving no output ([`rookery_io::Cancel`]).
    #[must_use]
    pub fn with_cancel(&self, cancel: rookery_io::Cancel) -> Daops {
        let mut d = self.clone();
        d.resolver = d.resolver.with_io(self.resolver.io().with_cancel(cancel));
        d
    }

    /// `Err(cancelled)` once this layer's cancellation flag is set (checked before each dataset).
    fn check_cancel(&self) -> Result<(), DaopsError> {
        Ok(self.io().cancel().check().map_err(OpError::from)?)
    }

    /// `opts.output` carrying this layer's cancellation flag (see [`Daops::check_cancel`]).
    fn output(&self, opts: &RunOptions) -> Result<OutputSpec, DaopsError> {
        self.check_cancel()?;
        Ok(OutputSpec { cancel: self.io().cancel().clone(), ..opts.output.clone() })
    }

    /// The I/O context every file and URL is read through.
    #[must_use]
    pub fn io(&self) -> &rookery_io::IoContext {
        self.resolver.io()
    }

    /// Resolves and consolidates every item of `collection` for a request's time and time
    /// components: only files overlapping the requested years are kept (catalogue projects:
    /// the catalogue's time search).
    ///
    /// # Errors
    /// See [`Resolver::resolve`] and [`consolidate`].
    pub fn datasets(
        &self,
        collection: &[String],
        time: Option<&TimeParam>,
        tc: Option<&TimeComponents>,
    ) -> Result<Vec<Resolved>, DaopsError> {
        let items = split_collection(collection);
        if items.is_empty() {
            return Err(DaopsError::InvalidCollection("CollectionParameter must be provided".into()));
        }
        let window = time_window(time, tc);
        let years = YearFilter::from_request(time, tc);
        items
            .iter()
            .map(|i| {
                let mut r = self.resolver.resolve_in(i, Some((&window.0, &window.1)))?;
                if !r.from_catalog {
                    r.files = consolidate(self.io(), r.key(), &r.files, years.as_ref())?;
                }
                Ok(r)
            })
            .collect()
    }

    /// The command line's inputs: dataset ids are datasets of their own; all the paths given
    /// (files, globs, directories, URLs) form one dataset joined along time (clisops
    /// `FileMapper`).
    ///
    /// # Errors
    /// See [`Daops::datasets`].
    pub fn cli_datasets(
        &self,
        inputs: &[String],
        time: Option<&TimeParam>,
        tc: Option<&TimeComponents>,
    ) -> Result<Vec<Resolved>, DaopsError> {
        let window = time_window(time, tc);
        let years = YearFilter::from_request(time, tc);
        let mut out: Vec<Resolved> = Vec::new();
        let mut joined: Option<Resolved> = None;
        for item in split_collection(inputs) {
            let r = self.resolver.resolve_in(&item, Some((&window.0, &window.1)))?;
            if r.input == r.ds_id.clone().unwrap_or_default() {
                out.push(r);
            } else if let Some(j) = joined.as_mut() {
                j.files.extend(r.files);
                j.input = format!("{} {}", j.input, r.input);
            } else {
                joined = Some(r);
            }
        }
        if let Some(mut j) = joined {
            let mut seen = std::collections::HashSet::new();
            j.files.retain(|f| seen.insert(f.clone()));
            out.insert(0, j);
        }
        if out.is_empty() {
            return Err(DaopsError::InvalidCollection("CollectionParameter must be provided".into()));
        }
        for r in out.iter_mut().filter(|r| !r.from_catalog) {
            r.files = consolidate(self.io(), r.key(), &r.files, years.as_ref())?;
        }
        Ok(out)
    }

    /// Opens a resolved dataset, applying the matching fixes when `apply_fixes` and the
    /// dataset was named by its id (rook's policy: raw files and URLs are opened as they are).
    ///
    /// # Errors
    /// Unreadable files; a fix that cannot be applied.
    pub fn open(&self, d: &Resolved, apply_fixes: bool) -> Result<Box<dyn rookery_io::Source>, DaopsError> {
        let src = rookery_io::open_paths(self.io(), &d.files).map_err(OpError::from)?;
        match (&d.ds_id, apply_fixes) {
            (Some(id), true) if *id == d.input => Ok(self.fixes.apply(src, id)?.0),
            _ => Ok(src),
        }
    }

    /// rook's original-files shortcut (roocs.md §4.2): when `force`, or when the request
    /// aligns with whole files (no area or level; no time, or a time interval that, clipped to
    /// the data, starts at the first step of one file and ends at the last step of another;
    /// time components only as whole years), the files' download URLs (`data_node_root` +
    /// path; the local path when the project has none) instead of a computation.
    ///
    /// # Errors
    /// Files whose time axis cannot be read.
    pub fn original_files(
        &self,
        d: &Resolved,
        req: &SubsetRequest,
        force: bool,
    ) -> Result<Option<Vec<String>>, DaopsError> {
        let urls_of = |files: &[&std::path::PathBuf]| {
            files
                .iter()
                .map(|f| {
                    d.project
                        .as_deref()
                        .and_then(|p| self.resolver.project(p))
                        .and_then(|p| self.resolver.download_url(p, f))
                        .unwrap_or_else(|| f.to_string_lossy().into_owned())
                })
                .collect::<Vec<_>>()
        };
        let urls = || urls_of(&d.files.iter().collect::<Vec<_>>());
        // Polygon subsets mask the data: never the original files.
        if req.shape.is_some() {
            return Ok(None);
        }
        if force {
            return Ok(Some(urls()));
        }
        if req.area.is_some() || req.level.is_some() {
            return Ok(None);
        }
        if let Some(tc) = &req.time_components {
            let only_years = tc.month.is_none()
                && tc.day.is_none()
                && tc.hour.is_none()
                && tc.minute.is_none()
                && tc.second.is_none();
            let contiguous = tc.year.as_ref().is_some_and(|ys| {
                let mut y = ys.clone();
                y.sort_unstable();
                y.windows(2).all(|w| w[1] == w[0] + 1)
            });
            if !(only_years && contiguous) {
                return Ok(None);
            }
        }
        let Some(TimeParam::Interval(a, b)) = &req.time else {
            return Ok(if req.time.is_none() && req.time_components.is_none() { Some(urls()) } else { None });
        };
        // The steps of every file.
        let mut per_file = Vec::new();
        for f in &d.files {
            let src = rookery_io::open_paths(self.io(), std::slice::from_ref(f)).map_err(OpError::from)?;
            let info = rookery_cf::CfInfo::detect(src.dataset()).map_err(|e| OpError::Data(e.to_string()))?;
            let Some(t) = rookery_ops::subset::time_axis(src.as_ref(), &info)? else { return Ok(None) };
            if t.times.is_empty() {
                return Ok(None);
            }
            per_file.push(t.times);
        }
        let parse = |x: &Option<String>| {
            x.as_deref().and_then(|s| rookery_cf::time::PartialDateTime::parse(s).ok()).map(|p| p.first())
        };
        let (start, end) = (parse(a), parse(b));
        let all = per_file.iter().flatten();
        // The selected steps are [first step >= start, last step <= end]: aligned when those
        // are a file's first and a file's last step.
        let first_sel = all.clone().filter(|t| start.is_none_or(|s| **t >= s)).min();
        let last_sel =
            all.filter(|t| end.is_none_or(|e| **t <= rookery_cf::time::DateTime { microsecond: 999_999, ..e })).max();
        let (Some(fs), Some(ls)) = (first_sel, last_sel) else { return Ok(None) };
        let starts = per_file.iter().any(|t| t.first() == Some(fs));
        let ends = per_file.iter().any(|t| t.last() == Some(ls));
        if !(starts && ends) {
            return Ok(None);
        }
        let inside: Vec<&std::path::PathBuf> = d
            .files
            .iter()
            .zip(&per_file)
            .filter(|(_, t)| t.first().is_some_and(|a| a >= fs) && t.last().is_some_and(|b| b <= ls))
            .map(|(f, _)| f)
            .collect();
        Ok(Some(urls_of(&inside)))
    }

    /// Subsets each dataset of `collection` (daops `subset`): items are dataset ids, files,
    /// globs, directories or download URLs; only files overlapping the requested years are
    /// opened; outputs are named with the project templates of the configuration.
    ///
    /// # Errors
    /// Unknown datasets, invalid requests, read/write failures.
    pub fn subset(
        &self,
        collection: &[String],
        req: &SubsetRequest,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.select(collection, req.time.as_ref(), req.time_components.as_ref(), opts)?;
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut rs = ResultSet::default();
        for (k, d) in datasets.iter().enumerate() {
            // Datasets named by id may come back as their original files (rook); files given
            // as paths (e.g. a workflow's intermediate outputs) are always processed.
            let by_id = d.ds_id.as_deref() == Some(d.input.as_str());
            let force = opts.original_files == OriginalFiles::Always;
            if force || (by_id && opts.original_files == OriginalFiles::WhenAligned) {
                if let Some(urls) = self.original_files(d, req, force)? {
                    rs.results.push((d.key().to_string(), urls));
                    continue;
                }
            }
            let output = self.output(opts)?;
            let src = self.open(d, opts.apply_fixes)?;
            let part = opts.progress.part(k, datasets.len());
            let outs = rookery_ops::subset(src.as_ref(), req, &output, &mut namer, &part.steps())?;
            rs.results.push((
                d.key().to_string(),
                outs.into_iter().map(|p: PathBuf| p.to_string_lossy().into_owned()).collect(),
            ));
        }
        Ok(rs)
    }
}

impl Daops {
    /// The datasets of `collection` as `opts` reads it ([`RunOptions::join_paths`]).
    fn select(
        &self,
        collection: &[String],
        time: Option<&TimeParam>,
        tc: Option<&TimeComponents>,
        opts: &RunOptions,
    ) -> Result<Vec<Resolved>, DaopsError> {
        if opts.join_paths {
            self.cli_datasets(collection, time, tc)
        } else {
            self.datasets(collection, time, tc)
        }
    }

    /// Runs an averaging operation (`rookery_ops::average`) on each dataset of `collection`:
    /// every dataset is opened (with its fixes) and planned before anything is written, so a
    /// request error leaves nothing; `extra` is the file-name suffix (`_avg-t`, ...).
    ///
    /// # Errors
    /// Unknown datasets, invalid requests, read/write failures.
    pub fn average(
        &self,
        collection: &[String],
        plan: impl Fn(&dyn rookery_io::Source) -> Result<rookery_ops::average::Job, OpError>,
        extra: &str,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.select(collection, None, None, opts)?;
        let mut planned = Vec::new();
        for d in &datasets {
            let src = self.open(d, opts.apply_fixes)?;
            let job = plan(src.as_ref())?;
            planned.push((d.key().to_string(), src, job));
        }
        let mut output = self.output(opts)?;
        output.extra = format!("{}{extra}", output.extra);
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut rs = ResultSet::default();
        for (k, (key, src, job)) in planned.iter().enumerate() {
            self.check_cancel()?;
            let part = opts.progress.part(k, planned.len());
            let outs = rookery_ops::average::run(src.as_ref(), job, &output, &mut namer, &part.steps())?;
            rs.results.push((key.clone(), outs.into_iter().map(|p| p.to_string_lossy().into_owned()).collect()));
        }
        Ok(rs)
    }

    /// Regrids every dataset of `collection` (clisops `regrid`); file names carry the
    /// `_regrid-<method>-<grid>` suffix of each dataset's target grid.
    ///
    /// # Errors
    /// Unknown datasets, invalid requests, read/write failures.
    pub fn regrid(
        &self,
        collection: &[String],
        req: &rookery_ops::regrid::RegridRequest,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.select(collection, None, None, opts)?;
        let mut planned = Vec::new();
        for d in &datasets {
            let src = self.open(d, opts.apply_fixes)?;
            let p = rookery_ops::regrid::plan_regrid(src.as_ref(), req)?;
            planned.push((d.key().to_string(), src, p));
        }
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut rs = ResultSet::default();
        for (k, (key, src, p)) in planned.iter().enumerate() {
            let part = opts.progress.part(k, planned.len());
            let mut output = self.output(opts)?;
            output.extra = format!("{}{}", output.extra, p.suffix);
            let outs = rookery_ops::engine::execute(src.as_ref(), &p.job, &output, &mut namer, &part.steps())?;
            rs.results.push((key.clone(), outs.into_iter().map(|p| p.to_string_lossy().into_owned()).collect()));
        }
        Ok(rs)
    }

    /// Extracts the time series at points (stations) from every dataset of `collection`
    /// ([`rookery_ops::point`]): every dataset is planned (nearest cells found, distances
    /// checked) before anything is written, so a request error leaves nothing; file names
    /// carry the `_points` suffix (`.csv` when `req.csv`).
    ///
    /// # Errors
    /// Unknown datasets, invalid requests (a point beyond the maximum distance, ...),
    /// read/write failures.
    pub fn points(
        &self,
        collection: &[String],
        req: &rookery_ops::point::PointRequest,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.select(collection, req.time.as_ref(), req.time_components.as_ref(), opts)?;
        let mut planned = Vec::new();
        for d in &datasets {
            let src = self.open(d, opts.apply_fixes)?;
            let p = rookery_ops::point::plan_points(src.as_ref(), req)?;
            planned.push((d.key().to_string(), src, p));
        }
        let mut output = self.output(opts)?;
        output.extra = format!("{}{}", output.extra, rookery_ops::point::SUFFIX);
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut rs = ResultSet::default();
        for (k, (key, src, p)) in planned.iter().enumerate() {
            self.check_cancel()?;
            let part = opts.progress.part(k, planned.len());
            let outs = rookery_ops::point::write_points(src.as_ref(), p, &output, req.csv, &mut namer, &part.steps())?;
            rs.results.push((key.clone(), outs.into_iter().map(|p| p.to_string_lossy().into_owned()).collect()));
        }
        Ok(rs)
    }

    /// The directory of the roocs-grids files: `$ROOKERY_GRIDS_DIR`, else `[regrid] grids_dir`;
    /// `None` (neither set): the grids built into the binary.
    #[must_use]
    pub fn grids_dir(&self) -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("ROOKERY_GRIDS_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d));
        }
        self.config.path("regrid", "grids_dir")
    }

    /// The weights cache directory: `[clisops:grid_weights] local_weights_dir`, else the
    /// user's data directory (`$XDG_DATA_HOME` or `~/.local/share`) `/rookery/grid_weights`.
    #[must_use]
    pub fn weights_dir(&self) -> Option<PathBuf> {
        if let Some(d) = self.config.path("clisops:grid_weights", "local_weights_dir") {
            return Some(d);
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
        Some(base.join("rookery").join("grid_weights"))
    }

    /// Concatenates the datasets of `collection` along a new `realization` dimension (rook
    /// `concat`), optionally averaged over it, with the request's time, time components and
    /// area applied while reading; writes outputs like a subset.
    ///
    /// # Errors
    /// Unknown datasets, members that differ, invalid requests, read/write failures.
    pub fn concat(
        &self,
        collection: &[String],
        req: &SubsetRequest,
        apply_average: bool,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.datasets(collection, req.time.as_ref(), req.time_components.as_ref())?;
        let members = datasets.iter().map(|d| self.open(d, opts.apply_fixes)).collect::<Result<Vec<_>, _>>()?;
        let stack = concat::StackSource::new(members, apply_average)?;
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut output = self.output(opts)?;
        if apply_average {
            output.extra = format!("{}_avg-r", output.extra);
        }
        let outs = rookery_ops::subset(&stack, req, &output, &mut namer, &opts.progress.steps())?;
        let key = datasets.iter().map(Resolved::key).collect::<Vec<_>>().join(",");
        Ok(ResultSet { results: vec![(key, outs.into_iter().map(|p| p.to_string_lossy().into_owned()).collect())] })
    }

    /// Ensemble statistics ([`rookery_ops::ensemble`]) across the datasets of `collection`
    /// (each item one member: a dataset id, file, glob or directory, opened with its fixes),
    /// with the request's time, time components and area applied while reading; one output
    /// with a variable per statistic, named after the members' variable with `_ens-stats`.
    ///
    /// With `regrid`, every member is first regridded to the request's grid (every member
    /// planned before anything is written) into a temporary directory inside the output
    /// directory, removed on success and on failure; the statistics then run over the
    /// regridded members.
    ///
    /// # Errors
    /// Unknown datasets; fewer than two members, or members whose variable, calendar, time
    /// axis or grid differ; invalid requests; read/write failures. Nothing is written then.
    pub fn ensemble(
        &self,
        collection: &[String],
        stats: &[rookery_ops::ensemble::Stat],
        req: &SubsetRequest,
        regrid: Option<&rookery_ops::regrid::RegridRequest>,
        opts: &RunOptions,
    ) -> Result<ResultSet, DaopsError> {
        let datasets = self.datasets(collection, req.time.as_ref(), req.time_components.as_ref())?;
        let mut members = datasets
            .iter()
            .map(|d| Ok((d.key().to_string(), self.open(d, opts.apply_fixes)?)))
            .collect::<Result<Vec<_>, DaopsError>>()?;
        // Dropped (the regridded members removed) after the statistics are written or failed.
        let _tmp = match regrid {
            Some(rq) => {
                let (tmp, regridded) = self.regrid_members(&members, rq, opts)?;
                members = regridded;
                Some(tmp)
            }
            None => None,
        };
        let src = rookery_ops::ensemble::EnsembleSource::new(members, stats.to_vec(), req.time.as_ref())?;
        let mut namer = FileNamer::new(opts.namer, self.resolver.templates());
        let mut output = self.output(opts)?;
        output.extra = format!("{}{}", output.extra, rookery_ops::ensemble::SUFFIX);
        let outs = rookery_ops::ensemble::run(&src, req, &output, &mut namer, &opts.progress.steps())?;
        let key = datasets.iter().map(Resolved::key).collect::<Vec<_>>().join(",");
        Ok(ResultSet { results: vec![(key, outs.into_iter().map(|p| p.to_string_lossy().into_owned()).collect())] })
    }

    /// Regrids ensemble members to `rq`'s grid into a new temporary directory inside the
    /// output directory (one subdirectory per member, NetCDF-4, one file each) and reopens
    /// them under their labels. Every member is planned before anything is written; the
    /// directory is removed when the returned guard is dropped (also on errors here).
    fn regrid_members(
        &self,
        members: &[Member],
        rq: &rookery_ops::regrid::RegridRequest,
        opts: &RunOptions,
    ) -> Result<(tempfile::TempDir, Vec<Member>), DaopsError> {
        use rookery_io::IoError;
        let planned = members
            .iter()
            .map(|(l, m)| {
                rookery_ops::regrid::plan_regrid(m.as_ref(), rq).map_err(|e| match e {
                    OpError::Data(t) => DaopsError::Op(OpError::Data(format!("{l}: {t}"))),
                    e => DaopsError::Op(e),
                })
            })
            .collect::<Result<Vec<_>, DaopsError>>()?;
        let tmp = tempfile::Builder::new()
            .prefix(".rookery-ensemble-regrid-")
            .tempdir_in(&opts.output.dir)
            .map_err(|e| OpError::Io(IoError::Write { path: opts.output.dir.clone(), msg: e.to_string() }))?;
        let io = self.io().with_root(tmp.path());
        let mut out = Vec::with_capacity(members.len());
        for (k, ((label, src), p)) in members.iter().zip(&planned).enumerate() {
            let dir = tmp.path().join(format!("m{k}"));
            std::fs::create_dir(&dir)
                .map_err(|e| OpError::Io(IoError::Write { path: dir.clone(), msg: e.to_string() }))?;
            let spec = OutputSpec {
                dir,
                format: rookery_io::OutputFormat::Nc4,
                size_limit: u64::MAX,
                extra: p.suffix.clone(),
                history: String::new(),
                cancel: self.io().cancel().clone(),
            };
            let mut namer = FileNamer::new(NamerKind::Simple, self.resolver.templates());
            let files = rookery_ops::engine::execute(src.as_ref(), &p.job, &spec, &mut namer, &|_, _| {})?;
            out.push((label.clone(), rookery_io::open_paths(&io, &files).map_err(OpError::from)?));
        }
        Ok((tmp, out))
    }
}
