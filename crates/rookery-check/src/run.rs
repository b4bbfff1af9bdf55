//! Running the checks: for each dataset, open it with rookery's own resolver and multi-file
//! open, sample the requests, run each in-process into a temporary directory, check the
//! output with libnetcdf, and record the row — errors and panics alike, never stopping at the
//! first failure; requests already in the database are skipped (resume).

use crate::checks::{self, FieldState};
use crate::db::ResultsDb;
use crate::known::KnownFailures;
use crate::pools::DatasetSpec;
use crate::results::{build, host_name, now_string, Row};
use crate::rng::Rng;
use crate::sample::{self, Axes, Kind, Sample, KIND_ORDER};
use crate::{CheckError, RequestFailure as F};
use rookery_daops::{Daops, OriginalFiles, Progress, Resolved, RunOptions};
use rookery_ops::average::{dims, time as avg_time, Freq, WeightKind};
use rookery_ops::regrid::{self, GridSpec, RegridRequest};
use rookery_ops::{AreaParam, LevelParam, NamerKind, OutputSpec, SubsetRequest, TimeParam};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The site name recorded with every row.
    pub site: String,
    /// The seed: the same seed (and pools) gives the same requests.
    pub seed: u64,
    /// Subset requests per dataset (kinds cycle through [`KIND_ORDER`]).
    pub requests_per_dataset: u32,
    /// Also check `average --dims time`, `average-time --freq year` and `regrid nearest_s2d`.
    pub operations: bool,
    /// The `ROOCS_CONFIG` to show in reproducing command lines of datasets named by id.
    pub config_hint: Option<String>,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Datasets walked.
    pub datasets: usize,
    /// Requests run now.
    pub requests: usize,
    /// Requests skipped because they were already recorded.
    pub skipped: usize,
    /// Requests that passed.
    pub passed: usize,
    /// Requests that failed and are not known failures.
    pub failed: usize,
    /// Requests that failed as listed in the known failures.
    pub known: usize,
    /// The failed rows that are not known failures.
    pub new_failures: Vec<Row>,
}

/// The outcome of one request: a note on success, or the failure.
type Outcome = Result<String, F>;

fn fmt_f(x: f64) -> String {
    format!("{x:?}")
}

/// Shell-quotes a word when needed.
fn sh(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command-line form of a sample's parameters (`--area=W,S,E,N --time=a/b --level=a/b`).
fn sample_args(s: &Sample) -> Vec<String> {
    let mut a = Vec::new();
    if let Some([w, so, e, n]) = s.area {
        a.push(format!("--area={},{},{},{}", fmt_f(w), fmt_f(so), fmt_f(e), fmt_f(n)));
    }
    if let Some((t0, t1)) = &s.time {
        a.push(format!("--time={t0}/{t1}"));
    }
    if let Some((l0, l1)) = s.level {
        a.push(format!("--level={}/{}", fmt_f(l0), fmt_f(l1)));
    }
    a
}

/// The subset request of a sample, parsed from its command-line text exactly as the CLI does.
fn request_of(s: &Sample) -> Result<SubsetRequest, F> {
    let mut req = SubsetRequest::default();
    for arg in sample_args(s) {
        let (k, v) = arg.split_once('=').unwrap_or((&arg, ""));
        match k {
            "--area" => req.area = AreaParam::parse(v)?,
            "--time" => req.time = TimeParam::parse(v)?,
            "--level" => req.level = LevelParam::parse(v)?,
            _ => {}
        }
    }
    Ok(req)
}

/// How the checks run operations: as the command line does (paths form one dataset, fixes
/// applied), always processing (no original-files shortcut), outputs into `dir`.
fn options(dir: &Path) -> RunOptions {
    RunOptions {
        output: spec(dir, ""),
        namer: NamerKind::Standard,
        apply_fixes: true,
        original_files: OriginalFiles::Never,
        progress: Progress::default(),
        join_paths: true,
    }
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn spec(dir: &Path, extra: &str) -> OutputSpec {
    OutputSpec {
        dir: dir.to_path_buf(),
        format: rookery_io::OutputFormat::Nc4,
        size_limit: 2_000_000_000,
        extra: extra.to_string(),
        history: format!("{}: rookery {} check", rookery_ops::output::utc_now(), build::VERSION),
        cancel: Default::default(),
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".into())
}

/// Runs `f`, turning a panic into a failure.
fn guarded<T>(f: impl FnOnce() -> Result<T, F>) -> Result<T, F> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(F::Panic(panic_text(p.as_ref()))),
    }
}

/// Exactly one output file (the reference's rule: a split output is an error).
fn one(outs: Vec<PathBuf>, what: &str) -> Result<PathBuf, F> {
    match outs.len() {
        1 => Ok(outs.into_iter().next().unwrap_or_default()),
        0 => Err(F::NoOutput(what.to_string())),
        count => Err(F::SplitOutput { what: what.to_string(), count }),
    }
}

/// The checker of a run.
struct Runner<'a> {
    daops: &'a Daops,
    cfg: &'a RunConfig,
    host: String,
}

