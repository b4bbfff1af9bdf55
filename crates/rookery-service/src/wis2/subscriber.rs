//! The service's WIS2 subscriber (started by `rookery serve` when `[wis2]` names a broker):
//! a persistent MQTT session on `[wis2] broker` ([`rookery_wis2::subscribe`]) subscribed to
//! `[wis2] subscribe` and the standing jobs' topics (`standing.json` is read again every
//! couple of seconds: a standing job added while the server runs takes effect then), and
//! for each notification:
//!
//! ```text
//!   parse + check (notify::parse) ───────────── malformed ─────────────► audit, nothing runs
//!   standing jobs whose topic filter matches ── none: logged
//!   canonical link under allowed_urls (the IoContext's egress policy) ── no ──► audit
//!   data_id + pubtime not seen before (standing::claim_seen) ── seen ──► audit (duplicate)
//!   download through rookery-io into wis2/inbox/<uuid>/ ── fails ──► audit
//!   sha512 = properties.integrity ── no ──► audit (integrity)
//!   each standing job: submit `orchestrate` (the workflow, its inputs = the file) as its
//!   principal through AppState::submit (quotas, queue, audit) ──► announce/<job>.json
//!   acknowledge (PUBACK) the notification
//! ```
//!
//! The announcer: when a recorded job ends successfully, a WIS2 notification per NetCDF
//! output (signed download URL on this node, sha512, `metadata_id` of the orchestrate
//! process's record) goes into the outbox, which is flushed to the broker (retried until the
//! broker takes it: nothing is lost across a broker restart).

use super::standing::{self, Announce, Standing};
use crate::auth::{audit, Principal, Via};
use crate::jobs::{JobRequest, JobStatus};
use crate::process::RawInput;
use crate::state::St;
use rookery_daops::wis2::notify::{self, Incoming};
use rookery_daops::wis2::Wis2Config;
use rookery_wis2::subscribe::{topic_matches, Delivery};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Audit kind of a refused notification.
pub const REFUSED: &str = "wis2-refused";

/// The broker's credentials from the service configuration.
fn credentials(st: &St) -> Option<(String, String)> {
    st.cfg.wis2_broker_credentials.as_ref().map(|c| (c.user.clone(), c.password.clone()))
}

/// The subscriber's client id, kept in the data directory so that its broker session (and
/// the messages queued for it) survive restarts.
fn client_id(dir: &Path) -> String {
    let path = dir.join("client-id");
    if let Some(id) = std::fs::read_to_string(&path).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        return id;
    }
    let id = format!("rookery-{}", &crate::ids::uuid4().replace('-', "")[..16]);
    let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &id));
    id
}

/// Starts the subscriber and the announcer when `[wis2]` is configured with a broker (topics
/// to subscribe to without a broker are logged).
pub fn spawn(st: &St) {
    let Ok(daops) = st.data.clone() else { return };
    let Ok(cfg) = Wis2Config::from_config(&daops.config, st.cfg.wis2_centre_id.clone(), st.cfg.public_url.as_deref())
    else {
        return;
    };
    let dir = st.cfg.wis2_dir();
    let Some(url) = cfg.broker.clone() else {
        if !topics(&cfg.subscribe, &dir).is_empty() {
            tracing::error!("wis2: topics to subscribe to but no [wis2] broker; no subscriber");
        }
        return;
    };
    let broker = match rookery_wis2::Broker::parse(&url, credentials(st)) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("{e}; no subscriber");
            return;
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Delivery>(64);
    let sub = broker.clone().with_client_id(&client_id(&dir));
    let configured = cfg.subscribe.clone();
    let dir2 = dir.clone();
    std::thread::spawn(move || {
        let stop_tx = tx.clone();
        rookery_wis2::subscribe::subscribe(
            &sub,
            || topics(&configured, &dir2),
            |d| {
                let _ = tx.blocking_send(d);
            },
            move || stop_tx.is_closed(),
        );
    });
    {
        let st = st.clone();
        tokio::spawn(async move {
            while let Some(d) = rx.recv().await {
                handle(&st, d).await;
            }
        });
    }
    spawn_announcer(st, Arc::new(cfg), broker);
}

