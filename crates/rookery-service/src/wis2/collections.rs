//! Announcing served datasets: the files of the datasets `[wis2] announce` names (id
//! wildcards) are scanned every `announce_every_secs`; a file that appears is announced as
//! new, one whose size or modification time changed as an update, one that went as a
//! deletion — a WIS2 notification each, into the outbox. The first scan records what is there
//! without announcing it (a node that starts announcing does not flood its subscribers).
//!
//! Each message: `data_id` `<project>/<dataset id>/<file name>`, the product (topic level)
//! the project, a link to the file on this node (`/datasets/{id}/files/{name}`), its sha512,
//! `metadata_id` the project's WCMP2 record. What was seen is kept in
//! `<data_dir>/wis2/datasets.json`, written after the messages are queued.

use crate::state::St;
use rookery_daops::wis2::notify::{self, Change};
use rookery_daops::wis2::Wis2Config;
use std::collections::BTreeMap;
use std::path::Path;

/// file name → (size, modification time in seconds).
type Files = BTreeMap<String, (u64, u64)>;

/// dataset id → (project, its files as seen, their paths).
type Scan = BTreeMap<String, (String, Files, Vec<std::path::PathBuf>)>;

fn load(path: &Path) -> Option<BTreeMap<String, Files>> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn save(path: &Path, seen: &BTreeMap<String, Files>) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(seen).map_err(std::io::Error::other)?)?;
    std::fs::rename(tmp, path)
}

/// The files of the announced datasets now: id → (project, files with their paths).
fn scan(st: &St, cfg: &Wis2Config) -> Result<Scan, String> {
    let daops = st.data.clone().map_err(|e| e.to_string())?;
    let mut now = BTreeMap::new();
    for (project, id) in daops.list_datasets(None).map_err(|e| e.to_string())? {
        if !cfg.announce.iter().any(|p| rookery_daops::wildcard::matches(p, &id)) {
            continue;
        }
        let files = match daops.datasets(std::slice::from_ref(&id), None, None) {
            Ok(mut v) if v.len() == 1 => v.remove(0).files,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!("wis2: dataset {id} not scanned: {e}");
                continue;
            }
        };
        let mut seen = Files::new();
        for f in &files {
            let Ok(m) = std::fs::metadata(f) else { continue };
            let mtime =
                m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs());
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            seen.insert(name, (m.len(), mtime));
        }
        now.insert(id, (project, seen, files));
    }
    Ok(now)
}

/// One scan: queues a notification per new, changed or removed file of the announced
/// datasets; returns how many.
///
/// # Errors
/// The datasets cannot be listed, a file cannot be read, the outbox or the record cannot
/// be written (the scan is then repeated next time: nothing is recorded as announced).
pub fn round(st: &St, cfg: &Wis2Config, outbox: &rookery_wis2::Outbox) -> Result<usize, String> {
    if cfg.announce.is_empty() {
        return Ok(0);
    }
    let dir = st.cfg.wis2_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("datasets.json");
    let now = scan(st, cfg)?;
    let record: BTreeMap<String, Files> = now.iter().map(|(id, (_, f, _))| (id.clone(), f.clone())).collect();
    let Some(before) = load(&path) else {
        save(&path, &record).map_err(|e| e.to_string())?;
        tracing::info!("wis2: announcing the files of {} dataset(s) from now on", record.len());
        return Ok(0);
    };
    let daops = st.data.clone().map_err(|e| e.to_string())?;
    let pubtime = crate::time::iso_seconds(crate::time::now_ms());
    let mut n = 0;
    let mut queue = |project: &str, id: &str, name: &str, path: Option<&Path>, change: Change| -> Result<(), String> {
        let (sha512, length) = match path {
            Some(p) => notify::sha512_file(p).map_err(|e| format!("{}: {e}", p.display()))?,
            None => (String::new(), 0),
        };
        let product: String = project
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '_' })
            .collect();
        let p = notify::Product {
            product,
            data_id: format!("{project}/{id}/{name}"),
            url: format!("{}/datasets/{id}/files/{name}", cfg.base_url),
            media_type: "application/netcdf".into(),
            length,
            sha512,
            time: path.and_then(|p| daops.wis2_product_time(p)),
            metadata_id: Some(cfg.metadata_id(project)),
            change,
        };
        let (topic, msg) = notify::notification(cfg, &p, &pubtime);
        outbox.put(&topic, &msg).map_err(|e| e.to_string())?;
        n += 1;
        Ok(())
    };
    for (id, (project, files, paths)) in &now {
        let old = before.get(id);
        for (name, meta) in files {
            let change = match old.and_then(|o| o.get(name)) {
                None => Change::New,
                Some(m) if m != meta => Change::Update,
                Some(_) => continue,
            };
            let path = paths.iter().find(|p| p.file_name().is_some_and(|f| f.to_string_lossy() == *name));
            queue(project, id, name, path.map(std::path::PathBuf::as_path), change)?;
        }
    }
    for (id, files) in &before {
        let (project, current) = match now.get(id) {
            Some((p, f, _)) => (p.clone(), Some(f)),
            None => (id.split('.').next().unwrap_or_default().to_string(), None),
        };
        for name in files.keys() {
            if current.is_none_or(|c| !c.contains_key(name)) {
                queue(&project, id, name, None, Change::Deletion)?;
            }
        }
    }
    save(&path, &record).map_err(|e| e.to_string())?;
    Ok(n)
}
