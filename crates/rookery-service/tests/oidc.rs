//! OIDC tokens against a real identity provider: panva's `oidc-provider` (npm, pinned 9.13.3 in
//! `tests/oidc/package.json`, installed by `scripts/oidc-setup.sh`, which `scripts/test.sh` runs)
//! started on loopback by `tests/oidc/provider.mjs`. Without node or the package the tests print
//! "skipped" locally and fail when `CI` is set.
//!
//! No test depends on timing: expiry is tested with tokens the provider signs with past `exp`,
//! key rotation with the provider's `/test/rotate`, the JWKS refetch limit with counters.

mod common;

use common::idp::{provider, API};
use common::{enc, get_h, request, rlds, Resp};
use rookery_service::state::St;
use rookery_service::Config;
use serde_json::{json, Value};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

// ------------------------------------------------------------------ log capture

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        std::io::stderr().write_all(b)?;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary (installed once).
fn logs() -> &'static Logs {
    static L: OnceLock<Logs> = OnceLock::new();
    L.get_or_init(|| {
        let l = Logs::default();
        let w = l.clone();
        let sub = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || w.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(sub);
        l
    })
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned()
}

// ------------------------------------------------------------------ the identity provider

// ------------------------------------------------------------------ a server with its state

struct Server {
    addr: SocketAddr,
    state: St,
    _tmp: tempfile::TempDir,
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

impl Server {
    fn url(&self, p: &str) -> String {
        format!("http://{}{p}", self.addr)
    }
    fn key(&self, name: &str, scopes: &str) -> String {
        rookery_service::auth::create_key(self.state.store.as_ref(), &self.state.secret, name, &[scopes.to_string()])
            .unwrap()
            .0
    }
}

fn serve(edit: impl FnOnce(&mut Config)) -> Server {
    logs();
    common::use_test_projects();
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = common::config(tmp.path(), false);
    edit(&mut cfg);
    let (tx, rx) = std::sync::mpsc::channel();
    let (stx, srx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let r = rookery_service::start(cfg).await.expect("server starts");
            tx.send((r.addr, r.state.clone())).unwrap();
            tokio::select! {
                _ = r.handle => {}
                _ = srx => {}
            }
        });
        rt.shutdown_timeout(Duration::from_secs(2));
    });
    let (addr, state) = rx.recv_timeout(Duration::from_secs(30)).expect("server address");
    Server { addr, state, _tmp: tmp, shutdown: Some(stx), thread: Some(thread) }
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn get_tok(s: &Server, path: &str, token: &str) -> Resp {
    let b = bearer(token);
    get_h(&s.url(path), &[("Authorization", &b)])
}

fn execute(s: &Server, token: &str, body: &Value) -> Resp {
    let b = bearer(token);
    request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("Authorization", &b), ("Content-Type", "application/json"), ("Prefer", "respond-async")],
        body.to_string().as_bytes(),
    )
}

fn subset_body() -> Value {
    json!({"inputs": {"collection": rlds(), "time": "2001-01-01/2001-12-30"}})
}

fn detail(r: &Resp) -> String {
    serde_json::from_slice::<Value>(&r.body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(String::from))
        .unwrap_or_else(|| r.text())
}

fn job_ids(r: &Resp) -> Vec<String> {
    let v: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    v["jobs"].as_array().unwrap().iter().map(|j| j["jobID"].as_str().unwrap().to_string()).collect()
}

/// The same token claiming to be someone else (`sub` changed, signature kept).
fn tamper(t: &str) -> String {
    use base64::Engine;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts: Vec<String> = t.split('.').map(String::from).collect();
    let mut claims: Value = serde_json::from_slice(&e.decode(&parts[1]).unwrap()).unwrap();
    claims["sub"] = json!("mallory");
    parts[1] = e.encode(claims.to_string());
    parts.join(".")
}

