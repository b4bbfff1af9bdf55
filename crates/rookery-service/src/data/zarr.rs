//! Zarr 2, Zarr 3, Kerchunk references and the files of a served dataset. The documents and
//! chunks come from the dataset's [`rookery_io::zarr_serve::ZarrView`] (below this floor);
//! this module only maps keys to them, with `ETag` / `If-None-Match` and `Cache-Control`.

use super::{error, open, tagged, Reader};
use crate::state::St;
use axum::body::Body;
use axum::extract::{Path as AxPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::serve::ServedDataset;
use rookery_io::zarr_serve::KeyError;
use serde_json::{json, Value};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use tower::ServiceExt;

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
async fn conditional<F>(headers: &HeaderMap, who: &Reader, d: &Arc<ServedDataset>, what: &str, make: F) -> Response
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

fn json_doc(v: &Value) -> Response {
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

/// Query of `kerchunk.json`: `targets=download` points at the files' public download URLs
/// (the project's `data_node_root`) instead of this server's `/files/`.
#[derive(serde::Deserialize, Default)]
pub struct RefsQ {
    targets: Option<String>,
}

/// `GET /datasets/{id}/kerchunk.json`: Kerchunk references (JSON version 1) of the served
/// Zarr 2 view: unchanged variables at the files' byte ranges (this server's `/files/`, or
/// with `targets=download` their public download URL where the project has one), the others
/// at this server's re-encoded chunks.
pub async fn kerchunk(
    State(st): State<St>,
    AxPath(id): AxPath<String>,
    axum::extract::Query(q): axum::extract::Query<RefsQ>,
    headers: HeaderMap,
) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let download = match q.targets.as_deref() {
        None | Some("node") => false,
        Some("download") => true,
        Some(t) => return error(StatusCode::BAD_REQUEST, format!("targets must be 'node' or 'download', not '{t}'")),
    };
    let href = format!("{}/datasets/{id}", st.base_url(&headers));
    let r = conditional(&headers, &who, &d, &format!("kerchunk/{href}/{download}"), async {
        let by_path: std::collections::HashMap<String, String> = d
            .files
            .iter()
            .zip(&d.download_urls)
            .map(|(f, u)| {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let canon = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
                let url = u.clone().filter(|_| download).unwrap_or_else(|| format!("{href}/files/{name}"));
                (canon.to_string_lossy().into_owned(), url)
            })
            .collect();
        let file_url = |p: &str| by_path.get(p).cloned().unwrap_or_else(|| p.to_string());
        let chunk_url = |v: &str, k: &str| format!("{href}/zarr/{v}/{k}");
        let (pass, served): (Vec<_>, Vec<_>) = d.view.vars.iter().partition(|v| v.passthrough());
        let names = |v: &[&rookery_io::zarr_serve::ServedVar]| {
            v.iter().map(|x| x.var.name.as_str()).collect::<Vec<_>>().join(", ")
        };
        let mut note = format!(
            "Generated by rookery for dataset {id}. Variables read from the source files' bytes (no fix changes their values): [{}]. Variables read from this server's Zarr chunks (re-encoded; the dataset's fixes, aggregation or re-chunking applied, so these need this server): [{}].",
            names(&pass),
            names(&served)
        );
        if !d.fixes.is_empty() {
            note.push_str(&format!(" Fixes applied: {}.", d.fixes.join(", ")));
        }
        if let Err(e) = &d.refs {
            note.push_str(&format!(" The files cannot be referenced directly: {e}."));
        }
        let refs = d.view.references(&file_url, &chunk_url, &note);
        json_doc(&json!({"version": 1, "refs": refs}))
    })
    .await;
    tagged(&st, r, &who, format!("{id}/kerchunk.json"))
}

/// `GET /datasets/{id}/files/{name}`: a file of the dataset (byte ranges supported), named as
/// the dataset resolves it — never a path taken from the request.
pub async fn files(State(st): State<St>, AxPath((id, name)): AxPath<(String, String)>, req: Request) -> Response {
    let headers = req.headers().clone();
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(file) = d.files.iter().find(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == name)) else {
        return error(StatusCode::NOT_FOUND, format!("dataset {id} has no file {name}"));
    };
    let mut r = match tower_http::services::ServeFile::new(file).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-netcdf"));
    r.headers_mut().insert(header::CACHE_CONTROL, who.cache_control());
    tagged(&st, r, &who, format!("{id}/files/{name}"))
}
