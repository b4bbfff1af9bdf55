//! `rookery usage [--time START/END] [--sites local|all] [--output-dir DIR]`: the service's
//! usage log as CSV from the job store (`--db`/`--data-dir` as `serve`); with `--sites all`,
//! each configured peer's log too (its `usage` process), with a `site` column, as rook's
//! dashboard merges sites. Without `--output-dir` the requests CSV goes to standard output.

use super::serve::{config, ServeArgs};
use super::Failure;
use rookery_service::federation::Peers;
use std::path::PathBuf;

/// Options of `rookery usage`.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct UsageArgs {
    /// Time period `start/end` (ISO dates; either side may be empty).
    #[arg(long, default_value = "")]
    pub(crate) time: String,
    /// `local` (this node) or `all` (this node and the configured `peer`s).
    #[arg(long, default_value = "local")]
    pub(crate) sites: String,
    /// Write `wps_requests.csv` and `downloads.csv` here.
    #[arg(long)]
    pub(crate) output_dir: Option<PathBuf>,
}

pub(crate) fn run(args: &ServeArgs, u: &UsageArgs) -> Result<(), Failure> {
    let c = config(args)?;
    let all = match u.sites.as_str() {
        "local" => false,
        "all" => true,
        other => return Err(Failure::request(format!("--sites '{other}': expected local or all"))),
    };
    if c.db_url().is_none() && !c.db_path().exists() {
        return Err(Failure::io(format!("no job store at {} (use --data-dir or --db)", c.db_label())));
    }
    let store = rookery_service::jobs::open_store(&c).map_err(|e| Failure::io(e.to_string()))?;
    let peers = Peers::new(c.peers.clone(), c.peer_timeout_secs, c.peer_attempts);
    let (req, dl) =
        rookery_service::execute::usage_csv(store.as_ref(), &peers, &u.time, all).map_err(|e| Failure::request(e.0))?;
    match &u.output_dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Failure::io(format!("cannot create {}: {e}", d.display())))?;
            for (name, text) in [("wps_requests.csv", &req), ("downloads.csv", &dl)] {
                std::fs::write(d.join(name), text)
                    .map_err(|e| Failure::io(format!("cannot write {}: {e}", d.join(name).display())))?;
            }
            eprintln!("wrote {} and {}", d.join("wps_requests.csv").display(), d.join("downloads.csv").display());
        }
        None => print!("{req}"),
    }
    Ok(())
}