/// `[wis2] subscribe` and the standing jobs' topics (those of `standing.json` now).
fn topics(configured: &[String], dir: &Path) -> Vec<String> {
    let mut all = configured.to_vec();
    match standing::load(dir) {
        Ok(s) => {
            for s in s {
                if !all.contains(&s.topic) {
                    all.push(s.topic);
                }
            }
        }
        Err(e) => tracing::warn!("wis2: {e}"),
    }
    all
}

fn refuse(st: &St, who: &str, topic: &str, why: &str) {
    tracing::warn!("wis2: notification on {topic} refused: {why}");
    audit(&st.store, REFUSED, who, "", &format!("{why} (topic {topic})"));
}

/// Handles one delivery (see the module documentation) and acknowledges it.
async fn handle(st: &St, d: Delivery) {
    let topic = d.topic.clone();
    let msg = match notify::parse(&d.payload) {
        Ok(m) => m,
        Err(e) => {
            refuse(st, "-", &topic, &format!("malformed notification: {e}"));
            return d.ack();
        }
    };
    let dir = st.cfg.wis2_dir();
    let jobs: Vec<Standing> = match standing::load(&dir) {
        Ok(all) => all.into_iter().filter(|s| topic_matches(&s.topic, &topic)).collect(),
        Err(e) => {
            // Not acknowledged: delivered again once the state can be read.
            tracing::error!("wis2: {e}");
            return;
        }
    };
    if jobs.is_empty() {
        tracing::info!("wis2: notification {} on {topic} (data_id {}): no standing job", msg.id, msg.data_id);
        return d.ack();
    }
    let st2 = st.clone();
    let r = tokio::task::spawn_blocking(move || fetch(&st2, &msg).map(|f| (msg, f))).await;
    let (msg, (file, inbox)) = match r {
        Ok(Ok(x)) => x,
        Ok(Err(why)) => {
            refuse(st, "-", &topic, &why);
            return d.ack();
        }
        Err(e) => {
            tracing::error!("wis2: handling a notification failed: {e}");
            return d.ack();
        }
    };
    let mut submitted = 0;
    for s in &jobs {
        match submit(st, s, &file) {
            Ok(job) => {
                submitted += 1;
                let a = Announce {
                    job: job.clone(),
                    standing: s.id.clone(),
                    product: s.product.clone(),
                    source: msg.data_id.clone(),
                    inbox: inbox.clone(),
                };
                if let Err(e) = standing::put_announce(&dir, &a) {
                    tracing::error!("wis2: job {job} will not be announced: {e}");
                }
                tracing::info!("wis2: {} ({}) → job {job} of standing job {}", msg.data_id, msg.pubtime, s.id);
            }
            Err((who, why)) => refuse(st, &who, &topic, &format!("standing job {} for {}: {why}", s.id, msg.data_id)),
        }
    }
    if submitted == 0 {
        let _ = std::fs::remove_dir_all(&inbox);
    }
    d.ack();
}

