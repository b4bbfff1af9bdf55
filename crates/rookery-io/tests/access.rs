//! The one gate every byte source passes (issue 26, defects 1 and 2): under a restricted
//! context, Kerchunk reference targets (absolute, relative, `file://`, `../`, through a
//! symlink), Zarr stores and URLs with dot segments cannot reach outside the roots and the
//! allow-list, and a refusal tells neither whether the file exists nor its size.

use rookery_io::{CacheConfig, EgressPolicy, HttpOptions, IoContext, IoError, Remote};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SECRET: &[u8] = b"the server's secret key, 48 bytes long.........";

/// A Kerchunk reference set with one `|u1` variable whose single chunk is `target`.
fn refs(target: &str, len: usize) -> String {
    let zarray = format!(
        "{{\"chunks\":[{len}],\"compressor\":null,\"dtype\":\"|u1\",\"fill_value\":null,\"filters\":null,\"order\":\"C\",\"shape\":[{len}],\"zarr_format\":2}}"
    );
    serde_json::json!({
        "version": 1,
        "refs": {
            ".zgroup": "{\"zarr_format\":2}",
            ".zattrs": "{}",
            "x/.zarray": zarray,
            "x/.zattrs": "{\"_ARRAY_DIMENSIONS\":[\"n\"]}",
            "x/0": [target, 0, len],
        }
    })
    .to_string()
}

struct Layout {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    secret: PathBuf,
}

/// `<tmp>/data` (the root) holding `inside.bin`, a symlink to the secret and a `sub/`
/// directory; `<tmp>/secret.key` outside it.
fn layout() -> Layout {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("data");
    std::fs::create_dir_all(root.join("sub")).expect("mkdir");
    std::fs::write(root.join("inside.bin"), SECRET).expect("write");
    let secret = tmp.path().join("secret.key");
    std::fs::write(&secret, SECRET).expect("write");
    std::os::unix::fs::symlink(&secret, root.join("sub/link.bin")).expect("symlink");
    Layout { root: root.clone(), secret, _tmp: tmp }
}

fn restricted(root: &Path, prefixes: &[String]) -> IoContext {
    let policy = EgressPolicy::allow_list(prefixes, &[]).expect("policy");
    let remote = Remote::new(HttpOptions::default(), CacheConfig { dir: None, ..CacheConfig::default() });
    IoContext::new(remote).restrict(&[root.to_path_buf()], policy)
}

/// Opens `input` and reads variable `x` whole.
fn read_x(ctx: &IoContext, input: &str) -> Result<Vec<f64>, String> {
    let src = rookery_io::open(ctx, &[input.to_string()]).map_err(|e| e.to_string())?;
    let a = src.read_all("x").map_err(|e| e.to_string())?;
    Ok(a.to_f64().map(|x| x.iter().copied().collect()).unwrap_or_default())
}

#[test]
fn reference_targets_stay_inside_the_roots() {
    let l = layout();
    let ctx = restricted(&l.root, &[]);
    let n = SECRET.len();
    // The control: a target inside the root is read (the reference set itself is sound).
    let ok = l.root.join("ok.json");
    std::fs::write(&ok, refs("inside.bin", n)).expect("write");
    let v = read_x(&ctx, ok.to_str().expect("utf8")).expect("inside target");
    assert_eq!(v.len(), n);
    assert!((v[0] - f64::from(SECRET[0])).abs() < 1e-9);
    let secret = l.secret.display().to_string();
    let cases = [
        ("absolute", secret.clone(), n),
        ("absolute, past the end", secret.clone(), 4096),
        ("absolute, missing", format!("{}/missing.key", l.secret.parent().expect("dir").display()), n),
        ("file://", format!("file://{secret}"), n),
        ("relative ../", "../secret.key".to_string(), n),
        ("relative ../, missing", "../nope/../missing.key".to_string(), n),
        ("through a symlink", "sub/link.bin".to_string(), n),
        ("system file", "/etc/passwd".to_string(), 16),
    ];
    let mut messages = Vec::new();
    for (what, target, len) in cases {
        let p = l.root.join(format!("{}.json", what.replace([' ', ',', '/', ':'], "_")));
        std::fs::write(&p, refs(&target, len)).expect("write");
        let e = read_x(&ctx, p.to_str().expect("utf8")).expect_err(what);
        assert!(e.contains("outside the directories this server may read"), "{what}: {e}");
        assert!(
            !e.contains("beyond the end") && !e.contains(&format!("{}", SECRET.len())),
            "{what}: leaks a size: {e}"
        );
        assert!(!e.contains("No such file") && !e.contains("not found"), "{what}: leaks existence: {e}");
        messages.push(e.replace(&target, "T").split("chunk x/0:").nth(1).unwrap_or_default().to_string());
    }
    // Existing and missing targets read the same.
    assert_eq!(messages[0], messages[2], "absolute: existing vs missing differ");
    assert_eq!(messages[4], messages[5], "relative: existing vs missing differ");
    // The unrestricted context (the command line) reads what the user can.
    let free = IoContext::new(Remote::new(HttpOptions::default(), CacheConfig { dir: None, ..CacheConfig::default() }));
    let p = l.root.join("absolute.json");
    assert_eq!(read_x(&free, p.to_str().expect("utf8")).expect("open context").len(), n);
}

