//! OPeNDAP for served datasets: DAP2 at `/opendap/{id}` + `.dds`, `.das`, `.dods`, `.ascii`,
//! `.html`, DAP4 at `/opendap4/{id}` + `.dmr` (`.dmr.xml`), `.dap`, `.html`. The documents and
//! encodings come from [`rookery_io::dap`] (below this floor); this module routes, checks
//! access (as the rest of the data API), refuses answers above the service's `max_answer_bytes`
//! with 413 before reading, and streams data from a blocking thread through a small channel.

use super::{open, tagged, Reader};
use crate::state::St;
use axum::body::{Body, Bytes};
use axum::extract::{Path as AxPath, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rookery_daops::serve::ServedDataset;
use rookery_io::dap::{ce, dap2, dap4, DapError, Plan};
use rookery_io::Source;
use std::sync::Arc;

/// The `XDODS-Server` / `XOPeNDAP-Server` header value.
const SERVER: &str = concat!("rookery/", env!("CARGO_PKG_VERSION"));

/// Which protocol answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Proto {
    Dap2,
    Dap4,
}

fn dap_error(p: Proto, status: StatusCode, msg: &str) -> Response {
    let (body, ct) = match p {
        Proto::Dap2 => (dap2::error(status.as_u16(), msg), "text/plain; charset=utf-8"),
        Proto::Dap4 => (dap4::error(status.as_u16(), msg), "application/vnd.opendap.dap4.error+xml"),
    };
    let mut r = (status, [(header::CONTENT_TYPE, ct)], body).into_response();
    r.headers_mut().insert("content-description", HeaderValue::from_static("dods-error"));
    r
}

