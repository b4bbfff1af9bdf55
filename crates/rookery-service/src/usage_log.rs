//! The usage log: one row per request (who, what, status, bytes), written by one thread from a
//! bounded queue, so that a burst of requests neither waits for the job store nor spawns a
//! thread per request (under load the log drops rows, counted in a warning, rather than
//! memory growing).

use crate::auth;
use crate::jobs::{JobStore, UsageRecord};
use crate::server::{St, UsageTag};
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::Response;
use std::net::SocketAddr;
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

/// Middleware: logs every request with the facts its handler attached ([`UsageTag`]).
pub async fn layer(State(st): State<St>, req: Request, next: axum::middleware::Next) -> Response {
    let t0 = crate::time::now_ms();
    let remote = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let key_hint = auth::credential(req.headers()).and_then(|k| auth::key_id_hint(&k).map(String::from));
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let tag = resp
        .extensions()
        .get::<UsageTag>()
        .cloned()
        .unwrap_or_else(|| UsageTag { operation: path, ..Default::default() });
    let bytes = resp
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    st.usage.log(UsageRecord {
        time_start: t0,
        time_end: crate::time::now_ms(),
        user: if tag.user.is_empty() { key_hint.unwrap_or_default() } else { tag.user },
        operation: tag.operation,
        process: tag.process,
        job: tag.job,
        inputs: tag.inputs,
        http_status: resp.status().as_u16(),
        bytes_out: bytes,
        remote,
    });
    resp
}
