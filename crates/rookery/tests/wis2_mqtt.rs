//! WIS2 notifications over a real broker: Debian's Mosquitto on a loopback port with a
//! username and password (scripts/mqtt-start.sh; scripts/test.sh starts one, else this test
//! starts its own), a paho-mqtt subscriber (tests/py/wis2_subscribe.py), and
//! `rookery wis2 notify --publish` / `rookery wis2 publish`: a message published while the
//! broker is down waits in the outbox, a publisher started while it is down delivers once it
//! is back (reconnect with back-off), so across the broker restart the subscriber receives
//! every message; each passes `pywis-pubsub ets validate` and carries the file's sha512.
//! Without mosquitto or the Python tools the test fails when `CI` is set and is skipped
//! (loudly) otherwise.

mod common;
use common::{shared, workspace};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const TAS: &str = "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";

/// The broker (directory of scripts/mqtt-start.sh), stopped on drop when this test started it.
struct Broker {
    dir: PathBuf,
    own: bool,
}

impl Broker {
    fn script(&self, name: &str) -> bool {
        Command::new("bash")
            .arg(workspace().join("scripts").join(name))
            .env("ROOKERY_MQTT_DIR", &self.dir)
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
    fn read(&self, f: &str) -> String {
        std::fs::read_to_string(self.dir.join(f)).expect(f).trim().to_string()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if self.own {
            self.script("mqtt-stop.sh");
        }
    }
}

fn setup(tmp: &Path) -> Option<(PathBuf, Broker)> {
    let ws = workspace();
    let ci = std::env::var_os("CI").is_some();
    let py = common::mqtt::wis2_python();
    let broker = match std::env::var_os("ROOKERY_TEST_MQTT") {
        Some(d) => Some(Broker { dir: PathBuf::from(d), own: false }),
        None => {
            let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
            let b = Broker { dir: tmp.join("broker"), own: true };
            let ok = Command::new("bash")
                .arg(ws.join("scripts/mqtt-start.sh"))
                .env("ROOKERY_MQTT_DIR", &b.dir)
                .env("ROOKERY_MQTT_PORT", port.to_string())
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            ok.then_some(b)
        }
    };
    match (py, broker) {
        (Some(py), Some(b)) => Some((py, b)),
        _ => {
            assert!(!ci, "mosquitto, paho-mqtt or pywis-pubsub missing under CI (scripts/setup-wis2.sh)");
            eprintln!("NOTICE: mosquitto / paho-mqtt / pywis-pubsub missing (run scripts/setup-wis2.sh); WIS2 MQTT test skipped");
            None
        }
    }
}

fn rookery(cfg: &Path, b: &Broker, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rookery"));
    c.args(args)
        .env("ROOCS_CONFIG", cfg)
        .env("ROOKERY_WIS2_BROKER_USER", b.read("user"))
        .env("ROOKERY_WIS2_BROKER_PASSWORD", b.read("password"))
        .env_remove("ROOKERY_WIS2_CENTRE_ID");
    c
}

fn sha512(py: &Path, f: &Path) -> String {
    let o = Command::new(py)
        .args(["-c", "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],'rb').read()).digest()).decode())"])
        .arg(f)
        .output()
        .expect("python");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn notify(cfg: &Path, b: &Broker, file: &Path, wait: &str) -> serde_json::Value {
    let o = rookery(cfg, b, &[])
        .args(["wis2", "notify"])
        .arg(file)
        .args([
            "--product",
            "tas-monthly",
            "--url",
            "https://rookery.example.org/outputs/tas.nc",
            "--publish",
            "--wait",
            wait,
        ])
        .output()
        .expect("rookery");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("notify JSON")
}

#[test]
fn no_message_is_lost_across_a_broker_restart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some((py, broker)) = setup(tmp.path()) else { return };
    let outbox = tmp.path().join("outbox");
    let cfg = tmp.path().join("roocs.ini");
    std::fs::write(
        &cfg,
        format!(
            "[wis2]\ncentre_id = xx-rookery-test\nlicence_url = https://creativecommons.org/licenses/by/4.0/\nbroker = {}\noutbox = {}\n",
            broker.read("url"),
            outbox.display()
        ),
    )
    .expect("config");
    let topic = "origin/a/wis2/xx-rookery-test/data/recommended/climate/experimental/tas-monthly";
    let mut sub: Child = Command::new(&py)
        .arg(workspace().join("crates/rookery/tests/py/wis2_subscribe.py"))
        .arg(&broker.dir)
        .arg(topic)
        .arg("2")
        .stdout(Stdio::piped())
        .spawn()
        .expect("subscriber");
    let mut lines = BufReader::new(sub.stdout.take().expect("stdout")).lines();
    assert_eq!(lines.next().expect("ready").expect("line"), "ready");

    // 1: published at once.
    let f1 = shared(TAS).join("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc");
    let m1 = notify(&cfg, &broker, &f1, "10");
    assert_eq!(std::fs::read_dir(&outbox).expect("outbox").count(), 0, "acknowledged message left in the outbox");

    // 2: the broker is down: queued on disk, the command still succeeds.
    assert!(broker.script("mqtt-stop.sh"));
    let f2 = shared(TAS).join("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_203012-205511.nc");
    let m2 = notify(&cfg, &broker, &f2, "1");
    assert_eq!(std::fs::read_dir(&outbox).expect("outbox").count(), 1, "message not queued while the broker is down");
    // A publisher started while the broker is down delivers once it is back.
    let mut publisher = rookery(&cfg, &broker, &["wis2", "publish", "--wait", "60"]).spawn().expect("publish");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(broker.script("mqtt-start.sh"), "broker restart");
    assert!(publisher.wait().expect("publisher").success());
    assert_eq!(std::fs::read_dir(&outbox).expect("outbox").count(), 0);

    let got: Vec<serde_json::Value> =
        lines.by_ref().take(2).map(|l| serde_json::from_str(&l.expect("line")).expect("message JSON")).collect();
    assert!(sub.wait().expect("subscriber").success());
    assert_eq!(got.len(), 2);
    for (want, file) in [(&m1, &f1), (&m2, &f2)] {
        let m = got.iter().find(|g| g["id"] == want["message"]["id"]).expect("message received");
        assert_eq!(m["properties"]["integrity"]["value"].as_str(), Some(sha512(&py, file).as_str()));
        let path = tmp.path().join("msg.json");
        std::fs::write(&path, m.to_string()).expect("write");
        let o = Command::new(py.parent().expect("bin").join("pywis-pubsub"))
            .args(["ets", "validate"])
            .arg(&path)
            .env("HOME", home(tmp.path()))
            .output()
            .expect("pywis-pubsub");
        assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    }
}

/// A HOME holding pywis-pubsub's offline schema.
fn home(dir: &Path) -> PathBuf {
    let h = dir.join("home");
    if !h.exists() {
        std::fs::create_dir_all(&h).expect("home");
        let st = Command::new("cp").arg("-r").arg(shared("pywis-pubsub-bundle")).arg(h.join(".pywis-pubsub")).status();
        assert!(st.expect("cp").success());
    }
    h
}
