//! `rookery` command line: `info`, `subset` (more operations follow the same shape).

mod cmd;
mod logs;

/// mimalloc keeps freed chunk buffers mapped: with the system allocator every decoded chunk
/// (about 1 MB) was a fresh mmap, and page faults plus zeroing were a fifth of a subset's time.
// zlib-rs exports the zlib C ABI from this binary: libhdf5 (which compresses the NetCDF-4
// output through zlib) binds to it instead of the system libz, compressing about twice as fast.
use libz_rs_sys as _;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "rookery", version, about = "Subset, average and regrid climate model data (clisops/rook compatible)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// Errors only: no warnings, no progress bars.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More log output on stderr: -v info, -vv debug, -vvv trace (ROOKERY_LOG or RUST_LOG
    /// directives, e.g. `warn,rookery_io=debug`, replace -q/-v).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Print every section and key with the file it came from.
    Show,
}

#[derive(Subcommand)]
enum FixesCmd {
    /// Every fix record: id, steps, dataset-id patterns, origin.
    List,
    /// One record with its steps and operands.
    Show { id: String },
    /// Apply the fixes matching a dataset (id or path) and print what they change.
    Check { dataset: String },
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// Write the catalogue of a project's base_dir (one row per file).
    Build {
        /// Project name (e.g. c3s-cmip6).
        #[arg(long)]
        project: String,
        /// Output file (`.csv` or `.csv.gz`); stdout when absent.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Cmd {
    /// The effective roocs.ini configuration (built-in < /etc/roocs.ini < $ROOCS_CONFIG).
    Config {
        #[command(subcommand)]
        action: ConfigCmd,
    },
    /// Stack ensemble members along a new `realization` dimension (rook `concat`).
    Concat {
        /// Dataset ids (or files/globs), one per member.
        #[arg(required = true)]
        collection: Vec<String>,
        /// The new dimension (only `realization`).
        #[arg(long, default_value = "realization")]
        dims: String,
        /// Average over the members instead of stacking them.
        #[arg(long = "apply-average")]
        apply_average: bool,
        #[arg(long, allow_hyphen_values = true)]
        time: Option<String>,
        #[arg(long = "time-components")]
        time_components: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        area: Option<String>,
        #[command(flatten)]
        out: cmd::OutputArgs,
        #[arg(long = "no-fixes")]
        no_fixes: bool,
    },
    /// The pre-flight estimate of a data operation, from metadata alone (bytes read decoded
    /// and stored, output size, files): `rookery estimate subset collection=ID time=A/B
    /// area=W,S,E,N` (the service's input names).
    Estimate {
        /// The process: subset, average, average_time, regrid, climatology, ...
        process: String,
        /// Inputs as key=value (a key may repeat).
        inputs: Vec<String>,
    },
    /// Dataset fixes applied on open.
    Fixes {
        #[command(subcommand)]
        action: FixesCmd,
    },
    /// Intake CSV catalogues.
    Catalog {
        #[command(subcommand)]
        action: CatalogCmd,
    },
    /// Describe datasets: dimensions, variables, CF roles, grid, calendar, time range.
    Info {
        /// Dataset ids, or files, globs and directories (joined along time).
        #[arg(required = true)]
        inputs: Vec<String>,
    },
    /// Subset by time, time components, area and level (clisops `subset`).
    Subset {
        /// Dataset ids, or files, globs and directories (all paths together form one dataset
        /// joined along time).
        #[arg(required = true)]
        inputs: Vec<String>,
        /// `start/end` (partial ISO dates, either side may be empty) or `t1,t2,...`.
        #[arg(long, allow_hyphen_values = true)]
        time: Option<String>,
        /// e.g. `year:2000,2001|month:dec,jan,feb|day:1,2|hour:0,12`.
        #[arg(long = "time-components")]
        time_components: Option<String>,
        /// `W,S,E,N` in degrees.
        #[arg(long, allow_hyphen_values = true)]
        area: Option<String>,
        /// `first/last` or `l1,l2,...`.
        #[arg(long, allow_hyphen_values = true)]
        level: Option<String>,
        /// Polygons (GeoJSON, zipped Shapefile, .shp, GML): crop to them and mask the cells
        /// outside (a cell is inside when its centre is in a polygon or on its boundary).
        #[arg(long)]
        shape: Option<PathBuf>,
        /// With --shape: keep the cells the polygons cover by at least this fraction of their
        /// area (0 < F <= 1) instead of testing centres.
        #[arg(long = "min-fraction", allow_hyphen_values = true, requires = "shape")]
        min_fraction: Option<String>,
        #[command(flatten)]
        out: cmd::OutputArgs,
        /// Do not apply dataset fixes to datasets named by id.
        #[arg(long = "no-fixes")]
        no_fixes: bool,
        /// Return the input files' download URLs instead of processing (automatic for dataset
        /// ids when the request covers whole files).
        #[arg(long = "original-files")]
        original_files: bool,
    },
    /// Average over dimensions: time, level, latitude, longitude, realization (clisops `average_over_dims`).
    Average(cmd::average::DimsArgs),
    /// Average over days, months or years in the data's calendar (clisops `average_time`).
    AverageTime(cmd::average::TimeArgs),
    /// Average over each polygon of a shape file, with exact partial-cell weights (clisops `average_shape`).
    AverageShape(cmd::average::ShapeArgs),
    /// Area-weighted mean over the horizontal grid (rook `weighted_average`).
    WeightedAverage(cmd::average::WeightedArgs),
    /// Time series at points (stations): the nearest grid cell by great-circle distance, as a CF
    /// timeSeries file or CSV.
    Point(cmd::point::PointArgs),
    /// Statistics across ensemble members (mean, std, min, max, percentiles) at each time step
    /// and cell, one variable per statistic.
    Ensemble(cmd::ensemble::EnsembleArgs),
    /// Multi-year mean per calendar month, season or day of year (CDO ymonmean/yseasmean/ydaymean; CF climatological time).
    Climatology(cmd::timestats::ClimArgs),
    /// Each step minus (or divided by, --relative) the reference period's climatology (CDO ymonsub/ymondiv-like).
    Anomaly(cmd::timestats::AnomalyArgs),
    /// min, max, sum, mean, std, var, median or a percentile over time, whole series or per year/month/season (CDO tim*/year*/mon*/seas*).
    StatTime(cmd::timestats::StatArgs),
    /// Kerchunk references (JSON, .json.zst or Parquet) for NetCDF-3/4 files, one file or several
    /// combined along time, that fsspec/xarray and rookery read as a Zarr store.
    Kerchunk(cmd::kerchunk::KerchunkArgs),
    /// Regrid horizontally: nearest_s2d, bilinear or conservative to a named, custom, adaptive or
    /// file grid (clisops `regrid`).
    Regrid(cmd::regrid::RegridArgs),
    /// Run the service: WPS 1.0.0 at /wps (rook/rooki compatible), durable jobs, API keys.
    Serve {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        #[command(flatten)]
        opts: cmd::serve::ServeOpts,
    },
    /// Run queued jobs of a data directory without serving HTTP (more workers beside `serve`).
    Worker {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        /// Jobs running at once [default: 2].
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Runs one job the Slurm executor claimed (what its batch jobs run).
    #[command(name = "run-job")]
    RunJob {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        /// The job's id.
        job: String,
        /// The worker id that claimed it.
        #[arg(long)]
        worker: String,
    },
    /// WMO WIS 2.0: `records --output DIR` (WCMP2 discovery records), `notify FILE` (a WIS2
    /// Notification Message, `--publish`ed through the outbox), `publish` (flush the outbox).
    Wis2 {
        #[command(subcommand)]
        action: cmd::wis2::Wis2Cmd,
    },
    /// The on-disk cache of remote (http/https) file blocks: `stats`, `clear [--url URL]`;
    /// `results stats|clear`: the service's result cache.
    Cache {
        #[command(subcommand)]
        action: cmd::cache::CacheCmd,
    },
    /// The service's audit log: sign-in failures, job submissions, key creation and
    /// revocation, admin actions, quota refusals (`--since 24h`).
    Audit {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        #[command(flatten)]
        opts: cmd::audit::AuditArgs,
    },
    /// The service's usage log as CSV; `--sites all` merges the configured peers' logs.
    Usage {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        #[command(flatten)]
        opts: cmd::usage::UsageArgs,
    },
    /// Manage the service's API keys (create, list, revoke).
    Keys {
        #[command(flatten)]
        args: cmd::serve::ServeArgs,
        #[command(subcommand)]
        cmd: cmd::keys::KeysCmd,
    },
    /// Coverage testing: random subset/average/regrid requests over data pools, checked with
    /// libnetcdf and recorded in SQLite; `check export|merge|report` for the results.
    Check(cmd::check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = logs::init(cli.quiet, cli.verbose);
    if !matches!(cli.cmd, Cmd::Serve { .. } | Cmd::Worker { .. } | Cmd::RunJob { .. }) {
        // A command whose output is piped into `head` ends quietly when the pipe closes, as
        // Unix tools do, instead of panicking in println!. (The service keeps Rust's ignored
        // SIGPIPE: a client hanging up must not end the server.)
        // SAFETY: setting a signal disposition before any other thread exists.
        #[allow(unsafe_code)]
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let r = dispatch(cli.cmd);
    logs.summary();
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // One line, control characters (a NUL from a file's attribute) escaped.
            let line = rookery_io::temp::escape(&f.msg.split_whitespace().collect::<Vec<_>>().join(" "));
            eprintln!("rookery: error: {line}");
            ExitCode::from(f.code())
        }
    }
}

/// Runs one command: translates its arguments and calls the library.
fn dispatch(cmd: Cmd) -> Result<(), cmd::Failure> {
    // The data-aware layer of the commands that read data: the roocs.ini configuration and an
    // unrestricted I/O context (the user reads what the user may), built once, passed down.
    let data = || -> Result<rookery_daops::Daops, cmd::Failure> {
        Ok(rookery_daops::Daops::new(rookery_daops::Config::load()?)?)
    };
    match cmd {
        Cmd::Info { inputs } => cmd::info::run(&data()?, &inputs),
        Cmd::Kerchunk(a) => cmd::kerchunk::run(&data()?, &a),
        Cmd::Concat { collection, dims, apply_average, time, time_components, area, out, no_fixes } => {
            cmd::concat::run(
                &data()?,
                &collection,
                &dims,
                apply_average,
                time.as_deref(),
                time_components.as_deref(),
                area.as_deref(),
                &out,
                no_fixes,
            )
        }
        Cmd::Config { action: ConfigCmd::Show } => cmd::config::show(&data()?),
        Cmd::Estimate { process, inputs } => cmd::estimate::run(&data()?, &process, &inputs),
        Cmd::Fixes { action: FixesCmd::List } => cmd::fixes::list(&data()?),
        Cmd::Fixes { action: FixesCmd::Show { id } } => cmd::fixes::show(&data()?, &id),
        Cmd::Fixes { action: FixesCmd::Check { dataset } } => cmd::fixes::check(&data()?, &dataset),
        Cmd::Catalog { action: CatalogCmd::Build { project, output } } => {
            cmd::config::build_catalog(&data()?, &project, output)
        }
        Cmd::Subset {
            inputs,
            time,
            time_components,
            area,
            level,
            shape,
            min_fraction,
            out,
            no_fixes,
            original_files,
        } => cmd::subset::run(
            &data()?,
            &inputs,
            time.as_deref(),
            time_components.as_deref(),
            area.as_deref(),
            level.as_deref(),
            (shape.as_deref(), min_fraction.as_deref()),
            &out,
            no_fixes,
            original_files,
        ),
        Cmd::Average(a) => cmd::average::run_dims(&data()?, &a),
        Cmd::AverageTime(a) => cmd::average::run_time(&data()?, &a),
        Cmd::AverageShape(a) => cmd::average::run_shape(&data()?, &a),
        Cmd::WeightedAverage(a) => cmd::average::run_weighted(&data()?, &a),
        Cmd::Point(a) => cmd::point::run(&data()?, &a),
        Cmd::Ensemble(a) => cmd::ensemble::run(&data()?, &a),
        Cmd::Climatology(a) => cmd::timestats::run_climatology(&data()?, &a),
        Cmd::Anomaly(a) => cmd::timestats::run_anomaly(&data()?, &a),
        Cmd::StatTime(a) => cmd::timestats::run_stat(&data()?, &a),
        Cmd::Regrid(a) => cmd::regrid::run(&data()?, &a),
        Cmd::Serve { args, opts } => cmd::serve::run(&args, &opts),
        Cmd::Keys { args, cmd } => cmd::keys::run(&args, &cmd),
        Cmd::Audit { args, opts } => cmd::audit::run(&args, &opts),
        Cmd::Usage { args, opts } => cmd::usage::run(&args, &opts),
        Cmd::Cache { action } => cmd::cache::run(&action),
        Cmd::Wis2 { action } => {
            let env = cmd::wis2::Wis2Env {
                centre_id: std::env::var("ROOKERY_WIS2_CENTRE_ID").ok(),
                credentials: std::env::var("ROOKERY_WIS2_BROKER_USER")
                    .ok()
                    .map(|u| (u, std::env::var("ROOKERY_WIS2_BROKER_PASSWORD").unwrap_or_default())),
            };
            cmd::wis2::run(&data()?, &action, env)
        }
        Cmd::Worker { args, workers } => cmd::worker::run(&args, workers),
        Cmd::RunJob { args, job, worker } => cmd::worker::run_one(&args, &job, &worker),
        Cmd::Check(a) => cmd::check::run(&data()?, &a),
    }
}
