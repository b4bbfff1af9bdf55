//! # rookery-wis2 — WIS 2.0 notifications over MQTT
//!
//! Messages to publish go into an on-disk [`Outbox`] first (one file each, written whole
//! then renamed), and [`flush`] publishes them with QoS 1, deleting a file only when the
//! broker's PUBACK for it arrives. A broker that is down or goes away mid-way is retried with
//! exponential back-off until the caller's deadline; what is left stays in the outbox for the
//! next flush, so nothing is lost across a broker restart (a message may be delivered twice:
//! QoS 1 is at-least-once, and WIS2 subscribers de-duplicate on `data_id` + `pubtime`).
//!
//! ```text
//!   Outbox::put(topic, message)   <dir>/<ms>-<uuid>.json  {"topic": ..., "message": ...}
//!   flush(outbox, broker, wait)   connect → publish every pending file (QoS 1) → PUBACK →
//!                                 delete; error → back-off 0.25 s … 8 s → reconnect
//! ```
//!
//! Subscribing ([`subscribe::subscribe`]) keeps a persistent session (a stable client id,
//! `clean_session` off) and acknowledges each message only once the caller has handled it.
//!
//! MQTT (`mqtt://host[:port]`, 1883 by default) without TLS: `mqtts://` is refused with a
//! clear error (this build carries no TLS stack for MQTT).

pub mod subscribe;

use rumqttc::{Client, ConnectReturnCode, Event, MqttOptions, Outgoing, Packet, QoS};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Messages published per connection round (the rest follow in the next round).
const ROUND: usize = 500;
/// How long a round waits for the broker's next packet.
const QUIET: Duration = Duration::from_secs(10);

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    /// A broker URL that is not `mqtt://host[:port]`.
    #[error("wis2: broker '{0}' must be mqtt://host[:port] (mqtts is not supported by this build)")]
    BadUrl(String),
    /// A topic filter that is not one (empty level, `+` or `#` not alone, `#` not last).
    #[error(
        "wis2: '{0}' is not an MQTT topic filter (levels separated by '/', '+' and '#' alone in a level, '#' last)"
    )]
    BadTopic(String),
    /// The outbox cannot be read or written.
    #[error("wis2: outbox {}: {source}", path.display())]
    Outbox {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The deadline passed with messages still in the outbox.
    #[error("wis2: {left} message(s) kept in the outbox, the broker was not reached in time: {reason}")]
    GaveUp {
        /// Messages left.
        left: usize,
        /// The last connection error.
        reason: String,
    },
}

/// Where to publish.
#[derive(Clone, Debug)]
pub struct Broker {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
    client_id: String,
}

impl Broker {
    /// `mqtt://host[:port]`, with a username and password when given.
    ///
    /// # Errors
    /// Another scheme, no host or a bad port.
    pub fn parse(url: &str, credentials: Option<(String, String)>) -> Result<Broker, MqttError> {
        let bad = || MqttError::BadUrl(url.to_string());
        let rest = url.strip_prefix("mqtt://").ok_or_else(bad)?.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (rest, 1883),
        };
        if host.is_empty() || host.contains(['/', '@']) {
            return Err(bad());
        }
        let client_id = format!("rookery-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        Ok(Broker { host: host.to_string(), port, credentials, client_id })
    }

    /// The same broker under a fixed client id (a subscriber's persistent session is keyed
    /// by it: MQTT client ids are 1 to 23 characters of letters and digits, longer ones are
    /// accepted by most brokers).
    #[must_use]
    pub fn with_client_id(mut self, id: &str) -> Broker {
        self.client_id = id.to_string();
        self
    }

    fn options(&self) -> MqttOptions {
        let mut o = MqttOptions::new(self.client_id.clone(), self.host.clone(), self.port);
        o.set_keep_alive(Duration::from_secs(15));
        o.set_clean_session(true);
        o.set_max_packet_size(64 * 1024, 64 * 1024);
        if let Some((u, p)) = &self.credentials {
            o.set_credentials(u.clone(), p.clone());
        }
        o
    }
}

/// A directory of messages waiting for the broker's acknowledgement.
#[derive(Clone, Debug)]
pub struct Outbox {
    dir: PathBuf,
}

/// One message of the outbox.
#[derive(Clone, Debug)]
pub struct Pending {
    /// Its file.
    pub path: PathBuf,
    /// MQTT topic.
    pub topic: String,
    /// The message (JSON text).
    pub payload: Vec<u8>,
}

impl Outbox {
    /// The outbox in `dir` (created).
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn open(dir: &Path) -> Result<Outbox, MqttError> {
        std::fs::create_dir_all(dir).map_err(|source| MqttError::Outbox { path: dir.to_path_buf(), source })?;
        Ok(Outbox { dir: dir.to_path_buf() })
    }

