//! HTTP floor: the data API — datasets as the conductor resolves them, served live.
//!
//! ```text
//!   GET /datasets                      ids of every project (paged, ?project=, ?q=<pattern>),
//!                                      JSON, or HTML for browsers (?f=html or Accept)
//!   GET /datasets/{id}                 dimensions, variables, attributes, time range, grid,
//!                                      files, fixes applied, links
//!   GET /datasets/{id}/zarr/{key}      Zarr 2 (consolidated)       ┐ zarr.rs
//!   GET /datasets/{id}/zarr3/{key}     Zarr 3                      │
//!   GET /datasets/{id}/files/{name}    the dataset's files (Range) ┘
//!   GET /datasets/{id}/kerchunk.json   Kerchunk references (JSON)      ┐ refs.rs
//!   GET /datasets/{id}/kerchunk.parq/{key}  the same as Parquet refs   ┘
//!   GET /opendap/{id}.{dds,das,dods,ascii,html}   OPeNDAP DAP2   ┐ dap.rs
//!   GET /opendap4/{id}.{dmr,dap,html}             OPeNDAP DAP4   ┘
//! ```
//!
//! Which ids exist is [`rookery_daops::Daops::list_datasets`]'s rule; a dataset is opened
//! (resolved, consolidated, fixed, its Zarr view built) by the conductor and kept a while in
//! the state's [`rookery_daops::serve::ServeCache`]: no path from a request reaches the file
//! system other than as a dataset id the conductor resolves (and a file name of that dataset).
//!
//! Access: datasets matching `[rookery] public_datasets` (comma-separated patterns, `*`)
//! are public, everything is on an `--open` server; other reads need the `data:read`
//! permission. Errors are one-line JSON `{"code": ..., "description": ...}`.

mod dap;
mod edr;
mod refs;
pub mod stac;
mod zarr;

pub use dap::{opendap2, opendap4};
pub use edr::{
    api as edr_api, collection as edr_collection, collections as edr_collections, conformance as edr_conformance,
    landing as edr_landing, query as edr_query,
};
pub use refs::{kerchunk, kerchunk_parq};
pub use zarr::{files, zarr2, zarr3};

use crate::error::OwsError;
use crate::state::St;
use crate::usage_log::UsageTag;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::serve::ServedDataset;
use rookery_daops::DaopsError;
use serde_json::{json, Value};
use std::sync::Arc;

/// Datasets per page unless `limit` says otherwise, and the most a page may hold.
const PAGE: usize = 100;
const MAX_PAGE: usize = 10_000;

/// A one-line JSON error with its status.
pub(crate) fn error(status: StatusCode, text: impl Into<String>) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "NotFound",
        StatusCode::UNAUTHORIZED => "Unauthorized",
        StatusCode::FORBIDDEN => "Forbidden",
        StatusCode::BAD_REQUEST => "BadRequest",
        StatusCode::TOO_MANY_REQUESTS => "TooManyRequests",
        StatusCode::SERVICE_UNAVAILABLE => "Unavailable",
        _ => "ServerError",
    };
    let body = json!({"code": code, "description": crate::text::one_line(&text.into())});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn from_ows(e: OwsError) -> Response {
    let mut r = error(e.status, e.text);
    if e.status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    r
}

/// Who reads, and whether the dataset is public.
pub(crate) struct Reader {
    pub(crate) user: String,
    pub(crate) public: bool,
    /// The bytes served count against the reader's daily bytes quota (a principal's
    /// non-public read).
    pub(crate) counted: bool,
    /// Seconds clients may cache an answer (`data_max_age_secs`).
    pub(crate) max_age: u64,
}

impl Reader {
    /// `Cache-Control` of an answer to this reader: shared caches for public datasets only.
    pub(crate) fn cache_control(&self) -> header::HeaderValue {
        let scope = if self.public { "public" } else { "private" };
        header::HeaderValue::from_str(&format!("{scope}, max-age={}", self.max_age))
            .unwrap_or(header::HeaderValue::from_static("private, no-cache"))
    }
}

