//! Subscribing: a persistent MQTT session (`clean_session` off, a stable client id, QoS 1) so
//! that the broker keeps the messages of its topics while this node is away, with manual
//! acknowledgement: a message is acknowledged ([`Delivery::ack`]) only once the caller has
//! handled it, so one that was being handled when the node stopped is delivered again
//! (callers de-duplicate, as WIS2 asks: on `data_id` + `pubtime`).
//!
//! ```text
//!   subscribe(broker, topics, deliver, stop)
//!     connect ─► SUBSCRIBE every topic (QoS 1) ─► each PUBLISH → deliver(Delivery)
//!     every 2 s: topics() again; new filters are subscribed to
//!     error / broker gone ─► back-off 0.25 s … 8 s ─► reconnect (same client id: the session
//!     and what the broker queued for it are still there)
//! ```

use crate::{Broker, MqttError};
use rumqttc::{Client, ConnectReturnCode, Event, Packet, Publish, QoS};
use std::time::Duration;

/// A message received on a subscribed topic.
pub struct Delivery {
    /// The topic it was published on.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    ack: Option<(Client, Publish)>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery").field("topic", &self.topic).field("bytes", &self.payload.len()).finish()
    }
}

impl Delivery {
    /// Acknowledges it to the broker (PUBACK): it will not be delivered again. A delivery of a
    /// connection that has since ended is not acknowledged (the broker sends it again).
    pub fn ack(self) {
        if let Some((c, p)) = self.ack {
            if let Err(e) = c.try_ack(&p) {
                tracing::debug!("wis2: acknowledging a message on {}: {e}", p.topic);
            }
        }
    }
}

/// Whether `topic` matches the MQTT topic filter `filter` (`+`: one level, `#`: the rest).
#[must_use]
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    let mut t = topic.split('/');
    for f in filter.split('/') {
        match f {
            "#" => return true,
            "+" => {
                if t.next().is_none() {
                    return false;
                }
            }
            level => {
                if t.next() != Some(level) {
                    return false;
                }
            }
        }
    }
    t.next().is_none()
}

/// Checks an MQTT topic filter: non-empty levels, `+` alone in its level, `#` alone and last.
///
/// # Errors
/// [`MqttError::BadTopic`] naming it.
pub fn check_filter(filter: &str) -> Result<(), MqttError> {
    let levels: Vec<&str> = filter.split('/').collect();
    let bad = filter.is_empty()
        || filter.contains(' ')
        || levels.iter().enumerate().any(|(i, l)| {
            l.is_empty() || (l.contains('+') && *l != "+") || (l.contains('#') && (*l != "#" || i + 1 != levels.len()))
        });
    if bad {
        return Err(MqttError::BadTopic(filter.to_string()));
    }
    Ok(())
}

/// Subscribes to the topic filters `topics` returns (QoS 1) on `broker` with a persistent
/// session and hands each message to `deliver`, reconnecting with back-off, until `stop`
/// returns true. `topics` and `stop` are asked again every couple of seconds: filters that
/// appear are subscribed to then (a filter that is not one, see [`check_filter`], is logged
/// and left out).
pub fn subscribe(
    broker: &Broker,
    topics: impl Fn() -> Vec<String>,
    mut deliver: impl FnMut(Delivery),
    stop: impl Fn() -> bool,
) {
    let wanted = || -> Vec<String> {
        topics()
            .into_iter()
            .filter(|t| match check_filter(t) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!("{e}");
                    false
                }
            })
            .collect()
    };
    let mut opts = broker.options();
    opts.set_clean_session(false);
    opts.set_manual_acks(true);
    let mut backoff = Duration::from_millis(250);
    while !stop() {
        let (client, mut conn) = Client::new(opts.clone(), 64);
        // Filters subscribed to on this connection (None: not connected yet).
        let mut subscribed: Option<Vec<String>> = None;
        let mut asked = std::time::Instant::now();
        let reason = loop {
            if stop() {
                let _ = client.disconnect();
                return;
            }
            if let Some(have) = subscribed.as_mut().filter(|_| asked.elapsed() >= Duration::from_secs(2)) {
                asked = std::time::Instant::now();
                for t in wanted() {
                    if !have.contains(&t) {
                        if let Err(e) = client.try_subscribe(t.clone(), QoS::AtLeastOnce) {
                            tracing::warn!("wis2: subscribing to {t}: {e}");
                        }
                        have.push(t);
                    }
                }
            }
            let ev = match conn.recv_timeout(Duration::from_secs(2)) {
                Err(_) => continue,
                Ok(Err(e)) => break e.to_string(),
                Ok(Ok(ev)) => ev,
            };
            match ev {
                Event::Incoming(Packet::ConnAck(c)) => {
                    if c.code != ConnectReturnCode::Success {
                        break format!("connection refused: {:?}", c.code);
                    }
                    backoff = Duration::from_millis(250);
                    let now = wanted();
                    for t in &now {
                        if let Err(e) = client.try_subscribe(t.clone(), QoS::AtLeastOnce) {
                            tracing::warn!("wis2: subscribing to {t}: {e}");
                        }
                    }
                    subscribed = Some(now);
                    asked = std::time::Instant::now();
                }
                Event::Incoming(Packet::SubAck(_)) => {
                    let now = subscribed.as_deref().unwrap_or_default().join(", ");
                    tracing::info!("wis2: subscribed to {now} on {}:{}", broker.host, broker.port);
                }
                Event::Incoming(Packet::Publish(p)) => {
                    let ack = (p.qos != QoS::AtMostOnce).then(|| (client.clone(), p.clone()));
                    deliver(Delivery { topic: p.topic.clone(), payload: p.payload.to_vec(), ack });
                }
                _ => {}
            }
        };
        tracing::warn!("wis2: subscriber at {}:{}: {reason}; reconnecting in {backoff:?}", broker.host, broker.port);
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(Duration::from_secs(8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert!(topic_matches("origin/a/wis2/+/data/#", "origin/a/wis2/xx/data/core/climate/x"));
        assert!(topic_matches("a/+/c", "a/b/c"));
        assert!(!topic_matches("a/+/c", "a/b/d"));
        assert!(!topic_matches("a/b", "a/b/c"));
        assert!(topic_matches("a/#", "a"));
        assert!(check_filter("a/+/#").is_ok());
        assert!(check_filter("a/b#").is_err());
        assert!(check_filter("a/#/c").is_err());
        assert!(check_filter("a//c").is_err());
    }
}