#[test]
fn inputs_outside_the_roots_say_nothing_of_what_is_there() {
    let l = layout();
    let ctx = restricted(&l.root, &[]);
    let existing = rookery_io::open(&ctx, &[l.secret.display().to_string()]).err().expect("refused").to_string();
    let missing = rookery_io::open(&ctx, &[format!("{}.nope", l.secret.display())]).err().expect("refused").to_string();
    assert_eq!(
        existing.replace(&l.secret.display().to_string(), "P"),
        missing.replace(&format!("{}.nope", l.secret.display()), "P")
    );
    for input in [
        format!("{}/../secret.key", l.root.display()),
        format!("{}/sub/link.bin", l.root.display()),
        format!("{}/../*.key", l.root.display()),
        format!("{}/../", l.root.display()),
    ] {
        let e = rookery_io::open(&ctx, std::slice::from_ref(&input)).err().expect("refused");
        assert!(matches!(e, IoError::Refused(_)), "{input}: {e}");
    }
    // A Zarr store outside: refused before its metadata is looked at.
    let store = l.secret.parent().expect("dir").join("outside.zarr");
    std::fs::create_dir_all(&store).expect("mkdir");
    std::fs::write(store.join(".zgroup"), "{\"zarr_format\":2}").expect("write");
    let e = rookery_io::open(&ctx, &[store.display().to_string()]).err().expect("refused");
    assert!(matches!(e, IoError::Refused(_)), "{e}");
}

/// A loopback server that resolves dot segments itself (as many do) and serves
/// `/private/secret` and a reference file under `/data/`; it records every path it is asked.
fn naive_server(n: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let b2 = base.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = vec![0u8; 8192];
            let k = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..k]).to_string();
            let mut parts = req.split_whitespace();
            let method = parts.next().unwrap_or("GET").to_string();
            let raw = parts.next().unwrap_or("/").to_string();
            seen2.lock().expect("lock").push(raw.clone());
            let decoded = raw.replace("%2e", ".").replace("%2E", ".");
            let mut segs: Vec<&str> = Vec::new();
            for seg in decoded.split('/') {
                match seg {
                    ".." => {
                        segs.pop();
                    }
                    "." | "" => {}
                    s => segs.push(s),
                }
            }
            let path = format!("/{}", segs.join("/"));
            let body: Option<Vec<u8>> = match path.as_str() {
                "/private/secret" => Some(SECRET.to_vec()),
                "/data/bad.json" => Some(refs(&format!("{b2}/data/../private/secret"), n).into_bytes()),
                "/data/bad-enc.json" => Some(refs(&format!("{b2}/data/%2e%2e/private/secret"), n).into_bytes()),
                _ => None,
            };
            let head = method == "HEAD";
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

#[test]
fn dot_segments_cannot_climb_out_of_an_allowed_prefix() {
    let l = layout();
    let (base, seen) = naive_server(SECRET.len());
    let ctx = restricted(&l.root, &[format!("{base}/data/")]);
    for input in [
        format!("{base}/data/../private/secret"),
        format!("{base}/data/%2e%2e/private/secret"),
        format!("{base}/data/%2E%2E/private/secret"),
        format!("{base}/data/.%2e/private/secret"),
        format!("{base}/data/x/../../private/secret"),
        format!("{base}/data/..%2fprivate/secret"),
        format!("{base}/data/bad.json"),
        format!("{base}/data/bad-enc.json"),
    ] {
        let e = read_x(&ctx, &input).expect_err(&input);
        assert!(e.contains("not a URL this server may read") || e.contains("encoded slash"), "{input}: {e}");
    }
    let asked = seen.lock().expect("lock").clone();
    assert!(
        !asked.iter().any(|p| p.contains("private") || p.contains("..") || p.to_lowercase().contains("%2e")),
        "{asked:?}"
    );
    assert!(asked.iter().any(|p| p == "/data/bad.json"), "the reference files were fetched: {asked:?}");
}

#[test]
fn urls_are_normalised() {
    use rookery_io::egress::normalize_url;
    let n = |u: &str| normalize_url(u).expect(u);
    assert_eq!(n("HTTP://Example.ORG:80/a/./b/../c"), "http://example.org/a/c");
    assert_eq!(n("https://example.org:443/%7euser/%41"), "https://example.org/~user/A");
    assert_eq!(n("https://example.org:8443/a/%2e%2E/b?x=../y#f"), "https://example.org:8443/b?x=../y#f");
    assert_eq!(n("http://example.org"), "http://example.org/");
    assert_eq!(n("http://example.org/a/b/.."), "http://example.org/a/");
    assert_eq!(n("http://example.org/../../etc"), "http://example.org/etc");
    assert_eq!(n("http://[::1]:8080/x"), "http://[::1]:8080/x");
    assert_eq!(n("http://example.org/%c3%a9"), "http://example.org/%C3%A9");
    for bad in [
        "http://user:pw@example.org/a",
        "http://example.org/a%2f..%2fb",
        "http://example.org/a%5cb",
        "http://example.org/a\\b",
        "http://example.org/a%00",
        "http://example.org/a%zz",
        "ftp://example.org/a",
        "file:///etc/passwd",
    ] {
        assert!(normalize_url(bad).is_err(), "{bad}");
    }
    let p = EgressPolicy::allow_list(&["http://Example.org:80/data/".into()], &[]).expect("policy");
    assert!(p.check_url("http://example.org/data/a.nc").is_ok());
    assert!(p.check_url("http://example.org/data/sub/../a.nc").is_ok());
    assert!(p.check_url("http://example.org/data/../private/a.nc").is_err());
    assert!(p.check_url("http://example.org/data/%2e%2e/private/a.nc").is_err());
    assert_eq!(p.admit("http://EXAMPLE.org/data/./a.nc").expect("ok"), "http://example.org/data/a.nc");
}
