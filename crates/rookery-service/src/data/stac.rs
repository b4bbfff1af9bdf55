//! `/stac`: the served datasets as a STAC API (core, collections, features, item search),
//! documents from [`rookery_daops::stac`], access as the data API's (`data:read` or public
//! datasets). An ESGF-NG-style index other nodes (and `pystac-client`) can search by id.
//!
//! ```text
//! GET /stac                                   landing catalog, conformance classes
//! GET /stac/conformance
//! GET /stac/collections[/{project}]           one collection per project
//! GET /stac/collections/{project}/items[/{id}]  items (paged: limit, offset)
//! GET|POST /stac/search                       ids, collections, limit, offset
//! ```

use super::{dataset, error, readable_datasets};
use crate::state::St;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::stac;
use serde_json::{json, Value};

const PAGE: usize = 10;
const MAX_PAGE: usize = 100;

fn geojson(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], v.to_string()).into_response()
}

fn js(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// The projects of `ids`, in order.
fn projects(ids: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (p, _) in ids {
        if out.last() != Some(p) && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

/// The data operations offered here (those a dataset can be given to).
fn processes(st: &St) -> Vec<&'static str> {
    crate::estimate::ESTIMATED.iter().copied().filter(|p| st.process(p).is_some()).collect()
}

/// `GET /stac`.
pub async fn landing(State(st): State<St>, h: HeaderMap) -> Response {
    match readable_datasets(&st, &h, None, None).await {
        Ok(ids) => js(&stac::landing(&st.base_url(&h), &projects(&ids))),
        Err(r) => r,
    }
}

/// `GET /stac/conformance`.
pub async fn conformance() -> Response {
    js(&json!({"conformsTo": stac::CONFORMS_TO}))
}

/// `GET /stac/collections`.
pub async fn collections(State(st): State<St>, h: HeaderMap) -> Response {
    let ids = match readable_datasets(&st, &h, None, None).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let base = st.base_url(&h);
    let cols: Vec<Value> =
        projects(&ids).iter().map(|p| stac::collection(&base, p, ids.iter().filter(|(q, _)| q == p).count())).collect();
    js(
        &json!({"collections": cols, "links": [{"rel": "self", "href": format!("{base}/stac/collections")}, {"rel": "root", "href": format!("{base}/stac")}]}),
    )
}

/// `GET /stac/collections/{project}`.
pub async fn collection(State(st): State<St>, h: HeaderMap, Path(c): Path<String>) -> Response {
    let ids = match readable_datasets(&st, &h, Some(c.clone()), None).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if ids.is_empty() {
        return error(StatusCode::NOT_FOUND, format!("no collection '{c}' (see /stac/collections)"));
    }
    js(&stac::collection(&st.base_url(&h), &c, ids.len()))
}

/// Paging of item lists and searches.
#[derive(serde::Deserialize, Default)]
pub struct PageQ {
    limit: Option<usize>,
    offset: Option<usize>,
    ids: Option<String>,
    collections: Option<String>,
}

/// The items of `ids[offset..offset+limit]`; datasets that cannot be opened are left out
/// (logged), so a page may hold fewer.
async fn items_page(st: &St, base: &str, ids: &[(String, String)], offset: usize, limit: usize) -> Vec<Value> {
    let procs = processes(st);
    let mut out = Vec::new();
    for (_, id) in ids.iter().skip(offset).take(limit) {
        match dataset(st, id).await {
            Ok(d) => {
                let (b, p) = (base.to_string(), procs.clone());
                match tokio::task::spawn_blocking(move || stac::item(&b, &d, &p)).await {
                    Ok(v) => out.push(v),
                    Err(e) => tracing::warn!("stac: item {id}: {e}"),
                }
            }
            Err(_) => tracing::warn!("stac: dataset {id} cannot be opened; left out of the page"),
        }
    }
    out
}

fn page_links(href: &str, extra: &str, offset: usize, limit: usize, matched: usize) -> Vec<Value> {
    let mut links = vec![
        json!({"rel": "self", "href": format!("{href}?offset={offset}&limit={limit}{extra}"), "type": "application/geo+json"}),
    ];
    if offset + limit < matched {
        links.push(json!({"rel": "next", "href": format!("{href}?offset={}&limit={limit}{extra}", offset + limit), "type": "application/geo+json", "method": "GET"}));
    }
    links
}

/// `GET /stac/collections/{project}/items`.
pub async fn items(State(st): State<St>, h: HeaderMap, Path(c): Path<String>, Query(q): Query<PageQ>) -> Response {
    let ids = match readable_datasets(&st, &h, Some(c.clone()), None).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if ids.is_empty() {
        return error(StatusCode::NOT_FOUND, format!("no collection '{c}' (see /stac/collections)"));
    }
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE));
    let base = st.base_url(&h);
    let feats = items_page(&st, &base, &ids, offset, limit).await;
    let links = page_links(&format!("{base}/stac/collections/{c}/items"), "", offset, limit, ids.len());
    geojson(&stac::item_collection(feats, ids.len(), links))
}

