//! `rookery wis2 records`: the node's WMO WIS 2.0 discovery records (WCMP2), one JSON file
//! each; `notify` / `publish`: notifications through the outbox; `standing add|list|remove`:
//! the standing jobs `rookery serve` runs on notifications.

use super::Failure;
use clap::Subcommand;
use rookery_daops::wis2::{notify, Wis2Config};
use rookery_daops::Daops;
use std::path::{Path, PathBuf};

/// `rookery wis2 ...`.
#[derive(Subcommand)]
pub(crate) enum Wis2Cmd {
    /// Write the WCMP2 record of every served project ([wis2] projects) and every process
    /// into DIR as <record id>.json (':' → '_').
    Records {
        /// Output directory (created).
        #[arg(long)]
        output: PathBuf,
    },
    /// Print the WIS2 Notification Message announcing FILE (downloadable at --url) as
    /// {"topic": ..., "message": ...}.
    Notify {
        /// The product file (its sha512, size and time range go into the message).
        file: PathBuf,
        /// Product name: the topic level below [wis2] topic.
        #[arg(long)]
        product: String,
        /// Where the file is downloaded from (http/https).
        #[arg(long)]
        url: String,
        /// data_id (default <product>/<file name>).
        #[arg(long)]
        data_id: Option<String>,
        /// metadata_id (default the record id of the product: urn:wmo:md:<centre>:<product>).
        #[arg(long)]
        metadata_id: Option<String>,
        /// Announce an update (rel=update) instead of a new product.
        #[arg(long)]
        update: bool,
        /// Also queue it in the outbox and publish it to [wis2] broker (QoS 1).
        #[arg(long)]
        publish: bool,
        /// Seconds to keep retrying the broker (the message stays queued after that).
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
    /// Standing jobs of `rookery serve` (kept in <data dir>/wis2/standing.json, which the
    /// server reads every few seconds): a workflow run on each notification of a topic.
    Standing {
        #[command(flatten)]
        args: super::serve::ServeArgs,
        #[command(subcommand)]
        cmd: StandingCmd,
    },
    /// Publish what the outbox holds to [wis2] broker (QoS 1; each message is deleted from
    /// the outbox on its PUBACK), retrying with back-off for --wait seconds.
    Publish {
        /// Seconds to keep retrying the broker.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
}

/// `rookery wis2 standing ...`.
#[derive(Subcommand)]
pub(crate) enum StandingCmd {
    /// Adds a standing job and prints its id: on each notification on TOPIC (an MQTT filter,
    /// `+`/`#` wildcards) whose file passes the checks, the workflow runs with every entry of
    /// its `inputs` set to the downloaded file, and its outputs are announced as PRODUCT.
    Add {
        /// MQTT topic filter of the notifications (e.g. origin/a/wis2/+/data/core/climate/#).
        #[arg(long)]
        topic: String,
        /// The orchestrate workflow document (JSON or YAML).
        #[arg(long)]
        workflow: PathBuf,
        /// Name of the API key whose owner the jobs run as (its quotas apply) [default: the
        /// built-in principal `wis2`].
        #[arg(long)]
        principal: Option<String>,
        /// Product name of the outputs: their notifications' topic level [default:
        /// standing-<id>].
        #[arg(long)]
        product: Option<String>,
    },
    /// Lists the standing jobs (id, topic, product, principal).
    List,
    /// Removes a standing job.
    Remove {
        /// Its id.
        id: String,
    },
}

/// What the entry point reads from the environment for these commands.
pub(crate) struct Wis2Env {
    /// `ROOKERY_WIS2_CENTRE_ID`.
    pub(crate) centre_id: Option<String>,
    /// `ROOKERY_WIS2_BROKER_USER` and `ROOKERY_WIS2_BROKER_PASSWORD`.
    pub(crate) credentials: Option<(String, String)>,
}

/// Runs a `wis2` command.
pub(crate) fn run(d: &Daops, cmd: &Wis2Cmd, env: Wis2Env) -> Result<(), Failure> {
    let env_centre = env.centre_id.clone();
    match cmd {
        Wis2Cmd::Records { output } => records(d, output, env_centre),
        Wis2Cmd::Standing { args, cmd } => standing(args, cmd),
        Wis2Cmd::Publish { wait } => {
            let cfg = config(d, env_centre)?;
            let n = publish(&cfg, env.credentials, *wait)?;
            eprintln!("rookery: published {n} message(s)");
            Ok(())
        }
        Wis2Cmd::Notify { file, product, url, data_id, metadata_id, update, publish: queue, wait } => {
            let cfg = config(d, env_centre)?;
            if product.is_empty()
                || !product.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(Failure::request(format!(
                    "--product '{product}' must be lower-case letters, digits, '-' and '_'"
                )));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Failure::request(format!("--url '{url}' must be an http:// or https:// URL")));
            }
            let (sha512, length) =
                notify::sha512_file(file).map_err(|e| Failure::io(format!("cannot read {}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let p = notify::Product {
                product: product.clone(),
                data_id: data_id.clone().unwrap_or_else(|| format!("{product}/{name}")),
                url: url.clone(),
                media_type: if name.ends_with(".nc") { "application/netcdf" } else { "application/octet-stream" }
                    .into(),
                length,
                sha512,
                time: d.wis2_product_time(file),
                metadata_id: Some(metadata_id.clone().unwrap_or_else(|| cfg.metadata_id(product))),
                change: if *update { notify::Change::Update } else { notify::Change::New },
            };
            let (topic, msg) = notify::notification(&cfg, &p, &now_rfc3339());
            if *queue {
                let outbox = rookery_wis2::Outbox::open(&cfg.outbox).map_err(|e| Failure::io(e.to_string()))?;
                outbox.put(&topic, &msg).map_err(|e| Failure::io(e.to_string()))?;
                match publish(&cfg, env.credentials, *wait) {
                    Ok(n) => eprintln!("rookery: published {n} message(s)"),
                    Err(e) => eprintln!("rookery: warning: {} (queued in {})", e.msg, cfg.outbox.display()),
                }
            }
            println!("{}", serde_json::json!({"topic": topic, "message": msg}));
            Ok(())
        }
    }
}

fn standing(args: &super::serve::ServeArgs, cmd: &StandingCmd) -> Result<(), Failure> {
    use rookery_service::wis2::standing::{self as s, StandingError};
    let dir = super::serve::config_with(args, false)?.wis2_dir();
    let fail = |e: StandingError| match e {
        StandingError::Invalid(_) => Failure::request(e.to_string()),
        StandingError::Io { .. } => Failure::io(e.to_string()),
    };
    match cmd {
        StandingCmd::Add { topic, workflow, principal, product } => {
            let text = std::fs::read_to_string(workflow)
                .map_err(|e| Failure::request(format!("cannot read the workflow {}: {e}", workflow.display())))?;
            let st = s::add(&dir, topic, &text, principal.as_deref(), product.as_deref()).map_err(fail)?;
            println!("{}", st.id);
            eprintln!(
                "rookery: standing job {} on {} (product {}); a running `rookery serve` takes it up within seconds",
                st.id, st.topic, st.product
            );
        }
        StandingCmd::List => {
            println!("id\ttopic\tproduct\tprincipal");
            for st in s::load(&dir).map_err(fail)? {
                println!("{}\t{}\t{}\t{}", st.id, st.topic, st.product, st.principal.as_deref().unwrap_or("wis2"));
            }
        }
        StandingCmd::Remove { id } => {
            if !s::remove(&dir, id).map_err(fail)? {
                return Err(Failure::request(format!("no standing job '{id}' (see rookery wis2 standing list)")));
            }
            eprintln!("rookery: removed standing job {id}");
        }
    }
    Ok(())
}

fn config(d: &Daops, env_centre: Option<String>) -> Result<Wis2Config, Failure> {
    Wis2Config::from_config(&d.config, env_centre, None).map_err(|e| Failure::request(e.to_string()))
}

/// Flushes the outbox to the configured broker.
fn publish(cfg: &Wis2Config, credentials: Option<(String, String)>, wait: u64) -> Result<usize, Failure> {
    let url = cfg
        .broker
        .as_deref()
        .ok_or_else(|| Failure::request("wis2: no broker: set [wis2] broker = mqtt://host:port"))?;
    let broker = rookery_wis2::Broker::parse(url, credentials).map_err(|e| Failure::request(e.to_string()))?;
    let outbox = rookery_wis2::Outbox::open(&cfg.outbox).map_err(|e| Failure::io(e.to_string()))?;
    rookery_wis2::flush(&outbox, &broker, std::time::Duration::from_secs(wait)).map_err(|e| Failure::io(e.to_string()))
}

fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.as_millis());
    rookery_service::time::iso_seconds(i64::try_from(now).unwrap_or(0))
}

fn records(d: &Daops, dir: &Path, env_centre: Option<String>) -> Result<(), Failure> {
    let cfg = config(d, env_centre)?;
    let created = now_rfc3339();
    let recs = rookery_service::wis2::records(d, &cfg, &created)?;
    std::fs::create_dir_all(dir).map_err(|e| Failure::io(format!("cannot create {}: {e}", dir.display())))?;
    for r in &recs {
        let id = r["id"].as_str().unwrap_or_default().replace(':', "_");
        let path = dir.join(format!("{id}.json"));
        let tmp = dir.join(format!(".{id}.json.tmp"));
        let text = serde_json::to_string_pretty(r).map_err(|e| Failure::io(e.to_string()))?;
        std::fs::write(&tmp, text + "\n")
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Failure::io(format!("cannot write {}: {e}", path.display())))?;
        println!("{}", path.display());
    }
    Ok(())
}
