//! The JSON the UI page reads besides the OGC API: a job in full, the usage rows for the
//! charts, and dataset quicklooks.

use crate::jobs::Job;
use crate::state::St;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

fn js(v: &Value) -> Response {
    super::secured(([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response())
}

fn refused(e: &crate::error::OwsError) -> Response {
    let mut r = super::secured(
        (e.status, [(header::CONTENT_TYPE, "application/json")], json!({"detail": e.text}).to_string()).into_response(),
    );
    if e.status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer realm=\"rookery\""));
    }
    r
}

fn detail(st: &St, base: &str, j: &Job) -> Value {
    let t = crate::time::iso_seconds;
    let (mut files, mut documents, mut literals) = (vec![], vec![], vec![]);
    if let Some(r) = j.result.as_ref().filter(|_| j.status == crate::jobs::JobStatus::Successful) {
        files = r
            .files
            .iter()
            .map(|f| json!({"name": f.name, "size": f.size, "href": st.file_url(base, &j.id, &f.name)}))
            .collect();
        if !r.files.is_empty() || !r.urls.is_empty() {
            files.push(json!({"name": "output.meta4", "href": st.file_url(base, &j.id, "output.meta4")}));
        }
        documents = r
            .documents
            .iter()
            .map(|(id, f, mime)| json!({"id": id, "name": f, "type": mime, "href": st.file_url(base, &j.id, f)}))
            .collect();
        literals = r.literals.iter().map(|(k, v)| json!({"id": k, "value": v})).collect();
    }
    json!({
        "jobID": j.id, "processID": j.process, "owner": j.owner, "status": j.status.as_str(),
        "message": j.message, "progress": if j.status.is_final() { 100 } else { j.progress },
        "created": t(j.created), "started": j.started.map(t), "finished": j.finished.map(t),
        "duration_ms": j.finished.zip(j.started).map(|(f, s)| f - s),
        "attempts": j.attempts, "inputs": j.request.inputs,
        "files": files, "documents": documents, "literals": literals,
    })
}

/// `GET /ui/api/jobs/{id}`: the job with its inputs and signed output links (its owner, or an
/// admin).
pub async fn job_detail(State(st): State<St>, h: HeaderMap, Path(id): Path<String>) -> Response {
    match st.visible_job(&h, &id, None) {
        Ok(j) => js(&detail(&st, &st.base_url(&h), &j)),
        Err(e) => refused(&e),
    }
}

/// Query of `/ui/api/usage`.
#[derive(serde::Deserialize)]
pub struct UsageQ {
    days: Option<i64>,
    sites: Option<String>,
}

/// `GET /ui/api/usage?days=N&sites=local|all` (default 30 days, local): every job of this node
/// and the usage-log rows of the last `N` days, compact, for the page's charts; with
/// `sites=all` also every peer's usage-log rows (their `usage` process), each row tagged with
/// its site, and how asking each site went. Needs the `usage` scope.
pub async fn usage(State(st): State<St>, h: HeaderMap, Query(q): Query<UsageQ>) -> Response {
    if let Err(e) = st.require(&h, "usage") {
        return refused(&e);
    }
    let all_sites = match q.sites.as_deref().map(str::trim) {
        None | Some("" | "local") => false,
        Some("all") => true,
        Some(other) => {
            let e = crate::error::OwsError::other(
                StatusCode::BAD_REQUEST,
                format!("Invalid sites '{other}': expected local or all"),
            );
            return refused(&e);
        }
    };
    let days = q.days.unwrap_or(30).clamp(1, 3660);
    let from = crate::time::now_ms() - days * 86_400_000;
    let st2 = st.clone();
    let read = tokio::task::spawn_blocking(move || {
        let jobs = st2.store.list(None, 100_000)?;
        let (rows, sites) =
            crate::site_usage::rows(st2.store.as_ref(), &st2.cfg.peers, &st2.peer_tokens, from, all_sites)?;
        Ok::<_, crate::jobs::StoreError>((jobs, rows, sites))
    })
    .await;
    let (jobs, rows, sites) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return refused(&st.store_failure(&e)),
        Err(e) => return refused(&crate::error::OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    };
    let jobs: Vec<Value> = jobs
        .iter()
        .filter(|j| j.created >= from)
        .map(|j| json!([j.process, j.owner, j.status.as_str(), j.created, j.started, j.finished]))
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| json!([r.time, r.duration_ms, r.user, r.operation, r.process, r.http_status, r.bytes_out, r.site]))
        .collect();
    let sites: Vec<Value> = sites.iter().map(|(name, error)| json!({"name": name, "error": error})).collect();
    js(
        &json!({"days": days, "jobs": jobs, "job_fields": ["process", "owner", "status", "created", "started", "finished"],
               "requests": rows, "request_fields": ["time", "duration_ms", "user", "operation", "process", "http_status", "bytes_out", "site"],
               "sites": sites, "peers": st.cfg.peers.len()}),
    )
}

/// `GET /ui/api/check`: the coverage-check results (`check_results`) as
/// [`crate::check_report::report`] summarises them, for admins; 404 with the reason when none
/// are configured or readable.
pub async fn check(State(st): State<St>, h: HeaderMap) -> Response {
    if let Err(e) = st.require(&h, "admin") {
        return refused(&e);
    }
    let path = st.cfg.check_results.clone();
    match tokio::task::spawn_blocking(move || crate::check_report::report(path.as_deref())).await {
        Ok(Ok(v)) => js(&v),
        Ok(Err(e)) => refused(&crate::error::OwsError::other(StatusCode::NOT_FOUND, e.to_string())),
        Err(e) => refused(&crate::error::OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

/// Query of `/datasets/{id}/quicklook`.
#[derive(serde::Deserialize)]
pub struct QuicklookQ {
    var: Option<String>,
    time: Option<usize>,
    y: Option<usize>,
    x: Option<usize>,
}

/// `GET /datasets/{id}/quicklook?var=&time=`: time step `time` (default 0) of `var` (default:
/// the main variable) decimated to at most 256×256; with `y=&x=` (grid indices) the time
/// series at that point instead.
pub async fn quicklook(
    State(st): State<St>,
    Path(id): Path<String>,
    h: HeaderMap,
    Query(q): Query<QuicklookQ>,
) -> Response {
    let who = match crate::data::reader(&st, &h, &id) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let d = match crate::data::dataset(&st, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let main = d.info.as_ref().map(|i| i.main.clone());
    let Some(var) = q.var.filter(|v| !v.is_empty()).or(main) else {
        return crate::data::error(StatusCode::BAD_REQUEST, "No main variable was detected: give var=");
    };
    let time = d.info.as_ref().and_then(|i| i.time.clone());
    let ans = tokio::task::spawn_blocking(move || {
        let t = crate::quicklook::Target { var: &var, time: time.as_deref() };
        match (q.y, q.x) {
            (Some(y), Some(x)) => crate::quicklook::series(d.source.as_ref(), t, y, x),
            _ => crate::quicklook::field(d.source.as_ref(), t, q.time.unwrap_or(0)),
        }
    })
    .await;
    let r = match ans {
        Ok(Ok(v)) => js(&v),
        Ok(Err(e)) if e.is_client() => crate::data::error(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(e)) => crate::data::error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => crate::data::error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    crate::data::tagged(&st, r, &who, format!("{id} quicklook"))
}
