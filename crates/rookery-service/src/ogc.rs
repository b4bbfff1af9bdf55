//! OGC API – Processes 1.0 (core, ogc-process-description, json, html, oas30, job-list,
//! dismiss) over the same processes, jobs and keys as WPS.

use crate::error::OwsError;
use crate::failure::FailureKind;
use crate::jobs::{Job, JobRequest, JobStatus};
use crate::process::{InputKind, OutputKind, ProcessDef, RawInput};
use crate::state::St;
use crate::usage_log::UsageTag;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

const CONF: &str = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf";
const EXC: &str = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0";

/// Conformance classes declared at `/conformance`.
#[must_use]
pub fn conformance() -> Vec<String> {
    ["core", "ogc-process-description", "json", "html", "oas30", "job-list", "dismiss"]
        .iter()
        .map(|c| format!("{CONF}/{c}"))
        .collect()
}

/// A JSON problem (RFC 7807 as OGC API uses it).
fn problem(status: StatusCode, kind: &str, detail: impl Into<String>) -> Response {
    let ty = if kind.starts_with("http") || kind == "about:blank" { kind.to_string() } else { format!("{EXC}/{kind}") };
    let body = json!({"type": ty, "title": status.canonical_reason().unwrap_or(""), "status": status.as_u16(), "detail": detail.into()});
    let mut r = (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"rookery\""));
    }
    r
}

fn from_ows(e: &OwsError) -> Response {
    let kind = match e.status {
        StatusCode::NOT_FOUND => "no-such-job",
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/forbidden"
        }
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/server-busy"
        }
        _ => "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-parameter",
    };
    let mut r = problem(e.status, kind, e.text.clone());
    if e.status == StatusCode::TOO_MANY_REQUESTS {
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
    }
    r
}

/// The answer for a failed job: 400 (`invalid-parameter`) when the request was at fault, 404
/// when it named a dataset that does not exist, 500 (`job-results-failed`) for the server's
/// own faults.
fn failed_job(j: &Job) -> Response {
    match j.failure_kind() {
        FailureKind::InvalidRequest => problem(StatusCode::BAD_REQUEST, INVALID_PARAMETER, j.message.clone()),
        FailureKind::NotFound => problem(StatusCode::NOT_FOUND, INVALID_PARAMETER, j.message.clone()),
        FailureKind::Server => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/job-results-failed",
            j.message.clone(),
        ),
    }
}

const INVALID_PARAMETER: &str = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-parameter";

