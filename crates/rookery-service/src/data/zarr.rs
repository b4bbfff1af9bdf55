//! Zarr 2, Zarr 3 and the files of a served dataset (Kerchunk references: refs.rs). The documents and
//! chunks come from the dataset's [`rookery_io::zarr_serve::ZarrView`] (below this floor);
//! this module only maps keys to them, with `ETag` / `If-None-Match` and `Cache-Control`.

use super::dap::Chan;
use super::{error, open, tagged, Reader};
use crate::state::St;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Path as AxPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::serve::ServedDataset;
use rookery_io::served_file::{Answer, ServedFile};
use rookery_io::zarr_serve::KeyError;
use serde_json::Value;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

fn etag(d: &ServedDataset, what: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    what.hash(&mut h);
    format!("\"{}-{:016x}\"", d.version, h.finish())
}

/// Whether the request's `If-None-Match` names `tag`.
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.trim_start_matches("W/") == tag
    })
}

fn cache_headers(r: &mut Response, who: &Reader, tag: &str) {
    r.headers_mut().insert(header::CACHE_CONTROL, who.cache_control());
    if let Ok(v) = HeaderValue::from_str(tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
}

/// A `304 Not Modified`, or `make()`'s answer, with the cache headers.
pub(super) async fn conditional<F>(
    headers: &HeaderMap,
    who: &Reader,
    d: &Arc<ServedDataset>,
    what: &str,
    make: F,
) -> Response
where
    F: std::future::Future<Output = Response>,
{
    let tag = etag(d, what);
    let mut r = if not_modified(headers, &tag) { StatusCode::NOT_MODIFIED.into_response() } else { make.await };
    if r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED {
        cache_headers(&mut r, who, &tag);
    }
    r
}

pub(super) fn json_doc(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// A chunk of the view, produced on a blocking thread.
async fn chunk(st: &St, d: &Arc<ServedDataset>, key: &str, v3: bool) -> Response {
    let Some((var, rest)) = key.split_once('/') else {
        return error(StatusCode::NOT_FOUND, format!("no such key: {key}"));
    };
    let io = match &st.data {
        Ok(daops) => daops.io().clone(),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone()),
    };
    let (d2, var2, rest2) = (d.clone(), var.to_string(), rest.to_string());
    let out = tokio::task::spawn_blocking(move || d2.view.chunk(d2.source.as_ref(), &io, &var2, &rest2, v3)).await;
    match out {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        Ok(Err(KeyError::NotFound(k))) => error(StatusCode::NOT_FOUND, format!("no such key: {k}")),
        Ok(Err(KeyError::Io(e))) => {
            tracing::warn!("data API: {} {key}: {e}", d.id);
            error(StatusCode::INTERNAL_SERVER_ERROR, format!("{}: cannot read {key}: {e}", d.id))
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {key}: {e}", d.id)),
    }
}

/// `GET /datasets/{id}/zarr/{key}`: Zarr 2 with consolidated metadata.
pub async fn zarr2(State(st): State<St>, AxPath((id, key)): AxPath<(String, String)>, headers: HeaderMap) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let what = format!("zarr2/{key}");
    let r = conditional(&headers, &who, &d, &what, async {
        match d.view.v2_doc(&key) {
            Some(doc) => json_doc(&doc),
            None if key.ends_with(".zarray") || key.ends_with(".zattrs") || key.ends_with(".zgroup") => {
                error(StatusCode::NOT_FOUND, format!("no such key: {key}"))
            }
            None => chunk(&st, &d, &key, false).await,
        }
    })
    .await;
    tagged(&st, r, &who, format!("{id}/{what}"))
}

/// `GET /datasets/{id}/zarr3/{key}`: Zarr 3.
pub async fn zarr3(State(st): State<St>, AxPath((id, key)): AxPath<(String, String)>, headers: HeaderMap) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let what = format!("zarr3/{key}");
    let r = conditional(&headers, &who, &d, &what, async {
        if key == "zarr.json" {
            return json_doc(&d.view.v3_group());
        }
        if let Some(var) = key.strip_suffix("/zarr.json") {
            return match d.view.v3_array(var) {
                Some(doc) => json_doc(&doc),
                None => error(StatusCode::NOT_FOUND, format!("no such key: {key}")),
            };
        }
        chunk(&st, &d, &key, true).await
    })
    .await;
    tagged(&st, r, &who, format!("{id}/{what}"))
}

/// `GET /datasets/{id}/files/{name}`: a file of the dataset, named as the dataset resolves it
/// (never a path taken from the request), read through the conductor's [`rookery_io::IoContext`]
/// ([`ServedFile`]): `Range` (one range), `ETag` / `If-None-Match`, `Last-Modified` /
/// `If-Modified-Since`, streamed in blocks of [`rookery_io::served_file::BLOCK`] bytes.
pub async fn files(State(st): State<St>, AxPath((id, name)): AxPath<(String, String)>, headers: HeaderMap) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(file) = d.files.iter().find(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == name)).cloned()
    else {
        return error(StatusCode::NOT_FOUND, format!("dataset {id} has no file {name}"));
    };
    let io = match &st.data {
        Ok(daops) => daops.io().clone(),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone()),
    };
    let f = match tokio::task::spawn_blocking(move || ServedFile::open(&io, &file)).await {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => {
            tracing::warn!("data API: {id}/files/{name}: {e}");
            return error(StatusCode::NOT_FOUND, format!("dataset {id}: file {name} cannot be read"));
        }
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let h = |n: header::HeaderName| headers.get(n).and_then(|v| v.to_str().ok());
    let answer = f.answer(h(header::RANGE), h(header::IF_NONE_MATCH), h(header::IF_MODIFIED_SINCE));
    let len = f.len();
    let mut hs = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&f.etag()) {
        hs.insert(header::ETAG, v);
    }
    if let Some(v) = f.last_modified().and_then(|m| HeaderValue::from_str(&m).ok()) {
        hs.insert(header::LAST_MODIFIED, v);
    }
    hs.insert(header::CACHE_CONTROL, who.cache_control());
    hs.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let (status, start, end) = match answer {
        Answer::NotModified => return (StatusCode::NOT_MODIFIED, hs).into_response(),
        Answer::Unsatisfiable => {
            let mut r = error(StatusCode::RANGE_NOT_SATISFIABLE, format!("{name} has {len} bytes"));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        Answer::Whole => (StatusCode::OK, 0, len),
        Answer::Part { start, end } => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", end - 1)) {
                hs.insert(header::CONTENT_RANGE, v);
            }
            (StatusCode::PARTIAL_CONTENT, start, end)
        }
    };
    hs.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-netcdf"));
    hs.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        for b in f.blocks(start, end) {
            let item = b.map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()));
            // The client left: stop reading.
            if tx.blocking_send(item).is_err() {
                break;
            }
        }
    });
    let r = (status, hs, Body::from_stream(Chan(rx))).into_response();
    tagged(&st, r, &who, format!("{id}/files/{name}"))
}