fn public_patterns(st: &St) -> Vec<String> {
    st.data.as_ref().map(|d| d.config.list("rookery", "public_datasets")).unwrap_or_default()
}

/// The service's `max_answer_bytes`: the largest answer a data query (OPeNDAP, EDR) gives;
/// larger ones get 413.
pub(crate) fn max_answer_bytes(st: &St) -> u64 {
    st.cfg.max_answer_bytes
}

/// Whether `id` is public on this server.
fn is_public(st: &St, patterns: &[String], id: &str) -> bool {
    st.cfg.open || patterns.iter().any(|p| rookery_daops::wildcard::matches(p, id))
}

/// The reader of dataset `id`: anyone for a public dataset, else a caller with `data:read`.
#[allow(clippy::result_large_err)]
pub(crate) fn reader(st: &St, headers: &HeaderMap, id: &str) -> Result<Reader, Response> {
    if is_public(st, &public_patterns(st), id) {
        let user = crate::auth::credential(headers)
            .and_then(|k| crate::auth::key_id_hint(&k).map(String::from))
            .unwrap_or_else(|| "anonymous".into());
        return Ok(Reader { user, public: true, counted: false, max_age: st.cfg.data_max_age_secs });
    }
    let p = st.require(headers, "data:read").map_err(from_ows)?;
    let limit = st.quotas.limits(&p.id).daily_bytes;
    if limit > 0 {
        let day = crate::quota::day_of(crate::time::now_ms());
        match st.store.bytes_written(&p.id, day) {
            Ok(b) if b >= limit => {
                tracing::info!("quota: {} refused a data read: {b} bytes today", p.id);
                let mut r = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Quota exceeded: {b} bytes were written or served to you today (UTC) and the daily limit is {limit}; retry tomorrow"),
                );
                // The daily count starts again at midnight UTC.
                let until_midnight = 86_400 - (crate::time::now_ms() / 1000).rem_euclid(86_400);
                r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(until_midnight));
                return Err(r);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("quota: reading bytes of {} failed: {e}", p.id),
        }
    }
    Ok(Reader { user: p.id, public: false, counted: true, max_age: st.cfg.data_max_age_secs })
}

/// The reader and the opened dataset, or the refusal.
pub(crate) async fn open(st: &St, headers: &HeaderMap, id: &str) -> Result<(Reader, Arc<ServedDataset>), Response> {
    let who = reader(st, headers, id)?;
    let d = dataset(st, id).await?;
    Ok((who, d))
}

/// The status a conductor error is answered with: the client's fault → 404/400, else 500.
pub(crate) fn daops_error(e: &DaopsError) -> Response {
    if e.is_not_found() || e.is_request_error() {
        error(StatusCode::NOT_FOUND, e.to_string())
    } else {
        tracing::warn!("data API: {e}");
        error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

/// Dataset `id`, opened (or kept) by the conductor, on a blocking thread.
pub(crate) async fn dataset(st: &St, id: &str) -> Result<Arc<ServedDataset>, Response> {
    let daops = match &st.data {
        Ok(d) => d.clone(),
        Err(e) => return Err(error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone())),
    };
    let (st2, id2) = (st.clone(), id.to_string());
    match tokio::task::spawn_blocking(move || st2.datasets.get(&daops, &id2)).await {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(daops_error(&e)),
        Err(e) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, format!("opening {id} failed: {e}"))),
    }
}

