//! The egress policy on a real HTTP client: allow-listed prefixes, internal addresses refused
//! unless listed, redirects followed and re-checked at every hop.

mod support;

use rookery_io::{CacheConfig, EgressPolicy, HttpOptions, NcSource, Remote, Source};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::server::Server;

const FILE: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_229912-229912.nc";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf")
}

fn remote(dir: &Path, policy: EgressPolicy) -> Arc<Remote> {
    let r = Remote::new(
        HttpOptions {
            timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(20),
            retries: 0,
            backoff: Duration::from_millis(10),
        },
        CacheConfig { dir: Some(dir.to_path_buf()), budget: 1 << 30, block_size: 64 << 10, memory: 1 << 20 },
    );
    r.set_policy(policy);
    r
}

fn policy(prefixes: &[String], nets: &[&str]) -> EgressPolicy {
    EgressPolicy::allow_list(prefixes, &nets.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()).expect("policy")
}

/// Answers every request with a redirect to `to` + the request path.
fn redirector(to: String) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut r = BufReader::new(match s.try_clone() {
                Ok(c) => c,
                Err(_) => continue,
            });
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).map_or(true, |n| n == 0) || h.trim().is_empty() {
                    break;
                }
            }
            let mut s = s;
            let _ = write!(
                s,
                "HTTP/1.1 302 Found\r\nLocation: {to}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn open(remote: &Arc<Remote>, url: &str) -> Result<NcSource, String> {
    NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(remote)), url).map_err(|e| e.to_string())
}

/// The error text of a refused open.
fn refused(remote: &Arc<Remote>, url: &str) -> String {
    match open(remote, url) {
        Ok(_) => panic!("{url} was opened"),
        Err(e) => e,
    }
}

#[test]
fn listed_loopback_prefix_is_read() {
    let srv = Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let base = format!("http://127.0.0.1:{}/", srv.port);
    let r = remote(tmp.path(), policy(std::slice::from_ref(&base), &[]));
    let src = open(&r, &format!("{base}{FILE}")).expect("allowed");
    assert!(src.read_all("tas").is_ok());
}

#[test]
fn unlisted_urls_and_internal_addresses_are_refused() {
    let srv = Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let url = format!("http://127.0.0.1:{}/{FILE}", srv.port);
    // Not under any prefix.
    let r = remote(tmp.path(), policy(&["https://esgf.example.org/".into()], &[]));
    let e = refused(&r, &url);
    assert!(e.contains("not a URL this server may read"), "{e}");
    // Under a broad prefix that names no host: loopback is internal.
    let r = remote(tmp.path(), policy(&["http://".into()], &[]));
    let e = refused(&r, &url);
    assert!(e.contains("loopback"), "{e}");
    let e = refused(&r, &format!("http://localhost:{}/{FILE}", srv.port));
    assert!(e.contains("loopback"), "{e}");
    // Nothing reached the server.
    assert_eq!(
        srv.counts.heads.load(std::sync::atomic::Ordering::SeqCst)
            + srv.counts.gets.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    // ... unless its network is listed.
    let r = remote(tmp.path(), policy(&["http://".into()], &["127.0.0.0/8"]));
    assert!(open(&r, &url).is_ok());
    // Fetching a whole document goes through the same checks.
    let r = remote(tmp.path(), policy(&["http://".into()], &[]));
    let e = r.http().fetch_all(&url, 1 << 20).expect_err("refused");
    assert!(e.to_string().contains("loopback"), "{e}");
}

#[test]
fn redirects_are_rechecked_at_every_hop() {
    let srv = Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let target = format!("http://127.0.0.1:{}", srv.port);
    let hop = redirector(target.clone());
    // The redirecting host is listed, its target is not: refused, nothing fetched from it.
    let r = remote(tmp.path(), policy(&[format!("{hop}/")], &[]));
    let e = refused(&r, &format!("{hop}/{FILE}"));
    assert!(e.contains("not a URL this server may read") && e.contains(&target), "{e}");
    assert_eq!(srv.counts.heads.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Both listed: the redirect is followed and the file read from its final place.
    let r = remote(tmp.path(), policy(&[format!("{hop}/"), format!("{target}/")], &[]));
    let src = open(&r, &format!("{hop}/{FILE}")).expect("followed");
    assert!(src.read_all("tas").is_ok());
    // Open policy (the command line) follows redirects too.
    let r = remote(tmp.path(), EgressPolicy::Open);
    assert!(open(&r, &format!("{hop}/{FILE}")).is_ok());
    // A redirect loop ends with a clear error.
    let a = redirector(String::new());
    let r = remote(tmp.path(), EgressPolicy::Open);
    let e = r.http().fetch_all(&format!("{a}/x"), 1024).expect_err("loop");
    assert!(e.to_string().contains("redirect"), "{e}");
}
