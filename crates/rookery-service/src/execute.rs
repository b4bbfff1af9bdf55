//! The execution floor's top: runs a queued process in its job directory — a data operation
//! ([`crate::ops`]), a workflow ([`crate::workflow`], parts at peers through
//! [`crate::federation`]), the usage log as CSV, the dashboard — and publishes its files,
//! provenance and documents as the job's result.

use crate::jobs::{JobResult, JobStore};
use crate::ops::{collection_items, fix_time_components, op_params, publish, run_operation, ProcError};
use crate::process::{first, Inputs};
use crate::prov::Provenance;
use rookery_daops::{Daops, Progress};
use rookery_ops::output::utc_now;
use std::path::Path;

type R<T> = Result<T, ProcError>;

/// Where a job runs.
pub struct Ctx<'a> {
    /// The job's directory (results are published from here).
    pub dir: &'a Path,
    /// The job store (the `usage` and `dashboard` processes read the usage log from it).
    pub store: &'a dyn JobStore,
    /// Where the job reports how far it got.
    pub progress: Progress,
    /// Other nodes that run the parts of a workflow whose data they hold.
    pub peers: &'a crate::federation::Peers,
    /// The job's id (idempotency keys of the parts sent to peers derive from it).
    pub job_id: &'a str,
    /// The service's data-aware layer (or why the configuration could not be loaded).
    pub data: &'a Result<std::sync::Arc<Daops>, crate::state::DataUnavailable>,
    /// The result cache, when turned on.
    pub cache: Option<&'a crate::jobs::ResultCache>,
}

impl Ctx<'_> {
    /// The data-aware layer, or the configuration's failure.
    ///
    /// # Errors
    /// The roocs.ini configuration could not be loaded (the server's fault).
    pub fn daops(&self) -> R<&Daops> {
        self.data.as_deref().map_err(|e| ProcError::from(e.clone()))
    }
}

fn data_result(ctx: &Ctx<'_>, uris: &[String], prov: &Provenance) -> R<JobResult> {
    let (files, urls) = publish(ctx.dir, uris)?;
    prov.write(ctx.dir).map_err(ProcError::io)?;
    Ok(JobResult {
        files,
        urls,
        documents: vec![
            ("prov".into(), "provenance.json".into(), "application/json".into()),
            ("prov_plot".into(), "provenance.png".into(), "image/png".into()),
        ],
        literals: vec![],
        failure: None,
        cached_from: None,
    })
}

/// The result cache's key of a data operation, or `None` when its inputs cannot be
/// fingerprinted (remote files) or resolved (the operation then fails with the reason).
fn cache_key(daops: &Daops, process: &str, coll: &[String], inputs: &Inputs) -> Option<String> {
    let fp = daops.inputs_fingerprint(coll).ok()??;
    Some(crate::jobs::ResultCache::key(process, inputs, &fp, env!("CARGO_PKG_VERSION")))
}

