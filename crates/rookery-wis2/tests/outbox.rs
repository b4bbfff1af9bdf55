//! The outbox keeps messages in order across reopening, and broker URLs other than
//! `mqtt://host[:port]` are refused with a one-line error; flushing to a broker that does not
//! answer keeps every message (the real-broker tests are crates/rookery/tests/wis2_mqtt.rs).

use rookery_wis2::{flush, Broker, MqttError, Outbox};
use std::time::Duration;

#[test]
fn outbox_keeps_messages_until_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ob = Outbox::open(&dir.path().join("outbox")).expect("outbox");
    for i in 0..3 {
        ob.put("origin/a/wis2/xx-test/data/core/climate/experimental", &serde_json::json!({"n": i})).expect("put");
        std::thread::sleep(Duration::from_millis(2));
    }
    let again = Outbox::open(&dir.path().join("outbox")).expect("reopen");
    let p = again.pending().expect("pending");
    assert_eq!(p.len(), 3);
    let ns: Vec<String> = p.iter().map(|m| String::from_utf8_lossy(&m.payload).to_string()).collect();
    assert_eq!(ns, ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"]);
    // Nothing listens on this port: every message stays queued.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let b = Broker::parse(&format!("mqtt://127.0.0.1:{port}"), None).expect("url");
    match flush(&again, &b, Duration::from_millis(300)) {
        Err(MqttError::GaveUp { left: 3, .. }) => {}
        other => panic!("expected GaveUp with 3 left, got {other:?}"),
    }
    assert_eq!(again.pending().expect("pending").len(), 3);
}

#[test]
fn broker_urls() {
    assert!(Broker::parse("mqtt://localhost", None).is_ok());
    assert!(Broker::parse("mqtt://127.0.0.1:1883/", Some(("u".into(), "p".into()))).is_ok());
    for bad in ["mqtts://globalbroker.example:8883", "http://x", "mqtt://", "mqtt://h:99999", "mqtt://u@h"] {
        let e = Broker::parse(bad, None).expect_err(bad).to_string();
        assert!(e.contains(bad) && !e.contains('\n'), "{e}");
    }
}
