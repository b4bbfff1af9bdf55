//! WIS2 standing jobs end to end: a real Mosquitto (scripts/mqtt-start.sh, on a port and in a
//! directory of this test's own, since it restarts it), a loopback file server holding real
//! CMIP6 files (allowed by `[rookery] allowed_urls`), a real `rookery serve` whose subscriber
//! runs a standing workflow (a subset, added while it runs) on each notification, and paho-mqtt as the upstream
//! publisher and as a subscriber to the derived products:
//!
//! - a notification of a file runs the workflow once, and the derived product's notification
//!   passes `pywis-pubsub ets validate` and carries the sha512 of the file its link serves;
//! - the same notification again, a malformed one, one whose link is outside allowed_urls and
//!   one whose sha512 does not match are refused and audited, with no job created;
//! - the broker restarting while a standing job runs loses no derived-product message.
//!
//! Without mosquitto or the Python tools the test fails when `CI` is set and is skipped
//! (loudly) otherwise.

mod common;
use common::mqtt::{broker, free_port, log_of, read, subscriber, tools_and_broker, until, validate, Kill};
use common::{shared, workspace};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const F1: &str = "mini-esgf/badc/cmip6/data/CMIP6/DCPP/CMCC/CMCC-CM2-SR5/dcppA-hindcast/s1960-r10i1p1f1/Amon/pr/gn/v20210719/pr_Amon_CMCC-CM2-SR5_dcppA-hindcast_s1960-r10i1p1f1_gn_196011-197012.nc";
const F2: &str = "mini-esgf/badc/cmip6/data/CMIP6/DCPP/MOHC/HadGEM3-GC31-MM/dcppA-hindcast/s2004-r3i1p1f2/Amon/pr/gn/v20200417/pr_Amon_HadGEM3-GC31-MM_dcppA-hindcast_s2004-r3i1p1f2_gn_200501-200512.nc";
const IN_TOPIC: &str = "origin/a/wis2/xx-upstream-test/data/core/climate/experimental/cmip6-pr";
const OUT_TOPIC: &str = "origin/a/wis2/xx-rookery-test/data/recommended/climate/experimental/pr-subset";

