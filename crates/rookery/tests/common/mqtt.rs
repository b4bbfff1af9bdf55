//! A Mosquitto of a test's own (scripts/mqtt-start.sh on a free port, in a directory of the
//! test's: the test may stop and start it) and polling helpers, for the WIS2 tests.

use super::workspace;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Child processes killed on drop; the broker in the directory stopped on drop.
pub(crate) struct Kill(pub(crate) Vec<Child>, pub(crate) PathBuf);

impl Drop for Kill {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
        broker(&self.1, "mqtt-stop.sh", None);
    }
}

/// Runs scripts/`script` (mqtt-start.sh / mqtt-stop.sh) for the broker in `dir`.
pub(crate) fn broker(dir: &Path, script: &str, port: Option<u16>) -> bool {
    let mut c = Command::new("bash");
    c.arg(workspace().join("scripts").join(script)).env("ROOKERY_MQTT_DIR", dir).stdout(Stdio::null());
    if let Some(p) = port {
        c.env("ROOKERY_MQTT_PORT", p.to_string());
    }
    c.status().is_ok_and(|s| s.success())
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

/// A file the broker script wrote (`url`, `user`, `password`).
pub(crate) fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).expect(f).trim().to_string()
}

/// Polls `f` (every 100 ms, for at most `secs`) until it returns `Some`.
pub(crate) fn until<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(x) = f() {
            return x;
        }
        assert!(Instant::now() < end, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The Python of .venv-zarr when paho-mqtt and pywis-pubsub import (installed first under
/// CI by scripts/setup-wis2.sh).
pub(crate) fn wis2_python() -> Option<PathBuf> {
    let ws = workspace();
    if std::env::var_os("CI").is_some() {
        for s in ["scripts/setup-pyzarr.sh", "scripts/setup-wis2.sh"] {
            assert!(Command::new("bash").arg(ws.join(s)).status().expect(s).success(), "{s} failed");
        }
    }
    let py = ws.join(".venv-zarr/bin/python");
    let ok = py.exists()
        && Command::new(&py).args(["-c", "import paho.mqtt, pywis_pubsub"]).status().is_ok_and(|s| s.success());
    ok.then_some(py)
}

/// The Python of [`wis2_python`] and a broker started in `dir`; `None` (skip) outside CI, a
/// failure under CI.
pub(crate) fn tools_and_broker(dir: &Path) -> Option<PathBuf> {
    let ci = std::env::var_os("CI").is_some();
    let py = wis2_python();
    if py.is_none() || !broker(dir, "mqtt-start.sh", Some(free_port())) {
        assert!(!ci, "mosquitto, paho-mqtt or pywis-pubsub missing under CI (scripts/setup-wis2.sh)");
        eprintln!(
            "NOTICE: mosquitto / paho-mqtt / pywis-pubsub missing (run scripts/setup-wis2.sh); WIS2 test skipped"
        );
        return None;
    }
    py
}

/// A paho-mqtt subscriber to `topic` on the broker in `dir` (tests/py/wis2_subscribe.py)
/// that exits after `count` messages: the child, and its lines after "ready" (each a message).
pub(crate) fn subscriber(
    py: &Path,
    dir: &Path,
    topic: &str,
    count: usize,
) -> (Child, std::io::Lines<std::io::BufReader<std::process::ChildStdout>>) {
    use std::io::BufRead;
    let mut sub = Command::new(py)
        .arg(workspace().join("crates/rookery/tests/py/wis2_subscribe.py"))
        .arg(dir)
        .args([topic, &count.to_string(), "120"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("subscriber");
    let mut lines = std::io::BufReader::new(sub.stdout.take().expect("stdout")).lines();
    assert_eq!(lines.next().expect("ready").expect("line"), "ready");
    (sub, lines)
}

/// Collects `child`'s standard error (piped) into a string as it comes.
pub(crate) fn log_of(child: &mut Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::BufRead;
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (err, l) = (child.stderr.take().expect("stderr"), log.clone());
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            l.lock().expect("log").push_str(&(line + "\n"));
        }
    });
    log
}

/// `pywis-pubsub ets validate` of message `m` (the offline bundle of ../shared/data).
pub(crate) fn validate(py: &Path, tmp: &Path, m: &serde_json::Value) {
    let home = tmp.join("home");
    if !home.join(".pywis-pubsub").exists() {
        std::fs::create_dir_all(&home).expect("home");
        assert!(Command::new("cp")
            .arg("-r")
            .arg(super::shared("pywis-pubsub-bundle"))
            .arg(home.join(".pywis-pubsub"))
            .status()
            .expect("cp")
            .success());
    }
    let p = tmp.join(format!("msg-{}.json", m["id"].as_str().unwrap_or("x")));
    std::fs::write(&p, m.to_string()).expect("write");
    let o = Command::new(py.parent().expect("bin").join("pywis-pubsub"))
        .args(["ets", "validate"])
        .arg(&p)
        .env("HOME", &home)
        .output()
        .expect("pywis-pubsub");
    assert!(o.status.success(), "{m}\n{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}
