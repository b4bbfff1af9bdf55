//! A real server on loopback (the code `rookery serve` runs, on a free port, its own data
//! directory) and a minimal HTTP/1.1 client.

#![allow(dead_code)]

pub(crate) mod idp;
pub(crate) mod outputs;

use rookery_service::auth::{create_key, Secret};
use rookery_service::jobs::SqliteStore;
use rookery_service::Config;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/mini-esgf")
        .join(rel)
        .canonicalize()
        .unwrap_or_else(|e| panic!("test data {rel}: {e}"))
        .to_string_lossy()
        .into_owned()
}

/// IPSL-CM6A-LR rlds, 1850-01 .. 2014-12 (roocs.md `RLDS`).
pub(crate) fn rlds() -> String {
    data("badc/cmip6/data/CMIP6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc")
}

pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    pub(crate) dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn config(dir: &Path, open: bool) -> Config {
    Config { bind: "127.0.0.1:0".into(), data_dir: dir.to_path_buf(), open, lease_secs: 4, ..Config::default() }
}

/// The roocs.ini of the shared test data (its projects' directories are what the service may
/// read), unless the test binary set its own.
pub(crate) fn use_test_projects() {
    if std::env::var_os("ROOCS_CONFIG").is_none() {
        let ini = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mini-esgf.ini");
        std::env::set_var("ROOCS_CONFIG", ini);
    }
}

/// Starts a server with `cfg` (its data dir is kept by the caller).
pub(crate) fn start_with(cfg: Config) -> Server {
    use_test_projects();
    let dir = cfg.data_dir.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let (stx, srx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let r = rookery_service::start(cfg).await.expect("server starts");
            tx.send(r.addr).unwrap();
            tokio::select! {
                _ = r.handle => {}
                _ = srx => {}
            }
        });
        rt.shutdown_timeout(Duration::from_secs(2));
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).expect("server address");
    Server { addr, dir, _tmp: None, shutdown: Some(stx), thread: Some(thread) }
}

/// A server in a fresh temporary data directory.
pub(crate) fn start(open: bool) -> Server {
    start_configured(open, |_| {})
}

/// A server in a fresh temporary data directory, its configuration changed by `change` first.
pub(crate) fn start_configured(open: bool, change: impl FnOnce(&mut Config)) -> Server {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), open);
    change(&mut cfg);
    let mut s = start_with(cfg);
    s._tmp = Some(tmp);
    s
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Creates an API key in this server's store.
    pub(crate) fn key(&self, name: &str, scopes: &str) -> String {
        let store = SqliteStore::open(&self.dir.join("rookery.sqlite")).unwrap();
        let secret = Secret::load(&self.dir).unwrap();
        create_key(&store, &secret, name, &[scopes.to_string()]).unwrap().0
    }
}

#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers.iter().find(|(h, _)| h.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request (`Connection: close`); `url` is absolute (`http://host:port/path?q`).
pub(crate) fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    // A body goes with its type, as clients send it (JSON endpoints answer 415 without one).
    if !body.is_empty() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        let ty = if path.starts_with("/wps") { "text/xml" } else { "application/json" };
        req.push_str(&format!("Content-Type: {ty}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Resp { status, headers, body }
}

fn dechunk(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let Some(e) = b[i..].windows(2).position(|w| w == b"\r\n") else { break };
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[i..i + e]).trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let s = i + e + 2;
        out.extend_from_slice(&b[s..s + n]);
        i = s + n + 2;
    }
    out
}

pub(crate) fn get(url: &str) -> Resp {
    request("GET", url, &[], b"")
}

pub(crate) fn get_h(url: &str, h: &[(&str, &str)]) -> Resp {
    request("GET", url, h, b"")
}

/// Percent-encodes a query value.
pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The text of the first element `<tag ...>text</tag>` or attribute `attr="..."` found.
pub(crate) fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

/// Href of an output in an execute response.
pub(crate) fn output_href(doc: &str, id: &str) -> Option<String> {
    let doc = &doc[doc.find("<wps:ProcessOutputs>")?..];
    let i = doc.find(&format!("<ows:Identifier>{id}</ows:Identifier>"))?;
    let rest = &doc[i..];
    let end = rest.find("</wps:Output>")?;
    between(&rest[..end], "href=\"", "\"").map(unescape)
}

/// Polls a status location until the job is finished; returns the final document.
pub(crate) fn poll(status_url: &str, h: &[(&str, &str)]) -> String {
    for _ in 0..600 {
        let r = get_h(status_url, h);
        assert_eq!(r.status, 200, "{}", r.text());
        let t = r.text();
        if t.contains("ProcessSucceeded") || t.contains("ProcessFailed") {
            return t;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("job did not finish");
}

/// Runs an external client (python, …) like `Command::output`, but kills it and fails the test
/// after `limit` instead of hanging the suite.
#[allow(dead_code)]
pub(crate) fn output_within(cmd: &mut std::process::Command, limit: Duration) -> std::process::Output {
    use std::process::Stdio;
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the client starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for the client") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let (o, e) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
            panic!(
                "{cmd:?} did not finish within {} s\n{}\n{}",
                limit.as_secs(),
                String::from_utf8_lossy(&o),
                String::from_utf8_lossy(&e)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() }
}