#[test]
#[allow(clippy::too_many_lines)]
fn standing_job_runs_once_per_notification_and_announces_its_product() {
    let ws = workspace();
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let bdir = t.join("broker");
    let Some(py) = tools_and_broker(&bdir) else { return };
    let mut kill = Kill(Vec::new(), bdir.clone());
    let url = read(&bdir, "url");
    let (user, password) = (read(&bdir, "user"), read(&bdir, "password"));

    // The upstream centre's files, on a loopback server.
    let files = t.join("files");
    std::fs::create_dir_all(&files).expect("files");
    let (f1, f2) = (files.join("f1.nc"), files.join("f2.nc"));
    std::fs::copy(shared(F1), &f1).expect("copy");
    std::fs::copy(shared(F2), &f2).expect("copy");
    let mut fs = Command::new("python3")
        .arg(ws.join("crates/rookery/tests/py/file_server.py"))
        .arg(&files)
        .arg("0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("file server");
    let mut line = String::new();
    BufReader::new(fs.stdout.take().expect("stdout")).read_line(&mut line).expect("port");
    let fport: u16 = line.trim().parse().expect("port");
    kill.0.push(fs);

    // The upstream centre's configuration (for `rookery wis2 notify`) and this node's.
    let up = t.join("upstream.ini");
    std::fs::write(&up, "[wis2]\ncentre_id = xx-upstream-test\ndata_policy = core\n").expect("upstream.ini");
    let sport = free_port();
    let base = format!("http://127.0.0.1:{sport}");
    let outbox = t.join("outbox");
    let node = t.join("roocs.ini");
    std::fs::write(
        &node,
        format!(
            "[rookery]\nallowed_urls = http://127.0.0.1:{fport}/\n\n[wis2]\ncentre_id = xx-rookery-test\n\
             licence_url = https://creativecommons.org/licenses/by/4.0/\nbase_url = {base}\nbroker = {url}\noutbox = {}\n",
            outbox.display()
        ),
    )
    .expect("roocs.ini");
    let data = t.join("data");
    let rookery = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rookery"));
        c.args(args)
            .arg("--data-dir")
            .arg(&data)
            .env("ROOCS_CONFIG", &node)
            .env("ROOKERY_WIS2_BROKER_USER", &user)
            .env("ROOKERY_WIS2_BROKER_PASSWORD", &password)
            .env("ROOKERY_LOG", "info")
            .env_remove("ROOKERY_WIS2_CENTRE_ID");
        c
    };
    let ok = |mut c: Command| {
        let o = c.output().expect("rookery");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    ok(rookery(&["keys", "create", "--name", "wis2bot", "--scopes", "execute,jobs"]));
    let wf = t.join("wf.json");
    std::fs::write(
        &wf,
        r#"{"doc": "subset of each notified file", "inputs": {"data": []}, "outputs": {"output": "cut/output"},
            "steps": {"cut": {"run": "subset", "in": {"collection": "inputs/data", "time": "1900-01-01/2100-12-31", "area": "0,-90,180,90"}}}}"#,
    )
    .expect("wf");
    let wf_s = wf.to_string_lossy().into_owned();
    // The subscriber to the derived products, then the node.
    let (sub, mut derived) = subscriber(&py, &bdir, OUT_TOPIC, 2);
    kill.0.push(sub);
    let mut serve = rookery(&["serve", "--port", &sport.to_string()]).stderr(Stdio::piped()).spawn().expect("serve");
    let log = log_of(&mut serve);
    kill.0.push(serve);
    // The standing job, added while the node runs: it subscribes to its topic.
    let sid = ok(rookery(&[
        "wis2",
        "standing",
        "add",
        "--topic",
        "origin/a/wis2/+/data/core/climate/experimental/#",
        "--workflow",
        &wf_s,
        "--principal",
        "wis2bot",
        "--product",
        "pr-subset",
    ]));
    assert!(ok(rookery(&["wis2", "standing", "list"])).contains(sid.trim()));

    until(60, "the node's subscription", || {
        log.lock()
            .expect("log")
            .contains("wis2: subscribed to origin/a/wis2/+/data/core/climate/experimental/#")
            .then_some(())
    });

    let audit = || ok(rookery(&["audit"]));
    let jobs = || audit().lines().filter(|l| l.contains("\tjob-submitted\t")).count();
    let refused = |what: &str| {
        let what = what.to_string();
        until(60, &what, || audit().lines().any(|l| l.contains("wis2-refused") && l.contains(&what)).then_some(()));
    };
    let notification = |f: &Path, name: &str| -> Value {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rookery"));
        c.args(["wis2", "notify"]).arg(f).args([
            "--product",
            "cmip6-pr",
            "--url",
            &format!("http://127.0.0.1:{fport}/{name}"),
        ]);
        c.env("ROOCS_CONFIG", &up).env_remove("ROOKERY_WIS2_CENTRE_ID");
        let v: Value = serde_json::from_str(&ok(c)).expect("notify JSON");
        assert_eq!(v["topic"], IN_TOPIC);
        v["message"].clone()
    };
    let n = std::cell::Cell::new(0);
    let publish = |payload: &str| {
        n.set(n.get() + 1);
        let p = t.join(format!("msg{}.json", n.get()));
        std::fs::write(&p, payload).expect("msg");
        let st = Command::new(&py)
            .arg(ws.join("crates/rookery/tests/py/wis2_publish.py"))
            .arg(&bdir)
            .arg(IN_TOPIC)
            .arg(&p)
            .status()
            .expect("publish");
        assert!(st.success(), "publishing failed");
    };
    // A derived product's notification: valid, and its sha512 that of the file it links to.
    let check = |m: &Value, k: usize| {
        validate(&py, t, m);
        assert_eq!(m["properties"]["metadata_id"], "urn:wmo:md:xx-rookery-test:process.orchestrate");
        let href = m["links"][0]["href"].as_str().expect("href");
        assert_eq!(m["links"][0]["rel"], "canonical");
        assert!(href.starts_with(&format!("{base}/outputs/")), "{href}");
        let out = t.join(format!("derived{k}.nc"));
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
        let o = Command::new(&py)
            .args(["-c", "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],'rb').read()).digest()).decode())"])
            .arg(&out)
            .output()
            .expect("python");
        assert_eq!(m["properties"]["integrity"]["value"].as_str(), Some(String::from_utf8_lossy(&o.stdout).trim()));
        let (shape, _) = common::values(&out, "pr");
        assert_eq!(shape.len(), 3, "{shape:?}");
    };

    // 1. A notification of f1: one job, one derived product.
    let m1 = notification(&f1, "f1.nc");
    publish(&m1.to_string());
    let mut next_derived = || -> Value {
        match derived.next() {
            Some(Ok(l)) => serde_json::from_str(&l).expect("JSON"),
            _ => panic!(
                "no derived-product notification; the node's log:\n{}\naudit:\n{}",
                log.lock().expect("log"),
                audit()
            ),
        }
    };
    let d1 = next_derived();
    check(&d1, 1);
    assert_eq!(jobs(), 1);

    // 2. Refused and audited, nothing run: the same notification again, a malformed one, a
    //    link outside allowed_urls, a wrong sha512.
    publish(&m1.to_string());
    refused("duplicate notification");
    publish("{\"type\": \"Feature\", \"id\": 1");
    refused("malformed notification");
    let mut outside = m1.clone();
    outside["properties"]["data_id"] = "cmip6-pr/outside.nc".into();
    outside["links"][0]["href"] = format!("http://127.0.0.1:{}/f1.nc", free_port()).into();
    publish(&outside.to_string());
    refused("outside allowed_urls");
    let mut wrong = notification(&f1, "f1.nc");
    wrong["properties"]["data_id"] = "cmip6-pr/wrong.nc".into();
    wrong["properties"]["integrity"]["value"] = notification(&f2, "f2.nc")["properties"]["integrity"]["value"].clone();
    publish(&wrong.to_string());
    refused("integrity check failed");
    assert_eq!(jobs(), 1, "a refused notification created a job");

    // 3. The broker goes down while the job of f2 runs (its download is held until the broker
    //    has stopped): the product's message waits in the outbox and is delivered once the
    //    broker is back.
    let slow = files.join("slow-f2.nc");
    std::fs::copy(&f2, &slow).expect("copy");
    publish(&notification(&slow, "slow-f2.nc").to_string());
    until(120, "the download of slow-f2.nc", || files.join(".requested-slow-f2.nc").exists().then_some(()));
    assert!(broker(&bdir, "mqtt-stop.sh", None));
    std::fs::write(files.join(".release-slow-f2.nc"), "").expect("release");
    let announce = data.join("wis2/announce");
    let queued = |d: &Path| {
        std::fs::read_dir(d).map_or(0, |d| {
            d.filter_map(Result::ok).filter(|e| !e.file_name().to_string_lossy().starts_with('.')).count()
        })
    };
    until(120, "the second job's announcement", || (jobs() == 2 && queued(&announce) == 0).then_some(()));
    assert_eq!(queued(&outbox), 1, "the derived product's message is not waiting in the outbox");
    assert!(broker(&bdir, "mqtt-start.sh", None), "broker restart");
    let d2 = next_derived();
    check(&d2, 2);
    assert_ne!(d1["properties"]["data_id"], d2["properties"]["data_id"]);
    assert_eq!(jobs(), 2);
    until(60, "the outbox to empty", || {
        std::fs::read_dir(&outbox).ok().is_some_and(|mut d| d.next().is_none()).then_some(())
    });
}
