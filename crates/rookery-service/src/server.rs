//! The HTTP floor's top: the router of every endpoint, output files and status documents, the
//! usage-log middleware, and [`start`] (open the state, start the runner, bind, serve).

use crate::config::Config;
use crate::error::OwsError;
use crate::jobs::{JobStatus, UsageRecord};
use crate::runner::{spawn_executor, spawn_maintenance};
use crate::state::{record_kept_ends, AppState, ServiceError, St};
use crate::usage_log::UsageTag;
use crate::xml;
use axum::body::Body;
use axum::extract::{Path as AxPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

#[derive(serde::Deserialize)]
struct TokenQ {
    t: Option<String>,
}

/// `GET /outputs/{job}.xml`: the WPS status document.
async fn status_doc(
    State(st): State<St>,
    AxPath(name): AxPath<String>,
    axum::extract::Query(q): axum::extract::Query<TokenQ>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = name.strip_suffix(".xml") else {
        return OwsError::not_found(format!("No such output: {name}")).into_response();
    };
    match st.visible_job(&headers, id, q.t.as_deref()) {
        Ok(job) => {
            let base = st.base_url(&headers);
            let mut r = crate::wps::execute_doc_response(&st, &base, &job, true);
            r.extensions_mut().insert(UsageTag {
                operation: "status".into(),
                process: job.process,
                job: job.id,
                ..Default::default()
            });
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /outputs/{job}/{file}`: a result file (Range supported), or the Metalink `output.meta4`.
async fn output_file(
    State(st): State<St>,
    AxPath((id, path)): AxPath<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<TokenQ>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let job = match st.visible_job(&headers, &id, q.t.as_deref()) {
        Ok(j) => j,
        Err(e) => return e.into_response(),
    };
    let missing = || OwsError::not_found(format!("Job '{id}' has no output '{path}'")).into_response();
    let Some(result) = job.result.as_ref().filter(|_| job.status == JobStatus::Successful) else {
        return missing();
    };
    let tag = UsageTag {
        operation: "download".into(),
        process: job.process.clone(),
        job: job.id.clone(),
        ..Default::default()
    };
    if path == "output.meta4" {
        let base = st.base_url(&headers);
        let mut files: Vec<xml::MetaFile> = result
            .files
            .iter()
            .map(|f| xml::MetaFile {
                name: f.name.rsplit('/').next().unwrap_or(&f.name).to_string(),
                size: f.size,
                url: st.file_url(&base, &job.id, &f.name),
                sha256: f.sha256.clone(),
            })
            .collect();
        files.extend(result.urls.iter().map(|u| xml::MetaFile {
            name: u.split('?').next().unwrap_or(u).rsplit('/').next().unwrap_or(u).to_string(),
            size: 0,
            url: u.clone(),
            sha256: None,
        }));
        let doc = xml::metalink(
            "NetCDF file",
            &crate::time::iso_seconds(job.finished.unwrap_or(job.created)),
            &format!("{base}/"),
            &files,
        );
        let mut r = ([(header::CONTENT_TYPE, "application/metalink+xml; version=4.0")], doc).into_response();
        r.extensions_mut().insert(tag);
        return r;
    }
    let listed = result.files.iter().any(|f| f.name == path) || result.documents.iter().any(|(_, f, _)| *f == path);
    if !listed || path.contains("..") {
        return missing();
    }
    let file = st.cfg.job_dir(&job.id).join(&path);
    let mut r = match tower_http::services::ServeFile::new(&file).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => return OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    if path.ends_with(".nc") {
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-netcdf"));
    }
    r.extensions_mut().insert(tag);
    r
}

/// Middleware: logs every request with the facts its handler attached ([`UsageTag`]).
async fn usage_layer(State(st): State<St>, req: Request, next: axum::middleware::Next) -> Response {
    let t0 = crate::time::now_ms();
    let remote = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let key_hint = crate::auth::credential(req.headers()).and_then(|k| crate::auth::key_id_hint(&k).map(String::from));
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let tag = resp
        .extensions()
        .get::<UsageTag>()
        .cloned()
        .unwrap_or_else(|| UsageTag { operation: path, ..Default::default() });
    let bytes = resp
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    st.usage.log(UsageRecord {
        time_start: t0,
        time_end: crate::time::now_ms(),
        user: if tag.user.is_empty() { key_hint.unwrap_or_default() } else { tag.user },
        operation: tag.operation,
        process: tag.process,
        job: tag.job,
        inputs: tag.inputs,
        http_status: resp.status().as_u16(),
        bytes_out: bytes,
        remote,
    });
    resp
}

/// The router of every endpoint.
pub fn router(st: St) -> Router {
    Router::new()
        .route("/wps", get(crate::wps::get).post(crate::wps::post))
        .route("/", get(crate::ogc::landing))
        .route("/conformance", get(crate::ogc::conformance_doc))
        .route("/api", get(crate::ogc::api))
        .route("/processes", get(crate::ogc::processes))
        .route("/processes/{id}", get(crate::ogc::process))
        .route("/processes/{id}/execution", axum::routing::post(crate::ogc::execute))
        .route("/jobs", get(crate::ogc::jobs))
        .route("/jobs/{id}", get(crate::ogc::job).delete(crate::ogc::dismiss))
        .route("/jobs/{id}/results", get(crate::ogc::job_results))
        .route("/outputs/{name}", get(status_doc))
        .route("/datasets", get(crate::data::list))
        .route("/datasets/{id}", get(crate::data::show))
        .route("/datasets/{id}/zarr/{*key}", get(crate::data::zarr2))
        .route("/datasets/{id}/zarr3/{*key}", get(crate::data::zarr3))
        .route("/datasets/{id}/kerchunk.json", get(crate::data::kerchunk))
        .route("/datasets/{id}/kerchunk.parq/{*key}", get(crate::data::kerchunk_parq))
        .route("/datasets/{id}/files/{name}", get(crate::data::files))
        .route("/stac", get(crate::data::stac::landing))
        .route("/stac/conformance", get(crate::data::stac::conformance))
        .route("/stac/collections", get(crate::data::stac::collections))
        .route("/stac/collections/{c}", get(crate::data::stac::collection))
        .route("/stac/collections/{c}/items", get(crate::data::stac::items))
        .route("/stac/collections/{c}/items/{id}", get(crate::data::stac::item))
        .route("/stac/search", get(crate::data::stac::search_get).post(crate::data::stac::search_post))
        .route("/edr", get(crate::data::edr_landing))
        .route("/edr/conformance", get(crate::data::edr_conformance))
        .route("/edr/api", get(crate::data::edr_api))
        .route("/edr/collections", get(crate::data::edr_collections))
        .route("/edr/collections/{id}", get(crate::data::edr_collection))
        .route("/edr/collections/{id}/{query}", get(crate::data::edr_query))
        .route("/opendap/{name}", get(crate::data::opendap2))
        .route("/opendap4/{name}", get(crate::data::opendap4))
        .route("/outputs/{id}/{*path}", get(output_file))
        .route("/collections/discovery-metadata/items", get(crate::wis2::items))
        .route("/collections/discovery-metadata/items/{id}", get(crate::wis2::item))
        .route("/ui", get(crate::ui::page))
        .route("/ui/", get(crate::ui::page))
        .route("/ui/config.json", get(crate::ui::config))
        .route("/ui/{file}", get(crate::ui::asset))
        .route("/ui/api/jobs/{id}", get(crate::ui::job_detail))
        .route("/ui/api/usage", get(crate::ui::usage))
        .route("/ui/api/check", get(crate::ui::check))
        .route("/datasets/{id}/quicklook", get(crate::ui::quicklook))
        .fallback(|| async {
            OwsError::not_found("No such endpoint; see / (OGC API - Processes) or /wps (WPS 1.0.0)").into_response()
        })
        .layer(axum::middleware::from_fn_with_state(st.clone(), crate::gate::layer))
        .layer(axum::middleware::from_fn_with_state(st.clone(), usage_layer))
        // Bodies are read by the handlers that take one, each with its own limit (limits.rs).
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(st)
}

/// A running server.
pub struct Running {
    /// The address actually bound (with the real port when `bind` asked for port 0).
    pub addr: SocketAddr,
    /// The state the server's handlers and workers share.
    pub state: St,
    /// The serving task: ends after Ctrl-C or SIGTERM, once open connections have finished
    /// (within a grace period).
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens the data directory, recovers jobs a previous run left running, starts the workers
/// and maintenance, binds and serves.
///
/// # Errors
/// The data directory, store or address cannot be used.
pub async fn start(cfg: Config) -> Result<Running, ServiceError> {
    let workers = cfg.workers;
    // Before anything reads or changes the store: a second server on a SQLite data directory
    // would re-queue and re-run the first one's live jobs.
    std::fs::create_dir_all(&cfg.data_dir)?;
    let locks = crate::dirlock::lock_for_serve(&cfg)?;
    let mut st = AppState::open(cfg)?;
    st.locks = locks;
    let st = Arc::new(st);
    // Ends an earlier run kept because its store could not take them (a full disk).
    {
        let st2 = st.clone();
        let _ = tokio::task::spawn_blocking(move || record_kept_ends(&st2, true)).await;
    }
    // A SQLite store belongs to this one server, so whatever a `serve` left running was
    // interrupted. A PostgreSQL queue is shared with servers on other machines whose jobs are
    // still running: there only expired leases are taken back (by maintenance, too).
    let previous_run = if st.cfg.db_url().is_some() { None } else { Some("serve:%") };
    match st.store.recover(previous_run, crate::time::now_ms(), st.cfg.max_attempts) {
        Ok((r, f)) if r + f > 0 => {
            tracing::warn!("jobs interrupted by the previous run: {r} re-queued, {f} marked failed");
        }
        Ok(_) => {}
        // A store that cannot be written (a full disk) must not keep the server from serving
        // reads: maintenance tries again.
        Err(e) => {
            tracing::error!("recovering the previous run's jobs failed: {e}; retried until it succeeds");
            *st.startup_recovery.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                previous_run.map(String::from);
        }
    }
    spawn_executor(&st, workers, "serve");
    spawn_maintenance(&st);
    crate::wis2::subscriber::spawn(&st);
    let listener = tokio::net::TcpListener::bind(&st.cfg.bind)
        .await
        .map_err(|e| ServiceError::Config(format!("cannot listen on {}: {e}", st.cfg.bind)))?;
    let addr = listener.local_addr()?;
    let app = router(st.clone());
    let limits = st.cfg.http.clone();
    let handle = tokio::spawn(crate::conn::serve(listener, app, limits, async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} },
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    }));
    Ok(Running { addr, state: st, handle })
}
