//! Standing jobs: workflows run on each WIS2 notification of a topic, and the durable state
//! the subscriber keeps beside them, all files under `<data_dir>/wis2/` (written whole, then
//! renamed):
//!
//! ```text
//!   standing.json           the standing jobs [{id, topic, product, principal, workflow}]
//!                           (`rookery wis2 standing add|list|remove`)
//!   seen/<sha256>           one per notification handled, keyed by data_id + pubtime:
//!                           a redelivered notification runs nothing
//!   announce/<job>.json     a standing job's job whose product is announced when it ends
//!   inbox/<uuid>/<file>     notified files, downloaded (readable by jobs; removed when the
//!                           jobs that read them are announced)
//!   client-id               the subscriber's MQTT client id (its broker session)
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Why a standing job or the subscriber's state cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StandingError {
    /// A topic, workflow, product or principal that is not allowed; the text says which.
    #[error("wis2 standing job: {0}")]
    Invalid(String),
    /// A file of the subscriber's state cannot be read or written.
    #[error("wis2 standing jobs: {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StandingError + '_ {
    move |source| StandingError::Io { path: path.to_path_buf(), source }
}

/// One standing job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Standing {
    /// Its identifier (8 hex digits).
    pub id: String,
    /// MQTT topic filter of the notifications that run it (`+` and `#` wildcards).
    pub topic: String,
    /// Product name of its outputs: the topic level their notifications go on.
    pub product: String,
    /// Name of the API key whose owner the jobs run as (its quotas apply); `None`: the
    /// built-in principal `wis2`.
    pub principal: Option<String>,
    /// The `orchestrate` workflow document; each entry of its `inputs` becomes the notified
    /// file.
    pub workflow: String,
}

/// Writes `bytes` to `path` whole: a temporary file, synced, renamed.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), StandingError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = dir.join(format!(".{}.tmp", path.file_name().unwrap_or_default().to_string_lossy()));
    let f = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    std::io::Write::write_all(&mut &f, bytes).and_then(|()| f.sync_all()).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// The standing jobs kept in `dir` (none when there is no file yet).
///
/// # Errors
/// The file cannot be read or does not parse.
pub fn load(dir: &Path) -> Result<Vec<Standing>, StandingError> {
    let path = dir.join("standing.json");
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map_err(|e| StandingError::Io { path, source: std::io::Error::new(std::io::ErrorKind::InvalidData, e) }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StandingError::Io { path, source: e }),
    }
}

fn save(dir: &Path, all: &[Standing]) -> Result<(), StandingError> {
    let text = serde_json::to_string_pretty(all).unwrap_or_default();
    write_whole(&dir.join("standing.json"), text.as_bytes())
}

/// `workflow` with every entry of its `inputs` set to `file` (as JSON text).
///
/// # Errors
/// Not a JSON or YAML mapping, or no `inputs` entry.
pub fn with_input(workflow: &str, file: &Path) -> Result<String, StandingError> {
    let bad = |m: String| StandingError::Invalid(m);
    let mut v: Value = match serde_json::from_str(workflow) {
        Ok(v) => v,
        Err(je) => serde_yaml::from_str(workflow)
            .map_err(|ye| bad(format!("the workflow is neither JSON ({je}) nor YAML ({ye})")))?,
    };
    let Some(Value::Object(inputs)) = v.get_mut("inputs") else {
        return Err(bad("the workflow has no 'inputs' mapping (the notified file goes there)".into()));
    };
    if inputs.is_empty() {
        return Err(bad("the workflow's 'inputs' is empty: name one input, e.g. \"inputs\": {\"data\": []}".into()));
    }
    for x in inputs.values_mut() {
        *x = Value::String(file.to_string_lossy().into_owned());
    }
    Ok(v.to_string())
}

