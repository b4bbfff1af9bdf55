//! HTTP floor: WIS 2.0 discovery metadata (OGC API – Records).
//!
//! ```text
//!   GET /collections/discovery-metadata/items        every WCMP2 record (a FeatureCollection),
//!                                                    JSON, or HTML (?f=html or Accept)
//!   GET /collections/discovery-metadata/items/{id}   one record
//! ```
//!
//! Records are built by [`rookery_daops::wis2`] from roocs.ini's `[wis2]` section: one per
//! served project (`[wis2] projects`, default all) and one per process. They are public
//! (discovery metadata is meant to be harvested); a node without `[wis2] centre_id` answers 404.
//!
//! Subscribing and standing jobs: [`standing`] (the durable state under `<data_dir>/wis2/`)
//! and [`subscriber`] (the MQTT subscriber and the announcer `rookery serve` starts).

pub mod collections;
pub mod standing;
pub mod subscriber;

use crate::state::St;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::wis2::record::{self, ProcessInfo};
use rookery_daops::wis2::Wis2Config;
use rookery_daops::{Daops, DaopsError};
use serde_json::{json, Value};

/// The processes this service offers, as their records describe them.
#[must_use]
pub fn processes() -> Vec<ProcessInfo> {
    crate::process::all()
        .into_iter()
        .map(|p| ProcessInfo { id: p.id.to_string(), title: p.title.to_string(), description: p.abstract_.to_string() })
        .collect()
}

/// Every WCMP2 record of the node: the served projects', then the processes', `created` at
/// `created` (RFC 3339).
///
/// # Errors
/// A catalogue that cannot be read; an unknown project in `[wis2] projects`.
pub fn records(daops: &Daops, cfg: &Wis2Config, created: &str) -> Result<Vec<Value>, DaopsError> {
    let mut out: Vec<Value> =
        daops.wis2_collections(cfg)?.iter().map(|s| record::dataset_record(cfg, s, created)).collect();
    out.extend(processes().iter().map(|p| record::process_record(cfg, p, created)));
    Ok(out)
}

/// Query of the records endpoints.
#[derive(serde::Deserialize, Default)]
pub struct RecordsQ {
    f: Option<String>,
}

async fn all(st: &St) -> Result<(Wis2Config, Vec<Value>), Response> {
    let daops = match &st.data {
        Ok(d) => d.clone(),
        Err(e) => return Err(crate::data::error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone())),
    };
    let cfg = Wis2Config::from_config(&daops.config, st.cfg.wis2_centre_id.clone(), st.cfg.public_url.as_deref())
        .map_err(|e| {
            crate::data::error(StatusCode::NOT_FOUND, format!("WIS2 discovery metadata is not configured: {e}"))
        })?;
    let created = crate::time::iso_seconds(crate::time::now_ms());
    let c2 = cfg.clone();
    match tokio::task::spawn_blocking(move || records(&daops, &c2, &created)).await {
        Ok(Ok(r)) => Ok((cfg, r)),
        Ok(Err(e)) => Err(crate::data::daops_error(&e)),
        Err(e) => Err(crate::data::error(StatusCode::INTERNAL_SERVER_ERROR, format!("building records failed: {e}"))),
    }
}

fn respond(html: bool, v: &Value, records: &[Value], title: &str) -> Response {
    if html {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], record::html(records, title)).into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/geo+json")], v.to_string()).into_response()
    }
}

/// `GET /collections/discovery-metadata/items`.
pub async fn items(State(st): State<St>, headers: HeaderMap, Query(q): Query<RecordsQ>) -> Response {
    let (cfg, recs) = match all(&st).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let self_url = format!("{}/collections/discovery-metadata/items", cfg.base_url);
    let v = json!({
        "type": "FeatureCollection",
        "numberMatched": recs.len(),
        "numberReturned": recs.len(),
        "features": recs,
        "links": [
            {"rel": "self", "type": "application/geo+json", "href": self_url},
            {"rel": "alternate", "type": "text/html", "href": format!("{self_url}?f=html")},
        ],
    });
    respond(
        crate::text::wants_html(&headers, q.f.as_deref()),
        &v,
        &recs,
        &format!("WIS2 discovery metadata of {}", cfg.centre_id),
    )
}

/// `GET /collections/discovery-metadata/items/{id}`.
pub async fn item(
    State(st): State<St>,
    headers: HeaderMap,
    AxPath(id): AxPath<String>,
    Query(q): Query<RecordsQ>,
) -> Response {
    let (_, recs) = match all(&st).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match recs.into_iter().find(|r| r["id"].as_str() == Some(id.as_str())) {
        Some(r) => {
            let title = r["properties"]["title"].as_str().unwrap_or_default().to_string();
            respond(crate::text::wants_html(&headers, q.f.as_deref()), &r, std::slice::from_ref(&r), &title)
        }
        None => crate::data::error(StatusCode::NOT_FOUND, format!("no discovery record '{id}'")),
    }
}