/// Checks the link, the duplicate record, downloads and verifies the notified file; returns
/// it and its inbox directory, or why it is refused.
fn fetch(st: &St, msg: &Incoming) -> Result<(PathBuf, PathBuf), String> {
    let daops = st.data.clone().map_err(|e| format!("the data layer is not available: {e}"))?;
    let io = daops.io();
    if let Err(e) = io.url(&msg.href) {
        return Err(format!("{}: canonical link outside allowed_urls: {e}", msg.data_id));
    }
    let dir = st.cfg.wis2_dir();
    match standing::claim_seen(&dir, &msg.data_id, &msg.pubtime) {
        Ok(true) => {}
        Ok(false) => {
            return Err(format!(
                "{} (pubtime {}): duplicate notification (handled before), not run again",
                msg.data_id, msg.pubtime
            ))
        }
        Err(e) => return Err(format!("{}: {e}", msg.data_id)),
    }
    let name = msg.href.split(['?', '#']).next().unwrap_or_default().rsplit('/').next().unwrap_or_default();
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    let name = if name.trim_matches('.').is_empty() { "data.nc".to_string() } else { name };
    let inbox = dir.join("inbox").join(crate::ids::uuid4());
    let file = inbox.join(&name);
    let got = std::fs::create_dir_all(&inbox)
        .map_err(|e| e.to_string())
        .and_then(|()| io.remote().download(&msg.href, &file).map_err(|e| e.to_string()));
    if let Err(e) = got {
        let _ = std::fs::remove_dir_all(&inbox);
        standing::forget_seen(&dir, &msg.data_id, &msg.pubtime);
        return Err(format!("{}: download of {} failed: {e}", msg.data_id, msg.href));
    }
    match notify::sha512_file(&file) {
        Ok((sha, _)) if sha == msg.sha512 => Ok((file, inbox)),
        Ok((sha, _)) => {
            let _ = std::fs::remove_dir_all(&inbox);
            Err(format!(
                "{}: integrity check failed: the sha512 of {} is {sha}, the notification says {}",
                msg.data_id, msg.href, msg.sha512
            ))
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&inbox);
            Err(format!("{}: cannot read the downloaded file: {e}", msg.data_id))
        }
    }
}

/// The principal a standing job runs as: its API key's owner, or the built-in `wis2`.
fn principal(st: &St, s: &Standing) -> Result<Principal, (String, String)> {
    let Some(name) = &s.principal else {
        return Ok(Principal {
            id: "wis2".into(),
            name: "wis2".into(),
            scopes: vec!["execute".into(), "jobs".into()],
            via: Via::ApiKey,
        });
    };
    let keys = st.store.keys().map_err(|e| (name.clone(), e.to_string()))?;
    let k = keys
        .into_iter()
        .find(|k| &k.name == name && k.revoked.is_none())
        .ok_or_else(|| (name.clone(), format!("no active API key named '{name}' (its principal)")))?;
    let p = Principal { id: k.id, name: k.name, scopes: k.scopes, via: Via::ApiKey };
    if !p.has("execute") {
        return Err((p.id, format!("the API key '{name}' lacks the 'execute' scope")));
    }
    Ok(p)
}

/// Queues the standing workflow on `file` as its principal; returns the job id, or who and why
/// it was refused.
fn submit(st: &St, s: &Standing, file: &Path) -> Result<String, (String, String)> {
    let p = principal(st, s)?;
    let fail = |m: String| (p.id.clone(), m);
    let wf = standing::with_input(&s.workflow, file).map_err(|e| fail(e.to_string()))?;
    let def = st.process("orchestrate").ok_or_else(|| fail("no orchestrate process".into()))?;
    let inputs = crate::process::validate(def, &[RawInput { id: "workflow".into(), data: wf, mime: None }])
        .map_err(|e| fail(e.text.clone()))?;
    let job = st
        .submit(&p, "orchestrate", JobRequest { inputs, lineage: false, sync: false, outputs: vec![], estimate: None })
        .map_err(|e| fail(e.text.clone()))?;
    Ok(job.id)
}

/// Announces the products of ended standing jobs and flushes the outbox, every couple of
/// seconds and whenever a job ends.
fn spawn_announcer(st: &St, cfg: Arc<Wis2Config>, broker: rookery_wis2::Broker) {
    let st = st.clone();
    tokio::spawn(async move {
        let every = Duration::from_secs(cfg.announce_every_secs);
        let mut scanned: Option<tokio::time::Instant> = None;
        loop {
            let done = st.job_done.notified();
            let scan = scanned.is_none_or(|t| t.elapsed() >= every);
            if scan {
                scanned = Some(tokio::time::Instant::now());
            }
            let (st2, cfg2, b2) = (st.clone(), cfg.clone(), broker.clone());
            let _ = tokio::task::spawn_blocking(move || announce_round(&st2, &cfg2, &b2, scan)).await;
            let _ = tokio::time::timeout(Duration::from_secs(2), done).await;
        }
    });
}

