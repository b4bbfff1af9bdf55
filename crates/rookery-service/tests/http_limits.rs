//! The HTTP layer under abuse (issue 26, items 4, 5, 6, 9, 10): slow headers and idle
//! connections are closed, connections over the cap are refused promptly while others are
//! served, client errors are 4xx with the OGC/OWS exception type, JSON endpoints take only
//! JSON, bodies over an endpoint's limit get 413 unread, a full queue answers with
//! `Retry-After`. Timeouts here are generous bounds, not performance checks.

mod common;
use common::*;
use rookery_service::Config;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn server(f: impl FnOnce(&mut Config)) -> (Server, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), true);
    f(&mut cfg);
    (start_with(cfg), tmp)
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// A raw request (`Connection: close`) with exactly these headers; (status, head, body).
fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before taking the whole body.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    split(&out)
}

fn split(out: &[u8]) -> (u16, String, String) {
    let text = String::from_utf8_lossy(out).into_owned();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn post_head(path: &str, content_type: Option<&str>, len: usize) -> String {
    let ct = content_type.map(|t| format!("Content-Type: {t}\r\n")).unwrap_or_default();
    format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{ct}Content-Length: {len}\r\n\r\n")
}

/// One response read off a keep-alive connection (Content-Length bodies only).
fn read_response(s: &mut TcpStream) -> u16 {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed before the answer");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= i + 4 + len {
                return head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
            }
        }
    }
}

/// Whether the server has closed `s` (without blocking for long).
fn closed(s: &TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let mut b = [0u8; 256];
    let mut r = s;
    match r.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted),
    }
}