/// A request body refused before it was parsed: 413, 408 or 400.
fn body_refused(e: &crate::limits::BodyError) -> Response {
    use crate::limits::BodyError;
    let status = match e {
        BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        BodyError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        BodyError::Read(_) => StatusCode::BAD_REQUEST,
    };
    let mut r = problem(status, "about:blank", e.to_string());
    // The rest of the body is not read: the connection cannot be reused.
    r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn js(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

fn wants_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html") && !a.contains("application/json"))
}

fn html_page(title: &str, v: &Value) -> Response {
    let pre = rookery_io::text::xml(&serde_json::to_string_pretty(v).unwrap_or_default());
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title></head><body><h1>{0}</h1><pre>{pre}</pre></body></html>",
        rookery_io::text::xml(title)
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn doc(h: &HeaderMap, title: &str, v: &Value) -> Response {
    if wants_html(h) {
        html_page(title, v)
    } else {
        js(v)
    }
}

/// `GET /`.
pub async fn landing(State(st): State<St>, h: HeaderMap, uri: axum::http::Uri) -> Response {
    if crate::ui::wants_html(&h, uri.query()) {
        return crate::ui::shell();
    }
    let b = st.base_url(&h);
    let v = json!({
        "title": st.info.title,
        "description": "rookery: OGC API - Processes and WPS 1.0.0 (rook compatible) for climate model data",
        "links": [
            {"href": format!("{b}/"), "rel": "self", "type": "application/json", "title": "this document"},
            {"href": format!("{b}/api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "the API definition"},
            {"href": format!("{b}/conformance"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/conformance", "type": "application/json", "title": "conformance classes"},
            {"href": format!("{b}/processes"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/processes", "type": "application/json", "title": "processes"},
            {"href": format!("{b}/jobs"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/job-list", "type": "application/json", "title": "jobs"},
            {"href": format!("{b}/wps?service=WPS&request=GetCapabilities"), "rel": "alternate", "type": "text/xml", "title": "WPS 1.0.0"}
        ]
    });
    js(&v)
}

/// `GET /conformance`.
pub async fn conformance_doc(h: HeaderMap) -> Response {
    doc(&h, "Conformance", &json!({ "conformsTo": conformance() }))
}

fn input_schema(k: &InputKind) -> Value {
    match k {
        InputKind::Literal { data_type, allowed, default } => {
            let ty = match *data_type {
                "boolean" => "boolean",
                "integer" => "integer",
                "float" => "number",
                _ => "string",
            };
            let mut s = Map::new();
            s.insert("type".into(), json!(ty));
            if !allowed.is_empty() {
                s.insert("enum".into(), json!(allowed));
            }
            if let Some(d) = default {
                let dv = if ty == "boolean" { json!(crate::text::parse_bool(d).unwrap_or(false)) } else { json!(d) };
                s.insert("default".into(), dv);
            }
            Value::Object(s)
        }
        InputKind::Complex { formats } => json!({
            "oneOf": formats.iter().map(|f| json!({"type": "string", "contentMediaType": f.mime})).chain(std::iter::once(json!({"type": "object"}))).collect::<Vec<_>>()
        }),
    }
}

fn output_schema(k: &OutputKind) -> Value {
    match k {
        OutputKind::Literal { .. } => json!({"type": "string"}),
        OutputKind::Complex { formats } => {
            json!({"type": "string", "contentMediaType": formats.first().map_or("application/octet-stream", |f| f.mime)})
        }
    }
}

fn job_control(p: &ProcessDef) -> Value {
    if p.async_supported {
        json!(["sync-execute", "async-execute", "dismiss"])
    } else {
        json!(["sync-execute"])
    }
}

fn summary(b: &str, p: &ProcessDef) -> Value {
    json!({
        "id": p.id, "title": p.title, "description": p.abstract_, "version": p.version,
        "jobControlOptions": job_control(p), "outputTransmission": ["reference"],
        "links": [{"href": format!("{b}/processes/{}", p.id), "rel": "self", "type": "application/json", "title": "process description"}]
    })
}

/// A process description (OGC process description, JSON).
#[must_use]
pub fn description(b: &str, p: &ProcessDef) -> Value {
    let mut v = summary(b, p);
    let inputs: Map<String, Value> = p
        .inputs
        .iter()
        .map(|i| {
            (
                i.id.to_string(),
                json!({"title": i.title, "description": i.abstract_, "minOccurs": i.min, "maxOccurs": i.max, "schema": input_schema(&i.kind)}),
            )
        })
        .collect();
    let outputs: Map<String, Value> = p
        .outputs
        .iter()
        .map(|o| {
            (o.id.to_string(), json!({"title": o.title, "description": o.abstract_, "schema": output_schema(&o.kind)}))
        })
        .collect();
    v["inputs"] = Value::Object(inputs);
    v["outputs"] = Value::Object(outputs);
    if let Some(links) = v["links"].as_array_mut() {
        links.push(json!({"href": format!("{b}/processes/{}/execution", p.id), "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute", "title": "execute"}));
    }
    v
}

/// `GET /processes`.
pub async fn processes(State(st): State<St>, h: HeaderMap, uri: axum::http::Uri) -> Response {
    if crate::ui::wants_html(&h, uri.query()) {
        return crate::ui::shell();
    }
    let b = st.base_url(&h);
    let v = json!({
        "processes": st.processes.iter().map(|p| summary(&b, p)).collect::<Vec<_>>(),
        "links": [{"href": format!("{b}/processes"), "rel": "self", "type": "application/json"}]
    });
    js(&v)
}

/// `GET /processes/{id}`.
pub async fn process(State(st): State<St>, h: HeaderMap, uri: axum::http::Uri, Path(id): Path<String>) -> Response {
    if crate::ui::wants_html(&h, uri.query()) && st.process(&id).is_some() {
        return crate::ui::shell();
    }
    match st.process(&id) {
        Some(p) => js(&description(&st.base_url(&h), p)),
        None => problem(StatusCode::NOT_FOUND, "no-such-process", format!("Unknown process '{id}'")),
    }
}

/// `POST /processes/{id}/execution?dry_run=true`: the pre-flight estimate of the request
/// (from metadata, nothing queued or read) and whether it is within the node's limits.
async fn dry_run(st: &St, process: &'static str, inputs: crate::process::Inputs, who: &str) -> Response {
    if !crate::estimate::ESTIMATED.contains(&process) {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            format!("Process '{process}' has no estimate: dry_run covers the data operations"),
        );
    }
    let data = st.data.clone();
    let l = st.quotas.limits(who);
    let (max_read, max_output) = (l.max_read_bytes, l.max_output_bytes);
    let throughput = st.throughput.get();
    let res = tokio::task::spawn_blocking(move || {
        let d = data.map_err(crate::ops::ProcError::from)?;
        crate::estimate::estimate(&d, process, &inputs)
    })
    .await;
    match res {
        Ok(Ok(e)) => {
            let over = crate::estimate::over_limits(&e, max_read, max_output);
            js(&json!({
                "processID": process,
                "estimate": crate::estimate::to_json(&e, Some(throughput)),
                "limits": {"maxReadBytes": max_read, "maxOutputBytes": max_output},
                "withinLimits": over.is_none(),
                "message": over,
            }))
        }
        Ok(Err(e)) => from_ows(&OwsError::failed(e.1, e.0)),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, "about:blank", e.to_string()),
    }
}

fn status_info(st: &St, b: &str, j: &Job) -> Value {
    let t = crate::time::iso_seconds;
    let mut links = vec![json!({"href": format!("{b}/jobs/{}", j.id), "rel": "self", "type": "application/json"})];
    if j.status == JobStatus::Successful {
        links.push(json!({"href": format!("{b}/jobs/{}/results", j.id), "rel": "http://www.opengis.net/def/rel/ogc/1.0/results", "type": "application/json"}));
    }
    let _ = st;
    let mut doc = json!({
        "jobID": j.id, "processID": j.process, "type": "process", "status": j.status.as_str(),
        "message": j.message, "progress": if j.status.is_final() { 100 } else { j.progress },
        "created": t(j.created), "started": j.started.map(t), "finished": j.finished.map(t),
        "updated": t(j.finished.or(j.started).unwrap_or(j.created)),
        "links": links
    });
    // Answered from the result cache: the job that computed the outputs (whose record only
    // its owner sees).
    if let Some(from) = j.result.as_ref().and_then(|r| r.cached_from.as_ref()) {
        doc["cachedFrom"] = json!(from);
    }
    if let Some(e) = &j.request.estimate {
        doc["estimate"] = e.clone();
    }
    doc
}

fn results(st: &St, b: &str, p: &ProcessDef, j: &Job) -> Value {
    let mut m = Map::new();
    let Some(res) = &j.result else { return Value::Object(m) };
    for o in &p.outputs {
        if let Some((_, v)) = res.literals.iter().find(|(id, _)| id == o.id) {
            m.insert(o.id.into(), json!(v));
            continue;
        }
        let file = if o.id == "output" {
            Some("output.meta4".to_string())
        } else {
            res.documents.iter().find(|(id, _, _)| id == o.id).map(|(_, f, _)| f.clone())
        };
        if let (Some(f), OutputKind::Complex { formats }) = (file, &o.kind) {
            m.insert(
                o.id.into(),
                json!({"href": st.file_url(b, &j.id, &f), "type": formats.first().map_or("application/octet-stream", |f| f.mime)}),
            );
        }
    }
    Value::Object(m)
}

#[allow(clippy::result_large_err)]
fn to_raw(id: &str, v: &Value, out: &mut Vec<RawInput>) -> Result<(), Response> {
    match v {
        Value::Array(a) => {
            for x in a {
                to_raw(id, x, out)?;
            }
        }
        Value::Object(o) if o.contains_key("href") => {
            // By reference: an http(s) URL the operation fetches (allowed prefixes only).
            let href = o["href"].as_str().unwrap_or_default().trim();
            if !(href.starts_with("http://") || href.starts_with("https://")) {
                return Err(problem(
                    StatusCode::BAD_REQUEST,
                    "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-parameter",
                    format!("Input \"{id}\" is given by reference to '{href}': only http(s) URLs are accepted"),
                ));
            }
            let mime = o.get("type").or_else(|| o.get("mediaType")).and_then(Value::as_str).map(String::from);
            out.push(RawInput { id: id.into(), data: href.to_string(), mime });
        }
        Value::Object(o) if o.contains_key("value") && o.len() <= 3 => {
            let mime = o.get("mediaType").or_else(|| o.get("type")).and_then(Value::as_str).map(String::from);
            let data = match &o["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push(RawInput { id: id.into(), data, mime });
        }
        Value::String(s) => out.push(RawInput { id: id.into(), data: s.clone(), mime: None }),
        Value::Bool(b) => out.push(RawInput { id: id.into(), data: b.to_string(), mime: None }),
        Value::Null => {}
        other => out.push(RawInput { id: id.into(), data: other.to_string(), mime: None }),
    }
    Ok(())
}

/// An execute request's body → the request document and the validated inputs (the part of
/// `POST /processes/{id}/execution` that parses outside input).
///
/// # Errors
/// The problem response to send: malformed JSON, inputs of the wrong shape, invalid values,
/// a workflow that does not parse.
#[allow(clippy::result_large_err)]
pub fn parse_execute(p: &ProcessDef, body: &[u8]) -> Result<(Value, crate::process::Inputs), Response> {
    const INVALID: &str = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-parameter";
    let req: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| problem(StatusCode::BAD_REQUEST, INVALID, format!("Malformed JSON request body: {e}")))?
    };
    let mut raw = Vec::new();
    match req.get("inputs") {
        None | Some(Value::Null) => {}
        Some(Value::Object(o)) => {
            for (k, v) in o {
                to_raw(k, v, &mut raw)?;
            }
        }
        Some(_) => return Err(problem(StatusCode::BAD_REQUEST, INVALID, "\"inputs\" must be an object")),
    }
    let inputs = crate::process::validate(p, &raw).map_err(|e| from_ows(&e))?;
    if p.id == "orchestrate" {
        if let Err(e) = crate::workflow::parse(crate::process::first(&inputs, "workflow").unwrap_or_default()) {
            return Err(problem(StatusCode::BAD_REQUEST, INVALID, e.0));
        }
    }
    Ok((req, inputs))
}

/// A request with nested processes as one for `orchestrate` (the workflow they form);
/// others unchanged.
#[allow(clippy::result_large_err)]
fn nested_request<'a>(
    st: &'a St,
    h: &HeaderMap,
    p: &'a ProcessDef,
    body: &[u8],
) -> Result<(&'a ProcessDef, Vec<u8>), Response> {
    const INVALID: &str = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-parameter";
    let Ok(Value::Object(mut req)) = serde_json::from_slice::<Value>(body) else { return Ok((p, body.to_vec())) };
    let Some(Value::Object(inputs)) = req.get("inputs") else { return Ok((p, body.to_vec())) };
    if !crate::nested::has_nested(inputs) {
        return Ok((p, body.to_vec()));
    }
    let peers: Vec<String> = st.cfg.peers.iter().map(|x| x.url.clone()).collect();
    let wf = crate::nested::to_workflow(p.id, inputs, &st.base_url(h), &peers)
        .map_err(|e| problem(StatusCode::BAD_REQUEST, INVALID, e.to_string()))?;
    let orch = st
        .process("orchestrate")
        .ok_or_else(|| problem(StatusCode::NOT_FOUND, "no-such-process", "no orchestrate process"))?;
    req.insert("inputs".into(), json!({"workflow": {"value": wf.to_string()}}));
    Ok((orch, Value::Object(req).to_string().into_bytes()))
}

/// `POST /processes/{id}/execution`.
pub async fn execute(
    State(st): State<St>,
    h: HeaderMap,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    let Some(p) = st.process(&id) else {
        return problem(StatusCode::NOT_FOUND, "no-such-process", format!("Unknown process '{id}'"));
    };
    let who = if p.id == "health" {
        None
    } else {
        match st.require(&h, if p.id == "usage" || p.id == "dashboard" { "usage" } else { "execute" }) {
            Ok(w) => Some(w),
            Err(e) => return from_ows(&e),
        }
    };
    // JSON only, of a bounded size, read before anything is parsed.
    if let Err(why) = crate::limits::json_content_type(&h) {
        let mut r = problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "about:blank", why.to_string());
        r.headers_mut().insert("accept-post", HeaderValue::from_static("application/json"));
        r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    let limits = &st.cfg.http;
    let body = match crate::limits::read_body(&h, body, limits.max_execute_body, limits.body_read_timeout).await {
        Ok(b) => b,
        Err(e) => return body_refused(&e),
    };
    // OGC API Part 3: nested processes become a workflow run by `orchestrate`.
    let (p, body) = match nested_request(&st, &h, p, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (req, inputs) = match parse_execute(p, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let b = st.base_url(&h);
    let Some(who) = who else {
        let store = st.store.clone();
        let dir = st.cfg.data_dir.clone();
        return match tokio::task::spawn_blocking(move || crate::execute::health(store.as_ref(), &dir)).await {
            Ok(Ok(v)) => js(&json!({"status": v})),
            Ok(Err(e)) => problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/job-results-failed",
                e.0,
            ),
            Err(e) => problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/job-results-failed",
                e.to_string(),
            ),
        };
    };
    if uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "dry_run=true" || kv == "dry_run=1")) {
        return dry_run(&st, p.id, inputs, &who.id).await;
    }
    let prefer_async = h
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|x| x.trim().eq_ignore_ascii_case("respond-async")))
        || req.get("mode").and_then(Value::as_str) == Some("async");
    let is_async = prefer_async && p.async_supported;
    if is_async && !who.has("jobs") {
        // The job's status and results could never be read with this credential: refused
        // now, with the reason, rather than run and then found unreadable (a coordinator node
        // holding an execute-only key would otherwise see its polling answered 403).
        let text = format!(
            "This {} lacks the 'jobs' scope that reading an asynchronous job's status and results needs: \
             use a key with the scopes execute,jobs (rookery keys create --scopes execute,jobs) or execute synchronously",
            who.credential_kind()
        );
        return from_ows(&OwsError::forbidden(StatusCode::FORBIDDEN, text));
    }
    let inputs_json = serde_json::to_string(&inputs).unwrap_or_default();
    let idem = h
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(|k| (who.id.clone(), k.to_string()));
    let earlier = idem.as_ref().and_then(|k| st.idempotency.lock().ok().and_then(|m| m.get(k).cloned()));
    let earlier = earlier.and_then(|id| st.store.get(&id).ok().flatten()).filter(|j| j.status != JobStatus::Dismissed);
    let job = if let Some(j) = earlier {
        j
    } else {
        match st.submit(
            &who,
            p.id,
            JobRequest { inputs, lineage: false, sync: !is_async, outputs: vec![], estimate: None },
        ) {
            Ok(j) => {
                if let (Some(k), Ok(mut m)) = (idem, st.idempotency.lock()) {
                    if m.len() > 100_000 {
                        m.clear();
                    }
                    m.insert(k, j.id.clone());
                }
                j
            }
            Err(e) => return from_ows(&e),
        }
    };
    let tag = UsageTag {
        user: who.name.clone(),
        operation: "ogc:execute".into(),
        process: p.id.into(),
        job: job.id.clone(),
        inputs: inputs_json,
    };
    let mut r = if is_async {
        let mut r =
            (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], status_info(&st, &b, &job).to_string())
                .into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("{b}/jobs/{}", job.id)) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r.headers_mut().insert("preference-applied", HeaderValue::from_static("respond-async"));
        r
    } else {
        match st.wait(&job.id).await {
            Some(j) if j.status == JobStatus::Successful => {
                let mut r = js(&results(&st, &b, p, &j));
                if let Ok(v) = HeaderValue::from_str(&format!("<{b}/jobs/{}>; rel=\"monitor\"", j.id)) {
                    r.headers_mut().insert(header::LINK, v);
                }
                r
            }
            Some(j) if j.status.is_final() => failed_job(&j),
            Some(j) => problem(
                StatusCode::GATEWAY_TIMEOUT,
                "result-not-ready",
                format!(
                    "The job did not finish within {} s; it goes on as {}/jobs/{}",
                    st.cfg.sync_timeout_secs, b, j.id
                ),
            ),
            None => problem(StatusCode::INTERNAL_SERVER_ERROR, "no-such-job", "the job disappeared"),
        }
    };
    r.extensions_mut().insert(tag);
    r
}