impl Runner<'_> {
    /// `rookery subset` in-process, through the conductor as the command runs it (without
    /// the original-files shortcut: the checks always process).
    fn subset(&self, inputs: &[String], req: &SubsetRequest, dir: &Path) -> Result<Vec<PathBuf>, F> {
        std::fs::create_dir_all(dir).map_err(|source| F::CreateDir { path: dir.display().to_string(), source })?;
        let rs = self.daops.subset(inputs, req, &options(dir))?;
        Ok(rs.file_uris().into_iter().map(PathBuf::from).collect())
    }

    fn command(&self, d: &DatasetSpec, op: &str, args: &[String]) -> String {
        let by_id = d.inputs.len() == 1 && d.inputs[0] == d.key && !d.key.contains('/');
        let mut c = String::new();
        if let (true, Some(cfg)) = (by_id, &self.cfg.config_hint) {
            c.push_str(&format!("ROOCS_CONFIG={} ", sh(cfg)));
        }
        c.push_str("rookery ");
        c.push_str(op);
        for i in &d.inputs {
            c.push(' ');
            c.push_str(&sh(i));
        }
        for a in args {
            c.push(' ');
            c.push_str(&sh(a));
        }
        c
    }

    fn base_row(&self, d: &DatasetSpec, operation: &str, kind: &str, index: u32) -> Row {
        Row {
            test_location: self.cfg.site.clone(),
            test_time: now_string(),
            collection: d.key.clone(),
            operation: operation.into(),
            kind: kind.into(),
            seed: self.cfg.seed.to_string(),
            request_index: index.to_string(),
            rookery_version: build::VERSION.into(),
            git_commit: build::GIT_COMMIT.into(),
            libnetcdf_version: build::LIBNETCDF.into(),
            netcdf_reader_version: build::NETCDF_READER.into(),
            host: self.host.clone(),
            project: d.project.clone(),
            ..Row::default()
        }
    }

    fn fill_sample(row: &mut Row, s: &Sample) {
        if let Some(a) = s.area {
            row.area = a.iter().map(|x| fmt_f(*x)).collect::<Vec<_>>().join("/");
        }
        if let Some((l0, l1)) = s.level {
            row.level = format!("{}/{}", fmt_f(l0), fmt_f(l1));
        }
        if let Some((t0, t1)) = &s.time {
            row.time = format!("{t0}/{t1}");
        }
    }

    /// One subset request and its checks.
    fn subset_check(&self, d: &DatasetSpec, r: &Resolved, axes: &Axes, s: &Sample) -> Outcome {
        let req = request_of(s)?;
        let tmp = tempfile::Builder::new().prefix("rookery-check-").tempdir().map_err(F::TempDir)?;
        let out = one(self.subset(&d.inputs, &req, tmp.path())?, "subset")?;
        let first_file = r.files.first().cloned().unwrap_or_default();
        let time_dim = axes.time_dim.clone();
        let full =
            move |var: &str| -> Result<FieldState, F> { checks::full_field(&first_file, var, time_dim.as_deref()) };
        checks::check_subset(&out, axes, s, &full)
    }

    /// `average --dims time` of a subset against the mean computed from the subset's output.
    fn average_check(&self, d: &DatasetSpec, axes: &Axes, s: &Sample) -> Outcome {
        let req = request_of(s)?;
        let tmp = tempfile::Builder::new().prefix("rookery-check-").tempdir().map_err(F::TempDir)?;
        let sub = one(self.subset(&d.inputs, &req, &tmp.path().join("sub"))?, "subset")?;
        let out_dir = tmp.path().join("avg");
        std::fs::create_dir_all(&out_dir)?;
        let r = dims::DimsRequest {
            dims: vec![rookery_cf::Role::Time],
            ignore_undetected_dims: false,
            weights: WeightKind::None,
            area_file: None,
            io: self.daops.io().clone(),
        };
        let rs = self.daops.average(
            &[path_text(&sub)],
            |src| dims::plan_dims(src, &r),
            &dims::suffix(&r.dims),
            &options(&out_dir),
        )?;
        let outs: Vec<PathBuf> = rs.file_uris().into_iter().map(PathBuf::from).collect();
        let avg = one(outs, "average")?;
        let tdim = axes.time_dim.as_deref().ok_or_else(|| F::NotApplicable("no time dimension".into()))?;
        checks::check_time_mean(&sub, &avg, &axes.info.main, tdim)
    }

    /// `average-time --freq year` of a subset: one step per year.
    fn yearly_check(&self, d: &DatasetSpec, axes: &Axes, s: &Sample) -> Outcome {
        let req = request_of(s)?;
        let tmp = tempfile::Builder::new().prefix("rookery-check-").tempdir().map_err(F::TempDir)?;
        let sub = one(self.subset(&d.inputs, &req, &tmp.path().join("sub"))?, "subset")?;
        let out_dir = tmp.path().join("avg");
        std::fs::create_dir_all(&out_dir)?;
        let freq = Freq::parse(Some("year"))?;
        let rs = self.daops.average(
            &[path_text(&sub)],
            |src| avg_time::plan_time(src, freq),
            &freq.suffix(),
            &options(&out_dir),
        )?;
        let outs: Vec<PathBuf> = rs.file_uris().into_iter().map(PathBuf::from).collect();
        let avg = one(outs, "average-time")?;
        let tvar = axes.info.time.as_deref().ok_or_else(|| F::NotApplicable("no time coordinate".into()))?;
        checks::check_yearly(&sub, &avg, tvar)
    }

    /// `regrid --method nearest_s2d --grid auto` of a time subset: only source values.
    fn regrid_check(&self, d: &DatasetSpec, axes: &Axes, s: &Sample) -> Outcome {
        let req = request_of(s)?;
        let tmp = tempfile::Builder::new().prefix("rookery-check-").tempdir().map_err(F::TempDir)?;
        let sub = if req.time.is_some() || req.area.is_some() || req.level.is_some() {
            one(self.subset(&d.inputs, &req, &tmp.path().join("sub"))?, "subset")?
        } else {
            return Err(F::NotApplicable("nothing to subset before regridding (no time axis)".into()));
        };
        let out_dir = tmp.path().join("regrid");
        std::fs::create_dir_all(&out_dir)?;
        let rr = RegridRequest {
            method: regrid::parse_method("nearest_s2d")?,
            grid: GridSpec::parse("auto")?,
            mask: None,
            adaptive_masking_threshold: 0.5,
            grids_dir: self.daops.grids_dir(),
            weights_dir: None,
            io: self.daops.io().clone(),
        };
        let rs = self.daops.regrid(&[path_text(&sub)], &rr, &options(&out_dir))?;
        let outs: Vec<PathBuf> = rs.file_uris().into_iter().map(PathBuf::from).collect();
        let out = one(outs, "regrid")?;
        checks::check_nearest(&sub, &out, &axes.info.main)
    }
}

