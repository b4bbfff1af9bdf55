//! Issue 26, defects 1 and 2, against the running service: a Kerchunk reference (served from
//! an allowed URL, or lying inside an allowed root) whose chunk targets the server's own
//! `secret.key` or `/etc/passwd` must not be read; a URL with dot segments must not reach
//! outside its allowed prefix. Its own test binary: it sets `ROOCS_CONFIG`.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A Kerchunk reference set with one `|u1` variable `x` whose single chunk is `target`.
fn refs(target: &str, len: usize) -> String {
    let zarray = format!(
        "{{\"chunks\":[{len}],\"compressor\":null,\"dtype\":\"|u1\",\"fill_value\":null,\"filters\":null,\"order\":\"C\",\"shape\":[{len}],\"zarr_format\":2}}"
    );
    serde_json::json!({"version": 1, "refs": {
        ".zgroup": "{\"zarr_format\":2}", ".zattrs": "{}",
        "x/.zarray": zarray, "x/.zattrs": "{\"_ARRAY_DIMENSIONS\":[\"n\"]}",
        "x/0": [target, 0, len],
    }})
    .to_string()
}

/// Serves `<name>` → body from `files` (HEAD and GET, ranges ignored: whole bodies are small),
/// recording the paths asked.
/// Files the test server serves: (path, bytes).
type Served = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn server(files: Served) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = vec![0u8; 8192];
            let k = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..k]).to_string();
            let mut it = req.split_whitespace();
            let head = it.next() == Some("HEAD");
            let path = it.next().unwrap_or("/").to_string();
            seen2.lock().expect("lock").push(path.clone());
            let body = files.lock().expect("lock").iter().find(|(p, _)| *p == path).map(|(_, b)| b.clone());
            let resp = match body {
                Some(b) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n",
                        b.len()
                    )
                    .into_bytes();
                    if !head {
                        r.extend(b);
                    }
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = s.write_all(&resp);
        }
    });
    (base, seen)
}

fn execute(s: &Server, collection: &str) -> Resp {
    let body = serde_json::json!({"inputs": {"collection": collection}});
    request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

#[test]
fn references_cannot_read_outside_the_roots() {
    let files = Arc::new(Mutex::new(Vec::new()));
    let (base, seen) = server(Arc::clone(&files));
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("data");
    std::fs::create_dir_all(&root).expect("mkdir");
    let inside = b"harmless bytes inside the data root.";
    std::fs::write(root.join("inside.bin"), inside).expect("write");
    let cfg = tmp.path().join("roocs.ini");
    std::fs::write(&cfg, format!("[rookery]\nallowed_urls = {base}/refs/\nallowed_roots = {}\n", root.display()))
        .expect("config");
    std::env::set_var("ROOCS_CONFIG", &cfg);
    let s = start(true);
    let secret = s.dir.join("secret.key");
    // The server's key exists once a key is made.
    let _ = s.key("probe", "execute");
    let secret_len = std::fs::metadata(&secret).map(|m| m.len()).unwrap_or(0);
    assert!(secret_len > 0, "the server's secret key exists");
    let sl = usize::try_from(secret_len).expect("len");
    // Control: a reference inside the root, targeting a file inside the root, is served.
    std::fs::write(root.join("ok.json"), refs(&root.join("inside.bin").display().to_string(), inside.len()))
        .expect("write");
    let r = execute(&s, &root.join("ok.json").display().to_string());
    assert_eq!(r.status, 200, "control: {}", r.text());
    // References inside the root whose targets leave it.
    let cases = [
        ("abs.json", secret.display().to_string(), sl),
        ("past-end.json", secret.display().to_string(), 1 << 16),
        ("passwd.json", "/etc/passwd".to_string(), 16),
        ("file.json", format!("file://{}", secret.display()), sl),
        (
            "rel.json",
            format!("../{}/secret.key", s.dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()),
            sl,
        ),
    ];
    for (name, target, len) in &cases {
        std::fs::write(root.join(name), refs(target, *len)).expect("write");
        files.lock().expect("lock").push((format!("/refs/{name}"), refs(target, *len).into_bytes()));
        for collection in [root.join(name).display().to_string(), format!("{base}/refs/{name}")] {
            let r = execute(&s, &collection);
            let t = r.text();
            assert_ne!(r.status, 200, "{collection}: read through {target}");
            assert!(
                t.contains("outside the directories this server may read")
                    || t.contains("not a URL this server may read"),
                "{collection}: {t}"
            );
            assert!(
                !t.contains("beyond the end") && !t.contains(&format!("({secret_len} bytes)")),
                "{collection}: {t}"
            );
        }
    }
    // A collection URL with dot segments stays inside the allowed prefix.
    files.lock().expect("lock").push(("/private/secret.json".into(), refs("/etc/passwd", 16).into_bytes()));
    for u in [format!("{base}/refs/../private/secret.json"), format!("{base}/refs/%2e%2e/private/secret.json")] {
        let r = execute(&s, &u);
        assert_ne!(r.status, 200, "{u}: {}", r.text());
        assert!(r.text().contains("not a URL this server may read"), "{u}: {}", r.text());
    }
    let asked = seen.lock().expect("lock").clone();
    assert!(!asked.iter().any(|p| p.contains("private")), "{asked:?}");
}