/// `GET /jobs`.
pub async fn jobs(State(st): State<St>, h: HeaderMap, uri: axum::http::Uri) -> Response {
    // A browser gets the page, which asks for the list with its credential.
    if crate::ui::wants_html(&h, uri.query()) {
        return crate::ui::shell();
    }
    let who = match st.require(&h, "jobs") {
        Ok(w) => w,
        Err(e) => return from_ows(&e),
    };
    let owner = (!who.has("admin")).then_some(who.id.as_str());
    let b = st.base_url(&h);
    match st.store.list(owner, 1000) {
        Ok(js_) => js(
            &json!({"jobs": js_.into_iter().map(|j| status_info(&st, &b, &st.pending.overlay(j))).collect::<Vec<_>>(), "links": [{"href": format!("{b}/jobs"), "rel": "self", "type": "application/json"}]}),
        ),
        Err(e) => from_ows(&st.store_failure(&e)),
    }
}

#[allow(clippy::result_large_err)]
fn own_job(st: &St, h: &HeaderMap, id: &str) -> Result<Job, Response> {
    st.visible_job(h, id, None).map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            problem(StatusCode::NOT_FOUND, "no-such-job", e.text)
        } else {
            from_ows(&e)
        }
    })
}

/// `GET /jobs/{id}`.
pub async fn job(State(st): State<St>, h: HeaderMap, uri: axum::http::Uri, Path(id): Path<String>) -> Response {
    if crate::ui::wants_html(&h, uri.query()) {
        return crate::ui::shell();
    }
    match own_job(&st, &h, &id) {
        Ok(j) => js(&status_info(&st, &st.base_url(&h), &j)),
        Err(r) => r,
    }
}