/// A planned request of a dataset.
struct Planned {
    operation: &'static str,
    kind: String,
    index: u32,
    sample: Sample,
}

fn plan_requests(cfg: &RunConfig, key: &str, axes: &Axes) -> Vec<Planned> {
    let mut out = Vec::new();
    for i in 0..cfg.requests_per_dataset {
        let kind = KIND_ORDER[i as usize % KIND_ORDER.len()];
        let mut rng = Rng::for_request(cfg.seed, key, i);
        let s = sample::sample(axes, kind, &mut rng, true, true);
        out.push(Planned { operation: "subset", kind: kind.name().into(), index: i, sample: s });
    }
    if cfg.operations && axes.times.is_some() {
        let mut rng = Rng::for_request(cfg.seed, key, 1_000_001);
        let s = sample::sample(axes, Kind::AreaTime, &mut rng, true, true);
        out.push(Planned { operation: "average", kind: "dims=time".into(), index: 0, sample: s });
        let mut rng = Rng::for_request(cfg.seed, key, 1_000_002);
        let s = sample::sample(axes, Kind::AreaTime, &mut rng, true, true);
        out.push(Planned { operation: "average-time", kind: "freq=year".into(), index: 0, sample: s });
        if axes.has_area() {
            let mut rng = Rng::for_request(cfg.seed, key, 1_000_003);
            let s = sample::sample(axes, Kind::AreaTime, &mut rng, false, true);
            out.push(Planned { operation: "regrid", kind: "nearest_s2d/auto".into(), index: 0, sample: s });
        }
    }
    out
}

