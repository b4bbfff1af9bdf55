//! The browser UI on a real server on loopback: its headers and content negotiation over HTTP,
//! the quicklook endpoint against netCDF4 reading the same file, and the pages themselves in
//! headless Chromium driven by selenium (`tests/py/ui_check.py`: sign in, submit a subset
//! through the form, watch it finish, download and open the output, a wrong key, another
//! user's job, `<script>` in inputs shown as text, datasets, usage charts). Chromium and
//! selenium come from `scripts/setup-ui.sh`; without them the browser part fails when `CI` is
//! set and is skipped (loudly) otherwise.

mod common;

use common::{get, get_h, request, rlds};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn j(r: &common::Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

#[test]
fn pages_headers_and_negotiation() {
    let s = common::start(false);
    let alice = s.key("alice", "execute,jobs");
    let bob = s.key("bob", "execute,jobs");
    // The page and its assets, with the security headers; no cookie anywhere.
    for path in ["/ui/", "/ui/app.js", "/ui/style.css"] {
        let r = get(&s.url(path));
        assert_eq!(r.status, 200, "{path}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert!(r.header("set-cookie").is_none(), "{path}");
    }
    assert!(get(&s.url("/ui/app.js")).header("content-type").unwrap().starts_with("text/javascript"));
    // No OIDC sign-in configured: the page says so and reaches only its own origin.
    assert_eq!(j(&get(&s.url("/ui/config.json"))), json!({"oidc": null}));
    assert!(get(&s.url("/ui/")).header("content-security-policy").unwrap().contains("connect-src 'self';"));
    assert_eq!(get(&s.url("/ui/nope.js")).status, 404);
    // Browsers get the page at the OGC paths (before any credential is asked for); JSON
    // clients the documents as before.
    let browser = [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")];
    for path in ["/", "/processes", "/processes/subset", "/jobs", "/jobs/x", "/jobs?f=html"] {
        let r = if path.contains("f=html") { get(&s.url(path)) } else { get_h(&s.url(path), &browser) };
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"), "{path}");
        assert!(r.text().contains("<script src=\"/ui/app.js\""), "{path}");
        assert!(r.header("content-security-policy").is_some(), "{path}");
    }
    assert!(j(&get(&s.url("/processes")))["processes"].is_array());
    assert!(j(&get_h(&s.url("/processes"), &[("Accept", "application/json, text/html")]))["processes"].is_array());
    assert_eq!(get_h(&s.url("/jobs"), &[("Accept", "application/json")]).status, 401);
    assert_eq!(get_h(&s.url("/processes/nope"), &browser).status, 404);
    // A job's details: its owner sees the inputs as given (JSON, escaped by the page when
    // shown), another user does not see the job at all.
    let body = json!({"inputs": {"collection": "<script>alert(1)</script>", "time": "2000-01-01/2000-12-31"}});
    let r = request(
        "POST",
        &s.url("/processes/subset/execution"),
        &[("Authorization", &format!("Bearer {alice}")), ("Prefer", "respond-async")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = j(&r)["jobID"].as_str().unwrap().to_string();
    let d = get_h(&s.url(&format!("/ui/api/jobs/{id}")), &[("Authorization", &format!("Bearer {alice}"))]);
    assert_eq!(d.status, 200, "{}", d.text());
    assert_eq!(j(&d)["inputs"]["collection"][0], "<script>alert(1)</script>");
    assert_eq!(j(&d)["owner"].as_str().map(str::is_empty), Some(false));
    let other = get_h(&s.url(&format!("/ui/api/jobs/{id}")), &[("Authorization", &format!("Bearer {bob}"))]);
    assert_eq!(other.status, 404, "{}", other.text());
    assert_eq!(get(&s.url(&format!("/ui/api/jobs/{id}"))).status, 401);
    // Usage needs the usage scope.
    assert_eq!(get_h(&s.url("/ui/api/usage"), &[("Authorization", &format!("Bearer {alice}"))]).status, 403);
    let admin = s.key("admin", "admin");
    let u = get_h(&s.url("/ui/api/usage"), &[("Authorization", &format!("Bearer {admin}"))]);
    assert_eq!(u.status, 200, "{}", u.text());
    assert!(j(&u)["jobs"].as_array().unwrap().iter().any(|x| x[0] == "subset"), "{}", u.text());
}

/// Multi-file classic NetCDF (13 files of monthly tas on a 2x2 grid): the quicklook reads
/// across the files as the conductor aggregates them.
const TAS5: &str = "cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas";

#[test]
fn quicklook_endpoint() {
    let s = common::start(true);
    let q = j(&get(&s.url(&format!("/datasets/{TAS5}/quicklook?time=3"))));
    assert_eq!(q["variable"], "tas", "{q}");
    assert_eq!((q["ny"].as_u64(), q["nx"].as_u64(), q["stride"].as_u64()), (Some(2), Some(2), Some(1)));
    let steps = q["steps"].as_u64().unwrap();
    assert!(steps > 300, "{steps}");
    let p = j(&get(&s.url(&format!("/datasets/{TAS5}/quicklook?var=tas&y=1&x=0"))));
    assert_eq!(p["values"].as_array().unwrap().len() as u64, steps);
    // Client mistakes are one-line 400s/404s.
    for (q, code) in [("time=500000", 400), ("var=nope", 400), ("var=lat", 400), ("y=5&x=0", 400)] {
        let r = get(&s.url(&format!("/datasets/{TAS5}/quicklook?{q}")));
        assert_eq!(r.status, code, "{q}: {}", r.text());
    }
    assert_eq!(get(&s.url("/datasets/no.such.thing/quicklook")).status, 404);
    // The values against netCDF4 reading the files (in time order).
    let Some(py) = python() else { return };
    let dir = Path::new(&common::data(
        "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas",
    ))
    .to_path_buf();
    let script = "import glob,json,sys,netCDF4,numpy as np\n\
        fs=sorted(glob.glob(sys.argv[1]+'/*.nc'))\n\
        q=json.load(open(sys.argv[2])); p=json.load(open(sys.argv[3]))\n\
        a=np.ma.filled(netCDF4.Dataset(fs[0])['tas'][3].astype('f8'),np.nan)\n\
        b=np.array([[np.nan if x is None else x for x in r] for r in q['values']])\n\
        assert a.shape==b.shape and np.array_equal(a,b,equal_nan=True), (a,b)\n\
        s=np.concatenate([np.ma.filled(netCDF4.Dataset(f)['tas'][:,1,0].astype('f8'),np.nan) for f in fs])\n\
        assert np.array_equal(s,np.array(p['values'],dtype='f8')), 'series differs'\n\
        print('quicklook matches netCDF4')\n";
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("q.json"), q.to_string()).unwrap();
    std::fs::write(tmp.path().join("p.json"), p.to_string()).unwrap();
    let o = Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(&dir)
        .arg(tmp.path().join("q.json"))
        .arg(tmp.path().join("p.json"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

/// A server whose UI signs in at the real OpenID provider of the OIDC tests.
fn with_issuer(iss: &str) -> common::Server {
    common::start_configured(false, |c| {
        c.set("oidc_issuer", &format!("{iss} audience=rookery-api")).unwrap();
        c.set("oidc_ui_client_id", "rookery-ui").unwrap();
        c.set("oidc_ui_scopes", &format!("openid {}", common::idp::API)).unwrap();
        c.set("oidc_ui_resource", "urn:rookery:api").unwrap();
    })
}

#[test]
fn oidc_sign_in_settings() {
    let Some(idp) = common::idp::provider() else { return };
    let s = with_issuer(&idp.issuer);
    let c = j(&get(&s.url("/ui/config.json")));
    let o = &c["oidc"];
    assert_eq!(o["issuer"], idp.issuer.as_str(), "{c}");
    assert_eq!(o["client_id"], "rookery-ui");
    assert_eq!(o["resource"], "urn:rookery:api");
    assert!(o["scope"].as_str().unwrap().starts_with("openid "), "{c}");
    assert!(o["authorization_endpoint"].as_str().unwrap().starts_with(&idp.issuer), "{c}");
    assert_eq!(o["token_endpoint"], format!("{}/token", idp.issuer).as_str(), "{c}");
    // The page may reach the token endpoint's origin, and nothing else new.
    let csp = get(&s.url("/ui/")).header("content-security-policy").unwrap().to_string();
    assert!(csp.contains(&format!("connect-src 'self' {};", idp.issuer)), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // The assets keep the plain policy.
    assert!(get(&s.url("/ui/app.js")).header("content-security-policy").unwrap().contains("connect-src 'self';"));
    // An issuer that cannot be reached: the page still loads, config.json says why.
    let down = common::start_configured(false, |c| {
        c.set("oidc_issuer", "http://127.0.0.1:1 audience=rookery-api").unwrap();
        c.set("oidc_ui_client_id", "rookery-ui").unwrap();
    });
    assert_eq!(get(&down.url("/ui/")).status, 200);
    let c = j(&get(&down.url("/ui/config.json")));
    assert!(c["oidc"].is_null(), "{c}");
    assert!(c["oidc_error"].as_str().unwrap().contains("sign-in with http://127.0.0.1:1 is unavailable"), "{c}");
}

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<std::path::PathBuf> {
    let py = repo().join(".venv-zarr/bin/python");
    if py.exists() {
        return Some(py);
    }
    assert!(std::env::var_os("CI").is_none(), "{} is missing: run scripts/setup-pyzarr.sh", py.display());
    eprintln!("skipped: no {} (run scripts/setup-pyzarr.sh)", py.display());
    None
}

/// The Python with selenium, when headless Chromium and its driver are installed.
fn browser() -> Option<std::path::PathBuf> {
    let py = python()?;
    let has = |bin: &str| Command::new("which").arg(bin).output().is_ok_and(|o| o.status.success());
    let selenium = Command::new(&py).args(["-c", "import selenium"]).status().is_ok_and(|s| s.success());
    if !(has("chromium") && has("chromedriver") && selenium) {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium, chromedriver or selenium is missing: scripts/test.sh should have run scripts/setup-ui.sh"
        );
        eprintln!("SKIPPED browser UI test: no chromium/chromedriver/selenium (run scripts/setup-ui.sh)");
        return None;
    }
    Some(py)
}

/// Runs a selenium script of tests/py with `env`; its output must end in "N passed, 0 failed".
fn run_browser(py: &Path, script: &str, env: &[(&str, &str)], out: &Path) {
    let mut cmd = Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py").join(script))
        .env("OUT", out)
        .env("PYTHONUNBUFFERED", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = common::output_within(&mut cmd, Duration::from_secs(300));
    let stdout = String::from_utf8_lossy(&o.stdout);
    println!("{stdout}\nscreenshots in {}", out.display());
    assert!(o.status.success(), "browser checks failed:\n{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn browser_oidc_sign_in_in_headless_chromium() {
    let Some(py) = browser() else { return };
    let Some(idp) = common::idp::provider() else { return };
    let s = with_issuer(&idp.issuer);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-oidc-screenshots");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let url = s.url("");
    run_browser(&py, "ui_oidc_check.py", &[("URL", &url), ("ISSUER", &idp.issuer), ("RLDS", &rlds())], &out);
}

#[test]
fn browser_pages_in_headless_chromium() {
    let Some(py) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let results = check_results(tmp.path());
    let s = common::start_configured(false, |c| c.set("check_results", results.to_str().unwrap()).unwrap());
    let alice = s.key("alice", "execute,jobs,data:read");
    let bob = s.key("bob", "execute,jobs");
    let admin = s.key("admin", "admin");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let url = s.url("");
    let env = [
        ("URL", url.as_str()),
        ("KEY_ALICE", &alice),
        ("KEY_BOB", &bob),
        ("KEY_ADMIN", &admin),
        ("DATASET", TAS5),
        ("RLDS", &rlds()),
    ];
    run_browser(&py, "ui_check.py", &env, &out);
}

/// Coverage-check results as `rookery check merge` writes them: two sites, two versions, one
/// request that broke between them, with markup in a message.
fn check_results(dir: &Path) -> std::path::PathBuf {
    let row = |site: &str, ok: bool, ver: &str, t: &str, msg: &str| rookery_check::Row {
        test_location: site.into(),
        test_time: t.into(),
        collection: "cmip6.x.tas".into(),
        success: if ok { "True" } else { "False" }.into(),
        message: msg.into(),
        operation: "subset".into(),
        kind: "area-time".into(),
        seed: "7".into(),
        request_index: "0".into(),
        rookery_version: ver.into(),
        git_commit: "abc".into(),
        project: "cmip6".into(),
        command: "rookery subset cmip6.x.tas".into(),
        ..rookery_check::Row::default()
    };
    let rows = vec![
        row("ceda", true, "0.1", "2026-01-01 00:00:00", ""),
        row("ceda", false, "0.2", "2026-02-01 00:00:00", "<img src=x onerror=\"window.pwned=3\">"),
        row("dkrz", true, "0.2", "2026-02-01 00:00:01", ""),
    ];
    let p = dir.join("ALL.csv.gz");
    rookery_check::csv::write_csv(&p, &rows).unwrap();
    p
}

#[test]
fn usage_of_all_sites_and_check_report() {
    let peer = common::start(true);
    let tmp = tempfile::tempdir().unwrap();
    let results = check_results(tmp.path());
    let s = common::start_configured(false, |c| {
        c.set("peer", &format!("nodeB {} holds=cmip6.*", peer.url(""))).unwrap();
        c.set("check_results", results.to_str().unwrap()).unwrap();
    });
    let admin = s.key("admin", "admin");
    let user = s.key("user", "usage");
    let get_k = |p: &str, k: &str| get_h(&s.url(p), &[("Authorization", &format!("Bearer {k}"))]);
    // The peer has served something; its usage log is written off the request path, so wait
    // until A's all-sites answer carries a row of it.
    assert_eq!(get(&peer.url("/processes")).status, 200);
    let mut v = Value::Null;
    for _ in 0..100 {
        let r = get_k("/ui/api/usage?sites=all", &admin);
        assert_eq!(r.status, 200, "{}", r.text());
        v = j(&r);
        if v["requests"].as_array().unwrap().iter().any(|x| x[7] == "nodeB") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(v["requests"].as_array().unwrap().iter().any(|x| x[7] == "nodeB"), "{v}");
    assert_eq!(v["sites"], json!([{"name": "local", "error": null}, {"name": "nodeB", "error": null}]), "{v}");
    assert_eq!(v["request_fields"][7], "site");
    // Only this node's rows without sites=all; a bad value is a one-line 400.
    let local = j(&get_k("/ui/api/usage", &admin));
    assert!(local["requests"].as_array().unwrap().iter().all(|x| x[7] == "local"), "{local}");
    let bad = get_k("/ui/api/usage?sites=mars", &admin);
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(bad.text().contains("Invalid sites 'mars'"), "{}", bad.text());
    // A peer that is down is reported, not fatal.
    let down = common::start_configured(false, |c| c.set("peer", "nodeX http://127.0.0.1:1 holds=*").unwrap());
    let dk = down.key("admin", "admin");
    let r = get_h(&down.url("/ui/api/usage?sites=all"), &[("Authorization", &format!("Bearer {dk}"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    let e = j(&r)["sites"][1]["error"].as_str().unwrap_or_default().to_string();
    assert!(e.contains("127.0.0.1:1"), "{}", r.text());
    // The coverage-check results: admins only; the values as data.
    assert_eq!(get_k("/ui/api/check", &user).status, 403);
    let c = get_k("/ui/api/check", &admin);
    assert_eq!(c.status, 200, "{}", c.text());
    let c = j(&c);
    assert_eq!((c["requests"].as_u64(), c["passed"].as_u64(), c["failed"].as_u64()), (Some(3), Some(2), Some(1)));
    assert_eq!(c["by"]["site"], json!([["ceda", 2, 1], ["dkrz", 1, 1]]));
    assert_eq!(c["failures"][0]["message"], "<img src=x onerror=\"window.pwned=3\">");
    assert_eq!(c["changes"][0]["broke"].as_array().unwrap().len(), 1, "{c}");
    // Not configured: a 404 that says what to set.
    let none = j(&get_h(&down.url("/ui/api/check"), &[("Authorization", &format!("Bearer {dk}"))]));
    assert!(none["detail"].as_str().unwrap().contains("check_results"), "{none}");
}