/// `GET /jobs/{id}/results`.
pub async fn job_results(State(st): State<St>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let j = match own_job(&st, &h, &id) {
        Ok(j) => j,
        Err(r) => return r,
    };
    match j.status {
        JobStatus::Successful => match st.process(&j.process) {
            Some(p) => js(&results(&st, &st.base_url(&h), p, &j)),
            None => problem(StatusCode::INTERNAL_SERVER_ERROR, "no-such-process", "unknown process"),
        },
        JobStatus::Failed => failed_job(&j),
        JobStatus::Dismissed => problem(StatusCode::NOT_FOUND, "no-such-job", format!("Job '{id}' was dismissed")),
        _ => problem(
            StatusCode::NOT_FOUND,
            "result-not-ready",
            format!("Job '{id}' is {}; results are not ready", j.status.as_str()),
        ),
    }
}

/// `DELETE /jobs/{id}`: dismisses the job and removes its outputs.
pub async fn dismiss(State(st): State<St>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let j = match own_job(&st, &h, &id) {
        Ok(j) => j,
        Err(r) => return r,
    };
    if let Err(e) = st.store.dismiss(&j.id) {
        return problem(StatusCode::INTERNAL_SERVER_ERROR, "no-such-job", e.to_string());
    }
    if j.status != JobStatus::Running {
        st.remove_outputs(&j.id);
        // A queued job dismissed will not run: its user's token goes now.
        st.user_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&j.id);
    }
    match st.store.get(&j.id) {
        Ok(Some(j)) => js(&status_info(&st, &st.base_url(&h), &j)),
        _ => problem(StatusCode::NOT_FOUND, "no-such-job", format!("Job '{id}' vanished")),
    }
}