fn from_dap(p: Proto, e: &DapError) -> Response {
    match e {
        DapError::Constraint(_) => dap_error(p, StatusCode::BAD_REQUEST, &e.to_string()),
        DapError::TooLarge { .. } => dap_error(p, StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
        DapError::Io(_) | DapError::Closed => {
            tracing::warn!("opendap: {e}");
            dap_error(p, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    }
}

fn with_headers(mut r: Response, description: &'static str, who: &Reader) -> Response {
    let h = r.headers_mut();
    h.insert("content-description", HeaderValue::from_static(description));
    h.insert("xdods-server", HeaderValue::from_static(SERVER));
    h.insert("xopendap-server", HeaderValue::from_static(SERVER));
    h.insert("xdap", HeaderValue::from_static("3.2"));
    h.insert(header::CACHE_CONTROL, who.cache_control());
    r
}

/// A channel's receiving end as a body stream.
pub(super) struct Chan(pub(super) tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chan {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

type Writer = dyn FnOnce(&dyn Source, &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>) -> Result<(), DapError> + Send;

/// A body written by `write` on a blocking thread; memory is bounded by the channel (a few
/// pieces of at most one slab each). A failure after the first bytes ends the body with an error.
fn streamed(d: Arc<ServedDataset>, write: Box<Writer>) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut sink = |b: Vec<u8>| tx.blocking_send(Ok(Bytes::from(b))).map_err(|_| DapError::Closed);
        match write(d.source.as_ref(), &mut sink) {
            Ok(()) | Err(DapError::Closed) => {}
            Err(e) => {
                tracing::warn!("opendap {}: {e}", d.id);
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        }
    });
    Body::from_stream(Chan(rx))
}

/// Counts a streamed answer's (computed) size against a counted reader's daily bytes.
fn count(st: &St, who: &Reader, n: u64) {
    if who.counted && n > 0 {
        let day = crate::quota::day_of(crate::time::now_ms());
        if let Err(e) = st.store.add_bytes_written(&who.user, day, n) {
            tracing::warn!("quota: counting {n} bytes served to {} failed: {e}", who.user);
        }
    }
}

/// `id` and the answer kind of a request path (`<id>.<ext>`); a bare id asks for the form.
fn split<'a>(name: &'a str, exts: &[&'a str]) -> (&'a str, &'a str) {
    for e in exts {
        if let Some(id) = name.strip_suffix(e).and_then(|i| i.strip_suffix('.')) {
            return (id, e);
        }
    }
    (name, "html")
}

/// The query parameters of a DAP4 request, %-decoded: `dap4.ce` and `dap4.checksum`.
fn dap4_query(q: &str) -> Result<(String, bool), DapError> {
    let (mut ce_text, mut checksums) = (String::new(), false);
    for kv in q.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let v = ce::percent_decode(&v.replace('+', " "))?;
        match ce::percent_decode(k)?.as_str() {
            "dap4.ce" => ce_text = v,
            "dap4.checksum" => checksums = v.trim() == "true",
            _ => {}
        }
    }
    Ok((ce_text, checksums))
}

fn html_form(d: &ServedDataset, proto: Proto, base: &str) -> String {
    let esc = rookery_io::text::html;
    let ds = d.source.dataset();
    let rows: String = ds
        .vars
        .iter()
        .map(|v| {
            let dims: String = v.dims.iter().zip(&v.shape).map(|(n, s)| format!("[{} = {s}]", esc(n))).collect();
            let t = if proto == Proto::Dap2 { dap2::type_name(v.dtype) } else { dap4::type_name(v.dtype) };
            format!("<tr><td><code>{}</code></td><td>{t}</td><td><code>{dims}</code></td></tr>", esc(&v.name))
        })
        .collect();
    let (exts, example, key) = match proto {
        Proto::Dap2 => ("dds das dods ascii", "tas[0:1:2][0:1:5][0:1:5],time[0:1:2]", ""),
        Proto::Dap4 => ("dmr dap", "/tas[0:1:2][0:1:5][0:1:5];/time[0:1:2]", "dap4.ce="),
    };
    let links: String = exts.split(' ').map(|e| format!(" <a href=\"{base}.{e}\">.{e}</a>")).collect();
    let fmt = if proto == Proto::Dap2 { "ascii" } else { "dmr" };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>OPeNDAP {id}</title></head><body>\
<h1>{id}</h1><p>OPeNDAP {p} answers:{links}</p><table><tr><th>variable</th><th>type</th><th>dimensions</th></tr>{rows}</table>\
<form onsubmit=\"location.href='{base}.'+this.f.value+'?{key}'+encodeURIComponent(this.ce.value);return false\">\
<p>Constraint (projections, hyperslabs <code>[start:stride:stop]</code>), e.g. <code>{ex}</code>:</p>\
<input name=\"ce\" size=\"80\"> <input name=\"f\" value=\"{fmt}\" size=\"6\"> <button>Get</button></form></body></html>",
        id = esc(&d.id),
        p = if proto == Proto::Dap2 { "DAP2" } else { "DAP4" },
        ex = esc(example),
    )
}

fn text(body: String, ct: &'static str) -> Response {
    ([(header::CONTENT_TYPE, ct)], body).into_response()
}

/// `GET /opendap/{id}.{dds,das,dods,ascii,html}` (DAP2).
pub async fn opendap2(
    State(st): State<St>,
    AxPath(name): AxPath<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (id, ext) = split(&name, &["dods", "dds", "das", "ascii", "asc", "html"]);
    let (who, d) = match open(&st, &headers, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = q.unwrap_or_default();
    let plan = match ce::percent_decode(&q)
        .and_then(|c| ce::parse_dap2(&c))
        .and_then(|c| Plan::dap2(d.source.dataset(), &c))
    {
        Ok(p) => p,
        Err(e) => return from_dap(Proto::Dap2, &e),
    };
    let limit = super::max_answer_bytes(&st);
    let r = match ext {
        "dds" => with_headers(text(dap2::dds(&plan, id), "text/plain; charset=utf-8"), "dods-dds", &who),
        "das" => with_headers(text(dap2::das(d.source.dataset()), "text/plain; charset=utf-8"), "dods-das", &who),
        "dods" | "ascii" | "asc" => {
            let size = dap2::dods_size(&plan, id);
            if let Err(e) = Plan::check(size, limit) {
                return from_dap(Proto::Dap2, &e);
            }
            let (plan2, id2) = (plan.clone(), id.to_string());
            let ascii = ext != "dods";
            let body = streamed(
                d.clone(),
                Box::new(move |src: &dyn Source, sink: &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>| {
                    if ascii {
                        dap2::ascii(src, &plan2, &id2, sink)
                    } else {
                        dap2::write_dods(src, &plan2, &id2, sink)
                    }
                }),
            );
            let mut r = Response::new(body);
            let ct = if ascii { "text/plain; charset=utf-8" } else { "application/octet-stream" };
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            if !ascii && !plan.has_strings() {
                r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            } else {
                count(&st, &who, size);
            }
            with_headers(r, if ascii { "dods-ascii" } else { "dods-data" }, &who)
        }
        _ => {
            let base = format!("{}/opendap/{id}", st.base_url(&headers));
            text(html_form(&d, Proto::Dap2, &base), "text/html; charset=utf-8")
        }
    };
    tagged(&st, r, &who, format!("{id}/opendap.{ext}?{q}"))
}

/// `GET /opendap4/{id}.{dmr,dmr.xml,dap,html}` (DAP4; query `dap4.ce`, `dap4.checksum`).
pub async fn opendap4(
    State(st): State<St>,
    AxPath(name): AxPath<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (id, ext) = split(&name, &["dmr.xml", "dmr", "dap", "html"]);
    let (who, d) = match open(&st, &headers, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = q.unwrap_or_default();
    let ds = d.source.dataset();
    let parsed = dap4_query(&q).and_then(|(c, sum)| Ok((Plan::dap4(ds, &ce::parse_dap4(&c)?)?, sum)));
    let (plan, checksums) = match parsed {
        Ok(p) => p,
        Err(e) => return from_dap(Proto::Dap4, &e),
    };
    let dmr = dap4::dmr(ds, &plan, id);
    let r = match ext {
        "dmr" | "dmr.xml" => {
            with_headers(text(dmr, "application/vnd.opendap.dap4.dataset-metadata+xml"), "dods-dmr", &who)
        }
        "dap" => {
            let size = dap4::dap_size(&plan, &dmr, checksums);
            if let Err(e) = Plan::check(size, super::max_answer_bytes(&st)) {
                return from_dap(Proto::Dap4, &e);
            }
            let plan2 = plan.clone();
            let body = streamed(
                d.clone(),
                Box::new(move |src: &dyn Source, sink: &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>| {
                    dap4::write_dap(src, &plan2, &dmr, checksums, sink)
                }),
            );
            let mut r = Response::new(body);
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.opendap.dap4.data"));
            count(&st, &who, size);
            with_headers(r, "dods-data", &who)
        }
        _ => {
            let base = format!("{}/opendap4/{id}", st.base_url(&headers));
            text(html_form(&d, Proto::Dap4, &base), "text/html; charset=utf-8")
        }
    };
    tagged(&st, r, &who, format!("{id}/opendap4.{ext}?{q}"))
}