#[test]
fn slow_headers_and_idle_connections_are_closed_while_others_are_served() {
    let (s, _tmp) = server(|c| {
        c.http.header_read_timeout = secs(1.0);
        c.http.idle_timeout = secs(1.5);
    });
    // 30 clients trickling headers (a byte every 200 ms), 30 that never send anything, 5
    // keep-alive clients idle after one request.
    let mut slow: Vec<TcpStream> = (0..30).map(|_| TcpStream::connect(s.addr).unwrap()).collect();
    for c in &mut slow {
        c.write_all(b"GET /processes HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    }
    let mut idle: Vec<TcpStream> = (0..30).map(|_| TcpStream::connect(s.addr).unwrap()).collect();
    for _ in 0..5 {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        c.write_all(b"GET /conformance HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut c), 200);
        idle.push(c);
    }
    let t0 = Instant::now();
    let (mut slow_open, mut idle_open) = (slow.len(), idle.len());
    let mut served = false;
    while (slow_open > 0 || idle_open > 0) && t0.elapsed() < Duration::from_secs(30) {
        for c in &mut slow {
            let _ = c.write_all(b"a");
        }
        if !served {
            // Others are served meanwhile.
            assert_eq!(get(&s.url("/processes")).status, 200);
            served = true;
        }
        std::thread::sleep(Duration::from_millis(200));
        slow_open = slow.iter().filter(|c| !closed(c)).count();
        idle_open = idle.iter().filter(|c| !closed(c)).count();
    }
    assert_eq!(slow_open, 0, "slow-header connections still open after {:?}", t0.elapsed());
    assert_eq!(idle_open, 0, "idle connections still open after {:?}", t0.elapsed());
    assert_eq!(get(&s.url("/processes")).status, 200);
}

#[test]
fn connections_over_the_cap_are_refused_promptly_and_idle_ones_make_room() {
    let (s, _tmp) = server(|c| {
        c.http.max_connections = 8;
        c.http.header_read_timeout = secs(60.0);
        c.http.idle_timeout = secs(60.0);
    });
    // Eight connections busy sending their headers: the cap is reached.
    let mut busy: Vec<TcpStream> = (0..8).map(|_| TcpStream::connect(s.addr).unwrap()).collect();
    for c in &mut busy {
        c.write_all(b"GET /processes HTTP/1.1\r\nHost: x\r\n").unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let t0 = Instant::now();
    let (status, head, body) = raw(s.addr, "GET /conformance HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"");
    assert_eq!(status, 503, "{head}\n{body}");
    assert!(head.contains("retry-after:"), "{head}");
    assert!(t0.elapsed() < Duration::from_secs(10), "refused only after {:?}", t0.elapsed());
    // Those connections end: the server serves again.
    drop(busy);
    let t0 = Instant::now();
    while get(&s.url("/conformance")).status != 200 {
        assert!(t0.elapsed() < Duration::from_secs(10), "not serving again");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Idle keep-alive connections fill the cap: they are closed to make room.
    let mut idle = Vec::new();
    for _ in 0..8 {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        c.write_all(b"GET /conformance HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut c), 200);
        idle.push(c);
    }
    assert_eq!(get(&s.url("/conformance")).status, 200);
}

#[test]
fn client_errors_are_4xx_with_the_ogc_and_ows_exception_types() {
    let s = start(true);
    let rlds = rlds();
    let unknown = "c3s-cmip6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20990101";
    let cases: Vec<(serde_json::Value, u16)> = vec![
        (serde_json::json!({"collection": "/etc/passwd"}), 400),
        (serde_json::json!({"collection": unknown}), 404),
        (serde_json::json!({"collection": rlds, "area": "nan,0,10,10"}), 400),
        (serde_json::json!({"collection": rlds, "area": "inf,0,10,10"}), 400),
        (serde_json::json!({"collection": rlds, "area": "1e309,0,10,10"}), 400),
        (serde_json::json!({"collection": rlds, "time": "garbage"}), 400),
        (serde_json::json!({"collection": rlds, "time": "2010-01-01/2000-01-01"}), 400),
        (serde_json::json!({"collection": rlds, "level": "nan"}), 400),
        (serde_json::json!({"collection": rlds, "area": "10,10,10,10"}), 400),
    ];
    let exec = s.url("/processes/subset/execution");
    for (inputs, want) in &cases {
        let body = serde_json::json!({ "inputs": inputs }).to_string();
        // Synchronous.
        let r = request("POST", &exec, &[], body.as_bytes());
        assert_eq!(r.status, *want, "{inputs}: {}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(v["type"].as_str().unwrap().ends_with("/invalid-parameter"), "{v}");
        assert!(v["detail"].as_str().unwrap().starts_with("Process error: "), "{v}");
    }
    // Asynchronous: the failed job's results answer the same.
    for (inputs, want) in [&cases[1], &cases[2]] {
        let body = serde_json::json!({ "inputs": inputs }).to_string();
        let r = request("POST", &exec, &[("Prefer", "respond-async")], body.as_bytes());
        assert_eq!(r.status, 201, "{}", r.text());
        let id = serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["jobID"].as_str().unwrap().to_string();
        let t0 = Instant::now();
        while serde_json::from_slice::<serde_json::Value>(&get(&s.url(&format!("/jobs/{id}"))).body).unwrap()["status"]
            != "failed"
        {
            assert!(t0.elapsed() < Duration::from_secs(60), "job {id} did not fail");
            std::thread::sleep(Duration::from_millis(100));
        }
        let r = get(&s.url(&format!("/jobs/{id}/results")));
        assert_eq!(r.status, *want, "{inputs}: {}", r.text());
    }
    // WPS: InvalidParameterValue in the status document and as an exception.
    let kvp = |inputs: &str, raw: bool| {
        s.url(&format!(
            "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs={}{}",
            enc(inputs),
            if raw { "&RawDataOutput=output" } else { "" }
        ))
    };
    let nan = format!("collection={rlds};area=nan,0,10,10");
    let r = get(&kvp(&nan, false));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("ProcessFailed") && r.text().contains("exceptionCode=\"InvalidParameterValue\""));
    let r = get(&kvp(&nan, true));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("exceptionCode=\"InvalidParameterValue\""), "{}", r.text());
    let r = get(&kvp(&format!("collection={unknown}"), true));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("locator=\"collection\""), "{}", r.text());
}

#[test]
fn json_endpoints_refuse_other_content_types_and_wps_takes_any() {
    let s = start(true);
    let body = br#"{"inputs": {}}"#;
    for ct in [Some("text/plain"), Some("application/xml"), Some("application/x-www-form-urlencoded"), None] {
        let (status, head, text) = raw(s.addr, &post_head("/processes/health/execution", ct, body.len()), body);
        assert_eq!(status, 415, "{ct:?}: {text}");
        assert!(head.contains("accept-post: application/json"), "{head}");
        assert!(text.contains("application/json"), "{text}");
    }
    for ct in ["application/json", "application/json; charset=utf-8"] {
        let (status, _, text) = raw(s.addr, &post_head("/processes/health/execution", Some(ct), body.len()), body);
        assert_eq!(status, 200, "{ct}: {text}");
    }
    // WPS clients send XML as text/xml, as form data, or untyped: all work.
    let caps =
        br#"<?xml version="1.0"?><wps:GetCapabilities xmlns:wps="http://www.opengis.net/wps/1.0.0" service="WPS"/>"#;
    for ct in [Some("text/xml"), Some("application/xml"), Some("application/x-www-form-urlencoded"), None] {
        let (status, _, text) = raw(s.addr, &post_head("/wps", ct, caps.len()), caps);
        assert_eq!(status, 200, "{ct:?}: {text}");
        assert!(text.contains("wps:Capabilities"), "{text}");
    }
}

#[test]
fn bodies_over_the_endpoint_limit_get_413_without_being_read() {
    let (s, _tmp) = server(|c| {
        c.http.max_execute_body = 16 * 1024;
        c.http.max_wps_body = 16 * 1024;
        c.http.body_read_timeout = secs(1.0);
    });
    // Ten megabytes announced, none sent: the answer comes without waiting for them.
    for (path, ct, code) in [
        ("/processes/subset/execution", "application/json", "\"status\":413"),
        ("/wps", "text/xml", "exceptionCode=\"FileSizeExceeded\""),
    ] {
        let (status, _, text) = raw(s.addr, &post_head(path, Some(ct), 10_000_000), b"");
        assert_eq!(status, 413, "{path}: {text}");
        assert!(text.contains(code), "{text}");
        // Chunked (no length announced): refused once past the limit.
        let mut chunked = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {ct}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .into_bytes();
        for _ in 0..8 {
            chunked.extend_from_slice(format!("{:x}\r\n", 4096).as_bytes());
            chunked.extend(std::iter::repeat_n(b' ', 4096));
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let (status, _, text) = raw(s.addr, &String::from_utf8(chunked).unwrap(), b"");
        assert_eq!(status, 413, "{path} chunked: {text}");
    }
    // Under the limit: read and executed.
    let mut small = br#"{"inputs": {}}"#.to_vec();
    small.extend(std::iter::repeat_n(b' ', 8 * 1024));
    let r = request("POST", &s.url("/processes/health/execution"), &[], &small);
    assert_eq!(r.status, 200, "{}", r.text());
    // A body that stops arriving: 408 after body_read_timeout_secs.
    let t0 = Instant::now();
    let (status, _, text) =
        raw(s.addr, &post_head("/processes/health/execution", Some("application/json"), 100), b"{\"inputs\"");
    assert_eq!(status, 408, "{text}");
    assert!(t0.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let (s, _tmp) = server(|c| c.max_queued = 0);
    let body = serde_json::json!({"inputs": {"collection": rlds()}}).to_string();
    let r = request("POST", &s.url("/processes/subset/execution"), &[], body.as_bytes());
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.header("retry-after").is_some_and(|v| v.parse::<u32>().is_ok()), "{:?}", r.headers);
    assert!(r.text().contains("server-busy"), "{}", r.text());
    let r = get(&s.url(&format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={}",
        enc(&rlds())
    )));
    assert_eq!(r.status, 503);
    assert!(r.text().contains("exceptionCode=\"ServerBusy\""), "{}", r.text());
    assert!(r.header("retry-after").is_some_and(|v| v.parse::<u32>().is_ok()), "{:?}", r.headers);
}
