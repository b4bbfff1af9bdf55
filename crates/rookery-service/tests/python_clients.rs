//! The real clients: rooki and OWSLib (installed from PyPI into `.venv` by
//! `scripts/setup-pyclients.sh`, which `scripts/test.sh` runs) against a server on loopback
//! with API keys on. Runs `tests/clients/wps_clients.py`; without the venv the test is skipped
//! locally and fails in CI.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn rooki_and_owslib_against_the_server() {
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
    std::env::set_var("ROOKERY_GRIDS_DIR", root.join("../shared/data/grids"));
    let s = start(false);
    let key = s.key("python-clients", "execute,jobs");
    let out = tempfile::tempdir().unwrap();
    let o = common::output_within(
        Command::new(&py)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/wps_clients.py"))
            .env("ROOK_URL", s.url("/wps"))
            .env("ACCESS_TOKEN", &key)
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
}
