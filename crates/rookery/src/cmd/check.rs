//! `rookery check`: coverage testing over data pools (rookery-check), and `check export`,
//! `check merge`, `check report` for the results.

use super::Failure;
use clap::{Args, Subcommand};
use rookery_check::{csv, CheckError, KnownFailures, ResultsDb, RunConfig};
use std::path::PathBuf;

impl From<CheckError> for Failure {
    fn from(e: CheckError) -> Self {
        Failure::of(e.is_request_error(), e.to_string())
    }
}

/// `rookery check`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct CheckArgs {
    #[command(subcommand)]
    pub(crate) action: Option<CheckCmd>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// A check run.
#[derive(Args)]
pub(crate) struct RunArgs {
    /// Pools: directories (walked), globs, files, dataset ids, or an intake CSV catalogue.
    pub(crate) pools: Vec<String>,
    /// The site name recorded with every result (e.g. CEDA, DKRZ).
    #[arg(long)]
    pub(crate) site: Option<String>,
    /// Seed of the request sampler (default: from the clock; printed). The same seed and
    /// pools give the same requests; rerunning on the same database resumes.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Subset requests per dataset.
    #[arg(long = "requests-per-dataset", default_value_t = 10)]
    pub(crate) requests_per_dataset: u32,
    /// Results database [default: rookery-check-<site>.db].
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Failures listed here (`COLLECTION | KIND | REASON` lines) do not fail the run.
    #[arg(long = "known-failures")]
    pub(crate) known_failures: Option<PathBuf>,
    /// Only subsets: skip the average, average-time and regrid checks.
    #[arg(long = "subset-only")]
    pub(crate) subset_only: bool,
}

/// The result-handling subcommands.
#[derive(Subcommand)]
pub(crate) enum CheckCmd {
    /// Write a results database as CSV (`.csv` or `.csv.gz`).
    Export {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        csv: PathBuf,
    },
    /// Merge result CSVs of several sites and versions (deduplicated, sorted).
    Merge {
        #[arg(long, short)]
        output: PathBuf,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// An HTML report of a results CSV: pass rates, failures, changes between versions.
    Report {
        input: PathBuf,
        #[arg(long)]
        html: PathBuf,
    },
}

/// Runs `rookery check ...`.
pub(crate) fn run(daops: &rookery_daops::Daops, a: &CheckArgs) -> Result<(), Failure> {
    match &a.action {
        Some(CheckCmd::Export { db, csv: out }) => {
            if !db.is_file() {
                return Err(Failure::request(format!("no such database: {}", db.display())));
            }
            let rows = ResultsDb::open(db)?.rows()?;
            csv::write_csv(out, &rows)?;
            println!("{} rows written to {}", rows.len(), out.display());
            Ok(())
        }
        Some(CheckCmd::Merge { output, inputs }) => {
            let n = csv::merge(output, inputs)?;
            println!("{n} rows written to {}", output.display());
            Ok(())
        }
        Some(CheckCmd::Report { input, html }) => {
            let rows = csv::read_csv(input)?;
            std::fs::write(html, rookery_check::report::html(&rows))
                .map_err(|e| Failure::io(format!("cannot write {}: {e}", html.display())))?;
            println!("report of {} rows written to {}", rows.len(), html.display());
            Ok(())
        }
        None => run_checks(daops, &a.run),
    }
}

fn run_checks(daops: &rookery_daops::Daops, r: &RunArgs) -> Result<(), Failure> {
    if r.pools.is_empty() {
        return Err(Failure::request(
            "rookery check needs at least one pool (directory, glob, dataset id or catalogue)",
        ));
    }
    let site = r.site.clone().ok_or_else(|| Failure::request("rookery check needs --site NAME"))?;
    if site.trim().is_empty() {
        return Err(Failure::request("--site must not be empty"));
    }
    let known = match &r.known_failures {
        Some(p) => KnownFailures::load(p)?,
        None => KnownFailures::default(),
    };
    let datasets = rookery_check::discover(daops, &r.pools)?;
    let seed = r.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs())
    });
    let db_path = r.db.clone().unwrap_or_else(|| PathBuf::from(format!("rookery-check-{site}.db")));
    let mut db = ResultsDb::open(&db_path)?;
    let cfg = RunConfig {
        site,
        seed,
        requests_per_dataset: r.requests_per_dataset,
        operations: !r.subset_only,
        config_hint: std::env::var("ROOCS_CONFIG").ok().filter(|s| !s.is_empty()),
    };
    eprintln!("rookery check: {} datasets, seed {seed}, results in {}", datasets.len(), db_path.display());
    let bar = super::progress_bar();
    if let Some(b) = &bar {
        b.set_length(datasets.len() as u64);
    }
    let mut n = 0u64;
    let sum = rookery_check::run(daops, &datasets, &mut db, &cfg, &known, &mut |line| {
        n += 1;
        match &bar {
            Some(b) => {
                b.set_message(line.to_string());
                super::advance(b, n - 1);
            }
            None => tracing::info!("{line}"),
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for f in &sum.new_failures {
        eprintln!("FAILED {} [{} {}]: {}\n    {}", f.collection, f.operation, f.kind, f.message, f.command);
    }
    println!(
        "datasets: {}  requests: {}  passed: {}  failed: {}  known failures: {}  skipped (already recorded): {}  seed: {seed}",
        sum.datasets, sum.requests, sum.passed, sum.failed, sum.known, sum.skipped
    );
    if sum.failed > 0 {
        return Err(Failure::io(format!("{} requests failed (see {})", sum.failed, db_path.display())));
    }
    Ok(())
}