/// The audit log once `ok` holds (rows are written off the request path), or a failure.
fn audit_until(
    s: &Server,
    ok: impl Fn(&[rookery_service::jobs::AuditRecord]) -> bool,
) -> Vec<rookery_service::jobs::AuditRecord> {
    for _ in 0..200 {
        let rows = s.state.store.audit(None, 10_000).unwrap();
        if ok(&rows) {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("audit log: {:?}", s.state.store.audit(None, 10_000).unwrap());
}

fn now() -> i64 {
    rookery_service::time::now_ms() / 1000
}

#[test]
fn oidc_tokens_against_a_real_provider() {
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    let s = serve(|c| {
        c.set(
            "oidc_issuer",
            &format!("{iss} audience=rookery-api client_id=rookery client_secret=rookery-secret; http://127.0.0.1:1/realms/down audience=rookery-api"),
        )
        .unwrap();
        c.set("oidc_role_map", "rookery-admin=admin").unwrap();
        c.set("oidc_jwks_refresh_secs", "0").unwrap();
    });
    let mut secrets: Vec<String> = Vec::new();

    // Public: processes need no credentials.
    assert_eq!(common::get(&s.url("/processes")).status, 200);

    // Valid tokens: alice executes, lists her own job; bob sees nothing of hers.
    let alice = idp.token("alice", Some(API), None);
    let bob = idp.token("bob", Some(API), None);
    secrets.extend([alice.clone(), bob.clone()]);
    let r = execute(&s, &alice, &subset_body());
    assert_eq!(r.status, 201, "{}", r.text());
    let job = serde_json::from_slice::<Value>(&r.body).unwrap()["jobID"].as_str().unwrap().to_string();
    let r = get_tok(&s, "/jobs", &alice);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(job_ids(&r), std::slice::from_ref(&job));
    let r = get_tok(&s, "/jobs", &bob);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(job_ids(&r).is_empty(), "bob sees only his own jobs");
    assert_eq!(get_tok(&s, &format!("/jobs/{job}"), &bob).status, 404);
    assert_eq!(get_tok(&s, &format!("/jobs/{job}"), &alice).status, 200);
    assert_eq!(s.state.store.get(&job).unwrap().unwrap().owner, format!("{iss}#alice"), "owner is iss#sub");

    // ES256 tokens of the same issuer.
    let es = idp.token("alice", Some(API), Some("urn:rookery:es256"));
    secrets.push(es.clone());
    assert!(es.starts_with("eyJhbGciOiJFUzI1NiIs"), "an ES256 token");
    assert_eq!(job_ids(&get_tok(&s, "/jobs", &es)), std::slice::from_ref(&job));

    // A Keycloak-style realm role mapped to admin: sees everyone's jobs.
    let admin = idp.token("kcadmin", None, None);
    secrets.push(admin.clone());
    assert_eq!(job_ids(&get_tok(&s, "/jobs", &admin)), std::slice::from_ref(&job));
    assert_eq!(get_tok(&s, &format!("/jobs/{job}"), &admin).status, 200);

    // Refused tokens, each with its reason.
    let tampered = tamper(&alice);
    let r = get_tok(&s, "/jobs", &tampered);
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert!(detail(&r).contains("signature does not verify"), "{}", detail(&r));

    let claims = |iss: &str, exp: i64, aud: &str| json!({"iss": iss, "sub": "alice", "aud": aud, "exp": exp, "iat": exp - 600, "scope": API, "client_id": "alice"});
    let expired = idp.sign(json!({}), claims(&iss, now() - 3600, "rookery-api"));
    let r = get_tok(&s, "/jobs", &expired);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("expired"), "{}", detail(&r));
    // Within the 60 s clock skew, a just-expired token still passes.
    let skewed = idp.sign(json!({}), claims(&iss, now() - 5, "rookery-api"));
    assert_eq!(get_tok(&s, "/jobs", &skewed).status, 200);
    let future = idp.sign(json!({}), json!({"iss": iss, "sub": "alice", "aud": "rookery-api", "exp": now() + 7200, "nbf": now() + 3600, "scope": API}));
    let r = get_tok(&s, "/jobs", &future);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("not valid yet"), "{}", detail(&r));

    let foreign = idp.sign(json!({}), claims("https://evil.example/realms/x", now() + 600, "rookery-api"));
    let r = get_tok(&s, "/jobs", &foreign);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("issuer 'https://evil.example/realms/x' is not trusted"), "{}", detail(&r));

    let other_aud = idp.token("alice", Some(API), Some("urn:other:api"));
    let r = get_tok(&s, "/jobs", &other_aud);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("audience 'other-api'"), "{}", detail(&r));
    let account = idp.token("alice", Some(API), Some("urn:keycloak:account"));
    let r = get_tok(&s, "/jobs", &account);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("only 'account'"), "{}", detail(&r));

    let hs = {
        use base64::Engine;
        let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", e(&json!({"alg": "HS256", "typ": "JWT"})), e(&claims(&iss, now() + 600, "rookery-api")))
    };
    let r = get_tok(&s, "/jobs", &hs);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("'HS256' is not accepted"), "{}", detail(&r));

    // Missing permission: 403 for execution, listing own jobs is fine.
    let reader = idp.token("reader", Some("processes:read jobs:read:own"), None);
    secrets.push(reader.clone());
    let r = execute(&s, &reader, &subset_body());
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(detail(&r).contains("lacks the 'jobs:execute' permission"), "{}", detail(&r));
    assert_eq!(get_tok(&s, "/jobs", &reader).status, 200);

    // WPS with tokens: 401 without, 403 for the reader, alice runs a subset synchronously.
    let wps = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs={}",
        enc(&format!("collection={};time=2001-01-01/2001-12-30", rlds()))
    );
    let r = common::get(&s.url(&wps));
    assert_eq!(r.status, 401);
    let r = get_tok(&s, &wps, &reader);
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("AccessForbidden") && r.text().contains("lacks the 'jobs:execute' permission"),
        "{}",
        r.text()
    );
    let r = get_tok(&s, &wps, &tampered);
    assert_eq!(r.status, 401);
    assert!(r.text().contains("AccessForbidden") && r.text().contains("signature does not verify"), "{}", r.text());
    let r = get_tok(&s, &wps, &alice);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("ProcessSucceeded"), "{}", r.text());
    // The result (signed URL) downloads without headers, like rooki does.
    let meta = common::output_href(&r.text(), "output").expect("output reference");
    assert_eq!(common::get(&meta).status, 200);

    // Opaque tokens go through introspection, with a short positive cache.
    let opaque = idp.token("alice", Some(API), Some("urn:rookery:opaque"));
    secrets.push(opaque.clone());
    assert!(!opaque.contains('.'), "an opaque token");
    let before = s.state.oidc.stats.introspections.load(std::sync::atomic::Ordering::Relaxed);
    let r = get_tok(&s, "/jobs", &opaque);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(job_ids(&r).contains(&job), "the same owner as alice's JWT");
    assert_eq!(get_tok(&s, "/jobs", &opaque).status, 200);
    let after = s.state.oidc.stats.introspections.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(after - before, 1, "the second request is served from the introspection cache");
    let r = get_tok(&s, "/jobs", "not-a-token-the-provider-issued");
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("not active"), "{}", detail(&r));

    // Key rotation: a token signed with the new key is accepted (JWKS refetched for the new
    // kid); one signed with the retired key no longer is.
    idp.rotate();
    let fresh = idp.token("alice", Some(API), None);
    secrets.push(fresh.clone());
    let jwks_before = s.state.oidc.stats.jwks_fetches.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(get_tok(&s, "/jobs", &fresh).status, 200);
    assert!(s.state.oidc.stats.jwks_fetches.load(std::sync::atomic::Ordering::Relaxed) > jwks_before);
    let r = get_tok(&s, "/jobs", &alice);
    assert_eq!(r.status, 401);
    assert!(detail(&r).contains("has no RS256 key with kid"), "{}", detail(&r));

    // An unreachable issuer: 503 with the reason; other users keep working.
    let down = idp.sign(json!({}), claims("http://127.0.0.1:1/realms/down", now() + 600, "rookery-api"));
    let r = get_tok(&s, "/jobs", &down);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(detail(&r).contains("cannot be reached"), "{}", detail(&r));
    assert_eq!(get_tok(&s, "/jobs", &fresh).status, 200);
    let key = s.key("script", "execute,jobs");
    secrets.push(key.clone());
    assert_eq!(get_h(&s.url("/jobs"), &[("X-API-Key", &key)]).status, 200);
    assert_eq!(get_tok(&s, "/jobs", &key).status, 200, "API keys as bearer tokens still work");

    // The audit log: submissions and refusals with principal and address, never a token.
    let rows = audit_until(&s, |rows| rows.iter().any(|r| r.detail.contains("cannot be reached")));
    let has = |kind: &str, f: &dyn Fn(&rookery_service::jobs::AuditRecord) -> bool| {
        rows.iter().any(|r| r.kind == kind && f(r))
    };
    assert!(has("job-submitted", &|r| r.principal == format!("{iss}#alice") && r.address == "127.0.0.1"), "{rows:?}");
    assert!(
        has("signin-failed", &|r| r.detail.contains("expired") && r.principal == format!("{iss}#alice")),
        "{rows:?}"
    );
    assert!(has("signin-failed", &|r| r.detail.contains("cannot be reached")), "{rows:?}");
    assert!(has("admin", &|r| r.principal == format!("{iss}#kcadmin") && r.detail.contains(&job)), "{rows:?}");
    let all_rows = format!("{rows:?}");
    let log = log_text();
    assert!(log.contains("signature does not verify") && log.contains("has expired"), "reasons are logged");
    for t in secrets.iter().chain([&tampered, &expired, &foreign, &down]) {
        let sig = t.rsplit('.').next().unwrap();
        assert!(!log.contains(sig), "a credential leaked into the log");
        assert!(!all_rows.contains(sig), "a credential leaked into the audit log");
    }
}

