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
    let mut props = json!({"data_id": p.data_id, "pubtime": pubtime});
    // A deletion has no bytes to check.
    if !p.sha512.is_empty() {
        props["integrity"] = json!({"method": "sha512", "value": p.sha512});
    }
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
    let mut link = json!({"href": p.url, "rel": p.change.rel(), "type": p.media_type});
    if !p.sha512.is_empty() {
        link["length"] = json!(p.length);
    }
    let msg = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "conformsTo": ["http://wis.wmo.int/spec/wnm/1/conf/core"],
        "type": "Feature",
        "geometry": null,
        "properties": props,
        "links": [link],
    });
    (cfg.data_topic(Some(&p.product)), msg)
}

/// A notification received from a broker, checked ([`parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// The message's `id`.
    pub id: String,
    /// `properties.data_id`.
    pub data_id: String,
    /// `properties.pubtime`.
    pub pubtime: String,
    /// `properties.integrity.value`: base64 sha512 of the announced bytes.
    pub sha512: String,
    /// The `canonical` link's `href` (http or https).
    pub href: String,
    /// `properties.metadata_id`, when given.
    pub metadata_id: Option<String>,
}

/// Checks a received WIS2 Notification Message (the parts a subscriber relies on: a GeoJSON
/// Feature with an `id`, the WNM `conformsTo`, `properties.data_id`, an RFC 3339 `pubtime`,
/// `datetime` or `start_datetime`/`end_datetime`, a sha512 `integrity` in base64, and one
/// `canonical` http(s) link) and returns them.
///
/// # Errors
/// One line naming the first thing missing or wrong.
pub fn parse(bytes: &[u8]) -> Result<Incoming, super::Wis2Error> {
    use super::Wis2Error as E;
    let v: Value = serde_json::from_slice(bytes).map_err(|e| E(format!("not JSON: {e}")))?;
    let text = |v: &Value, what: &str| -> Result<String, E> {
        v.as_str().filter(|s| !s.trim().is_empty()).map(str::to_string).ok_or_else(|| E(format!("{what} missing")))
    };
    if v["type"] != "Feature" {
        return Err(E("type is not Feature".into()));
    }
    let id = text(&v["id"], "id")?;
    let conforms = v["conformsTo"].as_array().is_some_and(|a| {
        a.iter().any(|c| c.as_str().is_some_and(|c| c.starts_with("http://wis.wmo.int/spec/wnm/1/conf/")))
    });
    if !conforms {
        return Err(E("conformsTo does not name WIS2 Notification Message 1".into()));
    }
    let p = &v["properties"];
    let data_id = text(&p["data_id"], "properties.data_id")?;
    let pubtime = text(&p["pubtime"], "properties.pubtime")?;
    if utc(&pubtime).is_none() {
        return Err(E(format!("properties.pubtime '{pubtime}' is not an RFC 3339 time")));
    }
    let has_time = p.get("datetime").is_some() || (p["start_datetime"].is_string() && p["end_datetime"].is_string());
    if !has_time {
        return Err(E("properties.datetime (or start_datetime and end_datetime) missing".into()));
    }
    if p["integrity"]["method"] != "sha512" {
        return Err(E("properties.integrity.method is not sha512".into()));
    }
    let sha512 = text(&p["integrity"]["value"], "properties.integrity.value")?;
    let digest = base64::engine::general_purpose::STANDARD.decode(sha512.as_bytes()).ok();
    if digest.is_none_or(|d| d.len() != 64) {
        return Err(E("properties.integrity.value is not a base64 sha512 digest".into()));
    }
    let links = v["links"].as_array().ok_or_else(|| E("links missing".into()))?;
    let canonical: Vec<&Value> = links.iter().filter(|l| l["rel"] == "canonical").collect();
    let [link] = canonical.as_slice() else {
        return Err(E(format!("{} canonical links (one is needed)", canonical.len())));
    };
    let href = text(&link["href"], "the canonical link's href")?;
    if !(href.starts_with("http://") || href.starts_with("https://")) {
        return Err(E(format!("the canonical link '{href}' is not an http(s) URL")));
    }
    let metadata_id = p["metadata_id"].as_str().map(str::to_string);
    Ok(Incoming { id, data_id, pubtime, sha512, href, metadata_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Value {
        json!({
            "id": "6b9d2ab2-2f5e-4f43-9d6a-0a0b8b9d1f11", "type": "Feature", "geometry": null,
            "conformsTo": ["http://wis.wmo.int/spec/wnm/1/conf/core"],
            "properties": {"data_id": "a/b.nc", "pubtime": "2025-01-02T03:04:05Z", "datetime": null,
                "integrity": {"method": "sha512", "value": base64::engine::general_purpose::STANDARD.encode([7u8; 64])}},
            "links": [{"rel": "canonical", "href": "https://x.org/b.nc", "type": "application/netcdf"}],
        })
    }

    #[test]
    fn parses_and_refuses() {
        let m = parse(msg().to_string().as_bytes()).expect("valid");
        assert_eq!((m.data_id.as_str(), m.href.as_str()), ("a/b.nc", "https://x.org/b.nc"));
        for (path, bad, why) in [
            ("/type", json!("Collection"), "Feature"),
            ("/properties/integrity/value", json!("abc"), "base64"),
            ("/properties/pubtime", json!("yesterday"), "RFC 3339"),
            ("/links/0/href", json!("file:///etc/passwd"), "http(s)"),
            ("/links/0/rel", json!("update"), "0 canonical"),
        ] {
            let mut v = msg();
            *v.pointer_mut(path).expect(path) = bad;
            let e = parse(v.to_string().as_bytes()).expect_err(path).to_string();
            assert!(e.contains(why), "{path}: {e}");
        }
        assert!(parse(b"{").expect_err("not JSON").to_string().contains("not JSON"));
    }
}
