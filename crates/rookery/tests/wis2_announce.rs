//! WIS2 notifications of served datasets: a real `rookery serve` with `[wis2] announce` over a
//! project of its own (real CMIP5 files copied in), a Mosquitto of the test's own, paho-mqtt
//! as subscriber. After the first scan (which announces nothing), a file added to the dataset
//! is announced as new (its link serves the file, whose sha512 the message carries), a file
//! whose modification time changes as an update, a removed file as a deletion; every message
//! passes `pywis-pubsub ets validate`.

mod common;
use common::mqtt::{free_port, log_of, read, subscriber, tools_and_broker, until, validate, Kill};
use common::shared;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

const DIR: &str = "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";
const A: &str = "tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";
const B: &str = "tas_Amon_HadGEM2-ES_rcp85_r1i1p1_203012-205511.nc";
const ID: &str = "wisp.tas.v1";
const TOPIC: &str = "origin/a/wis2/xx-rookery-test/data/recommended/climate/experimental/wisp";

#[test]
fn added_changed_and_removed_files_of_a_served_dataset_are_announced() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let bdir = t.join("broker");
    let Some(py) = tools_and_broker(&bdir) else { return };
    let mut kill = Kill(Vec::new(), bdir.clone());
    let url = read(&bdir, "url");

    let ds = t.join("archive/tas/v1");
    std::fs::create_dir_all(&ds).expect("archive");
    std::fs::copy(shared(DIR).join(A), ds.join(A)).expect("copy");
    let sport = free_port();
    let base = format!("http://127.0.0.1:{sport}");
    let node = t.join("roocs.ini");
    std::fs::write(
        &node,
        format!(
            "[project:wisp]\nbase_dir = {}\n\n[rookery]\npublic_datasets = wisp.*\n\n[wis2]\ncentre_id = xx-rookery-test\n\
             licence_url = https://creativecommons.org/licenses/by/4.0/\nbase_url = {base}\nbroker = {url}\noutbox = {}\n\
             announce = wisp.*\nannounce_every_secs = 1\n",
            t.join("archive").display(),
            t.join("outbox").display()
        ),
    )
    .expect("roocs.ini");

    let (sub, mut got) = subscriber(&py, &bdir, TOPIC, 3);
    kill.0.push(sub);
    let mut serve = Command::new(env!("CARGO_BIN_EXE_rookery"))
        .args(["serve", "--port", &sport.to_string(), "--data-dir"])
        .arg(t.join("data"))
        .env("ROOCS_CONFIG", &node)
        .env("ROOKERY_WIS2_BROKER_USER", read(&bdir, "user"))
        .env("ROOKERY_WIS2_BROKER_PASSWORD", read(&bdir, "password"))
        .env("ROOKERY_LOG", "info")
        .env_remove("ROOKERY_WIS2_CENTRE_ID")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let log = log_of(&mut serve);
    kill.0.push(serve);
    until(60, "the first scan", || {
        log.lock().expect("log").contains("wis2: announcing the files of 1 dataset(s) from now on").then_some(())
    });
    let mut next = || -> Value {
        match got.next() {
            Some(Ok(l)) => serde_json::from_str(&l).expect("JSON"),
            _ => panic!("no notification; the node's log:\n{}", log.lock().expect("log")),
        }
    };
    let sha512 = |p: &std::path::Path| {
        let o = Command::new(&py)
            .args(["-c", "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],'rb').read()).digest()).decode())"])
            .arg(p)
            .output()
            .expect("python");
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };

    // 1. A new file: announced, its link serves it, the sha512 matches.
    std::fs::copy(shared(DIR).join(B), ds.join(B)).expect("copy");
    let m = next();
    validate(&py, t, &m);
    assert_eq!(m["properties"]["data_id"], format!("wisp/{ID}/{B}"), "{m}");
    assert_eq!(m["properties"]["metadata_id"], "urn:wmo:md:xx-rookery-test:wisp");
    assert_eq!(m["links"][0]["rel"], "canonical");
    assert_eq!(m["properties"]["integrity"]["value"].as_str(), Some(sha512(&ds.join(B)).as_str()));
    let href = m["links"][0]["href"].as_str().expect("href");
    assert_eq!(href, format!("{base}/datasets/{ID}/files/{B}"));
    let out = t.join("downloaded.nc");
    let st = Command::new(&py)
        .args([
            "-c",
            "import sys, urllib.request; open(sys.argv[2], 'wb').write(urllib.request.urlopen(sys.argv[1]).read())",
        ])
        .arg(href)
        .arg(&out)
        .status()
        .expect("download");
    assert!(st.success());
    assert_eq!(std::fs::read(&out).expect("out"), std::fs::read(ds.join(B)).expect("B"));

    // 2. A changed file (its modification time): an update.
    let f = std::fs::File::options().write(true).open(ds.join(A)).expect("A");
    f.set_modified(SystemTime::now() + Duration::from_secs(120)).expect("mtime");
    drop(f);
    let m = next();
    validate(&py, t, &m);
    assert_eq!(m["properties"]["data_id"], format!("wisp/{ID}/{A}"), "{m}");
    assert_eq!(m["links"][0]["rel"], "update");

    // 3. A removed file: a deletion, without integrity.
    std::fs::remove_file(ds.join(B)).expect("rm");
    let m = next();
    validate(&py, t, &m);
    assert_eq!(m["properties"]["data_id"], format!("wisp/{ID}/{B}"), "{m}");
    assert_eq!(m["links"][0]["rel"], "deletion");
    assert!(m["properties"].get("integrity").is_none(), "{m}");
}
