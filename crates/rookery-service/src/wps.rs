//! WPS 1.0.0 at `/wps`: GetCapabilities, DescribeProcess and Execute, by KVP GET and XML POST,
//! synchronous and asynchronous, `ResponseDocument` and `RawDataOutput`.

use crate::error::{OwsCode, OwsError};
use crate::jobs::{Job, JobRequest, JobStatus};
use crate::process::{OutputKind, ProcessDef, RawInput};
use crate::state::St;
use crate::usage_log::UsageTag;
use crate::xml::{self, ExecuteDoc, OutputValue};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::Event;
use quick_xml::XmlVersion;

/// A parsed Execute request.
#[derive(Clone, Debug, Default)]
pub struct ExecuteRequest {
    /// Id of the process to run (empty when the request named none).
    pub identifier: String,
    /// The inputs as given, in request order (checked later against the process).
    pub inputs: Vec<RawInput>,
    /// `storeExecuteResponse`.
    pub store: bool,
    /// `status`.
    pub status: bool,
    /// `lineage`: echo the inputs and output definitions in the response.
    pub lineage: bool,
    /// `RawDataOutput` identifier.
    pub raw_output: Option<String>,
    /// Outputs of the `ResponseDocument`, in request order.
    pub outputs: Vec<String>,
}

/// A parsed WPS request.
#[derive(Debug)]
pub enum WpsRequest {
    /// `GetCapabilities`: the service and its processes.
    GetCapabilities,
    /// `DescribeProcess` of these process ids (`all` names every process; empty: none given).
    DescribeProcess(Vec<String>),
    /// `Execute` a process.
    Execute(ExecuteRequest),
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn truthy(s: &str) -> bool {
    crate::text::parse_bool(s).unwrap_or(false)
}

/// Percent-decodes what is valid and leaves the rest (pywps `unquote`).
fn unquote(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parses a KVP query string.
///
/// # Errors
/// Missing or unsupported service/request/version, malformed parameters.
pub fn parse_kvp(query: &str) -> Result<WpsRequest, OwsError> {
    let mut kv: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        kv.push((k.to_ascii_lowercase(), v.into_owned()));
    }
    let get = |k: &str| kv.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string());
    let service = get("service").ok_or_else(|| OwsError::missing("service", "Missing parameter value \"service\""))?;
    if !service.eq_ignore_ascii_case("wps") {
        return Err(OwsError::invalid("service", format!("Parameter \"service\" must be WPS, not \"{service}\"")));
    }
    let request = get("request").ok_or_else(|| OwsError::missing("request", "Missing request value"))?;
    let check_version = || -> Result<(), OwsError> {
        match get("version") {
            None => Err(OwsError::missing("version", "Missing version")),
            Some(v) if v == "1.0.0" => Ok(()),
            Some(v) => Err(OwsError {
                code: OwsCode::VersionNegotiationFailed,
                locator: "version".into(),
                text: format!("The requested version \"{v}\" is not supported; this server supports 1.0.0"),
                status: StatusCode::BAD_REQUEST,
            }),
        }
    };
    match request.to_ascii_lowercase().as_str() {
        "getcapabilities" => Ok(WpsRequest::GetCapabilities),
        "describeprocess" => {
            check_version()?;
            let ids: Vec<String> = get("identifier")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            Ok(WpsRequest::DescribeProcess(ids))
        }
        "execute" => {
            check_version()?;
            let identifier = get("identifier").unwrap_or_default();
            let mut r = ExecuteRequest { identifier, ..Default::default() };
            if let Some(di) = get("datainputs") {
                for part in di.split(';').filter(|p| !p.trim().is_empty()) {
                    let mut fields = part.split('@');
                    let first = fields.next().unwrap_or("");
                    let Some((id, val)) = first.split_once('=') else {
                        return Err(OwsError::invalid(
                            "DataInputs",
                            format!("Malformed DataInputs part \"{part}\": expected identifier=value"),
                        ));
                    };
                    let mut ri = RawInput { id: id.trim().to_string(), data: unquote(val), mime: None };
                    for a in fields {
                        if let Some((k, v)) = a.split_once('=') {
                            if k.eq_ignore_ascii_case("mimetype") {
                                ri.mime = Some(unquote(v));
                            } else if k.eq_ignore_ascii_case("xlink:href") || k.eq_ignore_ascii_case("href") {
                                // An input by reference (pywps KVP `id=@xlink:href=URL`): the
                                // operation fetches it (ops.rs, allowed URLs only).
                                ri.data = reference(&ri.id, &unquote(v))?;
                            }
                        }
                    }
                    r.inputs.push(ri);
                }
            }
            if let Some(raw) = get("rawdataoutput") {
                r.raw_output = Some(raw.split('@').next().unwrap_or("").trim().to_string());
            }
            if let Some(rd) = get("responsedocument") {
                r.outputs = rd
                    .split(';')
                    .map(|o| o.split('@').next().unwrap_or("").trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect();
            }
            r.store = get("storeexecuteresponse").is_some_and(|v| truthy(&v));
            r.status = get("status").is_some_and(|v| truthy(&v));
            r.lineage = get("lineage").is_some_and(|v| truthy(&v));
            Ok(WpsRequest::Execute(r))
        }
        other => Err(OwsError {
            code: OwsCode::OperationNotSupported,
            locator: "request".into(),
            text: format!("Unknown request \"{other}\": must be GetCapabilities, DescribeProcess or Execute"),
            status: StatusCode::BAD_REQUEST,
        }),
    }
}

/// Inputs by reference: http(s) URLs only (the operation fetches them, see `ops::fetch_reference`).
fn reference(id: &str, href: &str) -> Result<String, OwsError> {
    let h = href.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        Ok(h.to_string())
    } else {
        Err(OwsError::invalid(
            id,
            format!("Input \"{id}\" is given by reference to '{h}': only http(s) URLs are accepted"),
        ))
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or(&s).to_string()
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let k = local(a.key.as_ref().as_bytes());
        (k.eq_ignore_ascii_case(name))
            .then(|| a.normalized_value(XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_default())
    })
}

