//! Abuse of a real server: every endpoint refuses anonymous, wrong-scope and other-owner
//! callers; a generated stream of malformed requests (broken XML/JSON, huge values, path
//! tricks, wrong types, bad headers) gets no 5xx, crashes nothing, and leaves memory bounded.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// xorshift, for a reproducible stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

/// Sends raw bytes, returns the status (None: no HTTP answer, e.g. the server closed a
/// connection whose request it could not parse — allowed, as long as it keeps serving).
fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    s.write_all(bytes).ok()?;
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let head = String::from_utf8_lossy(&out[..out.len().min(64)]).into_owned();
    head.strip_prefix("HTTP/1.1 ").and_then(|r| r.get(..3)).and_then(|c| c.parse().ok())
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

const EXEC: &str = "/wps?service=WPS&version=1.0.0&request=Execute";

#[test]
fn every_endpoint_refuses_anonymous_wrong_scope_and_other_owners() {
    let s = start(false);
    let runner = s.key("alice", "execute,jobs");
    let other = s.key("bob", "execute,jobs");
    let reader = s.key("carol", "jobs");
    let admin = s.key("root", "admin");
    // A job of alice's.
    let body = serde_json::json!({"inputs": {"collection": rlds(), "time": "2001-01-01/2001-12-30"}});
    let r = request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("X-API-Key", &runner), ("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let jobs = get_h(&s.url("/jobs"), &[("X-API-Key", &runner)]);
    let v: serde_json::Value = serde_json::from_slice(&jobs.body).expect("jobs JSON");
    let id = v["jobs"][0]["jobID"].as_str().expect("a job").to_string();
    // Public: capabilities, descriptions, landing page, conformance, API.
    for p in
        ["/", "/conformance", "/api", "/processes", "/processes/subset", "/wps?service=WPS&request=GetCapabilities"]
    {
        assert_eq!(get(&s.url(p)).status, 200, "{p}");
    }
    // Anonymous and wrong scope.
    let exec_kvp = s.url(&format!("{EXEC}&identifier=subset&datainputs=collection={}", enc(&rlds())));
    let exec_ogc = s.url("/processes/subset/execution");
    let job = s.url(&format!("/jobs/{id}"));
    let results = s.url(&format!("/jobs/{id}/results"));
    for (who, h) in [("anonymous", None), ("reader", Some(&reader)), ("bad key", Some(&"rk_0000_nope".to_string()))] {
        let hs: Vec<(&str, &str)> = h.map(|k| vec![("X-API-Key", k.as_str())]).unwrap_or_default();
        let st = get_h(&exec_kvp, &hs).status;
        assert!(st == 401 || st == 403, "{who} WPS execute: {st}");
        let st = request(
            "POST",
            &exec_ogc,
            &[hs.as_slice(), &[("Content-Type", "application/json")]].concat(),
            body.to_string().as_bytes(),
        )
        .status;
        assert!(st == 401 || st == 403, "{who} OGC execute: {st}");
        let xml = "<wps:Execute xmlns:wps=\"http://www.opengis.net/wps/1.0.0\" xmlns:ows=\"http://www.opengis.net/ows/1.1\" service=\"WPS\" version=\"1.0.0\"><ows:Identifier>usage</ows:Identifier></wps:Execute>".to_string();
        let st = request("POST", &s.url("/wps"), &hs, xml.as_bytes()).status;
        assert!(st == 401 || st == 403, "{who} WPS usage: {st}");
    }
    for (who, h) in [("anonymous", None), ("other owner", Some(&other)), ("bad key", Some(&"rk_0000_nope".to_string()))]
    {
        let hs: Vec<(&str, &str)> = h.map(|k| vec![("X-API-Key", k.as_str())]).unwrap_or_default();
        for u in [&job, &results] {
            let st = get_h(u, &hs).status;
            assert!(st == 401 || st == 403 || st == 404, "{who} GET {u}: {st}");
        }
        let st = request("DELETE", &job, &hs, b"").status;
        assert!(st == 401 || st == 403 || st == 404, "{who} DELETE job: {st}");
        // Listing shows only one's own jobs.
        let l = get_h(&s.url("/jobs"), &hs);
        assert!(!l.text().contains(&id), "{who} sees alice's job in /jobs");
    }
    // Owner and admin may.
    assert_eq!(get_h(&job, &[("X-API-Key", &runner)]).status, 200);
    assert_eq!(get_h(&job, &[("X-API-Key", &admin)]).status, 200);
    // Output files need the signed token of their job's URL; without it, or with another
    // job's, nothing is served.
    let res = get_h(&results, &[("X-API-Key", &runner)]);
    let text = res.text();
    let href = text.split('"').find(|p| p.contains("/outputs/")).expect("an output link").to_string();
    assert_eq!(get(&href).status, 200, "signed link works");
    let unsigned = href.split('?').next().unwrap_or(&href).to_string();
    let st = get(&unsigned).status;
    assert!(st == 401 || st == 403 || st == 404, "unsigned output: {st}");
    let forged = format!("{unsigned}?token=AAAA");
    let st = get(&forged).status;
    assert!(st == 401 || st == 403 || st == 404, "forged token: {st}");
}

#[test]
fn a_thousand_malformed_requests_get_no_server_error() {
    let s = start(false);
    let key = s.key("fuzzer", "execute,jobs,usage");
    let auth = format!("X-API-Key: {key}\r\n");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let paths = [
        "/",
        "/wps",
        "/processes",
        "/processes/subset",
        "/processes/nope",
        "/processes/subset/execution",
        "/processes/orchestrate/execution",
        "/processes/average_shape/execution",
        "/jobs",
        "/jobs/00000000-0000-0000-0000-000000000000",
        "/jobs/../../etc/passwd",
        "/jobs/%2e%2e%2f%2e%2e%2fetc%2fpasswd/results",
        "/outputs/..%2f..%2frookery.sqlite",
        "/outputs/x/../../secret",
        "/outputs/%00/a",
        "/api",
        "/conformance",
        "//wps",
        "/wps/",
        "/processes/%ff%fe/execution",
        "/jobs?limit=-1",
        "/jobs?limit=99999999999999999999",
    ];
    let queries = [
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=collection=",
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=collection=/etc/passwd",
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=collection=x;time=9999999999-01-01/..",
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=collection=x;area=1e999,nan,-inf,0",
        "service=WPS&request=Execute&version=1.0.0&identifier=average_shape&datainputs=collection=x;shape=@xlink:href=file:///etc/passwd",
        "service=WPS&request=Execute&version=1.0.0&identifier=average_shape&datainputs=collection=x;shape=@xlink:href=http://169.254.169.254/",
        "service=WPS&request=Execute&version=1.0.0&identifier=orchestrate&datainputs=workflow=%7B%22steps%22%3A1%7D",
        "service=WPS&request=DescribeProcess&version=1.0.0&identifier=%00%ff",
        "service=WPS&request=GetCapabilities&AcceptVersions=9.9",
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=collection=x;collection=y;collection=z&RawDataOutput=nope",
        "service=WPS&request=Execute&version=1.0.0&identifier=regrid&datainputs=collection=x;grid=0pt0001deg;method=patch",
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&datainputs=%ZZ",
        "service=WPS&&&&===;;;@@@",
        "request=Execute",
        "",
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"<wps:Execute".to_vec(),
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><x>&c;&c;&c;</x>".to_vec(),
        format!("<wps:Execute xmlns:wps=\"http://www.opengis.net/wps/1.0.0\" xmlns:ows=\"http://www.opengis.net/ows/1.1\" service=\"WPS\" version=\"1.0.0\"><ows:Identifier>subset</ows:Identifier><wps:DataInputs>{}</wps:DataInputs></wps:Execute>",
            "<wps:Input><ows:Identifier>collection</ows:Identifier><wps:Data><wps:LiteralData>x</wps:LiteralData></wps:Data></wps:Input>".repeat(2000)).into_bytes(),
        format!("<a>{}</a>", "<b>".repeat(5000)).into_bytes(),
        b"{".to_vec(),
        b"{\"inputs\": [1,2,3]}".to_vec(),
        b"{\"inputs\": {\"collection\": {\"href\": \"file:///etc/shadow\"}}}".to_vec(),
        b"{\"inputs\": {\"collection\": {\"href\": \"http://[::1]:22/\"}}}".to_vec(),
        b"{\"inputs\": {\"collection\": 12, \"time\": {\"a\": null}, \"area\": [true, \"x\"]}}".to_vec(),
        format!("{{\"inputs\": {{\"collection\": \"{}\"}}}}", "x".repeat(2_000_000)).into_bytes(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        b"{\"inputs\": {\"workflow\": {\"value\": {\"steps\": {\"a\": {\"run\": \"subset\", \"in\": {\"collection\": \"a/output\"}}}}}}}".to_vec(),
        b"{\"inputs\": {\"shape\": {\"value\": {\"type\": \"Polygon\", \"coordinates\": [[[1e999, 0]]]}}, \"collection\": \"x\"}}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01, 0x80],
        Vec::new(),
    ];
    let content_types = [
        "application/json",
        "text/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=",
        "\u{0}",
        "application/json; charset=latin-1",
    ];
    let before = rss_kb();
    let mut count = 0usize;
    let mut bad = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for i in 0..1100 {
        let method = *rng.pick(&["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "BREW", "G\u{0}T"]);
        let mut path = rng.pick(&paths).to_string();
        if rng.next().is_multiple_of(2) {
            path = format!("{}?{}", path.split('?').next().unwrap_or("/"), rng.pick(&queries));
        }
        if rng.next().is_multiple_of(17) {
            path = format!("/wps?{}", "a=b&".repeat(20_000));
        }
        let body =
            if method == "POST" || rng.next().is_multiple_of(5) { rng.pick(&bodies).clone() } else { Vec::new() };
        let ct = *rng.pick(&content_types);
        let with_auth = !rng.next().is_multiple_of(4);
        let length = match rng.next() % 13 {
            0 => "Content-Length: -1\r\n".to_string(),
            1 => "Content-Length: 99999999999999999999\r\n".to_string(),
            2 => format!("Content-Length: {}\r\nContent-Length: 3\r\n", body.len()),
            3 => "Transfer-Encoding: chunked\r\n".to_string(),
            _ => format!("Content-Length: {}\r\n", body.len()),
        };
        let extra = match rng.next() % 11 {
            0 => "Authorization: Bearer \u{7f}\u{1}\r\n".to_string(),
            1 => format!("Authorization: Bearer {}\r\n", "e".repeat(20_000)),
            2 => "Authorization: Basic Og==\r\n".to_string(),
            3 => "Prefer: respond-async, respond-async, wait=-1\r\n".to_string(),
            4 => "Accept: */*;q=nan\r\n".to_string(),
            5 => "Host: \r\n".to_string(),
            6 => "X-Forwarded-For: ::::\r\n".to_string(),
            _ => String::new(),
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: {ct}\r\n{length}{}{extra}\r\n",
            s.addr,
            if with_auth { auth.as_str() } else { "" }
        );
        let mut req = head.into_bytes();
        req.extend_from_slice(&body);
        count += 1;
        if let Some(code) = raw(s.addr, &req) {
            *statuses.entry(code).or_insert(0usize) += 1;
            if code >= 500 && code != 503 {
                bad.push(format!(
                    "#{i} {method} {} ({} body bytes) → {code}",
                    &path[..path.len().min(120)],
                    body.len()
                ));
            }
        }
    }
    assert!(count >= 1000);
    // Nearly every request got an HTTP answer (a few raw protocol errors may just be closed).
    let answered: usize = statuses.values().sum();
    println!("answers by status: {statuses:?}");
    assert!(answered * 10 >= count * 9, "only {answered} of {count} requests were answered: {statuses:?}");
    assert!(bad.is_empty(), "{} server errors:\n{}", bad.len(), bad.join("\n"));
    // Still serving, and memory stayed bounded (the server runs in this process).
    assert_eq!(get(&s.url("/wps?service=WPS&request=GetCapabilities")).status, 200);
    let grown_mb = rss_kb().saturating_sub(before) / 1024;
    assert!(grown_mb < 512, "RSS grew by {grown_mb} MB");
}