/// A node's peer credentials: the client-credentials grant at the real provider gives a token
/// the peer (a server trusting that issuer) accepts; a wrong secret is a clear error.
#[test]
fn peer_client_credentials_against_a_real_provider() {
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    let s = serve(|c| c.set("oidc_issuer", &format!("{iss} audience=rookery-api")).unwrap());
    let peer = rookery_service::config::parse_peer(&format!(
        "p {} holds=* token_url={iss}/token client_id=alice client_secret=alice-secret scope={} resource=urn:rookery:api",
        s.url(""),
        API.replace(' ', ",")
    ))
    .unwrap();
    let tokens = rookery_service::auth::TokenCache::default();
    let auth = peer.authorization(&tokens).unwrap().expect("a token");
    assert!(!format!("{peer:?}").contains("alice-secret"));
    let r = request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("Authorization", &auth), ("Content-Type", "application/json"), ("Prefer", "respond-async")],
        subset_body().to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // Cached: the same token again.
    assert_eq!(peer.authorization(&tokens).unwrap().unwrap(), auth);
    let bad = rookery_service::config::parse_peer(&format!(
        "q {} holds=* token_url={iss}/token client_id=alice client_secret=wrong",
        s.url("")
    ))
    .unwrap();
    let e = bad.authorization(&tokens).unwrap_err();
    assert!(matches!(e, rookery_service::federation::PeerError::TokenRefused { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("refused the client credentials of 'alice'"), "{e}");
}

#[test]
fn quotas_per_principal() {
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    let s = serve(|c| {
        c.set("oidc_issuer", &format!("{iss} audience=rookery-api")).unwrap();
        c.set("quota_concurrent_jobs", "1").unwrap();
        c.set("quota", &format!("{iss}#bob rate=2; {iss}#reader bytes=1000 jobs=5")).unwrap();
        c.set("oidc_scope_map", "processes:read=jobs:execute").unwrap();
        // No workers: accepted jobs stay accepted, so the concurrency quota is deterministic.
        c.workers = 0;
    });
    let alice = idp.token("alice", Some(API), None);
    assert_eq!(execute(&s, &alice, &subset_body()).status, 201);
    let r = execute(&s, &alice, &subset_body());
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(detail(&r).contains("at most 1"), "{}", detail(&r));
    assert_eq!(r.header("retry-after"), Some("10"));
    // WPS: ServerBusy.
    let wps = format!(
        "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&storeExecuteResponse=true&status=true&datainputs={}",
        enc(&format!("collection={}", rlds()))
    );
    let r = get_tok(&s, &wps, &alice);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.text().contains("ServerBusy"), "{}", r.text());
    assert!(r.header("retry-after").is_some());

    // Request rate: bob may make 2 requests a minute.
    let bob = idp.token("bob", Some(API), None);
    assert_eq!(get_tok(&s, "/jobs", &bob).status, 200);
    assert_eq!(get_tok(&s, "/jobs", &bob).status, 200);
    let r = get_tok(&s, "/jobs", &bob);
    assert_eq!(r.status, 429);
    assert!(detail(&r).contains("Rate limit exceeded for this token"), "{}", detail(&r));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // Others are not affected.
    assert_eq!(get_tok(&s, "/jobs", &alice).status, 200);

    // Daily output bytes: reader (execute through oidc_scope_map) has written too much today.
    let reader = idp.token("reader", Some("processes:read jobs:read:own"), None);
    let who = format!("{iss}#reader");
    s.state
        .store
        .add_bytes_written(&who, rookery_service::quota::day_of(rookery_service::time::now_ms()), 5000)
        .unwrap();
    let r = execute(&s, &reader, &subset_body());
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(detail(&r).contains("daily limit"), "{}", detail(&r));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait));
    audit_until(&s, |rows| rows.iter().any(|r| r.kind == "quota-exceeded" && r.principal == who));
}