/// Resolves a general entity reference (`&amp;`, `&#10;`).
fn entity(r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match r.xml_content(XmlVersion::Implicit1_0).as_ref() {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        other => format!("&{other};"),
    }
}

/// Parses an XML POST body (Execute, GetCapabilities or DescribeProcess).
///
/// # Errors
/// Malformed XML, unknown root element, unsupported version.
pub fn parse_xml(body: &[u8]) -> Result<WpsRequest, OwsError> {
    let text =
        std::str::from_utf8(body).map_err(|_| OwsError::invalid("request", "The request body is not UTF-8 text"))?;
    let bad = |e: &dyn std::fmt::Display| OwsError::invalid("request", format!("Malformed XML request: {e}"));
    let mut rd = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    let mut req = ExecuteRequest::default();
    let mut describe_ids: Vec<String> = Vec::new();
    let mut cur: Option<RawInput> = None;
    let mut buf_text = String::new();
    let mut collecting = false;
    loop {
        let ev = rd.read_event().map_err(|e| bad(&e))?;
        match ev {
            Event::Start(e) => {
                let name = local(e.name().as_ref().as_bytes());
                if root.is_none() {
                    if let Some(v) = attr(&e, "version") {
                        if v != "1.0.0" {
                            return Err(OwsError {
                                code: OwsCode::VersionNegotiationFailed,
                                locator: "version".into(),
                                text: format!(
                                    "The requested version \"{v}\" is not supported; this server supports 1.0.0"
                                ),
                                status: StatusCode::BAD_REQUEST,
                            });
                        }
                    }
                    root = Some(name.clone());
                }
                let parent = stack.last().cloned().unwrap_or_default();
                match name.as_str() {
                    "Input" => cur = Some(RawInput::default()),
                    "Reference" if parent == "Input" => {
                        let id = cur.as_ref().map(|c| c.id.clone()).unwrap_or_default();
                        let data = reference(&id, &attr(&e, "href").unwrap_or_default())?;
                        if let Some(c) = cur.as_mut() {
                            c.data = data;
                            c.mime = attr(&e, "mimeType");
                        }
                    }
                    "LiteralData" if parent == "Data" => {
                        collecting = true;
                        buf_text.clear();
                    }
                    "ComplexData" if parent == "Data" => {
                        if let Some(c) = cur.as_mut() {
                            c.mime = attr(&e, "mimeType");
                        }
                        // Inline content: text/CDATA (JSON, YAML) or XML (GML) kept as is.
                        let inner = rd.read_text(e.name()).map_err(|e| bad(&e))?;
                        let raw = inner.into_inner().into_owned();
                        if let Some(c) = cur.as_mut() {
                            c.data = complex_content(&raw);
                        }
                        continue;
                    }
                    "ResponseDocument" => {
                        req.store = attr(&e, "storeExecuteResponse").is_some_and(|v| truthy(&v));
                        req.status = attr(&e, "status").is_some_and(|v| truthy(&v));
                        req.lineage = attr(&e, "lineage").is_some_and(|v| truthy(&v));
                    }
                    "Identifier" => {
                        collecting = true;
                        buf_text.clear();
                    }
                    _ => {}
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref().as_bytes());
                if root.is_none() {
                    root = Some(name.clone());
                }
                match name.as_str() {
                    "Reference" if stack.last().is_some_and(|p| p == "Input") => {
                        let id = cur.as_ref().map(|c| c.id.clone()).unwrap_or_default();
                        let href = attr(&e, "href").unwrap_or_default();
                        let data = reference(&id, &href)?;
                        if let Some(c) = cur.as_mut() {
                            c.data = data;
                            c.mime = attr(&e, "mimeType");
                        }
                    }
                    "ResponseDocument" => {
                        req.store = attr(&e, "storeExecuteResponse").is_some_and(|v| truthy(&v));
                        req.status = attr(&e, "status").is_some_and(|v| truthy(&v));
                        req.lineage = attr(&e, "lineage").is_some_and(|v| truthy(&v));
                    }
                    _ => {}
                }
            }
            Event::Text(t) if collecting => buf_text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) if collecting => buf_text.push_str(&entity(&r)),
            Event::CData(t) if collecting => buf_text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::End(e) => {
                let name = local(e.name().as_ref().as_bytes());
                stack.pop();
                let parent = stack.last().cloned().unwrap_or_default();
                match name.as_str() {
                    "Identifier" => {
                        collecting = false;
                        let v = buf_text.trim().to_string();
                        match parent.as_str() {
                            "Input" => {
                                if let Some(c) = cur.as_mut() {
                                    c.id = v;
                                }
                            }
                            "Output" if stack.iter().any(|s| s == "ResponseDocument") => req.outputs.push(v),
                            "RawDataOutput" => req.raw_output = Some(v),
                            "Execute" => req.identifier = v,
                            "DescribeProcess" => describe_ids.push(v),
                            _ => {}
                        }
                    }
                    "LiteralData" if collecting => {
                        collecting = false;
                        if let Some(c) = cur.as_mut() {
                            c.data = buf_text.clone();
                        }
                    }
                    "Input" => {
                        if let Some(c) = cur.take() {
                            if c.id.is_empty() {
                                return Err(OwsError::invalid("Input", "An Input has no ows:Identifier"));
                            }
                            req.inputs.push(c);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("Execute") => Ok(WpsRequest::Execute(req)),
        Some("GetCapabilities") => Ok(WpsRequest::GetCapabilities),
        Some("DescribeProcess") => Ok(WpsRequest::DescribeProcess(describe_ids)),
        Some(other) => Err(OwsError {
            code: OwsCode::OperationNotSupported,
            locator: "request".into(),
            text: format!("Unknown request <{other}>: must be Execute, GetCapabilities or DescribeProcess"),
            status: StatusCode::BAD_REQUEST,
        }),
        None => Err(OwsError::invalid("request", "Malformed XML request: the body is empty")),
    }
}

/// Content of an inline ComplexData: CDATA unwrapped, entities resolved in text, XML kept.
fn complex_content(raw: &str) -> String {
    let t = raw.trim();
    if let Some(inner) = t.strip_prefix("<![CDATA[").and_then(|s| s.strip_suffix("]]>")) {
        return inner.to_string();
    }
    if t.starts_with('<') {
        return t.to_string();
    }
    quick_xml::escape::unescape(t).map_or_else(|_| t.to_string(), |c| c.into_owned())
}

/// `GET /wps`.
pub async fn get(State(st): State<St>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    if q.is_empty() {
        return OwsError::missing("service", "Missing parameter value \"service\": this is a WPS 1.0.0 endpoint (try ?service=WPS&request=GetCapabilities)")
            .into_response();
    }
    match parse_kvp(&q) {
        Ok(r) => handle(&st, &headers, r).await,
        Err(e) => e.into_response(),
    }
}

/// `POST /wps`: an XML request of at most `max_wps_body` bytes (any Content-Type: OWSLib,
/// birdy and rooki send `text/xml`, others none or form-encoded).
pub async fn post(State(st): State<St>, headers: HeaderMap, body: Body) -> Response {
    use crate::limits::BodyError;
    let limits = &st.cfg.http;
    let body = match crate::limits::read_body(&headers, body, limits.max_wps_body, limits.body_read_timeout).await {
        Ok(b) => b,
        Err(e) => {
            let mut r = match &e {
                // PyWPS's answer to a request over `maxrequestsize`.
                BodyError::TooLarge { limit } => OwsError::too_large(format!(
                    "File size for input exceeded. Maximum request size allowed: {limit} bytes"
                )),
                BodyError::Timeout(_) => OwsError::other(StatusCode::REQUEST_TIMEOUT, e.to_string()),
                BodyError::Read(_) => OwsError::invalid("request", e.to_string()),
            }
            .into_response();
            r.headers_mut().insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
            return r;
        }
    };
    match parse_xml(&body) {
        Ok(r) => handle(&st, &headers, r).await,
        Err(e) => e.into_response(),
    }
}

fn tagged(mut r: Response, tag: UsageTag) -> Response {
    r.extensions_mut().insert(tag);
    r
}

async fn handle(st: &St, headers: &HeaderMap, r: WpsRequest) -> Response {
    let base = st.base_url(headers);
    match r {
        WpsRequest::GetCapabilities => tagged(
            xml_response(StatusCode::OK, xml::capabilities(&st.info, &format!("{base}/wps"), &st.processes)),
            UsageTag { operation: "GetCapabilities".into(), ..Default::default() },
        ),
        WpsRequest::DescribeProcess(ids) => {
            if ids.is_empty() {
                return OwsError::missing("identifier", "Missing parameter value \"identifier\"").into_response();
            }
            let mut sel: Vec<&ProcessDef> = Vec::new();
            if ids.iter().any(|i| i.eq_ignore_ascii_case("all")) {
                sel.extend(st.processes.iter());
            } else {
                for id in &ids {
                    match st.process(id) {
                        Some(p) => sel.push(p),
                        None => {
                            return OwsError::invalid("identifier", format!("Unknown process {id}")).into_response()
                        }
                    }
                }
            }
            tagged(
                xml_response(StatusCode::OK, xml::describe(&sel)),
                UsageTag { operation: "DescribeProcess".into(), process: ids.join(","), ..Default::default() },
            )
        }
        WpsRequest::Execute(req) => match execute(st, headers, &base, req).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
    }
}

async fn execute(st: &St, headers: &HeaderMap, base: &str, req: ExecuteRequest) -> Result<Response, OwsError> {
    if req.identifier.is_empty() {
        return Err(OwsError::missing("Identifier", "Missing parameter value \"identifier\""));
    }
    let p = st
        .process(&req.identifier)
        .ok_or_else(|| OwsError::invalid("Identifier", format!("Unknown process '{}'", req.identifier)))?;
    // Keys first: an unauthenticated caller learns nothing about the inputs.
    let who = if p.id == "health" {
        None
    } else {
        Some(st.require(headers, if p.id == "usage" || p.id == "dashboard" { "usage" } else { "execute" })?)
    };
    for o in req.outputs.iter().chain(req.raw_output.iter()) {
        if p.output(o).is_none() {
            return Err(OwsError::invalid(
                o,
                format!(
                    "Unknown output \"{o}\" of process \"{}\"; its outputs are: {}",
                    p.id,
                    p.outputs.iter().map(|x| x.id).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let inputs = crate::process::validate(p, &req.inputs)?;
    if p.id == "orchestrate" {
        // A malformed workflow (cycle, unknown step or input, bad parameter) is refused now.
        crate::workflow::parse(crate::process::first(&inputs, "workflow").unwrap_or_default())
            .map_err(|e| OwsError::invalid("workflow", e.0))?;
    }
    let inputs_json = serde_json::to_string(&inputs).unwrap_or_default();
    if p.id == "health" {
        // Synchronous, in the request, never queued (rook: not sent to the batch system).
        let (store, dir) = (st.store.clone(), st.cfg.data_dir.clone());
        let res = tokio::task::spawn_blocking(move || crate::execute::health(store.as_ref(), &dir))
            .await
            .map_err(|e| OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let tag = UsageTag { operation: "Execute".into(), process: "health".into(), ..Default::default() };
        return Ok(tagged(health_response(st, base, p, &req, res), tag));
    }
    let Some(who) = who else {
        return Err(OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, "no principal"));
    };
    let is_async = req.store && req.status && p.async_supported && req.raw_output.is_none();
    if req.store && !p.async_supported {
        return Err(OwsError {
            code: OwsCode::NoApplicableCode,
            locator: "storeExecuteResponse".into(),
            text: format!("Process {} does not support storing the execute response (asynchronous execution)", p.id),
            status: StatusCode::BAD_REQUEST,
        });
    }
    let mut outputs = req.outputs.clone();
    if let Some(r) = &req.raw_output {
        outputs = vec![r.clone()];
    }
    let job =
        st.submit(&who, p.id, JobRequest { inputs, lineage: req.lineage, sync: !is_async, outputs, estimate: None })?;
    let tag = UsageTag {
        user: who.name.clone(),
        operation: "Execute".into(),
        process: p.id.to_string(),
        job: job.id.clone(),
        inputs: inputs_json,
    };
    if is_async {
        return Ok(tagged(execute_doc_response(st, base, &job, true), tag));
    }
    let job = st
        .wait(&job.id)
        .await
        .ok_or_else(|| OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, "the job disappeared"))?;
    if !job.status.is_final() {
        return Err(OwsError::other(
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "Process error: the process did not finish within {} s; it goes on as job {} (use asynchronous execution for long requests)",
                st.cfg.sync_timeout_secs, job.id
            ),
        ));
    }
    if let Some(raw) = &req.raw_output {
        return Ok(tagged(raw_output(st, base, p, &job, raw), tag));
    }
    Ok(tagged(execute_doc_response(st, base, &job, false), tag))
}

fn health_response(
    st: &St,
    base: &str,
    p: &ProcessDef,
    req: &ExecuteRequest,
    res: Result<String, crate::ops::ProcError>,
) -> Response {
    match (res, &req.raw_output) {
        (Ok(v), Some(_)) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], v).into_response(),
        (Err(m), Some(_)) => {
            OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, format!("Process error: {}", m.0)).into_response()
        }
        (res, None) => {
            let now = crate::time::now_ms();
            let ok = res.is_ok();
            let job = Job {
                id: String::new(),
                process: p.id.into(),
                owner: String::new(),
                status: if ok { JobStatus::Successful } else { JobStatus::Failed },
                message: match &res {
                    Ok(_) => "Process finished".into(),
                    Err(m) => format!("Process error: {}", m.0),
                },
                progress: 100,
                request: JobRequest { lineage: req.lineage, ..Default::default() },
                result: None,
                created: now,
                started: Some(now),
                finished: Some(now),
                attempts: 1,
                worker: None,
            };
            let outputs = res
                .map(|v| vec![("status".to_string(), OutputValue::Literal { value: v, data_type: "string".into() })])
                .unwrap_or_default();
            let doc = ExecuteDoc {
                process: p,
                job: &job,
                service_instance: format!("{base}/wps?service=WPS&request=GetCapabilities"),
                status_location: None,
                outputs,
            };
            let _ = st;
            xml_response(StatusCode::OK, xml::execute_response(&doc))
        }
    }
}

/// The outputs of a successful job as they appear in a response document.
fn output_values(st: &St, base: &str, p: &ProcessDef, job: &Job) -> Vec<(String, OutputValue)> {
    let Some(res) = &job.result else { return vec![] };
    let wanted = |id: &str| job.request.outputs.is_empty() || job.request.outputs.iter().any(|o| o == id);
    let mut out = Vec::new();
    for o in &p.outputs {
        if !wanted(o.id) {
            continue;
        }
        let fmt = match &o.kind {
            OutputKind::Complex { formats } => formats.first().copied(),
            OutputKind::Literal { data_type } => {
                if let Some((_, v)) = res.literals.iter().find(|(id, _)| id == o.id) {
                    out.push((
                        o.id.to_string(),
                        OutputValue::Literal { value: v.clone(), data_type: (*data_type).into() },
                    ));
                }
                continue;
            }
        };
        let file = if o.id == "output" && p.outputs.first().is_some_and(|f| f.id == "output") {
            Some("output.meta4".to_string())
        } else {
            res.documents.iter().find(|(id, _, _)| id == o.id).map(|(_, f, _)| f.clone())
        };
        if let (Some(f), Some(fmt)) = (file, fmt) {
            out.push((
                o.id.to_string(),
                OutputValue::Reference {
                    href: st.file_url(base, &job.id, &f),
                    mime: fmt.mime.into(),
                    encoding: fmt.encoding.unwrap_or("").into(),
                    schema: fmt.schema.unwrap_or("").into(),
                },
            ));
        }
    }
    out
}

/// An execute response / status document for a job.
pub fn execute_doc_response(st: &St, base: &str, job: &Job, with_status_location: bool) -> Response {
    let Some(p) = st.process(&job.process) else {
        return OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, format!("unknown process {}", job.process))
            .into_response();
    };
    let doc = ExecuteDoc {
        process: p,
        job,
        service_instance: format!("{base}/wps?service=WPS&request=GetCapabilities"),
        status_location: (with_status_location || !job.request.sync).then(|| st.status_url(base, &job.id)),
        outputs: if job.status == JobStatus::Successful { output_values(st, base, p, job) } else { vec![] },
    };
    xml_response(StatusCode::OK, xml::execute_response(&doc))
}

fn raw_output(st: &St, base: &str, p: &ProcessDef, job: &Job, id: &str) -> Response {
    if job.status != JobStatus::Successful {
        return OwsError::failed(job.failure_kind(), job.message.clone()).into_response();
    }
    let Some(res) = &job.result else {
        return OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, "Expected output was not generated").into_response();
    };
    if let Some((_, v)) = res.literals.iter().find(|(o, _)| o == id) {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], v.clone()).into_response();
    }
    let disp = |name: &str| format!("attachment; filename=\"{name}\"");
    if id == "output" && p.output("output").is_some() {
        // The Metalink itself.
        let files: Vec<xml::MetaFile> = res
            .files
            .iter()
            .map(|f| xml::MetaFile {
                name: f.name.clone(),
                size: f.size,
                url: st.file_url(base, &job.id, &f.name),
                sha256: f.sha256.clone(),
            })
            .chain(res.urls.iter().map(|u| xml::MetaFile {
                name: u.rsplit('/').next().unwrap_or(u).to_string(),
                size: 0,
                url: u.clone(),
                sha256: None,
            }))
            .collect();
        let doc = xml::metalink(
            "NetCDF file",
            &crate::time::iso_seconds(job.finished.unwrap_or(job.created)),
            &format!("{base}/"),
            &files,
        );
        return (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/metalink+xml; version=4.0".to_string()),
                (header::CONTENT_DISPOSITION, disp("output.meta4")),
            ],
            doc,
        )
            .into_response();
    }
    if let Some((_, f, mime)) = res.documents.iter().find(|(o, _, _)| o == id) {
        return match std::fs::read(st.cfg.job_dir(&job.id).join(f)) {
            Ok(b) => {
                (StatusCode::OK, [(header::CONTENT_TYPE, mime.clone()), (header::CONTENT_DISPOSITION, disp(f))], b)
                    .into_response()
            }
            Err(e) => OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, format!("Output {id} cannot be read: {e}"))
                .into_response(),
        };
    }
    OwsError::other(StatusCode::BAD_REQUEST, "Expected output was not generated").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kvp_execute() {
        let r = parse_kvp(
            "service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection=a.b;time=2015-01-01/2015-12-30;area=1,1,300,89&storeExecuteResponse=true&status=true",
        )
        .unwrap();
        let WpsRequest::Execute(e) = r else { panic!() };
        assert_eq!(e.identifier, "subset");
        assert_eq!(e.inputs.len(), 3);
        assert_eq!(e.inputs[2].data, "1,1,300,89");
        assert!(e.store && e.status);
        let r = parse_kvp("service=WPS&version=1.0.0&request=Execute&identifier=health&RawDataOutput=status").unwrap();
        let WpsRequest::Execute(e) = r else { panic!() };
        assert_eq!(e.raw_output.as_deref(), Some("status"));
        assert_eq!(parse_kvp("request=GetCapabilities").unwrap_err().code, OwsCode::MissingParameterValue);
        assert_eq!(parse_kvp("service=WPS&request=Dance").unwrap_err().code, OwsCode::OperationNotSupported);
        assert_eq!(
            parse_kvp("service=WPS&request=DescribeProcess&version=2.0.0&identifier=all").unwrap_err().code,
            OwsCode::VersionNegotiationFailed
        );
    }

    #[test]
    fn xml_execute_as_owslib_sends_it() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<wps:Execute xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" service="WPS" version="1.0.0">
  <ows:Identifier>orchestrate</ows:Identifier>
  <wps:DataInputs>
    <wps:Input><ows:Identifier>collection</ows:Identifier><wps:Data><wps:LiteralData>a &amp; b</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>workflow</ows:Identifier><wps:Data><wps:ComplexData mimeType="application/json">{"doc": "x &lt; y"}</wps:ComplexData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>cdata</ows:Identifier><wps:Data><wps:ComplexData><![CDATA[{"a": "<b>"}]]></wps:ComplexData></wps:Data></wps:Input>
  </wps:DataInputs>
  <wps:ResponseForm>
    <wps:ResponseDocument storeExecuteResponse="true" status="true" lineage="true">
      <wps:Output asReference="true"><ows:Identifier>output</ows:Identifier></wps:Output>
      <wps:Output asReference="true"><ows:Identifier>prov</ows:Identifier></wps:Output>
    </wps:ResponseDocument>
  </wps:ResponseForm>
</wps:Execute>"#;
        let WpsRequest::Execute(e) = parse_xml(body.as_bytes()).unwrap() else { panic!() };
        assert_eq!(e.identifier, "orchestrate");
        assert_eq!(e.inputs[0].data, "a & b");
        assert_eq!(e.inputs[1].data, "{\"doc\": \"x < y\"}");
        assert_eq!(e.inputs[1].mime.as_deref(), Some("application/json"));
        assert_eq!(e.inputs[2].data, "{\"a\": \"<b>\"}");
        assert!(e.store && e.status && e.lineage);
        assert_eq!(e.outputs, vec!["output", "prov"]);
        assert!(parse_xml(b"<wps:Execute><oops></wps:Execute>").is_err());
        assert!(parse_xml(b"not xml at all").is_err());
    }
}
