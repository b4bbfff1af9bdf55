//! The usage log: one row per request (who, what, status, bytes), written by one thread from a
//! bounded queue, so that a burst of requests neither waits for the job store nor spawns a
//! thread per request (under load the log drops rows, counted in a warning, rather than
//! memory growing).

use crate::jobs::{JobStore, UsageRecord};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;

/// Rows waiting to be written at most; beyond them rows are dropped.
const QUEUE: usize = 4096;

/// The writer's end of the usage log.
pub struct UsageWriter {
    tx: Option<SyncSender<UsageRecord>>,
    dropped: Arc<AtomicU64>,
}

impl UsageWriter {
    /// Starts the writer thread for `store` (it ends when the writer is dropped).
    #[must_use]
    pub fn start(store: &Arc<dyn JobStore>) -> UsageWriter {
        let (tx, rx) = sync_channel::<UsageRecord>(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let (store, lost) = (store.clone(), dropped.clone());
        let spawned = std::thread::Builder::new().name("usage-log".into()).spawn(move || {
            for rec in rx {
                if let Err(e) = store.log_usage(&rec) {
                    tracing::warn!("usage log: {e}");
                }
                let n = lost.swap(0, Ordering::Relaxed);
                if n > 0 {
                    tracing::warn!("usage log: {n} rows dropped (the job store could not keep up)");
                }
            }
        });
        match spawned {
            Ok(_) => UsageWriter { tx: Some(tx), dropped },
            Err(e) => {
                tracing::error!("usage log: cannot start its writer thread: {e}");
                UsageWriter { tx: None, dropped }
            }
        }
    }

    /// Queues a row (dropped, and counted, when the queue is full).
    pub fn log(&self, rec: UsageRecord) {
        let Some(tx) = &self.tx else { return };
        if let Err(TrySendError::Full(_)) = tx.try_send(rec) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Usage facts a handler attaches to its response for the usage log.
#[derive(Clone, Debug, Default)]
pub struct UsageTag {
    /// The caller's principal name; empty: the middleware uses the API key id of the
    /// credential, if any.
    pub user: String,
    /// What was done (`Execute`, `download`, `ogc:execute`, …); the request path when a
    /// handler attached no tag.
    pub operation: String,
    /// Process id(s) concerned; empty if none.
    pub process: String,
    /// Job id concerned; empty if none.
    pub job: String,
    /// JSON of the validated inputs (execute only; else empty).
    pub inputs: String,
}
