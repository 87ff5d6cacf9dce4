//! The real server binary as a separate process, for tests that kill it or run two of them on one database.
//! Cargo builds it beside the test binaries (`target/<profile>/server`) when the whole workspace is tested.

use crate::fixtures;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server binary cargo built for this workspace's tests: `target/<profile>/server`.
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let binary = profile.join("server");
    assert!(
        binary.exists(),
        "{} is missing: run the suite with `cargo test --workspace` (it builds the server) or `cargo build -p server` first",
        binary.display()
    );
    binary
}

/// A server process on `database_url`, listening on a free loopback port.
pub struct RunningServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its standard error (the log).
    pub log: PathBuf,
}

impl RunningServer {
    /// Starts one with its own key folder (`keys-<port>` in `data`), as a separate instance would have.
    pub async fn start(database_url: &str, data: &std::path::Path) -> RunningServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let log = data.join(format!("server-{port}.log"));
        let child = Command::new(server_binary())
            .env("DATABASE_URL", database_url)
            .env("CONTENT_DIR", fixtures().join("valid"))
            .env("BIND_ADDRESS", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", &base)
            .env("KEY_DIR", data.join(format!("keys-{port}")))
            .env("MAIL_DIR", data.join("mail"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start the server");
        let mut server = RunningServer { child, base, log };
        server.wait_until_ready().await;
        server
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::new();
        let until = Instant::now() + Duration::from_secs(120);
        while Instant::now() < until {
            if let Ok(answer) = client.get(format!("{}/", self.base)).send().await
                && answer.status().is_success()
            {
                return;
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "the server exited ({exit}) while starting; its log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the server did not start within two minutes; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// SIGKILL: no shutdown hook runs, nothing is flushed.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the server");
        let _ = self.child.wait();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