/// Runs the checks of `datasets`, recording every request in `db`. `progress` receives one
/// line per dataset.
///
/// # Errors
/// Only database failures stop a run; every request failure is recorded.
pub fn run(
    daops: &Daops,
    datasets: &[DatasetSpec],
    db: &mut ResultsDb,
    cfg: &RunConfig,
    known: &KnownFailures,
    progress: &mut dyn FnMut(&str),
) -> Result<Summary, CheckError> {
    let runner = Runner { daops, cfg, host: host_name() };
    let mut sum = Summary { datasets: datasets.len(), ..Summary::default() };
    let seed = cfg.seed.to_string();
    for (n, d) in datasets.iter().enumerate() {
        progress(&format!("[{}/{}] {}", n + 1, datasets.len(), d.key));
        // Warnings are printed once per dataset (the command line's log keys them by this span).
        let _span = tracing::warn_span!("dataset", key = %d.key).entered();
        if db.has(&cfg.site, &d.key, &seed, "0", "open")? {
            sum.skipped += 1;
            continue;
        }
        let t0 = Instant::now();
        let opened = guarded(|| {
            let ds = daops.cli_datasets(&d.inputs, None, None)?;
            let r = ds.into_iter().next().ok_or_else(|| F::NotApplicable("no dataset".into()))?;
            let src = daops.open(&r, true)?;
            let axes = sample::axes(src.as_ref())?;
            Ok((r, axes))
        });
        let (resolved, axes) = match opened {
            Ok(x) => x,
            Err(msg) => {
                let mut row = runner.base_row(d, "open", "open", 0);
                row.success = "False".into();
                row.message = format!("cannot open the dataset: {msg}");
                row.duration_s = format!("{:.3}", t0.elapsed().as_secs_f64());
                row.command = runner.command(d, "info", &[]);
                record(db, row, known, &mut sum)?;
                continue;
            }
        };
        for p in plan_requests(cfg, &d.key, &axes) {
            let index = p.index.to_string();
            if db.has(&cfg.site, &d.key, &seed, &index, p.operation)? {
                sum.skipped += 1;
                continue;
            }
            let mut row = runner.base_row(d, p.operation, &p.kind, p.index);
            Runner::fill_sample(&mut row, &p.sample);
            let args = sample_args(&p.sample);
            let t0 = Instant::now();
            let out = "--output-dir=/tmp/rookery-check";
            let outcome = match p.operation {
                "subset" => {
                    row.command = runner.command(d, "subset", &[args, vec![out.into()]].concat());
                    guarded(|| runner.subset_check(d, &resolved, &axes, &p.sample))
                }
                "average" => {
                    row.command = format!(
                        "{} && rookery average /tmp/rookery-check/sub/*.nc --dims time --output-dir=/tmp/rookery-check/avg",
                        runner.command(d, "subset", &[args, vec!["--output-dir=/tmp/rookery-check/sub".into()]].concat())
                    );
                    guarded(|| runner.average_check(d, &axes, &p.sample))
                }
                "average-time" => {
                    row.command = format!(
                        "{} && rookery average-time /tmp/rookery-check/sub/*.nc --freq year --output-dir=/tmp/rookery-check/avg",
                        runner.command(d, "subset", &[args, vec!["--output-dir=/tmp/rookery-check/sub".into()]].concat())
                    );
                    guarded(|| runner.yearly_check(d, &axes, &p.sample))
                }
                _ => {
                    row.command = format!(
                        "{} && rookery regrid /tmp/rookery-check/sub/*.nc --method nearest_s2d --grid auto --output-dir=/tmp/rookery-check/regrid",
                        runner.command(d, "subset", &[args, vec!["--output-dir=/tmp/rookery-check/sub".into()]].concat())
                    );
                    guarded(|| runner.regrid_check(d, &axes, &p.sample))
                }
            };
            row.duration_s = format!("{:.3}", t0.elapsed().as_secs_f64());
            match outcome {
                Ok(note) => {
                    row.success = "True".into();
                    row.message = note;
                }
                Err(failure) => {
                    row.success = "False".into();
                    row.message = failure.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
                }
            }
            record(db, row, known, &mut sum)?;
        }
    }
    Ok(sum)
}

fn record(db: &mut ResultsDb, row: Row, known: &KnownFailures, sum: &mut Summary) -> Result<(), CheckError> {
    db.insert(&row)?;
    sum.requests += 1;
    if row.passed() {
        sum.passed += 1;
    } else if known.matching(&row).is_some() {
        sum.known += 1;
    } else {
        sum.failed += 1;
        sum.new_failures.push(row);
    }
    Ok(())
}
