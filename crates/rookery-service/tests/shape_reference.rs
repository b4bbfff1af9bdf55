//! `average_shape` with the shape given by reference (WPS `wps:Reference xlink:href`, KVP
//! `@xlink:href=`, OGC API `{"href": ...}`): fetched by the job from a loopback HTTP server,
//! only under `[rookery] allowed_urls`. Its own test binary: it sets `ROOCS_CONFIG` before the
//! process-wide configuration loads.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

/// Serves `../shared/data/shapes/<name>` on loopback; returns the base URL.
fn shape_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = req.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/shapes").join(&path);
            let resp = match std::fs::read(&file) {
                Ok(b) if !path.contains("..") => {
                    let mut r = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", b.len())
                        .into_bytes();
                    r.extend(b);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = s.write_all(&resp);
        }
    });
    format!("http://{addr}/")
}

#[test]
fn shape_by_reference() {
    let base = shape_server();
    let cfg_dir = tempfile::tempdir().expect("tmp");
    let cfg = cfg_dir.path().join("roocs.ini");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf");
    std::fs::write(&cfg, format!("[rookery]\nallowed_urls = {base}\nallowed_roots = {}\n", data.display()))
        .expect("config");
    std::env::set_var("ROOCS_CONFIG", &cfg);
    let s = start(true);
    let xml = |href: &str| {
        format!(
            "<wps:Execute xmlns:wps=\"http://www.opengis.net/wps/1.0.0\" xmlns:ows=\"http://www.opengis.net/ows/1.1\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\" service=\"WPS\" version=\"1.0.0\"><ows:Identifier>average_shape</ows:Identifier>\
             <wps:DataInputs><wps:Input><ows:Identifier>collection</ows:Identifier><wps:Data><wps:LiteralData>{}</wps:LiteralData></wps:Data></wps:Input>\
             <wps:Input><ows:Identifier>shape</ows:Identifier><wps:Reference xlink:href=\"{href}\" mimeType=\"application/geo+json\"/></wps:Input>\
             </wps:DataInputs><wps:ResponseForm><wps:RawDataOutput><ows:Identifier>output</ows:Identifier></wps:RawDataOutput></wps:ResponseForm></wps:Execute>",
            rlds()
        )
    };
    // WPS XML with a Reference.
    let r = request("POST", &s.url("/wps"), &[], xml(&format!("{base}multi_regions.json")).as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("_avg-shape"), "{}", r.text());
    // OGC API with an href.
    let body = serde_json::json!({"inputs": {"collection": rlds(), "shape": {"href": format!("{base}small_geojson.json"), "type": "application/geo+json"}}});
    let r = request(
        "POST",
        &s.url("/processes/average_shape/execution"),
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // KVP `@xlink:href=`.
    let url = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=average_shape&datainputs=collection={};shape=@xlink:href={}",
        enc(&rlds()),
        enc(&format!("{base}meridian.json"))
    );
    let r = get(&s.url(&url));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.text().contains("ExceptionReport"), "{}", r.text());
    // A URL outside the allowed prefixes is not fetched; a missing one is a clear error;
    // other schemes are refused at once.
    let r = request("POST", &s.url("/wps"), &[], xml("http://169.254.169.254/latest/meta-data").as_bytes());
    assert!(r.text().contains("not a URL this server may read"), "{}", r.text());
    let r = request("POST", &s.url("/wps"), &[], xml(&format!("{base}nope.json")).as_bytes());
    assert!(r.text().contains("404"), "{}", r.text());
    let r = request("POST", &s.url("/wps"), &[], xml("file:///etc/passwd").as_bytes());
    assert!(r.text().contains("only http(s) URLs are accepted"), "{}", r.text());
}