    /// Queues `message` for `topic` (durable when this returns).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn put(&self, topic: &str, message: &serde_json::Value) -> Result<PathBuf, MqttError> {
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let name = format!("{ms:015}-{}.json", uuid::Uuid::new_v4().simple());
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let body = serde_json::json!({"topic": topic, "message": message}).to_string();
        let err = |source| MqttError::Outbox { path: path.clone(), source };
        let f = std::fs::File::create(&tmp).map_err(err)?;
        std::io::Write::write_all(&mut &f, body.as_bytes()).and_then(|()| f.sync_all()).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        Ok(path)
    }

    /// The queued messages, oldest first (a file that does not parse is logged and left).
    ///
    /// # Errors
    /// The directory cannot be read.
    pub fn pending(&self) -> Result<Vec<Pending>, MqttError> {
        let err = |source| MqttError::Outbox { path: self.dir.clone(), source };
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(err)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json")
                    && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        let mut out = Vec::new();
        for path in names {
            let parsed = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
            match parsed.as_ref().and_then(|v| Some((v["topic"].as_str()?.to_string(), v["message"].to_string()))) {
                Some((topic, msg)) => out.push(Pending { path, topic, payload: msg.into_bytes() }),
                None => tracing::warn!("wis2: outbox file {} is not a queued message; left alone", path.display()),
            }
        }
        Ok(out)
    }
}

/// Publishes everything in `outbox` to `broker` (QoS 1), retrying with back-off for at most
/// `wait`; returns how many messages were acknowledged.
///
/// # Errors
/// The outbox cannot be read, or messages are left when `wait` has passed
/// ([`MqttError::GaveUp`]; they stay queued).
pub fn flush(outbox: &Outbox, broker: &Broker, wait: Duration) -> Result<usize, MqttError> {
    let deadline = Instant::now() + wait;
    let mut backoff = Duration::from_millis(250);
    let mut sent = 0;
    loop {
        let mut pending = outbox.pending()?;
        if pending.is_empty() {
            return Ok(sent);
        }
        pending.truncate(ROUND);
        let (n, err) = round(broker, &pending);
        sent += n;
        match err {
            None => backoff = Duration::from_millis(250),
            Some(reason) => {
                let now = Instant::now();
                if now >= deadline {
                    let left = outbox.pending()?.len();
                    return Err(MqttError::GaveUp { left, reason });
                }
                tracing::warn!("wis2: broker {}:{}: {reason}; retrying in {backoff:?}", broker.host, broker.port);
                std::thread::sleep(backoff.min(deadline - now));
                backoff = (backoff * 2).min(Duration::from_secs(8));
            }
        }
    }
}

/// One connection: publishes `pending`, deletes each file on its PUBACK. Returns the number
/// acknowledged and the error that ended the round early.
fn round(broker: &Broker, pending: &[Pending]) -> (usize, Option<String>) {
    let (client, mut conn) = Client::new(broker.options(), pending.len() + 8);
    let mut order: VecDeque<&Pending> = VecDeque::new();
    let mut inflight: HashMap<u16, &Pending> = HashMap::new();
    let (mut acked, mut published) = (0, false);
    loop {
        let ev = match conn.recv_timeout(QUIET) {
            Err(_) => return (acked, Some(format!("no answer for {QUIET:?}"))),
            Ok(Err(e)) => return (acked, Some(e.to_string())),
            Ok(Ok(ev)) => ev,
        };
        match ev {
            Event::Incoming(Packet::ConnAck(c)) => {
                if c.code != ConnectReturnCode::Success {
                    return (acked, Some(format!("connection refused: {:?}", c.code)));
                }
                if !published {
                    published = true;
                    for p in pending {
                        if let Err(e) = client.publish(p.topic.clone(), QoS::AtLeastOnce, false, p.payload.clone()) {
                            return (acked, Some(e.to_string()));
                        }
                        order.push_back(p);
                    }
                }
            }
            Event::Outgoing(Outgoing::Publish(pkid)) => {
                if let Some(p) = order.pop_front() {
                    inflight.insert(pkid, p);
                }
            }
            Event::Incoming(Packet::PubAck(a)) => {
                if let Some(p) = inflight.remove(&a.pkid) {
                    if let Err(e) = std::fs::remove_file(&p.path) {
                        tracing::warn!("wis2: removing acknowledged {}: {e}", p.path.display());
                    }
                    acked += 1;
                    if acked == pending.len() {
                        let _ = client.disconnect();
                        return (acked, None);
                    }
                }
            }
            _ => {}
        }
    }
}
