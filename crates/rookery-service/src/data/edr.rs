//! OGC API – EDR 1.1 routes (the documents and query answers come from
//! [`rookery_daops::edr`], below this floor; this module routes, checks access and answers).
//!
//! ```text
//!   GET /edr                                       landing page
//!   GET /edr/conformance                           conformance classes
//!   GET /edr/api                                   OpenAPI 3.0 of exactly these routes
//!   GET /edr/collections                           the served datasets (paged)
//!   GET /edr/collections/{id}                      extents, parameter_names, data_queries
//!   GET /edr/collections/{id}/{position|area|cube|radius}?coords=...&datetime=...&z=...
//!                                                  &parameter-name=...&crs=CRS84&f=...
//! ```
//!
//! Same access rules as the rest of the data API (public datasets, `data:read`, the daily
//! bytes quota, the usage log); answers larger than `max_answer_bytes` are refused with 413
//! before any data is read.

use super::{error, open, tagged};
use crate::state::St;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::edr::{meta, EdrError, EdrLimits, EdrQuery};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn json_doc(v: &Value, ct: &'static str) -> Response {
    ([(header::CONTENT_TYPE, ct)], v.to_string()).into_response()
}

/// `GET /edr`.
pub async fn landing(State(st): State<St>, headers: HeaderMap) -> Response {
    json_doc(&meta::landing(&st.base_url(&headers)), "application/json")
}

/// `GET /edr/conformance`.
pub async fn conformance() -> Response {
    json_doc(&meta::conformance(), "application/json")
}

/// `GET /edr/api`.
pub async fn api(State(st): State<St>, headers: HeaderMap) -> Response {
    json_doc(&meta::openapi(&st.base_url(&headers)), "application/vnd.oai.openapi+json;version=3.0")
}

/// Query of `GET /edr/collections`.
#[derive(serde::Deserialize, Default)]
pub struct PageQ {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /edr/collections`: the ids `GET /datasets` lists (public ones without `data:read`).
pub async fn collections(State(st): State<St>, headers: HeaderMap, Query(q): Query<PageQ>) -> Response {
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(100).clamp(1, 10_000));
    let lq = super::ListQ { limit: Some(limit), offset: Some(offset), ..super::ListQ::default() };
    let r = super::list(State(st.clone()), headers.clone(), Query(lq)).await;
    if !r.status().is_success() {
        return r;
    }
    let Ok(bytes) = axum::body::to_bytes(r.into_body(), 256 << 20).await else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "listing datasets failed");
    };
    let all: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let ids: Vec<&str> =
        all["datasets"].as_array().map(|a| a.iter().filter_map(|d| d["id"].as_str()).collect()).unwrap_or_default();
    let matched = all["numberMatched"].as_u64().unwrap_or(0);
    let base = st.base_url(&headers);
    let page: Vec<Value> = ids.iter().map(|id| meta::collection_stub(&base, id)).collect();
    let mut links =
        vec![json!({"rel": "self", "href": format!("{base}/edr/collections?offset={offset}&limit={limit}")})];
    if (offset + limit) as u64 > 0 && ((offset + limit) as u64) < matched {
        links.push(
            json!({"rel": "next", "href": format!("{base}/edr/collections?offset={}&limit={limit}", offset + limit)}),
        );
    }
    json_doc(
        &json!({"collections": page, "links": links, "numberMatched": matched, "numberReturned": page.len()}),
        "application/json",
    )
}

/// `GET /edr/collections/{id}`.
pub async fn collection(State(st): State<St>, AxPath(id): AxPath<String>, headers: HeaderMap) -> Response {
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let base = st.base_url(&headers);
    let doc = match tokio::task::spawn_blocking(move || meta::collection(&base, &d)).await {
        Ok(v) => v,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    tagged(&st, json_doc(&doc, "application/json"), &who, format!("edr/{id}"))
}

fn edr_error(e: &EdrError) -> Response {
    let status = match e {
        EdrError::BadRequest(_) => StatusCode::BAD_REQUEST,
        EdrError::NoData(_) => StatusCode::NOT_FOUND,
        EdrError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        EdrError::Failed(_) => {
            tracing::warn!("EDR: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    error(status, e.to_string())
}

/// `GET /edr/collections/{id}/{query}`.
pub async fn query(
    State(st): State<St>,
    AxPath((id, kind)): AxPath<(String, String)>,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    // Parameters are checked before access and before the dataset is opened.
    let q = match EdrQuery::parse(&kind, &params, accept) {
        Ok(q) => q,
        Err(e) => return edr_error(&e),
    };
    let (who, d) = match open(&st, &headers, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let daops = match &st.data {
        Ok(x) => x.clone(),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e.0.clone()),
    };
    let lim = EdrLimits { max_answer_bytes: super::max_answer_bytes(&st), tmp_dir: st.cfg.data_dir.join("edr") };
    let r = match tokio::task::spawn_blocking(move || daops.edr_query(&d, &q, &lim)).await {
        Ok(Ok(a)) => {
            let mut r = (StatusCode::OK, a.body).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.media_type));
            if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", a.file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        Ok(Err(e)) => edr_error(&e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("EDR query failed: {e}")),
    };
    let what =
        format!("edr/{id}/{kind}?{}", params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
    tagged(&st, r, &who, what)
}