/// Queues the products of ended standing jobs (and, with `scan`, the served datasets' new,
/// changed and removed files: [`super::collections`]), then flushes the outbox.
fn announce_round(st: &St, cfg: &Wis2Config, broker: &rookery_wis2::Broker, scan: bool) {
    let outbox = match rookery_wis2::Outbox::open(&cfg.outbox) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("{e}");
            return;
        }
    };
    let dir = st.cfg.wis2_dir();
    for a in standing::announces(&dir) {
        let job = match st.store.get(&a.job) {
            Ok(Some(j)) => st.pending.overlay(j),
            Ok(None) => {
                standing::done_announce(&dir, &a);
                continue;
            }
            Err(e) => {
                tracing::warn!("wis2: job {}: {e}", a.job);
                continue;
            }
        };
        match job.status {
            JobStatus::Successful => match announce(st, cfg, &outbox, &a, &job) {
                Ok(n) => {
                    tracing::info!("wis2: job {} announced ({n} product file(s))", a.job);
                    standing::done_announce(&dir, &a);
                }
                Err(e) => tracing::error!("wis2: announcing job {}: {e}", a.job),
            },
            s if s.is_final() => {
                tracing::warn!(
                    "wis2: job {} of standing job {} ended {}: nothing announced",
                    a.job,
                    a.standing,
                    s.as_str()
                );
                standing::done_announce(&dir, &a);
            }
            _ => {}
        }
    }
    if scan {
        match super::collections::round(st, cfg, &outbox) {
            Ok(0) => {}
            Ok(n) => tracing::info!("wis2: {n} dataset file change(s) announced"),
            Err(e) => tracing::error!("wis2: announcing the served datasets: {e}"),
        }
    }
    if outbox.pending().is_ok_and(|p| !p.is_empty()) {
        if let Err(e) = rookery_wis2::flush(&outbox, broker, Duration::from_secs(5)) {
            tracing::warn!("{e}");
        }
    }
}

/// Queues one notification per NetCDF output of `job` (every output when none is NetCDF).
fn announce(
    st: &St,
    cfg: &Wis2Config,
    outbox: &rookery_wis2::Outbox,
    a: &Announce,
    job: &crate::jobs::Job,
) -> Result<usize, String> {
    let files = job.result.as_ref().map(|r| r.files.clone()).unwrap_or_default();
    let nc: Vec<_> = files.iter().filter(|f| f.name.ends_with(".nc")).cloned().collect();
    let files = if nc.is_empty() { files } else { nc };
    let daops = st.data.clone().ok();
    for f in &files {
        let path = st.cfg.job_dir(&job.id).join(&f.name);
        let (sha512, length) = notify::sha512_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let p = notify::Product {
            product: a.product.clone(),
            data_id: format!("{}/{}/{}", a.product, job.id, f.name),
            url: st.file_url(&cfg.base_url, &job.id, &f.name),
            media_type: if f.name.ends_with(".nc") { "application/netcdf" } else { "application/octet-stream" }.into(),
            length,
            sha512,
            time: daops.as_ref().and_then(|d| d.wis2_product_time(&path)),
            metadata_id: Some(cfg.metadata_id("process.orchestrate")),
            change: notify::Change::New,
        };
        let (topic, msg) = notify::notification(cfg, &p, &crate::time::iso_seconds(crate::time::now_ms()));
        outbox.put(&topic, &msg).map_err(|e| e.to_string())?;
    }
    Ok(files.len())
}