/// `GET /api`: the OpenAPI 3.0 document, generated from the process registry.
pub async fn api(State(st): State<St>, h: HeaderMap) -> Response {
    js(&openapi(&st.base_url(&h), &st.processes))
}

/// The OpenAPI 3.0 document of this server.
#[must_use]
pub fn openapi(base: &str, processes: &[ProcessDef]) -> Value {
    let ok = |d: &str| json!({"200": {"description": d, "content": {"application/json": {}}}});
    let job_id = json!([{"name": "jobId", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let mut paths = Map::new();
    paths.insert("/".into(), json!({"get": {"summary": "Landing page", "operationId": "getLandingPage", "responses": ok("links to the API")}}));
    paths.insert("/conformance".into(), json!({"get": {"summary": "Conformance classes", "operationId": "getConformance", "responses": ok("conformance classes")}}));
    paths.insert(
        "/api".into(),
        json!({"get": {"summary": "This document", "operationId": "getApi", "responses": ok("OpenAPI 3.0")}}),
    );
    paths.insert(
        "/processes".into(),
        json!({"get": {"summary": "Processes", "operationId": "getProcesses", "responses": ok("process summaries")}}),
    );
    paths.insert(
        "/processes/{processId}".into(),
        json!({"get": {"summary": "A process description", "operationId": "getProcessDescription",
            "parameters": [{"name": "processId", "in": "path", "required": true, "schema": {"type": "string", "enum": processes.iter().map(|p| p.id).collect::<Vec<_>>()}}],
            "responses": {"200": {"description": "process description"}, "404": {"description": "no such process"}}}}),
    );
    for p in processes {
        let props: Map<String, Value> = p.inputs.iter().map(|i| (i.id.to_string(), input_schema(&i.kind))).collect();
        let required: Vec<&str> = p
            .inputs
            .iter()
            .filter(|i| i.min > 0 && !matches!(i.kind, InputKind::Literal { default: Some(_), .. }))
            .map(|i| i.id)
            .collect();
        let outs: Map<String, Value> = p
            .outputs
            .iter()
            .map(|o| {
                (
                    o.id.to_string(),
                    json!({"type": "object", "properties": {"href": {"type": "string"}, "type": {"type": "string"}}}),
                )
            })
            .collect();
        paths.insert(
            format!("/processes/{}/execution", p.id),
            json!({"post": {
                "summary": format!("Execute {}: {}", p.id, p.title),
                "description": p.abstract_,
                "operationId": format!("execute_{}", p.id),
                "security": if p.id == "health" { json!([]) } else { json!([{"bearer": []}, {"apiKey": []}]) },
                "parameters": [{"name": "Prefer", "in": "header", "required": false, "schema": {"type": "string", "example": "respond-async"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"inputs": {"type": "object", "properties": props, "required": required}}}}}},
                "responses": {
                    "200": {"description": "results (synchronous)", "content": {"application/json": {"schema": {"type": "object", "properties": outs}}}},
                    "201": {"description": "job created (Prefer: respond-async)", "headers": {"Location": {"schema": {"type": "string"}}}},
                    "400": {"description": "invalid input"}, "401": {"description": "missing or invalid API key"},
                    "403": {"description": "the key lacks the scope"}, "404": {"description": "no such process"},
                    "503": {"description": "queue full"}
                }
            }}),
        );
    }
    let auth = json!([{"bearer": []}, {"apiKey": []}]);
    paths.insert("/jobs".into(), json!({"get": {"summary": "Jobs of the caller", "operationId": "getJobs", "security": auth, "responses": ok("status infos")}}));
    paths.insert(
        "/jobs/{jobId}".into(),
        json!({
            "get": {"summary": "Status of a job", "operationId": "getStatus", "security": auth, "parameters": job_id, "responses": {"200": {"description": "status info"}, "404": {"description": "no such job"}}},
            "delete": {"summary": "Dismiss a job", "operationId": "dismiss", "security": auth, "parameters": job_id, "responses": {"200": {"description": "status info"}, "404": {"description": "no such job"}}}
        }),
    );
    paths.insert(
        "/jobs/{jobId}/results".into(),
        json!({"get": {"summary": "Results of a job", "operationId": "getResult", "security": auth, "parameters": job_id, "responses": {"200": {"description": "results"}, "404": {"description": "no such job or not ready"}}}}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "rookery", "version": env!("CARGO_PKG_VERSION"), "description": "OGC API - Processes 1.0 for climate model data (rook-compatible processes)"},
        "servers": [{"url": base}],
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        }},
        "paths": paths
    })
}
