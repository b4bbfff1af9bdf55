//! `rookery.Client`, the Python package's client of the OGC API (crates/rookery-py), against a
//! server on loopback with API keys on: runs `tests/clients/rookery_client.py` in `.venv-py`
//! (the package with its declared dependencies only; `scripts/setup-pypkg.sh` makes it, which
//! `scripts/test.sh` runs after the test build). Without it the test is skipped locally and
//! fails in CI.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn rookery_client_against_the_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = root.join(".venv-py/bin/python");
    let ready = py.exists() && Command::new(&py).args(["-c", "import rookery"]).status().is_ok_and(|s| s.success());
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} with rookery is missing: scripts/test.sh runs scripts/setup-pypkg.sh",
            py.display()
        );
        eprintln!("skipped: no {} with rookery (run scripts/setup-pypkg.sh)", py.display());
        return;
    }
    let s = start(false);
    let key = s.key("py-client", "execute,jobs,data:read");
    let other = s.key("someone-else", "execute,jobs");
    let out = tempfile::tempdir().unwrap();
    let o = common::output_within(
        Command::new(&py)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/rookery_client.py"))
            .env("ROOKERY_URL", s.url(""))
            .env("ACCESS_TOKEN", &key)
            .env("OTHER_TOKEN", &other)
            .env("RLDS", rlds())
            .env("RLDS_ID", "c3s-cmip6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20180803")
            .env("OUT", out.path())
            .env("PYTHONUNBUFFERED", "1"),
        std::time::Duration::from_secs(600),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stdout}");
    assert!(o.status.success(), "rookery.Client checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("Client checks passed"), "{stdout}");
}
