//! `rookery` command line: `info`, `subset` (more operations follow the same shape).

use clap::{Parser, Subcommand, ValueEnum};
use rookery_cf::time::TimeCoder;
use rookery_cf::{CfInfo, Role};
use rookery_io::OutputFormat;
use rookery_ops::output::utc_now;
use rookery_ops::params::parse_size;
use rookery_ops::{AreaParam, LevelParam, NamerKind, OpError, OutputSpec, SubsetRequest, TimeComponents, TimeParam};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "rookery", version, about = "Subset, average and regrid climate model data (clisops/rook compatible)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// NetCDF-4, deflate 1 + shuffle, chunked by time step.
    Nc,
    /// Classic NetCDF (64-bit offset), uncompressed.
    Nc3,
}

#[derive(Clone, Copy, ValueEnum)]
enum Namer {
    Standard,
    Simple,
}

#[derive(Subcommand)]
enum Cmd {
    /// Describe datasets: dimensions, variables, CF roles, grid, calendar, time range.
    Info {
        /// Files, globs or directories (several files are joined along time).
        #[arg(required = true)]
        inputs: Vec<String>,
    },
    /// Subset by time, time components, area and level (clisops `subset`).
    Subset {
        /// Files, globs or directories (several files are joined along time).
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
        /// Directory for the outputs (created if missing).
        #[arg(long = "output-dir")]
        output_dir: PathBuf,
        #[arg(long = "file-namer", value_enum, default_value = "standard")]
        file_namer: Namer,
        #[arg(long = "output-format", value_enum, default_value = "nc")]
        output_format: Format,
        /// Split outputs so the main variable of each holds at most this much (e.g. 2GB, 500MiB).
        #[arg(long = "file-size-limit", default_value = "2GB")]
        file_size_limit: String,
    },
}

/// An error with its exit code: 2 for the request, 1 for I/O or data.
struct Failure {
    code: u8,
    msg: String,
}

impl From<OpError> for Failure {
    fn from(e: OpError) -> Self {
        Failure {
            code: if e.is_request_error() { 2 } else { 1 },
            msg: e.to_string(),
        }
    }
}

impl From<rookery_io::IoError> for Failure {
    fn from(e: rookery_io::IoError) -> Self {
        Failure { code: 1, msg: e.to_string() }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROOKERY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .init();
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Info { inputs } => info(&inputs),
        Cmd::Subset {
            inputs,
            time,
            time_components,
            area,
            level,
            output_dir,
            file_namer,
            output_format,
            file_size_limit,
        } => subset(
            &inputs,
            time.as_deref(),
            time_components.as_deref(),
            area.as_deref(),
            level.as_deref(),
            output_dir,
            file_namer,
            output_format,
            &file_size_limit,
        ),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let line = f.msg.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("rookery: error: {line}");
            ExitCode::from(f.code)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn subset(
    inputs: &[String],
    time: Option<&str>,
    tc: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
    output_dir: PathBuf,
    namer: Namer,
    format: Format,
    size: &str,
) -> Result<(), Failure> {
    // Parameters first: a malformed request fails before any file is opened.
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: area.map(AreaParam::parse).transpose()?.flatten(),
        level: level.map(LevelParam::parse).transpose()?.flatten(),
        time_components: tc.map(TimeComponents::parse).transpose()?.flatten(),
    };
    let size_limit = parse_size(size)?;
    let src = rookery_io::open(inputs)?;
    std::fs::create_dir_all(&output_dir).map_err(|e| Failure {
        code: 1,
        msg: format!("cannot create output directory {}: {e}", output_dir.display()),
    })?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let spec = OutputSpec {
        dir: output_dir,
        format: match format {
            Format::Nc => OutputFormat::Nc4,
            Format::Nc3 => OutputFormat::Nc3,
        },
        size_limit,
        extra: String::new(),
        history: format!(
            "{}: rookery {} {}",
            utc_now(),
            env!("CARGO_PKG_VERSION"),
            args.join(" ")
        ),
    };
    let bar = progress_bar();
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let namer = match namer {
        Namer::Standard => NamerKind::Standard,
        Namer::Simple => NamerKind::Simple,
    };
    let outputs = rookery_ops::subset(src.as_ref(), &req, &spec, namer, &progress)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for p in outputs {
        println!("{}", p.display());
    }
    Ok(())
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} time steps {elapsed}") {
        b.set_style(style);
    }
    Some(b)
}

fn info(inputs: &[String]) -> Result<(), Failure> {
    let paths = rookery_io::expand_inputs(inputs)?;
    let src = rookery_io::open_paths(&paths)?;
    let ds = src.dataset();
    println!("files: {}", paths.len());
    for p in paths.iter().take(5) {
        println!("  {}", p.display());
    }
    if paths.len() > 5 {
        println!("  ... ({} more)", paths.len() - 5);
    }
    println!("dimensions:");
    for d in &ds.dims {
        println!(
            "  {} = {}{}",
            d.name,
            d.len,
            if d.unlimited { " (unlimited)" } else { "" }
        );
    }
    let cf = CfInfo::detect(ds).ok();
    println!("variables:");
    for v in &ds.vars {
        let role = rookery_cf::roles::coord_role(v)
            .filter(|r| cf.as_ref().is_some_and(|c| c.coord(*r) == Some(v.name.as_str())))
            .map(|r| format!("  [{}]", r.name()))
            .unwrap_or_default();
        let main = if cf.as_ref().is_some_and(|c| c.main == v.name) { "  [main]" } else { "" };
        println!(
            "  {} {}({}){role}{main}",
            v.dtype.cdl_name(),
            v.name,
            v.dims.join(", ")
        );
    }
    if let Some(c) = &cf {
        println!("main variable: {}", c.main);
        for r in [Role::Time, Role::Latitude, Role::Longitude, Role::Level, Role::Realization] {
            if let Some(n) = c.coord(r) {
                println!("{}: {n}", r.name());
            }
        }
        println!("grid: {}", c.grid.name());
        if let Some(tv) = c.time.as_deref().and_then(|t| ds.var(t)) {
            let cal = tv.attrs.get_str("calendar").unwrap_or("standard");
            println!("calendar: {cal}");
            if let Some(units) = tv.attrs.get_str("units") {
                let coder = TimeCoder::new(units, Some(cal)).map_err(|e| Failure { code: 1, msg: e.to_string() })?;
                let n = tv.shape.first().copied().unwrap_or(0);
                if n > 0 {
                    let first = src.read(&tv.name, &[0], &[1])?.to_f64();
                    let last = src.read(&tv.name, &[n - 1], &[1])?.to_f64();
                    if let (Some(a), Some(b)) = (first, last) {
                        let a = coder.decode(a[[0]]).map_err(|e| Failure { code: 1, msg: e.to_string() })?;
                        let b = coder.decode(b[[0]]).map_err(|e| Failure { code: 1, msg: e.to_string() })?;
                        println!("time range: {} .. {} ({n} steps)", a.iso(), b.iso());
                    }
                }
            }
        }
    } else {
        println!("main variable: none found");
    }
    Ok(())
}
