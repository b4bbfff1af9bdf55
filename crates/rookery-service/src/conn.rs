//! Connections of `rookery serve`: the accept loop and what one connection may cost.
//!
//! ```text
//!  accept ──► permit of max_connections? ──yes──► HTTP/1.1 (hyper) + watchdog
//!               │ no: close the oldest idle keep-alive connections, wait 250 ms for a permit
//!               └──► still none: "503 + Retry-After" written and closed (a bounded number of
//!                    refusals at once; beyond them the socket is closed at once)
//!  watchdog (per connection, from byte counters kept by the socket wrapper):
//!    request headers begun but unfinished after header_read_timeout ─► closed
//!    no request and no traffic for idle_timeout ─────────────────────► closed (graceful)
//!    a response the client stopped reading for idle_timeout ─────────► closed
//! ```
//!
//! Everything else (bodies, content types) is per endpoint, see [`crate::limits`].

use crate::limits::HttpLimits;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tower::ServiceExt;

/// Largest buffered request head (hyper's read buffer; larger headers get 431).
const MAX_HEAD_BUF: usize = 64 * 1024;
/// `Retry-After` of a connection refused at the cap, in seconds.
const RETRY_AFTER_SECS: u32 = 2;
/// How long connections may take to finish when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// What the watchdog knows about one connection (times in ms since the connection opened).
struct ConnState {
    born: Instant,
    /// Last byte read or written, or the end of the last request.
    last_io: AtomicU64,
    /// 1 + when the first byte of a request head arrived while no request was in flight (0:
    /// none pending).
    head_since: AtomicU64,
    /// 1 + since when a write has been refused (the client's window is full); 0: none.
    write_blocked_since: AtomicU64,
    /// Requests whose handler has not answered yet.
    inflight: AtomicUsize,
    /// Asks the connection to close if it is idle (to make room at the cap).
    close_if_idle: Notify,
}

