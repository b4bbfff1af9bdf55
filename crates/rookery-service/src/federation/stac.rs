//! Placement from STAC indexes: a peer configured with `holds=stac:<STAC API URL>#<collection>`
//! holds the datasets its index finds by id (`GET <url>/search?ids=<id>&collections=<c>`).
//! Answers are kept a while ([`crate::placements`]); an index that cannot be asked (down, an
//! answer that is not a STAC item collection) leaves the peer's `holds` patterns to decide.

use super::{agent, Peers};
use crate::config::{PeerConfig, StacIndex};
use serde_json::Value;
use std::time::Duration;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Peers {
    /// Whether `index` lists dataset `item`; `None` when it cannot say.
    fn in_index(&self, peer: &PeerConfig, index: &StacIndex, item: &str) -> Option<bool> {
        let key = format!("{}#{}#{item}", index.url, index.collection.as_deref().unwrap_or(""));
        if let Some(v) = self.placements.get(&key) {
            return Some(v);
        }
        let mut url = format!("{}/search?ids={}&limit=1", index.url, enc(item));
        if let Some(c) = &index.collection {
            url.push_str(&format!("&collections={}", enc(c)));
        }
        let mut rb = agent(Duration::from_secs(10)).get(&url);
        if let Ok(Some(a)) = peer.authorization(&self.tokens) {
            // The index of a rookery peer is the peer itself: its token opens it.
            if index.url.starts_with(&peer.url) {
                rb = rb.header("Authorization", &a);
            }
        }
        let answer = rb.call().ok().filter(|r| r.status() == 200).and_then(|r| {
            let mut b = r.into_body();
            serde_json::from_slice::<Value>(&b.with_config().limit(4 << 20).read_to_vec().ok()?).ok()
        });
        let Some(feats) = answer.as_ref().and_then(|v| v["features"].as_array()) else {
            tracing::warn!(
                "placement: the STAC index {} of peer '{}' cannot be asked; its holds patterns decide",
                index.url,
                peer.name
            );
            return None;
        };
        let held = feats.iter().any(|f| f["id"].as_str() == Some(item));
        self.placements.put(&key, held);
        Some(held)
    }

    /// Whether `peer` holds `item`: its STAC indexes' answer when one answers (any listing it),
    /// else its patterns.
    pub(super) fn holds(&self, peer: &PeerConfig, item: &str) -> bool {
        let answers: Vec<Option<bool>> = peer.stac.iter().map(|s| self.in_index(peer, s, item)).collect();
        if answers.contains(&Some(true)) {
            return true;
        }
        if !answers.is_empty() && answers.iter().all(Option::is_some) {
            return false;
        }
        peer.holds.iter().any(|h| rookery_daops::wildcard::matches_star(h, item))
    }
}