fn valid_product(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Adds a standing job (checked: topic filter, workflow, product name) and returns it.
///
/// # Errors
/// [`StandingError::Invalid`] naming what is wrong; the file cannot be written.
pub fn add(
    dir: &Path,
    topic: &str,
    workflow: &str,
    principal: Option<&str>,
    product: Option<&str>,
) -> Result<Standing, StandingError> {
    rookery_wis2::subscribe::check_filter(topic)
        .map_err(|e| StandingError::Invalid(e.to_string().trim_start_matches("wis2: ").to_string()))?;
    let text = with_input(workflow, Path::new("/notified/file.nc"))?;
    crate::workflow::parse(&text).map_err(|e| StandingError::Invalid(e.0))?;
    let id = crate::ids::uuid4().replace('-', "")[..8].to_string();
    let product = product.map_or_else(|| format!("standing-{id}"), str::to_string);
    if !valid_product(&product) {
        return Err(StandingError::Invalid(format!(
            "product '{product}' must be lower-case letters, digits, '-' and '_'"
        )));
    }
    if principal.is_some_and(|p| p.trim().is_empty()) {
        return Err(StandingError::Invalid("--principal must name an API key".into()));
    }
    let s = Standing {
        id,
        topic: topic.to_string(),
        product,
        principal: principal.map(|p| p.trim().to_string()),
        workflow: workflow.to_string(),
    };
    let mut all = load(dir)?;
    all.push(s.clone());
    save(dir, &all)?;
    Ok(s)
}

/// Removes the standing job `id`; false when there is none.
///
/// # Errors
/// The file cannot be read or written.
pub fn remove(dir: &Path, id: &str) -> Result<bool, StandingError> {
    let mut all = load(dir)?;
    let n = all.len();
    all.retain(|s| s.id != id);
    if all.len() == n {
        return Ok(false);
    }
    save(dir, &all)?;
    Ok(true)
}

fn seen_path(dir: &Path, data_id: &str, pubtime: &str) -> PathBuf {
    let h = Sha256::digest(format!("{data_id}\n{pubtime}").as_bytes());
    dir.join("seen").join(crate::ids::hex(&h))
}

/// Records that the notification `data_id` + `pubtime` is being handled: true when it is new,
/// false for a duplicate (it was handled before, here or by an earlier run).
///
/// # Errors
/// The record cannot be written.
pub fn claim_seen(dir: &Path, data_id: &str, pubtime: &str) -> Result<bool, StandingError> {
    let path = seen_path(dir, data_id, pubtime);
    let parent = dir.join("seen");
    std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(f) => {
            std::io::Write::write_all(&mut &f, format!("{data_id}\n{pubtime}\n").as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(io_err(&path))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(StandingError::Io { path, source: e }),
    }
}

/// Forgets a notification claimed by [`claim_seen`] (its file could not be fetched: a
/// redelivery may try again).
pub fn forget_seen(dir: &Path, data_id: &str, pubtime: &str) {
    let _ = std::fs::remove_file(seen_path(dir, data_id, pubtime));
}

/// A standing job's job whose product is to be announced when it ends.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Announce {
    /// The job.
    pub job: String,
    /// The standing job it ran for.
    pub standing: String,
    /// Product name (topic level).
    pub product: String,
    /// `data_id` of the notification that started it.
    pub source: String,
    /// The inbox directory of the file it reads (removed once no job needs it).
    pub inbox: PathBuf,
}

/// Keeps `a` until its job ends.
///
/// # Errors
/// The record cannot be written.
pub fn put_announce(dir: &Path, a: &Announce) -> Result<(), StandingError> {
    let text = serde_json::to_string(a).unwrap_or_default();
    write_whole(&dir.join("announce").join(format!("{}.json", a.job)), text.as_bytes())
}

/// The jobs waiting to be announced (records that do not parse are logged and skipped).
#[must_use]
pub fn announces(dir: &Path) -> Vec<Announce> {
    let Ok(rd) = std::fs::read_dir(dir.join("announce")) else { return Vec::new() };
    let mut out: Vec<Announce> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter_map(|p| match std::fs::read(&p).ok().and_then(|b| serde_json::from_slice(&b).ok()) {
            Some(a) => Some(a),
            None => {
                tracing::warn!("wis2: {} is not an announcement record; left alone", p.display());
                None
            }
        })
        .collect();
    out.sort_by(|a: &Announce, b| a.job.cmp(&b.job));
    out
}

/// Drops the record of `a` (announced, or its job failed) and its inbox directory when no
/// other waiting job reads it.
pub fn done_announce(dir: &Path, a: &Announce) {
    let _ = std::fs::remove_file(dir.join("announce").join(format!("{}.json", a.job)));
    if a.inbox.starts_with(dir.join("inbox")) && !announces(dir).iter().any(|o| o.inbox == a.inbox) {
        let _ = std::fs::remove_dir_all(&a.inbox);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = r#"{"doc": "x", "inputs": {"data": []}, "outputs": {"out": "sub/output"},
        "steps": {"sub": {"run": "subset", "in": {"collection": "inputs/data", "time": "2000/2001"}}}}"#;

    #[test]
    fn add_list_remove_and_duplicates() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path();
        assert!(load(d).expect("none").is_empty());
        let s = add(d, "origin/a/wis2/+/data/#", WF, Some("bot"), Some("tas-sub")).expect("add");
        assert_eq!(load(d).expect("one"), vec![s.clone()]);
        assert!(add(d, "a/b#", WF, None, None).is_err());
        assert!(add(d, "a/b", "{\"doc\": 1}", None, None).is_err());
        assert!(add(d, "a/b", WF, None, Some("Bad Name")).is_err());
        let wf = with_input(WF, Path::new("/x/f.nc")).expect("input");
        assert!(wf.contains("\"/x/f.nc\""), "{wf}");
        assert!(claim_seen(d, "a/b.nc", "2025-01-01T00:00:00Z").expect("new"));
        assert!(!claim_seen(d, "a/b.nc", "2025-01-01T00:00:00Z").expect("dup"));
        assert!(claim_seen(d, "a/b.nc", "2025-01-02T00:00:00Z").expect("new pubtime"));
        assert!(remove(d, &s.id).expect("rm"));
        assert!(!remove(d, &s.id).expect("rm again"));
    }
}
