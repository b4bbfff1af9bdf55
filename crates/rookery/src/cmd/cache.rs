//! `rookery cache stats|clear`: the on-disk cache of remote file blocks
//! (`$ROOKERY_CACHE_DIR`, budget `$ROOKERY_CACHE_SIZE`).

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
