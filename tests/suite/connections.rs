//! Connections are served with limits: a client that sends no request, or sits idle after one, is
//! disconnected; the rate limit sees each client's address. Over real sockets on 127.0.0.1.

use academy_tests::TestDb;
use academy_tests::fixtures;
use academy_tests::http_client::state_for;
use server::serve::{ConnectionLimits, spawn_for_tests};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMITS: ConnectionLimits = ConnectionLimits {
    header_read: Duration::from_secs(1),
    max_header_bytes: 16 * 1024,
};

/// Reads until the server closes the connection; fails if it has not within five seconds.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buffer = [0_u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_or_idle_connection_is_closed() {
    let db = TestDb::sqlite().await;
    let router =
        server::router::build_router(state_for(&db.conn, &fixtures().join("valid")).await, false);
    let (address, _stop) = spawn_for_tests(router, LIMITS).await.expect("serve");

    // Connects and says nothing (or sends half a header, slowly): closed after the header timeout.
    let mut silent = TcpStream::connect(address).await.expect("connect");
    silent
        .write_all(b"GET / HTTP/1.1\r\nHost: loc")
        .await
        .expect("write");
    read_until_closed(&mut silent).await;

    // One request, then idle on a kept-alive connection: answered, then closed.
    let mut idle = TcpStream::connect(address).await.expect("connect");
    idle.write_all(b"GET /issuer HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let received = read_until_closed(&mut idle).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_answered_with_429_and_retry_after() {
    let db = TestDb::sqlite().await;
    let router =
        server::router::build_router(state_for(&db.conn, &fixtures().join("valid")).await, false);
    let (address, _stop) = spawn_for_tests(router, ConnectionLimits::default())
        .await
        .expect("serve");
    let client = reqwest::Client::new();
    let mut last = None;
    for _ in 0..61 {
        let response = client
            .post(format!("http://{address}/verify"))
            .body("{}")
            .send()
            .await
            .expect("response");
        last = Some(response);
    }
    let last = last.expect("a response");
    assert_eq!(last.status().as_u16(), 429);
    let retry_after: u64 = last
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after));
    db.finish().await;
}
