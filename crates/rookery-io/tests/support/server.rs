//! A tiny loopback HTTP/1.1 file server for tests: HEAD and GET with `Range: bytes=a-b`
//! (206, `Content-Range`, `ETag`, `Last-Modified`), counting requests and bytes, with fault
//! injection (error statuses, hangs, dropped connections, changed ETags, truncated files).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Faults to inject.
#[derive(Default)]
pub(crate) struct Faults {
    /// The next N GET requests answer 500.
    pub fail_gets: usize,
    /// Paths that always answer this status (HEAD and GET).
    pub status: HashMap<String, u16>,
    /// Paths whose answers never come (the connection stays open until the client gives up).
    pub hang: Vec<String>,
    /// The next N GET bodies are cut after half their bytes, then the connection closes.
    pub cut_gets: usize,
    /// Added to every ETag (change it to simulate a changed file).
    pub etag_salt: String,
    /// Paths served as if the file had only this many bytes.
    pub truncate: HashMap<String, u64>,
    /// Wait before answering each GET (to make concurrent requests overlap).
    pub get_delay: Option<Duration>,
    /// Answer 200 with the whole file to ranged GETs (a server without Range support).
    pub ignore_range: bool,
}

/// Counters.
#[derive(Default)]
pub(crate) struct Counts {
    pub heads: AtomicU64,
    pub gets: AtomicU64,
    pub bytes: AtomicU64,
}

/// A running server; stops when dropped.
pub(crate) struct Server {
    pub port: u16,
    pub counts: Arc<Counts>,
    pub faults: Arc<Mutex<Faults>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves the files under `root` on 127.0.0.1 (a free port).
    pub(crate) fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let counts = Arc::new(Counts::default());
        let faults = Arc::new(Mutex::new(Faults::default()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (counts, faults, stop) = (counts.clone(), faults.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (root, counts, faults, stop) = (root.clone(), counts.clone(), faults.clone(), stop.clone());
                    std::thread::spawn(move || {
                        let _ = handle(conn, &root, &counts, &faults, &stop);
                    });
                }
            });
        }
        Server { port, counts, faults, stop }
    }

    /// The URL of `rel` (a path below the root).
    pub(crate) fn url(&self, rel: &str) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, rel.trim_start_matches('/'))
    }

    pub(crate) fn gets(&self) -> u64 {
        self.counts.gets.load(SeqCst)
    }

    pub(crate) fn heads(&self) -> u64 {
        self.counts.heads.load(SeqCst)
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.counts.bytes.load(SeqCst)
    }

    pub(crate) fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().expect("faults")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn handle(
    conn: TcpStream,
    root: &std::path::Path,
    counts: &Counts,
    faults: &Mutex<Faults>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut range: Option<String> = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.trim().eq_ignore_ascii_case("range") {
                    range = Some(v.trim().to_string());
                }
            }
        }
        let rel = target.split('?').next().unwrap_or("").trim_start_matches('/').to_string();
        let head = method == "HEAD";
        if head {
            counts.heads.fetch_add(1, SeqCst);
        } else {
            counts.gets.fetch_add(1, SeqCst);
        }
        let (status, hang, cut, salt, trunc, delay, ignore_range) = {
            let mut f = faults.lock().expect("faults");
            let mut status = f.status.get(&rel).copied();
            let mut cut = false;
            if !head && f.fail_gets > 0 {
                f.fail_gets -= 1;
                status = Some(500);
            }
            if !head && status.is_none() && f.cut_gets > 0 {
                f.cut_gets -= 1;
                cut = true;
            }
            (
                status,
                f.hang.contains(&rel),
                cut,
                f.etag_salt.clone(),
                f.truncate.get(&rel).copied(),
                f.get_delay,
                f.ignore_range,
            )
        };
        if hang {
            while !stop.load(SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
            return Ok(());
        }
        if let Some(code) = status {
            let body = format!("error {code}\n");
            write!(out, "HTTP/1.1 {code} Injected\r\nContent-Length: {}\r\n\r\n", body.len())?;
            if !head {
                out.write_all(body.as_bytes())?;
            }
            continue;
        }
        let path = root.join(&rel);
        let Ok(data) = std::fs::read(&path) else {
            let body = "not found\n";
            write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n", body.len())?;
            if !head {
                out.write_all(body.as_bytes())?;
            }
            continue;
        };
        let len = trunc.unwrap_or(data.len() as u64).min(data.len() as u64);
        let mtime =
            std::fs::metadata(&path)?.modified()?.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let etag = format!("\"{len:x}-{mtime:x}{salt}\"");
        let common =
            format!("ETag: {etag}\r\nLast-Modified: Thu, 01 Jan 2015 00:00:00 GMT\r\nAccept-Ranges: bytes\r\n");
        if head {
            write!(out, "HTTP/1.1 200 OK\r\n{common}Content-Length: {len}\r\n\r\n")?;
            continue;
        }
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        let parsed = range.as_deref().filter(|_| !ignore_range).and_then(|r| {
            let (a, b) = r.strip_prefix("bytes=")?.split_once('-')?;
            let a: u64 = a.parse().ok()?;
            let b: u64 = if b.is_empty() { len.saturating_sub(1) } else { b.parse().ok()? };
            Some((a, b))
        });
        let (code, a, b) = match parsed {
            Some((a, _)) if a >= len => {
                write!(
                    out,
                    "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\n\r\n"
                )?;
                continue;
            }
            Some((a, b)) => (206, a, b.min(len - 1)),
            None => (200, 0, len.saturating_sub(1)),
        };
        let body = if len == 0 { &data[..0] } else { &data[a as usize..=b as usize] };
        if code == 206 {
            write!(out, "HTTP/1.1 206 Partial Content\r\n{common}Content-Range: bytes {a}-{b}/{len}\r\nContent-Length: {}\r\n\r\n", body.len())?;
        } else {
            write!(out, "HTTP/1.1 200 OK\r\n{common}Content-Length: {}\r\n\r\n", body.len())?;
        }
        if cut {
            out.write_all(&body[..body.len() / 2])?;
            counts.bytes.fetch_add(body.len() as u64 / 2, SeqCst);
            out.flush()?;
            return Ok(());
        }
        out.write_all(body)?;
        counts.bytes.fetch_add(body.len() as u64, SeqCst);
    }
}
