//! WIS2 Notification Messages (WMO WIS2 Notification Message 1.0: a GeoJSON feature announcing
//! a product with a download link), and the sha512 integrity they carry.

use super::Wis2Config;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha512};
use std::io::Read;
use std::path::Path;

/// What a link announces: a new product, a changed one, or one removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// `rel: canonical`.
    New,
    /// `rel: update`.
    Update,
    /// `rel: deletion`.
    Deletion,
}

impl Change {
    /// The link relation.
    #[must_use]
    pub fn rel(self) -> &'static str {
        match self {
            Change::New => "canonical",
            Change::Update => "update",
            Change::Deletion => "deletion",
        }
    }
}

/// A product to announce.
#[derive(Clone, Debug)]
pub struct Product {
    /// Product name: one topic level below the configured topic (lower-case letters, digits,
    /// `-`, `_`).
    pub product: String,
    /// Identifier unique within the dataset: `<product>/<file name>` by convention.
    pub data_id: String,
    /// Where to download it.
    pub url: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub length: u64,
    /// sha512 of the bytes, base64 (see [`sha512_file`]).
    pub sha512: String,
    /// First and last time the product covers (ISO, UTC), when known.
    pub time: Option<(String, String)>,
    /// `metadata_id` of its discovery record.
    pub metadata_id: Option<String>,
    /// New, update or deletion.
    pub change: Change,
}

/// base64 of the sha512 of the file at `path`, and its length.
///
/// # Errors
/// The file cannot be read.
pub fn sha512_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha512::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((base64::engine::general_purpose::STANDARD.encode(h.finalize()), n))
}

/// An ISO time as RFC 3339 UTC (`Z`), seconds precision; `None` when it is not one.
fn utc(iso: &str) -> Option<String> {
    let t = iso.trim().trim_end_matches('Z');
    let (d, h) = t.split_once('T').or_else(|| t.split_once(' ')).unwrap_or((t, "00:00:00"));
    let h = h.split('.').next().unwrap_or("00:00:00");
    let h = match h.len() {
        5 => format!("{h}:00"),
        8 => h.to_string(),
        _ => return None,
    };
    (d.len() == 10 && d.as_bytes()[4] == b'-').then(|| format!("{d}T{h}Z"))
}

/// The notification of `p`, published at `pubtime` (RFC 3339 UTC), with a fresh UUID, and
/// the topic it goes on.
#[must_use]
pub fn notification(cfg: &Wis2Config, p: &Product, pubtime: &str) -> (String, Value) {
    let mut props = json!({
        "data_id": p.data_id,
        "pubtime": pubtime,
        "integrity": {"method": "sha512", "value": p.sha512},
    });
    match p.time.as_ref().and_then(|(a, b)| Some((utc(a)?, utc(b)?))) {
        Some((a, b)) if a == b => props["datetime"] = json!(a),
        Some((a, b)) => {
            props["start_datetime"] = json!(a);
            props["end_datetime"] = json!(b);
        }
        None => props["datetime"] = Value::Null,
    }
    if let Some(m) = &p.metadata_id {
        props["metadata_id"] = json!(m);
    }
    let msg = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "conformsTo": ["http://wis.wmo.int/spec/wnm/1/conf/core"],
        "type": "Feature",
        "geometry": null,
        "properties": props,
        "links": [{"href": p.url, "rel": p.change.rel(), "type": p.media_type, "length": p.length}],
    });
    (cfg.data_topic(Some(&p.product)), msg)
}
