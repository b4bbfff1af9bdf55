//! The real OpenID provider of the OIDC and federation tests: panva's `oidc-provider` (npm,
//! pinned in `tests/oidc/package.json`, installed by `scripts/oidc-setup.sh`) started on
//! loopback by `tests/oidc/provider.mjs`; `None` (skipped) without node or the package, a
//! failure when `CI` is set.

use super::{request, Resp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Scopes of the test clients alice and bob.
pub(crate) const API: &str = "processes:read jobs:execute jobs:read:own";

pub(crate) struct Provider {
    child: Child,
    pub(crate) issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Starts the provider, or `None` (skipped) when node or the npm package is missing.
pub(crate) fn provider() -> Option<Provider> {
    let dir = provider_dir();
    let node_ok = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let pkg = dir.join("node_modules/oidc-provider/package.json");
    if !node_ok || !pkg.exists() {
        let why = if node_ok {
            format!("{} is missing: run scripts/oidc-setup.sh (scripts/test.sh does)", pkg.display())
        } else {
            "node is not installed".to_string()
        };
        assert!(std::env::var_os("CI").is_none(), "OIDC tests cannot run: {why}");
        eprintln!("skipped: {why}");
        return None;
    }
    // A provider that has not printed its issuer within a minute is killed and started again
    // (a CI run once waited 75 minutes on one that never printed); three tries, then a failure
    // that says so instead of a hung suite.
    let mut why = String::new();
    for attempt in 1..=3 {
        match start(&dir, Duration::from_secs(60)) {
            Ok(p) => return Some(p),
            Err(e) => {
                eprintln!("OIDC provider start {attempt} failed: {e}");
                why = e;
            }
        }
    }
    panic!("the OIDC provider (node tests/oidc/provider.mjs) did not start three times: {why}");
}

/// One start of the provider, waiting at most `wait` for the line with its issuer.
fn start(dir: &Path, wait: Duration) -> Result<Provider, String> {
    let mut child = Command::new("node")
        .arg(dir.join("provider.mjs"))
        .arg("0")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("node did not start: {e}"))?;
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    // The reader sends the first line, then passes whatever the provider prints later to our
    // stderr (its stdout must stay open).
    std::thread::spawn(move || {
        let mut line = String::new();
        let first = out.read_line(&mut line).map(|_| line.clone());
        let _ = tx.send(first);
        let mut l = String::new();
        while out.read_line(&mut l).is_ok_and(|n| n > 0) {
            eprint!("provider: {l}");
            l.clear();
        }
    });
    let mut provider = Provider { child, issuer: String::new() };
    let line = match rx.recv_timeout(wait) {
        Ok(Ok(line)) => line,
        Ok(Err(e)) => return Err(format!("reading its output: {e}")),
        Err(_) => return Err(format!("no issuer line within {} s", wait.as_secs())),
    };
    let v: Value = serde_json::from_str(line.trim()).map_err(|e| format!("it said {line:?}: {e}"))?;
    provider.issuer = v["issuer"].as_str().ok_or_else(|| format!("no issuer in {line:?}"))?.to_string();
    Ok(provider)
}

pub(crate) fn form_post(url: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Resp {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(headers);
    request("POST", url, &h, body.as_bytes())
}

impl Provider {
    /// A client-credentials access token of `client` (secret `<client>-secret`).
    pub(crate) fn token(&self, client: &str, scope: Option<&str>, resource: Option<&str>) -> String {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client}:{client}-secret"));
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        if let Some(r) = resource {
            form.push(("resource", r));
        }
        let auth = format!("Basic {basic}");
        let r = form_post(&format!("{}/token", self.issuer), &[("Authorization", &auth)], &form);
        assert_eq!(r.status, 200, "token for {client}: {}", r.text());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        v["access_token"].as_str().unwrap().to_string()
    }

    /// A JWT with these claims, signed by the provider's current RS256 key.
    pub(crate) fn sign(&self, header: Value, claims: Value) -> String {
        let body = json!({"header": header, "claims": claims}).to_string();
        let r = request(
            "POST",
            &format!("{}/test/sign", self.issuer),
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    }

    pub(crate) fn rotate(&self) {
        let r = request("POST", &format!("{}/test/rotate", self.issuer), &[], b"");
        assert_eq!(r.status, 200, "{}", r.text());
    }
}
