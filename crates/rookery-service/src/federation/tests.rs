//! Unit tests of the federation client.

use super::links::{metalink_files, own_link, safe_name};
use super::*;
use crate::config::parse_peer;

#[test]
fn globs() {
    assert!(rookery_daops::wildcard::matches_star(
        "c3s-cmip6.*.s1960-r2i1p1f1.*",
        "c3s-cmip6.DCPP.EC.EC3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v1"
    ));
    assert!(!rookery_daops::wildcard::matches_star(
        "c3s-cmip6.*.s1960-r2i1p1f1.*",
        "c3s-cmip6.DCPP.EC.EC3.dcppA-hindcast.s1960-r6i2p1f1.Amon.tas.gr.v1"
    ));
    assert!(rookery_daops::wildcard::matches_star("*", "x"));
    assert!(rookery_daops::wildcard::matches_star("cmip5.*", "cmip5.a"));
    assert!(!rookery_daops::wildcard::matches_star("cmip5.*", "cmip6.a"));
    assert!(rookery_daops::wildcard::matches_star("a*b*c", "aXXbYYc"));
    assert!(!rookery_daops::wildcard::matches_star("a*b*c", "acb"));
}

#[test]
fn token_exchange_configuration() {
    let cc = "token_url=http://idp/token client_id=c client_secret=s";
    let p = parse_peer(&format!("x http://a holds=* {cc} audience=rookery-api token_exchange=on")).unwrap();
    assert!(p.exchange);
    assert_eq!(p.client.as_ref().unwrap().audience.as_deref(), Some("rookery-api"));
    // No user token: a clear error naming the peer, before any request.
    let e = p.authorization_for(None, &TokenCache::default()).unwrap_err();
    assert!(matches!(&e, PeerError::NoUserToken { peer } if peer == "x"), "{e:?}");
    assert_eq!(
        crate::ops::ProcError::from(p.authorization_for(None, &TokenCache::default()).unwrap_err()).1,
        FailureKind::Server
    );
    let e = e.to_string();
    assert!(e.contains("node 'x'") && e.contains("token_exchange=on") && e.contains("API key"), "{e}");
    assert!(!format!("{:?}", UserToken("secret-token".into())).contains("secret-token"));
    let e = parse_peer("x http://a holds=* token_exchange=on").unwrap_err().to_string();
    assert!(e.contains("token_exchange=on and client credentials need token_url"), "{e}");
    let e = parse_peer(&format!("x http://a holds=* {cc} token_exchange=maybe")).unwrap_err().to_string();
    assert!(e.contains("token_exchange must be on or off"), "{e}");
    let e = parse_peer(&format!("x http://a holds=* {cc} token=t token_exchange=on")).unwrap_err().to_string();
    assert!(e.contains("exclude each other"), "{e}");
    // Off: the client's own token, as before.
    assert!(!parse_peer(&format!("x http://a holds=* {cc} token_exchange=off")).unwrap().exchange);
}

/// A one-request HTTP server answering `status` with an empty JSON body; its base URL.
fn answer_once(status: &'static str) -> String {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(
                format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}").as_bytes(),
            );
        }
    });
    url
}

#[test]
fn a_peer_status_is_a_variant() {
    let p = parse_peer(&format!("x {} holds=*", answer_once("503 Service Unavailable"))).unwrap();
    let e = peer_usage(&p, "", &TokenCache::default()).unwrap_err();
    assert!(matches!(e, PeerError::Status { code: 503, .. }), "{e:?}");
    assert_eq!(e.to_string(), "usage answered HTTP 503");
    let e = ProcError::from(e);
    assert_eq!((e.0.as_str(), e.1), ("usage answered HTTP 503", FailureKind::Server));
    // A refused token request: the endpoint's status, its error and description.
    let cc = format!("token_url={}/token client_id=c client_secret=s", answer_once("401 Unauthorized"));
    let p = parse_peer(&format!("y http://a holds=* {cc}")).unwrap();
    let e = p.authorization(&TokenCache::default()).unwrap_err();
    assert!(matches!(&e, PeerError::TokenRefused { status: 401, what: "the client credentials", .. }), "{e:?}");
    assert!(e.to_string().ends_with("refused the client credentials of 'c': HTTP 401"), "{e}");
}

