//! The subcommands, one module each, and what they share.

pub(crate) mod audit;
pub(crate) mod average;
pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod concat;
pub(crate) mod config;
pub(crate) mod ensemble;
pub(crate) mod estimate;
pub(crate) mod fixes;
pub(crate) mod info;
pub(crate) mod kerchunk;
pub(crate) mod keys;
pub(crate) mod point;
pub(crate) mod regrid;
pub(crate) mod serve;
pub(crate) mod subset;
pub(crate) mod timestats;
pub(crate) mod usage;
pub(crate) mod wis2;
pub(crate) mod worker;

use clap::ValueEnum;
use rookery_ops::OpError;
use std::io::IsTerminal;

/// Output file format option.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// NetCDF-4, deflate 1 + shuffle, chunked by time step.
    Nc,
    /// Classic NetCDF (64-bit offset), uncompressed.
    Nc3,
    /// Zarr format 3 store (a `.zarr` directory), gzip level 1, one time step per chunk.
    Zarr,
    /// Zarr format 2 store with consolidated metadata, zlib level 1.
    Zarr2,
}

/// File namer option.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Namer {
    Standard,
    Simple,
}

/// The output options every operation takes.
#[derive(clap::Args, Clone)]
pub(crate) struct OutputArgs {
    /// Directory for the outputs (created if missing).
    #[arg(long = "output-dir")]
    pub(crate) output_dir: std::path::PathBuf,
    #[arg(long = "file-namer", value_enum, default_value = "standard")]
    pub(crate) file_namer: Namer,
    #[arg(long = "output-format", value_enum, default_value = "nc")]
    pub(crate) output_format: Format,
    /// Split outputs so the main variable of each holds at most this much (e.g. 2GB, 500MiB).
    #[arg(long = "file-size-limit", default_value = "2GB")]
    pub(crate) file_size_limit: String,
}

impl OutputArgs {
    /// The output specification, with operation suffix `extra`.
    pub(crate) fn spec(&self, extra: &str) -> Result<rookery_ops::OutputSpec, Failure> {
        output_spec(self.output_dir.clone(), self.output_format, &self.file_size_limit, extra)
    }

    /// The file namer chosen.
    pub(crate) fn namer(&self) -> rookery_ops::NamerKind {
        match self.file_namer {
            Namer::Standard => rookery_ops::NamerKind::Standard,
            Namer::Simple => rookery_ops::NamerKind::Simple,
        }
    }
}

/// The output specification shared by the operations: creates the directory, parses the size
/// limit, and records the command line in `history`.
pub(crate) fn output_spec(
    dir: std::path::PathBuf,
    format: Format,
    size: &str,
    extra: &str,
) -> Result<rookery_ops::OutputSpec, Failure> {
    let size_limit = rookery_ops::params::parse_size(size)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::io(format!("cannot create output directory {}: {e}", dir.display())))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    Ok(rookery_ops::OutputSpec {
        dir,
        format: match format {
            Format::Nc => rookery_io::OutputFormat::Nc4,
            Format::Nc3 => rookery_io::OutputFormat::Nc3,
            Format::Zarr => rookery_io::OutputFormat::Zarr3,
            Format::Zarr2 => rookery_io::OutputFormat::Zarr2,
        },
        size_limit,
        extra: extra.to_string(),
        history: format!(
            "{}: rookery {} {}",
            rookery_ops::output::utc_now(),
            env!("CARGO_PKG_VERSION"),
            args.join(" ")
        ),
        cancel: Default::default(),
    })
}

/// Whose fault a command's failure is; it chooses the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The request (arguments, named inputs, parameters): exit code 2.
    Request,
    /// Reading, writing or the data: exit code 1.
    Io,
}

/// An error with whose fault it is: 2 for the request, 1 for I/O or data.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Whose fault it is.
    pub(crate) kind: FailureKind,
    /// The message (one line once printed).
    pub(crate) msg: String,
}

impl Failure {
    /// An I/O or data failure (exit code 1).
    pub(crate) fn io(msg: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Io, msg: msg.into() }
    }

    /// A failure of the request (exit code 2).
    pub(crate) fn request(msg: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Request, msg: msg.into() }
    }

    /// A request failure when `is_request`, else an I/O or data failure.
    pub(crate) fn of(is_request: bool, msg: impl Into<String>) -> Failure {
        if is_request {
            Failure::request(msg)
        } else {
            Failure::io(msg)
        }
    }

    /// The process exit code.
    #[must_use]
    pub(crate) fn code(&self) -> u8 {
        match self.kind {
            FailureKind::Request => 2,
            FailureKind::Io => 1,
        }
    }
}

impl From<OpError> for Failure {
    fn from(e: OpError) -> Self {
        Failure::of(e.is_request_error(), e.to_string())
    }
}

impl From<rookery_daops::DaopsError> for Failure {
    fn from(e: rookery_daops::DaopsError) -> Self {
        Failure::of(e.is_request_error(), e.to_string())
    }
}

impl From<rookery_io::IoError> for Failure {
    fn from(e: rookery_io::IoError) -> Self {
        Failure::io(e.to_string())
    }
}

pub(crate) fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || tracing::level_filters::LevelFilter::current() < tracing::Level::WARN {
        return None;
    }
    // Drawn only once the work has taken a while (see `advance`): short commands print nothing.
    let b = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::hidden());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {percent}% {elapsed} {msg}") {
        b.set_style(style);
    }
    Some(b)
}

/// Sets a [`progress_bar`]'s position, showing it once the work has run for two seconds.
pub(crate) fn advance(b: &indicatif::ProgressBar, pos: u64) {
    if b.is_hidden() && b.elapsed() >= std::time::Duration::from_secs(2) {
        b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    b.set_position(pos);
}

/// The options of a command-line run: outputs as asked, fixes unless `--no-fixes`, the paths
/// given joined into one dataset, a progress bar on a terminal.
pub(crate) fn run_options(
    out: &OutputArgs,
    no_fixes: bool,
    original_files: rookery_daops::OriginalFiles,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<rookery_daops::RunOptions, Failure> {
    let progress = match bar {
        Some(b) => {
            let b = b.clone();
            b.set_length(1000);
            rookery_daops::Progress::new(move |x| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                advance(&b, (x * 1000.0) as u64);
            })
        }
        None => rookery_daops::Progress::default(),
    };
    Ok(rookery_daops::RunOptions {
        output: out.spec("")?,
        namer: out.namer(),
        apply_fixes: !no_fixes,
        original_files,
        progress,
        join_paths: true,
    })
}

/// Prints each output (a file path, or a URL of the original-files shortcut), one per line.
pub(crate) fn print_outputs(rs: &rookery_daops::ResultSet, bar: Option<indicatif::ProgressBar>) {
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for f in rs.file_uris() {
        println!("{f}");
    }
}
