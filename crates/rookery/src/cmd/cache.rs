//! `rookery cache stats|clear`: the on-disk cache of remote file blocks
//! (`$ROOKERY_CACHE_DIR`, budget `$ROOKERY_CACHE_SIZE`); `rookery cache results stats|clear`:
//! the service's result cache in its data directory.

use super::Failure;
use rookery_io::{BlockCache, CacheConfig};

/// The cache subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum CacheCmd {
    /// Directory, budget, bytes and blocks used, and a summary per cached URL.
    Stats,
    /// Remove cached blocks: all of them, or those of one URL.
    Clear {
        /// Only the blocks of this URL.
        #[arg(long)]
        url: Option<String>,
    },
    /// The service's result cache (outputs of finished data operations answering identical
    /// requests): `stats`, `clear`.
    Results {
        #[command(flatten)]
        args: super::serve::ServeArgs,
        #[command(subcommand)]
        action: ResultsCmd,
    },
}

/// The result cache subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum ResultsCmd {
    /// Directory, bound, size, hits, and each kept result (original job, process, size, hits).
    Stats,
    /// Remove every kept result (the jobs' own outputs stay).
    Clear,
}

fn results(args: &super::serve::ServeArgs, action: &ResultsCmd) -> Result<(), Failure> {
    let c = super::serve::config_with(args, false)?;
    let cache = rookery_service::jobs::ResultCache::new(&c.data_dir, c.result_cache_bytes, None);
    let fail = |e: std::io::Error| Failure::io(format!("result cache in {}: {e}", c.data_dir.display()));
    match action {
        ResultsCmd::Stats => {
            let s = cache.stats().map_err(fail)?;
            println!("directory: {}", s.dir.display());
            if c.result_cache_bytes == 0 {
                println!("turned off (result_cache_bytes = 0)");
            }
            println!("bound: {} ({} bytes)", human(s.max_bytes), s.max_bytes);
            println!("used: {} ({} bytes) in {} results", human(s.bytes), s.bytes, s.entries);
            println!("hits: {}", s.hits);
            for (job, process, bytes, hits, used) in &s.items {
                println!(
                    "  job {job}  {process}  {}  {hits} hits  last used {}",
                    human(*bytes),
                    rookery_service::time::iso_seconds(*used)
                );
            }
        }
        ResultsCmd::Clear => {
            let n = cache.clear().map_err(fail)?;
            println!("removed {n} results from {}", cache.stats().map_err(fail)?.dir.display());
        }
    }
    Ok(())
}

fn human(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Runs a cache subcommand.
pub(crate) fn run(cmd: &CacheCmd) -> Result<(), Failure> {
    // The result cache is the service's, not the block cache's: its own settings.
    if let CacheCmd::Results { args, action } = cmd {
        return results(args, action);
    }
    let cfg = CacheConfig::from_env();
    let Some(dir) = cfg.dir.clone() else {
        println!("cache: disabled (ROOKERY_CACHE_SIZE=0 or no cache directory)");
        return Ok(());
    };
    let cache = BlockCache::new(cfg.clone());
    match cmd {
        CacheCmd::Stats => {
            let u = cache
                .usage()
                .map_err(|e| Failure::io(format!("cannot read cache directory {}: {e}", dir.display())))?;
            println!("directory: {}", dir.display());
            println!("budget: {} ({} bytes)", human(cfg.budget), cfg.budget);
            println!("block size: {} bytes", cfg.block_size);
            println!("used: {} ({} bytes) in {} blocks", human(u.bytes), u.bytes, u.blocks);
            println!("files: {}", u.files.len());
            for f in &u.files {
                let pct = if f.len > 0 { 100.0 * f.bytes as f64 / f.len as f64 } else { 0.0 };
                println!(
                    "  {}  {} in {} blocks ({pct:.0}% of {} bytes)",
                    if f.url.is_empty() { "(unknown)" } else { &f.url },
                    human(f.bytes),
                    f.blocks,
                    f.len
                );
            }
        }
        CacheCmd::Results { args, action } => results(args, action)?,
        CacheCmd::Clear { url } => {
            let (n, bytes) = cache
                .clear(url.as_deref())
                .map_err(|e| Failure::io(format!("cannot clear cache directory {}: {e}", dir.display())))?;
            match url {
                Some(u) => println!("removed {n} blocks ({}) of {u}", human(bytes)),
                None => println!("removed {n} blocks ({}) from {}", human(bytes), dir.display()),
            }
        }
    }
    Ok(())
}
