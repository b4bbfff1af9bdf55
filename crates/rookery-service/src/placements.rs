//! What STAC indexes answered about which peer holds a dataset, kept `ttl` (5 minutes) so that
//! a workflow's many placements ask an index once per dataset; shared by the service's jobs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Index answers: key (index URL, collection, dataset id) → held, when asked.
#[derive(Debug)]
pub struct Placements {
    ttl: Duration,
    answers: Mutex<HashMap<String, (bool, Instant)>>,
}

impl Default for Placements {
    fn default() -> Self {
        Placements { ttl: Duration::from_secs(300), answers: Mutex::new(HashMap::new()) }
    }
}

impl Placements {
    /// A kept answer younger than the TTL.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<bool> {
        let m = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        m.get(key).filter(|(_, t)| t.elapsed() < self.ttl).map(|(v, _)| *v)
    }

    /// Keeps an answer (at most 100,000: older ones are dropped all at once beyond that).
    pub fn put(&self, key: &str, held: bool) {
        let mut m = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if m.len() > 100_000 {
            m.clear();
        }
        m.insert(key.to_string(), (held, Instant::now()));
    }
}