#[test]
fn jwks_refetch_is_rate_limited_and_introspection_timeouts_are_503() {
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    // An "introspection endpoint" that accepts connections and never answers.
    let hang = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang_url = format!("http://{}/introspect", hang.local_addr().unwrap());
    let s = serve(|c| {
        c.set(
            "oidc_issuer",
            &format!(
                "{iss} audience=rookery-api client_id=rookery client_secret=rookery-secret introspection={hang_url}"
            ),
        )
        .unwrap();
        c.set("oidc_timeout_secs", "2").unwrap();
    });
    let alice = idp.token("alice", Some(API), None);
    assert_eq!(get_tok(&s, "/jobs", &alice).status, 200);
    let fetches = || s.state.oidc.stats.jwks_fetches.load(std::sync::atomic::Ordering::Relaxed);
    let n = fetches();
    // Unknown kids: at most one refetch within oidc_jwks_refresh_secs (default 10 s).
    for kid in ["junk-1", "junk-2", "junk-3"] {
        let t =
            idp.sign(json!({"kid": kid}), json!({"iss": iss, "sub": "x", "aud": "rookery-api", "exp": now() + 600}));
        let r = get_tok(&s, "/jobs", &t);
        assert_eq!(r.status, 401);
        assert!(detail(&r).contains(&format!("kid '{kid}'")), "{}", detail(&r));
    }
    assert!(fetches() - n <= 1, "JWKS refetched {} times", fetches() - n);
    // Introspection that times out: 503 with the reason, JWT users unaffected.
    let opaque = idp.token("alice", Some(API), Some("urn:rookery:opaque"));
    let r = get_tok(&s, "/jobs", &opaque);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(detail(&r).contains("introspection failed") && detail(&r).contains("timed out"), "{}", detail(&r));
    assert_eq!(get_tok(&s, "/jobs", &alice).status, 200);
    drop(hang);
}

