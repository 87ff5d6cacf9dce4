//! Accepting connections: HTTP/1.1 through hyper with the limits `axum::serve` does not set.
//!
//! - A connection must send its request headers within [`ConnectionLimits::header_read`]; the same timer
//!   closes a kept-alive connection that stays idle that long, so slow or silent clients cannot hold sockets
//!   (and memory) for ever.
//! - `TCP_NODELAY` on every connection: small responses are sent at once instead of waiting for the client's
//!   delayed acknowledgement.
//! - Each request carries the client's address (`ConnectInfo`), for the rate limits.
//! - On shutdown, accepting stops and open connections finish their current request.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Per-connection limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time allowed to send a request's headers, and to stay idle between requests.
    pub header_read: Duration,
    /// Largest request head (start line and headers) accepted; beyond it, 431.
    pub max_header_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(10),
            max_header_bytes: 32 * 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then waits (up to 20 seconds) for open
/// connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Usually too many open files: back off briefly instead of spinning.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let service =
            router
                .clone()
                .map_request(move |request: http::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request.extensions_mut().insert(ConnectInfo(remote));
                    request
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, client = %remote, "connection ended with an error");
            }
        });
    }
    tracing::info!("no longer accepting connections; finishing open requests");
    if tokio::time::timeout(Duration::from_secs(20), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after 20 seconds and were closed");
    }
}

/// Binds and serves in the background on an ephemeral port of 127.0.0.1, for tests: the address, and a
/// handle that stops the server when dropped.
pub async fn spawn_for_tests(
    router: Router,
    limits: ConnectionLimits,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, router, limits, async move {
        let _ = stopped.await;
    }));
    Ok((address, stop))
}