/// `GET /stac/collections/{project}/items/{id}`.
pub async fn item(State(st): State<St>, h: HeaderMap, Path((c, id)): Path<(String, String)>) -> Response {
    let (_, d) = match super::open(&st, &h, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if d.project != c {
        return error(StatusCode::NOT_FOUND, format!("dataset {id} is not in collection '{c}'"));
    }
    let (base, procs) = (st.base_url(&h), processes(&st));
    match tokio::task::spawn_blocking(move || stac::item(&base, &d, &procs)).await {
        Ok(v) => geojson(&v),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn list(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(a) => Some(a.iter().filter_map(|x| x.as_str().map(String::from)).collect()),
        Value::String(s) => Some(s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()),
        _ => None,
    }
}

async fn search(st: &St, h: &HeaderMap, q: &Value) -> Response {
    let ids = match readable_datasets(st, h, None, None).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let want_ids = list(q.get("ids"));
    let want_cols = list(q.get("collections"));
    let found: Vec<(String, String)> = ids
        .into_iter()
        .filter(|(p, id)| {
            want_ids.as_ref().is_none_or(|w| w.contains(id)) && want_cols.as_ref().is_none_or(|w| w.contains(p))
        })
        .collect();
    let num = |k: &str| q.get(k).and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    #[allow(clippy::cast_possible_truncation)]
    let (offset, limit) =
        (num("offset").unwrap_or(0) as usize, (num("limit").unwrap_or(PAGE as u64) as usize).clamp(1, MAX_PAGE));
    let base = st.base_url(h);
    let feats = items_page(st, &base, &found, offset, limit).await;
    let mut extra = String::new();
    for (k, v) in [("ids", &want_ids), ("collections", &want_cols)] {
        if let Some(v) = v {
            extra.push_str(&format!("&{k}={}", super::percent(&v.join(","))));
        }
    }
    let links = page_links(&format!("{base}/stac/search"), &extra, offset, limit, found.len());
    geojson(&stac::item_collection(feats, found.len(), links))
}

/// `GET /stac/search?ids=&collections=&limit=&offset=`.
pub async fn search_get(State(st): State<St>, h: HeaderMap, Query(q): Query<PageQ>) -> Response {
    let q = json!({"ids": q.ids, "collections": q.collections, "limit": q.limit, "offset": q.offset});
    let q: serde_json::Map<String, Value> = q
        .as_object()
        .map(|m| m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    search(&st, &h, &Value::Object(q)).await
}

/// `POST /stac/search` with a JSON body (`ids`, `collections`, `limit`, `offset`).
pub async fn search_post(State(st): State<St>, h: HeaderMap, body: axum::body::Bytes) -> Response {
    let q: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return error(StatusCode::BAD_REQUEST, "the search body must be a JSON object".to_string()),
        }
    };
    search(&st, &h, &q).await
}