#[test]
fn rooki_and_owslib_with_an_oidc_token() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = root.join(".venv/bin/python");
    if !py.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: scripts/test.sh should have run scripts/setup-pyclients.sh",
            py.display()
        );
        eprintln!("skipped: no {} (run scripts/setup-pyclients.sh)", py.display());
        return;
    }
    let Some(idp) = provider() else { return };
    let iss = idp.issuer.clone();
    let s = serve(|c| c.set("oidc_issuer", &format!("{iss} audience=rookery-api")).unwrap());
    let token = idp.token("alice", Some(API), None);
    let out = tempfile::tempdir().unwrap();
    let o = common::output_within(
        Command::new(&py)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/wps_oidc_clients.py"))
            .env("ROOK_URL", s.url("/wps"))
            .env("ACCESS_TOKEN", &token)
            .env("BAD_TOKEN", tamper(&token))
            .env("RLDS", rlds())
            .env("OUT", out.path())
            .env_remove("ROOK_MODE")
            .env("PYTHONUNBUFFERED", "1"),
        std::time::Duration::from_secs(600),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stdout}");
    assert!(o.status.success(), "client checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token));
}

/// The audit log and quota counters behave alike on SQLite and PostgreSQL.
fn identity_contract(s: &dyn rookery_service::jobs::JobStore) {
    use rookery_service::jobs::{AuditRecord, JobRequest, NewJob};
    for (i, kind) in ["signin-failed", "job-submitted", "key-created"].iter().enumerate() {
        let t = 1_000 * (i64::try_from(i).unwrap() + 1);
        s.log_audit(&AuditRecord {
            time: t,
            kind: (*kind).into(),
            principal: "p".into(),
            address: "::1".into(),
            detail: format!("d{i}"),
        })
        .unwrap();
    }
    let all = s.audit(None, 100).unwrap();
    assert_eq!(
        all.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
        ["signin-failed", "job-submitted", "key-created"]
    );
    assert_eq!(s.audit(Some(2_000), 100).unwrap().len(), 2);
    let newest = s.audit(None, 1).unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].kind, "key-created", "the limit keeps the newest");
    assert_eq!(s.bytes_written("o", 7).unwrap(), 0);
    s.add_bytes_written("o", 7, 10).unwrap();
    s.add_bytes_written("o", 7, 5).unwrap();
    s.add_bytes_written("o", 8, 1).unwrap();
    assert_eq!(s.bytes_written("o", 7).unwrap(), 15);
    assert_eq!(s.bytes_written("other", 7).unwrap(), 0);
    assert_eq!(s.active_jobs("o").unwrap(), 0);
    for id in ["j1", "j2"] {
        s.submit(
            &NewJob { id: id.into(), process: "subset".into(), owner: "o".into(), request: JobRequest::default() },
            10,
        )
        .unwrap();
    }
    assert_eq!(s.active_jobs("o").unwrap(), 2);
    s.dismiss("j1").unwrap();
    assert_eq!(s.active_jobs("o").unwrap(), 1);
}

#[test]
fn identity_tables_on_sqlite_and_postgres() {
    let d = tempfile::tempdir().unwrap();
    identity_contract(&rookery_service::jobs::SqliteStore::open(&d.path().join("db")).unwrap());
    let Some(base) = std::env::var("ROOKERY_TEST_PG").ok().filter(|u| !u.trim().is_empty()) else {
        // tests/postgres.rs fails in CI without it; here the PostgreSQL half is just skipped.
        eprintln!("skipped (PostgreSQL half): ROOKERY_TEST_PG is not set");
        return;
    };
    let name = format!(
        "oidc_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    );
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{name}");
    let r = std::panic::catch_unwind(|| identity_contract(&rookery_service::jobs::PgStore::open(&url).unwrap()));
    let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}
