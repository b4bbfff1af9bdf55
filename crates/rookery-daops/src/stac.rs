//! STAC 1.0 documents of the served datasets: a landing catalog, one collection per project,
//! one item per dataset (its time range and bounding box from the data, assets linking to
//! the node's data endpoints, the processes that can run on it), as a STAC API serves them
//! (core, collections, features, item search). The HTTP layer only routes and checks access.

use crate::serve::ServedDataset;
use serde_json::{json, Value};

/// STAC version written.
pub const STAC_VERSION: &str = "1.0.0";

/// Conformance classes of the API.
pub const CONFORMS_TO: &[&str] = &[
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/collections",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "https://api.stacspec.org/v1.0.0/item-search",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

/// The processing extension's schema (`processing:software`).
const PROCESSING_EXT: &str = "https://stac-extensions.github.io/processing/v1.2.0/schema.json";

/// The landing page: a catalog linking every collection.
#[must_use]
pub fn landing(base: &str, projects: &[String]) -> Value {
    let s = format!("{base}/stac");
    let mut links = vec![
        json!({"rel": "self", "href": s, "type": "application/json"}),
        json!({"rel": "root", "href": s, "type": "application/json"}),
        json!({"rel": "conformance", "href": format!("{s}/conformance"), "type": "application/json"}),
        json!({"rel": "data", "href": format!("{s}/collections"), "type": "application/json"}),
        json!({"rel": "search", "href": format!("{s}/search"), "type": "application/geo+json", "method": "GET"}),
        json!({"rel": "search", "href": format!("{s}/search"), "type": "application/geo+json", "method": "POST"}),
        json!({"rel": "service-desc", "href": format!("{base}/openapi.json"), "type": "application/vnd.oai.openapi+json;version=3.0"}),
    ];
    for p in projects {
        links.push(
            json!({"rel": "child", "href": format!("{s}/collections/{p}"), "type": "application/json", "title": p}),
        );
    }
    json!({
        "type": "Catalog", "stac_version": STAC_VERSION, "id": "rookery",
        "title": "rookery datasets", "description": "The datasets this node serves, one collection per project.",
        "conformsTo": CONFORMS_TO, "links": links,
    })
}

/// The collection of `project` (`n` datasets).
#[must_use]
pub fn collection(base: &str, project: &str, n: usize) -> Value {
    let s = format!("{base}/stac");
    let c = format!("{s}/collections/{project}");
    json!({
        "type": "Collection", "stac_version": STAC_VERSION, "id": project,
        "title": project, "description": format!("Datasets of project {project} served by this node ({n})."),
        "license": "other",
        "extent": {"spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]]}, "temporal": {"interval": [[null, null]]}},
        "summaries": {"datasets": n},
        "links": [
            {"rel": "self", "href": c, "type": "application/json"},
            {"rel": "root", "href": s, "type": "application/json"},
            {"rel": "parent", "href": s, "type": "application/json"},
            {"rel": "items", "href": format!("{c}/items"), "type": "application/geo+json"},
        ],
    })
}

/// RFC 3339 (UTC) of an ISO date-time of the data, in any calendar: a day the Gregorian
/// calendar lacks (30 February in a 360-day calendar) is clamped to the month's last day.
fn rfc3339(iso: &str) -> Option<String> {
    let (date, time) = iso.split_once('T').unwrap_or((iso, "00:00:00"));
    let mut p = date.splitn(3, '-');
    let (y, m, d): (i32, u32, u32) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    if !(1..=12).contains(&m) || y < 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let last = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
    let time: String = time.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
    let time = if time.len() == 8 { time } else { "00:00:00".into() };
    Some(format!("{y:04}-{m:02}-{:02}T{time}Z", d.clamp(1, last)))
}

/// RFC 3339 of seconds since the epoch.
fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Longitude/latitude bounds of a rectilinear grid's coordinates (longitudes in -180..180;
/// a grid spanning 359° or more, or crossing the antimeridian, is given as all longitudes).
fn bbox(d: &ServedDataset) -> Option<[f64; 4]> {
    let info = d.info.as_ref()?;
    let read = |name: &Option<String>| -> Option<Vec<f64>> {
        let a = d.source.read_all(name.as_deref()?).ok()?;
        let v: Vec<f64> = a.to_f64()?.iter().copied().filter(|x| x.is_finite()).collect();
        (!v.is_empty()).then_some(v)
    };
    let (lat, lon) = (read(&info.lat)?, read(&info.lon)?);
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (s, n) = (min(&lat).max(-90.0), max(&lat).min(90.0));
    let (w, e) = (min(&lon), max(&lon));
    let wrap = |x: f64| if x > 180.0 { x - 360.0 } else { x };
    let (w, e) = if e - w >= 359.0 || wrap(w) > wrap(e) { (-180.0, 180.0) } else { (wrap(w), wrap(e)) };
    Some([w, s, e, n])
}

/// The item of dataset `d` in its project's collection; `processes` can run on it.
#[must_use]
pub fn item(base: &str, d: &ServedDataset, processes: &[&str]) -> Value {
    let s = format!("{base}/stac");
    let ds = format!("{base}/datasets/{}", d.id);
    let b = bbox(d).unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let geometry = json!({"type": "Polygon", "coordinates": [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]]});
    let (start, end) = d.time_range.as_ref().map_or((None, None), |(a, z, _)| (rfc3339(a), rfc3339(z)));
    let mut props = json!({
        "datetime": null,
        "start_datetime": start,
        "end_datetime": end,
        "rookery:dataset_id": d.id,
        "rookery:project": d.project,
        "rookery:files": d.files.len(),
        "rookery:fixes": d.fixes,
        "rookery:processes": processes,
        "processing:software": {"rookery": env!("CARGO_PKG_VERSION")},
    });
    if let Some(v) = d.info.as_ref().map(|i| i.main.clone()) {
        props["rookery:variable"] = json!(v);
    }
    if start.is_none() || end.is_none() {
        // A dataset without a time axis: STAC needs a datetime; the newest file's modification
        // time stands in, and says so.
        let newest = d
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok()?.modified().ok())
            .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .max()
            .map_or(0, |t| t.as_secs());
        props["datetime"] = json!(utc(newest));
        props["rookery:no_time_axis"] = json!(true);
    }
    let processes_links: Vec<Value> = processes
        .iter()
        .map(|p| json!({"rel": "http://www.opengis.net/def/rel/ogc/1.0/process", "href": format!("{base}/processes/{p}"), "type": "application/json", "title": p}))
        .collect();
    let mut links = vec![
        json!({"rel": "self", "href": format!("{s}/collections/{}/items/{}", d.project, d.id), "type": "application/geo+json"}),
        json!({"rel": "collection", "href": format!("{s}/collections/{}", d.project), "type": "application/json"}),
        json!({"rel": "parent", "href": format!("{s}/collections/{}", d.project), "type": "application/json"}),
        json!({"rel": "root", "href": s, "type": "application/json"}),
        json!({"rel": "describedby", "href": ds, "type": "application/json"}),
    ];
    links.extend(processes_links);
    json!({
        "type": "Feature", "stac_version": STAC_VERSION, "stac_extensions": [PROCESSING_EXT],
        "id": d.id, "collection": d.project, "bbox": b, "geometry": geometry, "properties": props,
        "assets": {
            "zarr": {"href": format!("{ds}/zarr"), "type": "application/vnd+zarr", "title": "Zarr 2 (consolidated)", "roles": ["data"]},
            "zarr3": {"href": format!("{ds}/zarr3"), "type": "application/vnd+zarr", "title": "Zarr 3", "roles": ["data"]},
            "kerchunk": {"href": format!("{ds}/kerchunk.json"), "type": "application/json", "title": "Kerchunk references", "roles": ["references"]},
            "kerchunk_parquet": {"href": format!("{ds}/kerchunk.parq"), "title": "Kerchunk references (fsspec Parquet directory)", "roles": ["references"]},
            "opendap": {"href": format!("{base}/opendap/{}", d.id), "title": "OPeNDAP DAP2", "roles": ["data"]},
            "edr": {"href": format!("{base}/edr/collections/{}", d.id), "type": "application/json", "title": "OGC API - EDR", "roles": ["data"]},
        },
        "links": links,
    })
}

/// A page of items as a feature collection; `next` is the next page's link, if any.
#[must_use]
pub fn item_collection(items: Vec<Value>, matched: usize, links: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "numberMatched": matched, "numberReturned": items.len(), "features": items, "links": links})
}

#[cfg(test)]
mod tests {
    use super::{rfc3339, utc};

    #[test]
    fn model_dates_become_rfc3339() {
        assert_eq!(rfc3339("1850-01-16T12:00:00").as_deref(), Some("1850-01-16T12:00:00Z"));
        assert_eq!(rfc3339("2000-02-30T00:00:00").as_deref(), Some("2000-02-29T00:00:00Z"));
        assert_eq!(rfc3339("2001-02-30").as_deref(), Some("2001-02-28T00:00:00Z"));
        assert_eq!(rfc3339("nonsense"), None);
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }
}