impl ConnState {
    fn new() -> ConnState {
        ConnState {
            born: Instant::now(),
            last_io: AtomicU64::new(0),
            head_since: AtomicU64::new(0),
            write_blocked_since: AtomicU64::new(0),
            inflight: AtomicUsize::new(0),
            close_if_idle: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_idle(&self) -> bool {
        self.inflight.load(Ordering::Acquire) == 0 && self.head_since.load(Ordering::Acquire) == 0
    }

    fn on_read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Release);
        if self.inflight.load(Ordering::Acquire) == 0 {
            let _ = self.head_since.compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    fn verdict(&self, l: &HttpLimits) -> Verdict {
        let now = self.now();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let head = self.head_since.load(Ordering::Acquire);
        if head != 0 && now.saturating_sub(head - 1) > ms(l.header_read_timeout) {
            return Verdict::Drop("request headers not received in time");
        }
        let blocked = self.write_blocked_since.load(Ordering::Acquire);
        if blocked != 0 && now.saturating_sub(blocked - 1) > ms(l.idle_timeout) {
            return Verdict::Drop("the client stopped reading the response");
        }
        if self.is_idle() && now.saturating_sub(self.last_io.load(Ordering::Acquire)) > ms(l.idle_timeout) {
            return Verdict::CloseIdle;
        }
        Verdict::Keep
    }
}

enum Verdict {
    Keep,
    CloseIdle,
    Drop(&'static str),
}

/// The socket, counting its traffic into a [`ConnState`].
struct Tracked {
    io: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for Tracked {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.on_read();
        }
        r
    }
}

impl Tracked {
    fn wrote<T>(&self, r: &Poll<io::Result<T>>) {
        match r {
            Poll::Ready(Ok(_)) => {
                self.state.last_io.store(self.state.now(), Ordering::Release);
                self.state.write_blocked_since.store(0, Ordering::Release);
            }
            Poll::Pending => {
                let now = self.state.now();
                let _ =
                    self.state.write_blocked_since.compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Acquire);
            }
            Poll::Ready(Err(_)) => {}
        }
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.wrote(&r);
        r
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.wrote(&r);
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Ends a request's in-flight count when its handler answers (or is cancelled).
struct Inflight(Arc<ConnState>);

impl Drop for Inflight {
    fn drop(&mut self) {
        self.0.last_io.store(self.0.now(), Ordering::Release);
        self.0.inflight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The live connections, to close idle ones when the cap is reached.
#[derive(Default)]
struct Registry {
    next: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    fn add(&self, s: Arc<ConnState>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, s);
        id
    }
    fn remove(&self, id: u64) {
        self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
    }
    /// Asks up to `n` idle connections, longest idle first, to close.
    fn evict_idle(&self, n: usize) -> usize {
        let conns = self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut idle: Vec<(u64, &Arc<ConnState>)> = conns
            .values()
            .filter(|s| s.is_idle())
            .map(|s| (s.now().saturating_sub(s.last_io.load(Ordering::Acquire)), s))
            .collect();
        idle.sort_by_key(|x| std::cmp::Reverse(x.0));
        for (_, s) in idle.iter().take(n) {
            s.close_if_idle.notify_one();
        }
        idle.len().min(n)
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets open
/// connections finish their requests (at most [`SHUTDOWN_GRACE`]).
///
/// # Errors
/// Never in practice: failed accepts (e.g. out of file descriptors) are logged and retried.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let limits = Arc::new(limits);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // Connections being refused (or waiting for an idle one to make room) at once.
    let refusing = Arc::new(Semaphore::new((limits.max_connections / 8).clamp(16, 256)));
    let registry = Arc::new(Registry::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut last_accept_error: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // EMFILE/ENFILE/ENOBUFS: back off a little instead of spinning.
                        if last_accept_error.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
                            tracing::warn!("accepting a connection failed: {e}");
                            last_accept_error = Some(Instant::now());
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let ctx =
            ConnCtx { app: app.clone(), limits: limits.clone(), registry: registry.clone(), stop: stop_rx.clone() };
        if let Ok(p) = permits.clone().try_acquire_owned() {
            tokio::spawn(ctx.run(tcp, remote, p));
            continue;
        }
        // At the cap: idle keep-alive connections make room; failing that, a prompt refusal.
        let Ok(r) = refusing.clone().try_acquire_owned() else {
            drop(tcp);
            continue;
        };
        registry.evict_idle(4);
        let permits = permits.clone();
        tokio::spawn(async move {
            let _r = r;
            match tokio::time::timeout(Duration::from_millis(250), permits.acquire_owned()).await {
                Ok(Ok(p)) => ctx.run(tcp, remote, p).await,
                _ => refuse(tcp, ctx.limits.max_connections).await,
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, permits.acquire_many(all)).await.is_err() {
        tracing::warn!("stopping with requests still open after {} s", SHUTDOWN_GRACE.as_secs());
    }
    Ok(())
}

/// Accept errors that concern one connection only (the loop goes on at once).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Answers a connection over the cap with `503` + `Retry-After` and closes it, reading what
/// the client sent meanwhile so it gets the answer rather than a reset.
async fn refuse(mut tcp: TcpStream, max: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = format!("Server busy: {max} connections are open; retry in {RETRY_AFTER_SECS} s\n");
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: {RETRY_AFTER_SECS}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        if tcp.write_all(head.as_bytes()).await.is_ok() && tcp.shutdown().await.is_ok() {
            let mut sink = [0u8; 4096];
            let mut left = 64 * 1024usize;
            while left > 0 {
                match tcp.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => left = left.saturating_sub(n),
                }
            }
        }
    })
    .await;
}

struct ConnCtx {
    app: Router,
    limits: Arc<HttpLimits>,
    registry: Arc<Registry>,
    stop: watch::Receiver<bool>,
}

impl ConnCtx {
    /// Serves one connection (holding `permit`) until it ends or the watchdog closes it.
    async fn run(mut self, tcp: TcpStream, remote: SocketAddr, permit: tokio::sync::OwnedSemaphorePermit) {
        let _permit = permit;
        let state = Arc::new(ConnState::new());
        let id = self.registry.add(state.clone());
        let app = self.app.clone();
        let st = state.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            st.inflight.fetch_add(1, Ordering::AcqRel);
            st.head_since.store(0, Ordering::Release);
            let guard = Inflight(st.clone());
            let app = app.clone();
            async move {
                let _guard = guard;
                req.extensions_mut().insert(ConnectInfo(remote));
                app.oneshot(req.map(axum::body::Body::new)).await
            }
        });
        let l = &self.limits;
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            // A backstop: the watchdog closes slow heads and idle connections sooner.
            .header_read_timeout(l.idle_timeout + l.header_read_timeout)
            .max_buf_size(MAX_HEAD_BUF)
            .keep_alive(true);
        let conn = builder.serve_connection(TokioIo::new(Tracked { io: tcp, state: state.clone() }), svc);
        tokio::pin!(conn);
        let tick =
            (l.header_read_timeout.min(l.idle_timeout) / 4).clamp(Duration::from_millis(25), Duration::from_secs(1));
        let mut ticks = tokio::time::interval(tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut closing = false;
        loop {
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("connection from {remote}: {e}");
                    }
                    break;
                }
                _ = ticks.tick() => match state.verdict(l) {
                    Verdict::Keep => {}
                    Verdict::CloseIdle => {
                        if !closing {
                            conn.as_mut().graceful_shutdown();
                            closing = true;
                        }
                    }
                    Verdict::Drop(why) => {
                        tracing::debug!("connection from {remote} closed: {why}");
                        break;
                    }
                },
                () = state.close_if_idle.notified(), if !closing => {
                    if state.is_idle() {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
                r = self.stop.changed(), if !closing => {
                    if r.is_err() || *self.stop.borrow() {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
        }
        self.registry.remove(id);
    }
}
