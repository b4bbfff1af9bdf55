//! Three rookery nodes on loopback, each holding a different part of mini-esgf, run workflows
//! over datasets of several nodes and get the same numbers as one node holding everything;
//! a peer killed (SIGKILL) with a part in flight, or down before the run, has its part go to
//! the replica, and with no node left the job fails naming them; an ensemble mean of whole
//! files merges processed members;
//! a peer spoken to as a rook (WPS 1.0.0 `orchestrate`) gives the same numbers.
//!
//! Nodes are separate processes (each has its own roocs.ini): this test executable re-run as
//! [`node_process`].

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const M1: &str = "DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215";
const M2: &str = "DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r6i2p1f1/Amon/tas/gr/v20200508";
const ID1: &str = "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v20201215";
const ID2: &str = "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r6i2p1f1.Amon.tas.gr.v20200508";

/// A node: `ROOKERY_TEST_NODE` = data dir, file to write the address to.
#[test]
#[ignore = "run by the federation tests as a node process"]
fn node_process() {
    let Ok(spec) = std::env::var("ROOKERY_TEST_NODE") else { return };
    let mut it = spec.lines();
    let (dir, addr_file) = (it.next().unwrap().to_string(), it.next().unwrap().to_string());
    let mut cfg = rookery_service::Config::default();
    cfg.load_env().unwrap();
    cfg.data_dir = dir.into();
    cfg.bind = "127.0.0.1:0".into();
    // Closed (tokens of ROOKERY_OIDC_ISSUER only) when the test asks.
    cfg.open = std::env::var_os("ROOKERY_TEST_CLOSED").is_none();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let r = rookery_service::start(cfg).await.expect("node starts");
        std::fs::write(format!("{addr_file}.tmp"), r.addr.to_string()).unwrap();
        std::fs::rename(format!("{addr_file}.tmp"), &addr_file).unwrap();
        let _ = r.handle.await;
    });
}

struct Node {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies dataset directories (relative to mini-esgf's CMIP6 root) into a new root.
fn holding(members: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let src = PathBuf::from(data("badc/cmip6/data/CMIP6"));
    for m in members {
        let to = root.path().join("CMIP6").join(m);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(src.join(m)).unwrap().flatten() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(root.path().join("CMIP6")).unwrap();
    root
}

/// One HTTP/1.1 request from `s`: its request line and header lines (with their line ends),
/// and its body (by Content-Length).
fn read_request(s: &std::net::TcpStream) -> (Vec<String>, Vec<u8>) {
    use std::io::{BufRead, BufReader, Read};
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut head = Vec::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).map_or(true, |n| n == 0) || h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        head.push(h);
    }
    let mut body = vec![0u8; len];
    let _ = r.read_exact(&mut body);
    (head, body)
}

/// A peer that accepts every job and then never finishes it (it hangs, as a node that died
/// mid-run behind a proxy would look); returns its base URL.
fn hanging_peer() -> String {
    use std::io::Write;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let (head, _) = read_request(&s);
            let line = head.first().cloned().unwrap_or_default();
            let (code, doc) = if line.starts_with("POST") {
                ("201 Created", r#"{"jobID":"hung-1","status":"accepted"}"#)
            } else {
                ("200 OK", r#"{"jobID":"hung-1","status":"running"}"#)
            };
            let mut s = s;
            let _ = write!(s, "HTTP/1.1 {code}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}", doc.len());
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// A proxy in front of the node at `target` (process `pid`) that passes requests through until
/// the coordinator first polls a job there: then it kills the node with SIGKILL (the part is
/// submitted and in flight) and drops the connection. Returns the proxy's base URL and a
/// flag set once the kill happened.
fn killing_proxy(target: &str, pid: u32) -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    let killed = std::sync::Arc::new(AtomicBool::new(false));
    let flag = killed.clone();
    let to = target.trim_start_matches("http://").to_string();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let (lines, body) = read_request(&s);
            // One request per connection, so each one is seen here.
            let head: String = lines
                .iter()
                .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
                .map(String::as_str)
                .collect();
            if head.starts_with("GET ") && head.contains("/jobs/") && !flag.swap(true, Ordering::SeqCst) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
            let Ok(mut up) = std::net::TcpStream::connect(&to) else { continue };
            let mut s = s;
            let _ = up.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
            let _ = up.write_all(&body);
            let mut answer = Vec::new();
            let _ = up.read_to_end(&mut answer);
            let _ = s.write_all(&answer);
        }
    });
    (format!("http://127.0.0.1:{port}"), killed)
}