/// Attaches who read what to a response (the usage log and audit trail), and counts the
/// bytes of a successful counted read against the reader's daily bytes.
pub(crate) fn tagged(st: &St, mut r: Response, who: &Reader, what: String) -> Response {
    if who.counted && r.status().is_success() {
        let n = r
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| axum::body::HttpBody::size_hint(r.body()).exact())
            .unwrap_or(0);
        if n > 0 {
            let day = crate::quota::day_of(crate::time::now_ms());
            if let Err(e) = st.store.add_bytes_written(&who.user, day, n) {
                tracing::warn!("quota: counting {n} bytes served to {} failed: {e}", who.user);
            }
        }
    }
    r.extensions_mut().insert(UsageTag {
        user: who.user.clone(),
        operation: "data".into(),
        inputs: what,
        ..Default::default()
    });
    r
}

/// Query of `GET /datasets`.
#[derive(serde::Deserialize, Default)]
pub struct ListQ {
    project: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    f: Option<String>,
}

fn esc(s: &str) -> String {
    rookery_io::text::xml(s)
}

/// The (project, id) of the datasets the caller may read (of `project`; ids matching `pattern`,
/// a wildcard or a substring): all with `data:read` (or `--open`), else the public ones.
pub(crate) async fn readable_datasets(
    st: &St,
    headers: &HeaderMap,
    project: Option<String>,
    pattern: Option<&str>,
) -> Result<Vec<(String, String)>, Response> {
    let patterns = public_patterns(st);
    // Without `data:read` only the public datasets are listed.
    let all = if st.cfg.open {
        true
    } else {
        match st.require(headers, "data:read") {
            Ok(_) => true,
            Err(e) if patterns.is_empty() || crate::auth::credential(headers).is_some() => return Err(from_ows(e)),
            Err(_) => false,
        }
    };
    let daops = match &st.data {
        Ok(d) => d.clone(),
        Err(e) => return Err(error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone())),
    };
    let ids = match tokio::task::spawn_blocking(move || daops.list_datasets(project.as_deref())).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return Err(daops_error(&e)),
        Err(e) => return Err(error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    };
    let pat = pattern.map(|p| if p.contains(['*', '?']) { p.to_string() } else { format!("*{p}*") });
    Ok(ids
        .into_iter()
        .filter(|(_, id)| pat.as_deref().is_none_or(|p| rookery_daops::wildcard::matches(p, id)))
        .filter(|(_, id)| all || is_public(st, &patterns, id))
        .collect())
}

/// `GET /datasets`.
pub async fn list(State(st): State<St>, headers: HeaderMap, Query(q): Query<ListQ>) -> Response {
    let ids = match readable_datasets(&st, &headers, q.project.clone(), q.q.as_deref()).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE));
    let base = st.base_url(&headers);
    let page: Vec<Value> = ids
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(p, id)| json!({"id": id, "project": p, "href": format!("{base}/datasets/{id}")}))
        .collect();
    let mut links = vec![];
    let qs = |o: usize| {
        let mut s = format!("{base}/datasets?offset={o}&limit={limit}");
        for (k, v) in [("project", &q.project), ("q", &q.q)] {
            if let Some(v) = v {
                s.push_str(&format!("&{k}={}", percent(v)));
            }
        }
        s
    };
    if offset + limit < ids.len() {
        links.push(json!({"rel": "next", "href": qs(offset + limit)}));
    }
    if offset > 0 {
        links.push(json!({"rel": "prev", "href": qs(offset.saturating_sub(limit))}));
    }
    if crate::text::wants_html(&headers, q.f.as_deref()) {
        let rows: String = page
            .iter()
            .map(|d| {
                let id = d["id"].as_str().unwrap_or_default();
                format!(
                    "<tr><td>{}</td><td><a href=\"{1}\">{2}</a></td></tr>",
                    esc(d["project"].as_str().unwrap_or_default()),
                    esc(&format!("{base}/datasets/{id}?f=html")),
                    esc(id)
                )
            })
            .collect();
        let nav: String = links
            .iter()
            .map(|l| {
                format!(
                    " <a href=\"{}&amp;f=html\">{}</a>",
                    esc(l["href"].as_str().unwrap_or_default()),
                    esc(l["rel"].as_str().unwrap_or_default())
                )
            })
            .collect();
        let body = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Datasets</title></head><body><h1>Datasets</h1><p>{} datasets{nav}</p><table><tr><th>project</th><th>id</th></tr>{rows}</table></body></html>",
            ids.len()
        );
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    }
    let doc = json!({"numberMatched": ids.len(), "numberReturned": page.len(), "datasets": page, "links": links});
    ([(header::CONTENT_TYPE, "application/json")], doc.to_string()).into_response()
}

pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~*".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The description of an opened dataset (`GET /datasets/{id}`).
fn describe(d: &ServedDataset, base: &str) -> Value {
    let ds = d.source.dataset();
    let href = format!("{base}/datasets/{}", d.id);
    let vars: serde_json::Map<String, Value> = d
        .view
        .vars
        .iter()
        .map(|v| {
            let attrs = v.attributes();
            (
                v.var.name.clone(),
                json!({"dims": v.var.dims, "shape": v.var.shape, "dtype": v.var.dtype.cdl_name(),
                       "attributes": attrs, "zarr_chunks": v.chunks, "zarr_v2_codec": v.v2_codec()}),
            )
        })
        .collect();
    let dims: serde_json::Map<String, Value> = ds.dims.iter().map(|dm| (dm.name.clone(), json!(dm.len))).collect();
    let files: Vec<Value> = d
        .files
        .iter()
        .zip(&d.download_urls)
        .map(|(f, u)| {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
            json!({"name": name, "size": size, "href": u.clone().unwrap_or_else(|| format!("{href}/files/{name}"))})
        })
        .collect();
    let grid = d.info.as_ref().map(|i| {
        let coord = |n: &Option<String>| {
            n.as_deref().and_then(|n| ds.var(n)).map(|v| json!({"name": v.name, "dims": v.dims, "shape": v.shape}))
        };
        json!({"type": format!("{:?}", i.grid), "main_variable": i.main, "lat": coord(&i.lat), "lon": coord(&i.lon), "level": coord(&i.level)})
    });
    json!({
        "id": d.id,
        "project": d.project,
        "dimensions": dims,
        "variables": vars,
        "attributes": v_attrs(&d.view.attrs),
        "time": d.time_range.as_ref().map(|(a, b, n)| json!({"start": a, "end": b, "steps": n})),
        "grid": grid,
        "files": files,
        "fixes_applied": d.fixes,
        "kerchunk_from_files": d.refs.as_ref().map(|_| Value::Bool(true)).unwrap_or_else(|e| json!(e)),
        "links": [
            {"rel": "self", "href": href},
            {"rel": "zarr-v2", "href": format!("{href}/zarr"), "title": "Zarr 2 with consolidated metadata"},
            {"rel": "zarr-v3", "href": format!("{href}/zarr3"), "title": "Zarr 3"},
            {"rel": "kerchunk", "href": format!("{href}/kerchunk.json"), "title": "Kerchunk references (JSON v1)"},
            {"rel": "kerchunk-parquet", "href": format!("{href}/kerchunk.parq"), "title": "Kerchunk references (fsspec lazy Parquet directory)"},
            {"rel": "collection", "href": format!("{base}/datasets")},
        ],
    })
}

fn v_attrs(m: &serde_json::Map<String, Value>) -> Value {
    Value::Object(m.clone())
}

/// `GET /datasets/{id}`.
pub async fn show(
    State(st): State<St>,
    AxPath(id): AxPath<String>,
    headers: HeaderMap,
    Query(q): Query<ListQ>,
) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let doc = describe(&d, &st.base_url(&headers));
    let r = if crate::text::wants_html(&headers, q.f.as_deref()) {
        let pre = esc(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        let body = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title></head><body><h1>{0}</h1><pre>{pre}</pre></body></html>",
            esc(&id)
        );
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], doc.to_string()).into_response()
    };
    tagged(&st, r, &who, id)
}
