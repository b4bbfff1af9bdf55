//! Kerchunk references of a served dataset: JSON (`kerchunk.json`) and fsspec's lazy Parquet
//! directory (`kerchunk.parq/`). Both documents come from the dataset's
//! [`rookery_io::zarr_serve::ZarrView`] and note (below this floor); this module only maps
//! keys to them, with `ETag` / `If-None-Match` and `Cache-Control`.

use super::zarr::{conditional, json_doc};
use super::{error, open, tagged};
use crate::state::St;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::serve::ServedDataset;
use rookery_io::zarr_serve::{KeyError, RefTargets};
use serde_json::json;

/// Query of `kerchunk.json`: `targets=download` points at the files' public download URLs
/// (the project's `data_node_root`) instead of this server's `/files/`.
#[derive(serde::Deserialize, Default)]
pub struct RefsQ {
    targets: Option<String>,
}

/// The references of `d` at `href` (this dataset's URL), made by `make`.
fn with_targets<T>(d: &ServedDataset, href: &str, download: bool, make: impl FnOnce(&RefTargets) -> T) -> T {
    let by_path = d.file_urls(href, download);
    let file_url = |p: &str| by_path.get(p).cloned().unwrap_or_else(|| p.to_string());
    let chunk_url = |v: &str, k: &str| format!("{href}/zarr/{v}/{k}");
    let note = d.reference_note();
    make(&RefTargets { file_url: &file_url, chunk_url: &chunk_url, note: &note })
}

/// `GET /datasets/{id}/kerchunk.json`: Kerchunk references (JSON version 1) of the served
/// Zarr 2 view: unchanged variables at the files' byte ranges (this server's `/files/`, or
/// with `targets=download` their public download URL where the project has one), the others
/// at this server's re-encoded chunks.
pub async fn kerchunk(
    State(st): State<St>,
    AxPath(id): AxPath<String>,
    Query(q): Query<RefsQ>,
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
        with_targets(&d, &href, download, |t| json_doc(&json!({"version": 1, "refs": d.view.references(t)})))
    })
    .await;
    tagged(&st, r, &who, format!("{id}/kerchunk.json"))
}

/// `GET /datasets/{id}/kerchunk.parq/{key}`: the same references as fsspec's lazy Parquet
/// directory (`.zmetadata`, `<var>/refs.<k>.parq`), pointing at this server's files and
/// chunks (fsspec appends keys to the directory URL, so there is no query to choose other
/// targets).
pub async fn kerchunk_parq(
    State(st): State<St>,
    AxPath((id, key)): AxPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let href = format!("{}/datasets/{id}", st.base_url(&headers));
    let what = format!("kerchunk.parq/{key}");
    let r = conditional(&headers, &who, &d, &format!("{what}/{href}"), async {
        let (d2, href2, key2) = (d.clone(), href.clone(), key.clone());
        let out =
            tokio::task::spawn_blocking(move || with_targets(&d2, &href2, false, |t| d2.view.parquet_key(&key2, t)))
                .await;
        let kind = if key == ".zmetadata" { "application/json" } else { "application/vnd.apache.parquet" };
        match out {
            Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
            Ok(Err(KeyError::NotFound(k))) => error(StatusCode::NOT_FOUND, format!("no such key: {k}")),
            Ok(Err(KeyError::Io(e))) => {
                tracing::warn!("data API: {id} {what}: {e}");
                error(StatusCode::INTERNAL_SERVER_ERROR, format!("{id}: cannot write {what}: {e}"))
            }
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{id}: {what}: {e}")),
        }
    })
    .await;
    tagged(&st, r, &who, format!("{id}/{what}"))
}
