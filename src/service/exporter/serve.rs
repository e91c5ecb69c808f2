//! Serving the exporter's pages, hardened for a port anyone on the network
//! (or any web page, through the browser) may reach:
//! - hyper's own header-read timeout closes a connection that has not sent
//!   a whole request head within [`HEADER_READ_TIMEOUT`] — a connection
//!   dripping a header line every few seconds, and an idle keep-alive one;
//! - at most [`MAX_CONNECTIONS`] are open: a new one closes the one idle the
//!   longest (or is refused when every one is busy), so a flood of idle
//!   connections cannot use up the process's file descriptors or keep
//!   Prometheus out;
//! - on a loopback address, a request whose `Host` is not this machine is
//!   answered 421 (a DNS-rebinding page cannot read the Directors);
//! - with a web configuration, TLS and bcrypt basic auth (see `web_config`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A connection that has not sent a whole request head by then is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A TLS handshake that has not finished by then is dropped.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once; far below systemd's 1,024 descriptors.
pub const MAX_CONNECTIONS: usize = 256;

/// How the server limits its clients (tests make them small).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: MAX_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

/// One open connection, as the server keeps track of it.
struct Open {
    /// Requests being answered on it now.
    busy: AtomicUsize,
    last_active: Mutex<Instant>,
    /// Set when its task ended.
    ended: AtomicBool,
    /// Told to close (to make room for a new one).
    close: tokio::sync::Notify,
}

impl Open {
    fn idle_since(&self) -> Instant {
        *self.last_active.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks a request in flight on its connection for as long as it lives.
struct Busy(Arc<Open>);

impl Busy {
    fn new(open: Arc<Open>) -> Self {
        open.busy.fetch_add(1, Ordering::Relaxed);
        Busy(open)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.last_active.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Marks a connection ended when its task ends, however it ends.
struct Ended(Arc<Open>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.ended.store(true, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Connections {
    open: Mutex<Vec<Arc<Open>>>,
}

impl Connections {
    /// Room for one more: when full, the connection idle the longest is
    /// told to close; `None` when every one is answering a request.
    fn admit(&self, max: usize) -> Option<Arc<Open>> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|c| !c.ended.load(Ordering::Relaxed));
        if open.len() >= max.max(1) {
            let oldest_idle = open
                .iter()
                .enumerate()
                .filter(|(_, c)| c.busy.load(Ordering::Relaxed) == 0)
                .min_by_key(|(_, c)| c.idle_since())
                .map(|(i, _)| i)?;
            let closing = open.swap_remove(oldest_idle);
            closing.close.notify_one();
        }
        let new = Arc::new(Open {
            busy: AtomicUsize::new(0),
            last_active: Mutex::new(Instant::now()),
            ended: AtomicBool::new(false),
            close: tokio::sync::Notify::new(),
        });
        open.push(new.clone());
        Some(new)
    }
}

/// Serves `router` on `listener` until `shutdown` ends, over TLS when
/// `tls` is given.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Connections::default();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, or the peer gone already: the
                    // open connections go on; try again in a moment.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let Some(open) = connections.admit(limits.max_connections) else {
            tracing::warn!("every connection is busy: a new one is refused");
            continue;
        };
        let (router, tls) = (router.clone(), tls.clone());
        tokio::spawn(async move {
            let _ended = Ended(open.clone());
            match tls {
                None => serve_connection(stream, router, open, limits).await,
                Some(acceptor) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => serve_connection(stream, router, open, limits).await,
                        Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
            }
        });
    }
}

async fn serve_connection<S>(stream: S, router: Router, open: Arc<Open>, limits: Limits)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let on = open.clone();
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let busy = Busy::new(on.clone());
            let router = router.clone();
            async move {
                let _busy = busy;
                router.oneshot(request.map(axum::body::Body::new)).await
            }
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        served = connection => {
            if let Err(e) = served {
                tracing::debug!("connection ended: {e}");
            }
        }
        () = open.close.notified() => tracing::debug!("closed to make room for a new connection"),
    }
}

/// On a loopback address, answers 421 to a request whose `Host` is not
/// this machine: a page on another site that rebinds its name to 127.0.0.1
/// gets nothing. Elsewhere `router` as it is.
pub fn loopback_hosts_only(router: Router, listen: SocketAddr) -> Router {
    if !listen.ip().is_loopback() {
        return router;
    }
    router.layer(axum::middleware::from_fn(check_host))
}

async fn check_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    match host {
        Some(host) if !is_this_machine(&host) => (
            StatusCode::MISDIRECTED_REQUEST,
            "This exporter answers only to 127.0.0.1, [::1] or localhost.\n",
        )
            .into_response(),
        _ => next.run(request).await,
    }
}

/// `localhost`, `127.0.0.1` (any of 127/8), `[::1]`, each with any port.
fn is_this_machine(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_this_machine_and_others() {
        for host in [
            "localhost",
            "localhost:9810",
            "127.0.0.1",
            "127.0.0.1:9810",
            "127.1.2.3:80",
            "[::1]:9810",
            "[::1]",
        ] {
            assert!(is_this_machine(host), "{host}");
        }
        for host in [
            "attacker.example",
            "attacker.example:9810",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "10.0.0.1:9810",
            "[::2]:9810",
        ] {
            assert!(!is_this_machine(host), "{host}");
        }
    }

    #[test]
    fn a_full_house_closes_the_longest_idle_or_refuses() {
        let connections = Connections::default();
        let first = connections.admit(2).expect("room");
        std::thread::sleep(Duration::from_millis(5));
        let second = connections.admit(2).expect("room");
        let _busy = Busy::new(second.clone());
        let third = connections.admit(2).expect("the first, idle, makes room");
        assert_eq!(
            connections.open.lock().map(|o| o.len()).unwrap_or_default(),
            2
        );
        // The first was told to close: a permit waits for it.
        let told = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
            .block_on(async {
                tokio::time::timeout(Duration::from_millis(100), first.close.notified())
                    .await
                    .is_ok()
            });
        assert!(told);
        let _also_busy = Busy::new(third);
        assert!(connections.admit(2).is_none(), "every one busy: refused");
    }
}