/// The health check: `ROOK_HEALTH_OK` when the job store answers and the data directory is
/// writable.
///
/// # Errors
/// `Health check failed: ...` naming the failing part.
pub fn health(store: &dyn JobStore, data_dir: &Path) -> R<String> {
    store
        .count(crate::jobs::JobStatus::Running)
        .map_err(|e| ProcError::server(format!("Health check failed: job store: {e}")))?;
    let probe = data_dir.join(format!(".health-check.{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .map_err(|e| ProcError::server(format!("Health check failed: data directory is not writable: {e}")))?;
    let _ = std::fs::remove_file(probe);
    Ok("ROOK_HEALTH_OK".into())
}

/// Runs a queued process in its job directory.
///
/// # Errors
/// The process failed; the message is shown to the client after `Process error: `.
pub fn execute(process: &str, inputs: &Inputs, ctx: &Ctx<'_>) -> R<JobResult> {
    std::fs::create_dir_all(ctx.dir).map_err(ProcError::io)?;
    match process {
        "subset" | "concat" | "average" | "average_time" | "weighted_average" | "average_shape" | "regrid"
        | "subset_point" | "ensemble_stats" | "climatology" | "anomaly" | "stat_time" => {
            let coll = collection_items(inputs.get("collection").map_or(&[][..], Vec::as_slice));
            if coll.is_empty() {
                return Err(ProcError::invalid("Required input \"collection\" must be provided."));
            }
            let mut prov = Provenance::start(false, &utc_now());
            // The job may read its own directory besides the data roots.
            let daops = ctx.daops()?.with_root(ctx.dir);
            let mut params = op_params(inputs);
            if let Some(tc) = fix_time_components(first(inputs, "time_components"), first(inputs, "time")) {
                params.retain(|(k, _)| k != "time_components");
                params.push(("time_components".into(), tc));
            }
            let cached = ctx.cache.and_then(|c| cache_key(&daops, process, &coll, inputs).map(|k| (c, k)));
            if let Some((cache, key)) = &cached {
                if let Some(hit) = cache.restore(key, ctx.dir, crate::time::now_ms()) {
                    tracing::info!("job {}: answered from the result cache (job {})", ctx.job_id, hit.job);
                    let uris: Vec<String> =
                        hit.files.iter().map(|f| ctx.dir.join(&f.name).to_string_lossy().into_owned()).collect();
                    let act = prov.add_operator(process, &params, &coll, &uris);
                    prov.mark_cached(&act, &hit.job);
                    let mut r = data_result(ctx, &uris, &prov)?;
                    r.cached_from = Some(hit.job);
                    return Ok(r);
                }
            }
            let uris = run_operation(&daops, process, &coll, inputs, ctx.dir, &ctx.progress)?;
            if uris.is_empty() {
                return Err(ProcError::server("The operation produced no output"));
            }
            prov.add_operator(process, &params, &coll, &uris);
            let r = data_result(ctx, &uris, &prov)?;
            if let Some((cache, key)) = cached {
                if let Err(e) = cache.store(&key, ctx.job_id, process, ctx.dir, &r, crate::time::now_ms()) {
                    tracing::warn!("job {}: keeping its result in the result cache failed: {e}", ctx.job_id);
                }
            }
            Ok(r)
        }
        "orchestrate" => {
            let text = first(inputs, "workflow").unwrap_or_default();
            let wf = crate::workflow::parse(text)?;
            let mut prov = Provenance::start(true, &utc_now());
            let uris = crate::workflow::run_federated(
                ctx.daops()?,
                &wf,
                ctx.dir,
                &mut prov,
                &ctx.progress,
                ctx.peers,
                ctx.job_id,
            )?;
            prov.stop(&utc_now());
            data_result(ctx, &uris, &prov)
        }
        "estimate" => {
            let op = first(inputs, "process").unwrap_or_default().to_string();
            let mut rest = inputs.clone();
            rest.remove("process");
            let e = crate::estimate::estimate(ctx.daops()?, &op, &rest)?;
            Ok(JobResult {
                literals: vec![("estimate".into(), crate::estimate::to_json(&e, None).to_string())],
                ..JobResult::default()
            })
        }
        "usage" => usage(inputs, ctx),
        "dashboard" => dashboard(inputs, ctx),
        other => Err(ProcError::server(format!("Process '{other}' cannot run in a worker"))),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The `usage` process: the request log as CSV for a time range `start/end` (either side may
/// be empty; partial dates cover whole periods).
/// The `time` input of `usage`/`dashboard` as ms bounds (open ends allowed).
fn time_range(inputs: &Inputs) -> R<(Option<i64>, Option<i64>)> {
    Ok(match first(inputs, "time").map(str::trim).filter(|t| !t.is_empty()) {
        None => (None, None),
        Some(t) => {
            let Some((a, b)) = t.split_once('/') else {
                return Err(ProcError::invalid(format!(
                    "Invalid time range '{t}': expected start/end, e.g. 2024-06-01/2024-06-30"
                )));
            };
            let side = |x: &str, end: bool| -> R<Option<i64>> {
                let x = x.trim();
                if x.is_empty() {
                    return Ok(None);
                }
                crate::time::parse_iso(x, end)
                    .map(Some)
                    .ok_or_else(|| ProcError::invalid(format!("Invalid date '{x}' in time range '{t}'")))
            };
            (side(a, false)?, side(b, true)?)
        }
    })
}

/// Runs `dashboard`: an HTML page of this node's usage log.
///
/// # Errors
/// A bad time range, a site other than this one, store failures.
fn dashboard(inputs: &Inputs, ctx: &Ctx<'_>) -> R<JobResult> {
    let site = first(inputs, "site").unwrap_or("local");
    if site != "local" {
        return Err(ProcError::invalid(format!(
            "site '{site}' is not available: this node reports its own usage (site=local)"
        )));
    }
    let (from, to) = time_range(inputs)?;
    let rows = ctx.store.usage(from, to)?;
    let html = crate::dashboard::render(&rows, from, to, site, crate::time::now_ms());
    std::fs::write(ctx.dir.join("dashboard.html"), html).map_err(ProcError::io)?;
    Ok(JobResult {
        documents: vec![("dashboard".into(), "dashboard.html".into(), "text/html".into())],
        ..JobResult::default()
    })
}

fn usage(inputs: &Inputs, ctx: &Ctx<'_>) -> R<JobResult> {
    let time = first(inputs, "time").unwrap_or_default();
    let all_sites = match first(inputs, "sites").map(str::trim).unwrap_or("local") {
        "" | "local" => false,
        "all" => true,
        other => return Err(ProcError::invalid(format!("Invalid sites '{other}': expected local or all"))),
    };
    let (req, dl) = usage_csv(ctx.store, ctx.peers, time, all_sites)?;
    std::fs::write(ctx.dir.join("wps_requests.csv"), req).map_err(ProcError::io)?;
    std::fs::write(ctx.dir.join("downloads.csv"), dl).map_err(ProcError::io)?;
    Ok(JobResult {
        documents: vec![
            ("wpsusage".into(), "wps_requests.csv".into(), "text/csv".into()),
            ("downloads".into(), "downloads.csv".into(), "text/csv".into()),
        ],
        ..JobResult::default()
    })
}

const USAGE_HEADER: &str =
    "uuid,operation,identifier,user,time_start,time_end,duration_ms,http_status,bytes_out,remote,inputs";

/// CSV records of `text` (quoted fields may hold newlines), without the header.
fn csv_records(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for line in text.split_inclusive('\n') {
        cur.push_str(line);
        quoted ^= line.matches('"').count() % 2 == 1;
        if !quoted {
            let rec = cur.trim_end_matches(['\n', '\r']).to_string();
            if !rec.is_empty() {
                out.push(rec);
            }
            cur.clear();
        }
    }
    out.into_iter().skip(1).collect()
}

/// The usage log as CSV (requests, downloads) for `time` (`start/end`, either side may be
/// empty); with `all_sites`, the configured peers' logs too (their `usage` process), every row
/// tagged with a `site` column (`local` or the peer's name), as rook's dashboard merges sites.
/// An unreachable peer is left out with a warning in the log.
///
/// # Errors
/// A bad time range, store failures.
pub fn usage_csv(
    store: &dyn JobStore,
    peers: &crate::federation::Peers,
    time: &str,
    all_sites: bool,
) -> R<(String, String)> {
    let mut one = Inputs::new();
    one.insert("time".into(), vec![time.to_string()]);
    let (from, to) = time_range(&one)?;
    let rows = store.usage(from, to)?;
    let site_col = if all_sites { ",site\n" } else { "\n" };
    let mut req = format!("{USAGE_HEADER}{site_col}");
    let mut dl = req.clone();
    let local_tag = if all_sites { ",local" } else { "" };
    for r in rows {
        let line = [
            csv_field(&r.job),
            csv_field(&r.operation),
            csv_field(&r.process),
            csv_field(&r.user),
            crate::time::iso_seconds(r.time_start),
            crate::time::iso_seconds(r.time_end),
            (r.time_end - r.time_start).to_string(),
            r.http_status.to_string(),
            r.bytes_out.to_string(),
            csv_field(&r.remote),
            csv_field(&r.inputs),
        ]
        .join(",");
        let target = if r.operation == "download" { &mut dl } else { &mut req };
        target.push_str(&line);
        target.push_str(local_tag);
        target.push('\n');
    }
    if all_sites {
        for p in &peers.peers {
            match crate::federation::peer_usage(p, time, &peers.tokens) {
                Ok((pr, pd)) => {
                    for (text, target) in [(pr, &mut req), (pd, &mut dl)] {
                        for rec in csv_records(&text) {
                            target.push_str(&rec);
                            target.push(',');
                            target.push_str(&csv_field(&p.name));
                            target.push('\n');
                        }
                    }
                }
                Err(e) => tracing::warn!("usage of site '{}' ({}) left out: {e}", p.name, p.url),
            }
        }
    }
    Ok((req, dl))
}