/// Starts a node process whose c3s-cmip6 project lives in `root`, with `peers`.
fn node(root: &Path, peers: &str) -> Node {
    node_with(root, peers, "120")
}

fn node_with(root: &Path, peers: &str, timeout_secs: &str) -> Node {
    node_env(root, peers, timeout_secs, &[])
}

/// A node with extra environment (configuration) variables.
fn node_env(root: &Path, peers: &str, timeout_secs: &str, env: &[(&str, &str)]) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("roocs.ini");
    std::fs::write(&ini, format!("[project:c3s-cmip6]\nbase_dir = {}\n", root.join("CMIP6").display())).unwrap();
    let addr_file = dir.path().join("addr");
    let log = std::fs::File::create(dir.path().join("log")).unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "node_process", "--ignored", "--nocapture", "--test-threads=1"])
        .env("ROOKERY_TEST_NODE", format!("{}\n{}", dir.path().join("data").display(), addr_file.display()))
        .env("ROOCS_CONFIG", &ini)
        .env("ROOKERY_PEER", peers)
        .env("ROOKERY_PEER_ATTEMPTS", "1")
        .env("ROOKERY_PEER_TIMEOUT_SECS", timeout_secs)
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("node process");
    let t0 = Instant::now();
    while !addr_file.exists() {
        assert!(t0.elapsed() < Duration::from_secs(60), "node did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let addr = std::fs::read_to_string(&addr_file).unwrap();
    Node { child, url: format!("http://{addr}"), _dir: dir }
}

fn workflow_concat() -> String {
    serde_json::json!({
        "doc": "ensemble of two members on two nodes",
        "inputs": {"members": [ID1, ID2]},
        "outputs": {"output": "s/output"},
        "steps": {
            "c": {"run": "concat", "in": {"collection": "inputs/members", "dims": "realization"}},
            "s": {"run": "subset", "in": {"collection": "c/output", "time": "1961-01-01/1961-12-31", "area": "0,-30,150,60"}}
        }
    })
    .to_string()
}

fn workflow_ensemble_mean() -> String {
    serde_json::json!({
        "doc": "ensemble mean of two members on two nodes, one year",
        "inputs": {"members": [ID1, ID2]},
        "outputs": {"output": "c/output"},
        "steps": {
            "c": {"run": "concat", "in": {"collection": "inputs/members", "dims": "realization",
                                           "apply_average": true, "time": "1961-01-01/1961-12-31"}}
        }
    })
    .to_string()
}

fn workflow_chain() -> String {
    serde_json::json!({
        "doc": "subset then yearly mean of one member",
        "inputs": {"m": [ID2]},
        "outputs": {"output": "a/output"},
        "steps": {
            "s": {"run": "subset", "in": {"collection": "inputs/m", "time": "1961-01-01/1962-12-31", "area": "0,-30,150,60"}},
            "a": {"run": "average_time", "in": {"collection": "s/output", "freq": "year"}}
        }
    })
    .to_string()
}

/// Runs `wf` synchronously at `base` (OGC API); Ok(downloaded files) or Err(failure text).
fn run(base: &str, wf: &str, into: &Path) -> Result<Vec<PathBuf>, String> {
    run_h(base, wf, into, &[])
}

/// [`run`] with extra request headers (credentials).
fn run_h(base: &str, wf: &str, into: &Path, headers: &[(&str, &str)]) -> Result<Vec<PathBuf>, String> {
    let body = serde_json::json!({"inputs": {"workflow": {"value": wf}}});
    let mut h = vec![("Content-Type", "application/json")];
    h.extend_from_slice(headers);
    let r = request("POST", &format!("{base}/processes/orchestrate/execution"), &h, body.to_string().as_bytes());
    if r.status != 200 {
        return Err(r.text());
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let meta = get(v["output"]["href"].as_str().unwrap()).text();
    let prov = get(v["prov"]["href"].as_str().unwrap()).text();
    std::fs::create_dir_all(into).unwrap();
    std::fs::write(into.join("prov.json"), prov).unwrap();
    let mut files = Vec::new();
    for (i, part) in meta.split("<metaurl mediatype=\"application/x-netcdf\">").skip(1).enumerate() {
        let url = unescape(part.split("</metaurl>").next().unwrap());
        let p = into.join(format!("out{i}.nc"));
        std::fs::write(&p, get(&url).body).unwrap();
        files.push(p);
    }
    Ok(files)
}

/// The `tas` values of the output, as bits (NaN-safe equality).
fn values(files: &[PathBuf]) -> Vec<u64> {
    let src = rookery_io::open_paths(&rookery_io::IoContext::from_env(), files).expect("open output");
    let a = src.read_all("tas").expect("tas");
    a.to_f64().expect("numeric").iter().map(|v| v.to_bits()).collect()
}

#[test]
fn workflows_over_three_nodes_match_one_node_holding_everything() {
    // Reference: one node (this process) holding all of mini-esgf.
    let single = start(true);
    let tmp = tempfile::tempdir().unwrap();
    let want_concat =
        values(&run(&single.url(""), &workflow_concat(), &tmp.path().join("ref1")).expect("reference concat"));
    let want_chain =
        values(&run(&single.url(""), &workflow_chain(), &tmp.path().join("ref2")).expect("reference chain"));
    let want_mean =
        values(&run(&single.url(""), &workflow_ensemble_mean(), &tmp.path().join("ref3")).expect("reference mean"));
    assert!(!want_concat.is_empty() && !want_chain.is_empty() && !want_mean.is_empty());

    // B holds both members, C only the second; the coordinator A holds neither and prefers C
    // for the second member (B is its replica).
    let root_b = holding(&[M1, M2]);
    let root_c = holding(&[M2]);
    let root_a = holding(&[]);
    let b = node(root_b.path(), "");
    let c = node(root_c.path(), "");
    let peers =
        format!("nodeC {} holds=*.s1960-r6i2p1f1.*;nodeB {} holds=*.s1960-r2i1p1f1.*,*.s1960-r6i2p1f1.*", c.url, b.url);
    let a = node(root_a.path(), &peers);

    // Concat of members on two nodes: each member subset at its node, merged at A.
    let got = run(&a.url, &workflow_concat(), &tmp.path().join("fed1")).expect("federated concat");
    assert_eq!(values(&got), want_concat, "federated concat differs from the single node's");
    let prov = std::fs::read_to_string(tmp.path().join("fed1/prov.json")).unwrap();
    assert!(prov.contains("nodeB") && prov.contains("nodeC") && prov.contains(&format!("{}/jobs/", b.url)), "{prov}");

    // The same placement from the peers' own STAC indexes (their /stac), no patterns: C's
    // index lists only the second member, B's both.
    let stac_peers =
        format!("nodeC {0} holds=stac:{0}/stac#c3s-cmip6;nodeB {1} holds=stac:{1}/stac#c3s-cmip6", c.url, b.url);
    let a_stac = node(root_a.path(), &stac_peers);
    let got = run(&a_stac.url, &workflow_concat(), &tmp.path().join("fed-stac")).expect("STAC-placed concat");
    assert_eq!(values(&got), want_concat, "STAC placement differs from the patterns'");
    let prov = std::fs::read_to_string(tmp.path().join("fed-stac/prov.json")).unwrap();
    assert!(prov.contains("nodeB") && prov.contains("nodeC"), "{prov}");
    // An index that is down: the patterns decide.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let fallback = format!(
        "nodeC {0} holds=stac:http://{dead}/stac#c3s-cmip6,*.s1960-r6i2p1f1.*;nodeB {1} holds=stac:http://{dead}/stac,*.s1960-r2i1p1f1.*,*.s1960-r6i2p1f1.*",
        c.url, b.url
    );
    let a_down = node(root_a.path(), &fallback);
    let got = run(&a_down.url, &workflow_concat(), &tmp.path().join("fed-down")).expect("fallback concat");
    assert_eq!(values(&got), want_concat, "placement with the index down differs");
    drop((a_stac, a_down));

    // The ensemble mean of whole files: the members' parts must come back processed (with
    // the decadal fixes the merge needs), not as the nodes' original files.
    let got = run(&a.url, &workflow_ensemble_mean(), &tmp.path().join("fed-mean")).expect("federated ensemble mean");
    assert_eq!(values(&got), want_mean, "federated ensemble mean differs from the single node's");

    // A reducing chain on one member: both steps run at C as one job.
    let got = run(&a.url, &workflow_chain(), &tmp.path().join("fed2")).expect("federated chain");
    assert_eq!(values(&got), want_chain, "federated chain differs from the single node's");
    let prov = std::fs::read_to_string(tmp.path().join("fed2/prov.json")).unwrap();
    assert!(prov.contains("s@nodeC") && prov.contains("a@nodeC"), "{prov}");

    // OGC API Part 3: a nested remote process (subset at C) inside a local average_time.
    let nested = serde_json::json!({"inputs": {
        "collection": {"process": format!("{}/processes/subset", c.url),
                       "inputs": {"collection": ID2, "time": "1961-01-01/1962-12-31", "area": "0,-30,150,60"}},
        "freq": "year"}});
    let r = request(
        "POST",
        &format!("{}/processes/average_time/execution", a.url),
        &[("Content-Type", "application/json")],
        nested.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let meta = get(v["output"]["href"].as_str().unwrap()).text();
    let url = unescape(
        meta.split("<metaurl mediatype=\"application/x-netcdf\">").nth(1).unwrap().split("</metaurl>").next().unwrap(),
    );
    let p = tmp.path().join("nested.nc");
    std::fs::write(&p, get(&url).body).unwrap();
    assert_eq!(values(&[p]), want_chain, "nested remote process differs");
    let bad = serde_json::json!({"inputs": {"collection": {"process": "http://127.0.0.1:1/processes/subset", "inputs": {"collection": ID2}}, "freq": "year"}});
    let r = request(
        "POST",
        &format!("{}/processes/average_time/execution", a.url),
        &[("Content-Type", "application/json")],
        bad.to_string().as_bytes(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("not a configured peer"), "{}", r.text());

    // Usage across sites: A's log and its peers', with a site column.
    let body = serde_json::json!({"inputs": {"sites": "all"}});
    let r = request(
        "POST",
        &format!("{}/processes/usage/execution", a.url),
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let csv = get(v["wpsusage"]["href"].as_str().unwrap()).text();
    assert!(csv.lines().next().unwrap().ends_with(",site"), "{csv}");
    for site in [",local", ",nodeB", ",nodeC"] {
        assert!(
            csv.lines().any(|l| l.ends_with(site) && l.contains("orchestrate")),
            "no orchestrate row of {site}: {csv}"
        );
    }

    // A rook-style peer (WPS 1.0.0 orchestrate): B's /wps endpoint with protocol=wps.
    let a3 = node(root_a.path(), &format!("nodeW {}/wps holds=*.s1960-r6i2p1f1.* protocol=wps", b.url));
    let got = run(&a3.url, &workflow_chain(), &tmp.path().join("fed-wps")).expect("part at a WPS peer");
    assert_eq!(values(&got), want_chain, "the WPS peer's part differs from the single node's");
    let prov = std::fs::read_to_string(tmp.path().join("fed-wps/prov.json")).unwrap();
    assert!(prov.contains("nodeW") && prov.contains(&b.url), "{prov}");
    let body = serde_json::json!({"inputs": {"sites": "all"}});
    let r = request(
        "POST",
        &format!("{}/processes/usage/execution", a3.url),
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let csv = get(v["wpsusage"]["href"].as_str().unwrap()).text();
    assert!(
        csv.lines().any(|l| l.ends_with(",nodeW") && l.contains("orchestrate")),
        "no orchestrate row of the WPS peer: {csv}"
    );
    drop(a3);

    // A peer that takes the part and never finishes it: the part times out and goes to the
    // replica B (never a hang).
    let hung = hanging_peer();
    let a2 = node_with(
        root_a.path(),
        &format!("nodeH {hung} holds=*.s1960-r6i2p1f1.*;nodeB {} holds=*.s1960-r6i2p1f1.*", b.url),
        "3",
    );
    let got = run(&a2.url, &workflow_chain(), &tmp.path().join("fed-hung")).expect("replica after a timeout");
    assert_eq!(values(&got), want_chain);
    let prov = std::fs::read_to_string(tmp.path().join("fed-hung/prov.json")).unwrap();
    assert!(prov.contains("nodeB") && !prov.contains("nodeH"), "{prov}");
    drop(a2);

    // A node killed (SIGKILL) while the coordinator's part is in flight there: the part goes
    // to the replica B, with the same numbers.
    let mut k = node(root_c.path(), "");
    let (proxy, killed) = killing_proxy(&k.url, k.child.id());
    let a4 = node(
        root_a.path(),
        &format!("nodeK {proxy} holds=*.s1960-r6i2p1f1.*;nodeB {} holds=*.s1960-r6i2p1f1.*", b.url),
    );
    let got = run(&a4.url, &workflow_chain(), &tmp.path().join("fed-killed")).expect("replica after a kill -9");
    assert!(killed.load(std::sync::atomic::Ordering::SeqCst), "the node was killed mid-run");
    assert!(k.child.try_wait().unwrap().is_some(), "the killed node is gone");
    assert_eq!(values(&got), want_chain);
    let prov = std::fs::read_to_string(tmp.path().join("fed-killed/prov.json")).unwrap();
    assert!(prov.contains("nodeB") && !prov.contains("nodeK"), "{prov}");
    drop(a4);

    // C killed: its part goes to the replica B, with the same numbers.
    let mut c = c;
    c.child.kill().unwrap();
    c.child.wait().unwrap();
    let got = run(&a.url, &workflow_concat(), &tmp.path().join("fed3")).expect("replica takes over");
    assert_eq!(values(&got), want_concat);
    let prov = std::fs::read_to_string(tmp.path().join("fed3/prov.json")).unwrap();
    assert!(!prov.contains("nodeC"), "{prov}");

    // B killed too: a clear failure naming both nodes, and A keeps serving.
    drop(b);
    let e = run(&a.url, &workflow_chain(), &tmp.path().join("fed4")).expect_err("no node left");
    assert!(e.contains("nodeC") && e.contains("nodeB") && e.contains("no node could run"), "{e}");
    assert_eq!(get(&format!("{}/processes", a.url)).status, 200);
}

/// Token exchange (RFC 8693) at a real identity provider: a user's token at the coordinator
/// becomes a token for the peer, and the part runs there as that user (her job, which another
/// user cannot see); a coordinator the provider refuses fails naming the peer and the reason.
/// The coordinator holds one member of the concat itself: local and remote members merge alike.
#[test]
fn token_exchange_runs_the_part_as_the_user() {
    use common::idp::{provider, API};
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    let issuer = format!("{iss} audience=rookery-api");
    let closed = [("ROOKERY_TEST_CLOSED", "1"), ("ROOKERY_OIDC_ISSUER", issuer.as_str())];
    let (r1, r2) = (holding(&[M1]), holding(&[M2]));
    let b = node_env(r1.path(), "", "120", &closed);
    let peer = |secret: &str| {
        format!(
            "b {} holds=*.s1960-r2i1p1f1.* token_exchange=on token_url={iss}/token client_id=coordinator client_secret={secret} audience=rookery-api",
            b.url
        )
    };
    let a = node_env(r2.path(), &peer("coordinator-secret"), "120", &closed);
    let alice = format!("Bearer {}", idp.token("alice", Some(API), Some("urn:rookery:api")));
    let bob = format!("Bearer {}", idp.token("bob", Some(API), Some("urn:rookery:api")));
    let tmp = tempfile::tempdir().unwrap();
    // Without a token the coordinator itself refuses.
    let e = run(&a.url, &workflow_concat(), &tmp.path().join("anon")).unwrap_err();
    assert!(e.contains("401") || e.to_lowercase().contains("credential") || e.to_lowercase().contains("token"), "{e}");
    let files = run_h(&a.url, &workflow_concat(), &tmp.path().join("alice"), &[("Authorization", &alice)])
        .expect("alice's workflow");
    // A holds one member, b the other: the same numbers as one node holding both.
    let single = start(true);
    let want = values(&run(&single.url(""), &workflow_concat(), &tmp.path().join("ref")).expect("reference concat"));
    assert_eq!(values(&files), want, "mixed local and remote members differ from the single node's");
    // The part's job at b, named in the provenance, is alice's.
    let prov = std::fs::read_to_string(tmp.path().join("alice/prov.json")).unwrap();
    let at = prov.find(&format!("{}/jobs/", b.url)).unwrap_or_else(|| panic!("prov names no job at b: {prov}"));
    let job_url: String = prov[at..].chars().take_while(|c| !matches!(c, '"' | '\\' | ' ' | '<')).collect();
    assert_eq!(get_h(&job_url, &[("Authorization", &alice)]).status, 200, "alice sees her part at b");
    assert_eq!(get_h(&job_url, &[("Authorization", &bob)]).status, 404, "bob does not see alice's part at b");
    // A coordinator the provider does not let exchange: a clear failure naming b and why.
    drop(a);
    let a2 = node_env(r2.path(), &peer("wrong"), "120", &closed);
    let e = run_h(&a2.url, &workflow_concat(), &tmp.path().join("bad"), &[("Authorization", &alice)]).unwrap_err();
    assert!(e.contains("node 'b'") && e.contains("token exchange") && e.contains("invalid_client"), "{e}");
}
