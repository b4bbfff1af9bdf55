//! `rookery serve`: the WPS / OGC API service (see the `rookery-service` crate).

use super::Failure;
use rookery_service::Config;
use std::io::Write;
use std::path::PathBuf;

/// Command-line settings of `serve` (and `worker`/`keys` for the data directory); each one
/// overrides the config file and the `ROOKERY_*` environment.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct ServeArgs {
    /// Config file (`key = value` lines: bind, data_dir, db, open, workers, max_queued,
    /// retention_hours, rate_limit, public_url, ...).
    #[arg(long, global = true)]
    pub(crate) config: Option<PathBuf>,
    /// Directory for jobs, outputs, the SQLite job store and the server secret
    /// [default: ./rookery-data].
    #[arg(long = "data-dir", global = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Job store (jobs, API keys, usage log): a SQLite file, or a PostgreSQL URL
    /// `postgres://user:password@host:5432/database` shared by `serve` and `worker` processes
    /// on several machines (they also need the same data directory, e.g. on a shared file system)
    /// [default: rookery.sqlite in the data directory; env ROOKERY_DB; config key `db`].
    #[arg(long, global = true)]
    pub(crate) db: Option<String>,
}

/// Builds the configuration: defaults < file < environment < flags.
pub(crate) fn config(args: &ServeArgs) -> Result<Config, Failure> {
    config_with(args, true)
}

/// [`config`]; `peer_secrets` false for commands that never talk to peers (keys, audit):
/// the peers' `token_env`/`client_secret_env` variables need not be set.
pub(crate) fn config_with(args: &ServeArgs, peer_secrets: bool) -> Result<Config, Failure> {
    let mut c = Config { skip_peer_secrets: !peer_secrets, ..Config::default() };
    if let Some(f) = &args.config {
        c.load_file(f).map_err(|e| Failure::request(e.to_string()))?;
    }
    c.load_env().map_err(|e| Failure::request(e.to_string()))?;
    if let Some(d) = &args.data_dir {
        c.data_dir.clone_from(d);
    }
    if let Some(d) = &args.db {
        c.set("db", d).map_err(|e| Failure::request(e.to_string()))?;
    }
    Ok(c)
}

/// Options only `serve` has.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct ServeOpts {
    /// Address to listen on [default: 127.0.0.1:5000]; port 0 picks a free port.
    #[arg(long)]
    pub(crate) bind: Option<String>,
    /// Port on the bind host (shortcut for --bind HOST:PORT).
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Serve without API keys: every caller may execute and read its jobs as `anonymous`.
    #[arg(long)]
    pub(crate) open: bool,
    /// Jobs running at once [default: 2].
    #[arg(long)]
    pub(crate) workers: Option<usize>,
    /// Jobs waiting at most before requests get ServerBusy [default: 100].
    #[arg(long = "max-queued")]
    pub(crate) max_queued: Option<usize>,
    /// Hours finished jobs and outputs are kept [default: 72].
    #[arg(long = "retention-hours")]
    pub(crate) retention_hours: Option<f64>,
    /// Requests per minute per API key, 0 for no limit [default: 600].
    #[arg(long = "rate-limit")]
    pub(crate) rate_limit: Option<u32>,
    /// URL clients reach the server at, when behind a proxy (default: from the Host header).
    #[arg(long = "public-url")]
    pub(crate) public_url: Option<String>,
    /// Connections served at once; more get 503 with Retry-After [default: 1024].
    #[arg(long = "max-connections")]
    pub(crate) max_connections: Option<usize>,
}

pub(crate) fn run(args: &ServeArgs, o: &ServeOpts) -> Result<(), Failure> {
    let mut c = config(args)?;
    if let Some(b) = &o.bind {
        c.bind.clone_from(b);
    }
    if let Some(p) = o.port {
        let host = c.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h).to_string();
        c.bind = format!("{host}:{p}");
    }
    c.open |= o.open;
    if let Some(w) = o.workers {
        c.workers = w.max(1);
    }
    if let Some(m) = o.max_queued {
        c.max_queued = m;
    }
    if let Some(h) = o.retention_hours {
        c.retention_hours = h;
    }
    if let Some(r) = o.rate_limit {
        c.rate_limit = r;
    }
    if let Some(u) = &o.public_url {
        c.public_url = Some(u.trim_end_matches('/').to_string());
    }
    if let Some(n) = o.max_connections {
        c.set("max_connections", &n.to_string()).map_err(|e| Failure::request(e.to_string()))?;
    }
    // Blocking threads (jobs, job-store and audit writes, token checks) are bounded: a burst
    // of requests must not grow one thread (and its allocator heap) per request.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(c.workers.saturating_mul(2).max(32))
        .build()
        .map_err(|e| Failure::io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let data_dir = c.data_dir.clone();
        let db = c.db_label();
        let open = c.open;
        let running = rookery_service::start(c).await.map_err(|e| Failure::io(e.to_string()))?;
        println!("rookery: listening on http://{}/wps", running.addr);
        eprintln!(
            "rookery: WPS 1.0.0 at http://{0}/wps, data in {1}, jobs in {2}{3}",
            running.addr,
            data_dir.display(),
            db,
            if open { ", OPEN ACCESS (no API keys required)" } else { ", API keys required (rookery keys create)" }
        );
        let _ = std::io::stdout().flush();
        match running.handle.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Failure::io(format!("server failed: {e}"))),
            Err(e) => Err(Failure::io(format!("server failed: {e}"))),
        }
    })
}