#[test]
fn metalink_parsing() {
    let doc = crate::xml::metalink(
        "d",
        "t",
        "http://h/",
        &[crate::xml::MetaFile {
            name: "a b.nc".into(),
            size: 3,
            url: "http://h/o/a.nc?t=1&u=2".into(),
            sha256: Some("ABC".into()),
        }],
    );
    let f = metalink_files(&doc);
    assert_eq!(f, vec![("a b.nc".to_string(), 3, "http://h/o/a.nc?t=1&u=2".to_string(), Some("abc".to_string()))]);
    assert_eq!(safe_name("../../etc/passwd"), "passwd");
    assert_eq!(safe_name(".."), "file..");
}

#[test]
fn a_peers_own_result_links_are_read_through_its_configured_url() {
    let peer = parse_peer("bravo http://127.0.0.1:8123 holds=*").expect("peer");
    // `localhost` is the same server as 127.0.0.1 (the peer's public_url differs).
    assert_eq!(
        own_link(&peer, "http://localhost:8123/outputs/j1/a.nc?x=1"),
        "http://127.0.0.1:8123/outputs/j1/a.nc?x=1"
    );
    assert_eq!(own_link(&peer, "http://127.0.0.1:8123/outputs/a.nc"), "http://127.0.0.1:8123/outputs/a.nc");
    // Another port, scheme or host is another server: left as it is (the egress policy decides).
    for other in ["http://localhost:8124/a.nc", "https://localhost:8123/a.nc", "http://192.0.2.1:8123/a.nc"] {
        assert_eq!(own_link(&peer, other), other);
    }
}

#[test]
fn a_timeout_names_its_limit_and_where_it_is_set() {
    let e = PeerError::Unreachable {
        doing: "cannot poll http://127.0.0.1:1/jobs/x".into(),
        source: ureq::Error::Timeout(ureq::Timeout::Global),
    };
    let t = e.to_string();
    assert!(t.starts_with("cannot poll http://127.0.0.1:1/jobs/x: no answer in time"), "{t}");
    assert!(
        t.contains("peer_timeout_secs") && t.contains("ROOKERY_PEER_TIMEOUT_SECS") && t.contains("30 s per poll"),
        "{t}"
    );
    let e = PeerError::TimedOut { job: "http://p/jobs/x".into(), after: std::time::Duration::from_secs(900) };
    assert!(e.to_string().contains("after 900 s") && e.to_string().contains("peer_timeout_secs"), "{e}");
}

/// A fake peer: submissions get job `abc`, polls answer `poll_status`, every request line is
/// recorded.
fn fake_peer(poll_status: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&got).lines().next().unwrap_or("").to_string();
            let (status, body) = if line.starts_with("POST") {
                ("201 Created", r#"{"jobID":"abc","status":"accepted"}"#)
            } else if line.starts_with("GET") {
                (poll_status, "{}")
            } else {
                ("200 OK", r#"{"status":"dismissed"}"#)
            };
            log.lock().unwrap().push(line);
            let _ = c.write_all(
                format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
                    .as_bytes(),
            );
        }
    });
    (url, seen)
}

#[test]
fn a_part_that_fails_after_its_submission_is_dismissed_at_the_peer() {
    let (url, seen) = fake_peer("403 Forbidden");
    let peer = parse_peer(&format!("bravo {url} holds=* token=k")).unwrap();
    let peers = Peers::new(vec![peer.clone()], 30, 1);
    let dir = tempfile::tempdir().unwrap();
    let e = peers
        .run(&[peer], &json!({"doc": "x"}), "job:step", dir.path(), &rookery_io::IoContext::from_env())
        .unwrap_err();
    assert!(e.0.contains("polling") && e.0.contains("403"), "{}", e.0);
    let lines = seen.lock().unwrap().clone();
    assert!(lines.iter().any(|l| l.starts_with("DELETE /jobs/abc ")), "{lines:?}");
}
