//! A real, independent OpenID provider for the single sign-on tests: npm's `oidc-provider` (OpenID Certified)
//! run by `tests/oidc/provider.mjs`, one process per test on a free port. [`IdentityProvider::sign_in`] plays
//! the person at the provider's own login and consent pages over HTTP, as a browser would.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The client the academy is registered as at the test provider.
pub const CLIENT_ID: &str = "informatics-academy";
pub const CLIENT_SECRET: &str = "test-client-secret-not-for-production";

/// A running provider.
pub struct IdentityProvider {
    child: Child,
    /// Kept open: the provider would fail writing to a closed pipe.
    _output: BufReader<std::process::ChildStdout>,
    /// `http://127.0.0.1:<port>`: the issuer it names in its discovery document and tokens.
    pub issuer: String,
    http: reqwest::Client,
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace folder")
        .to_path_buf()
}

impl IdentityProvider {
    /// Starts a provider that knows the academy's client with `redirect_uri`. Needs `node` and the npm
    /// packages `scripts/setup` installs.
    pub fn start(redirect_uri: &str) -> IdentityProvider {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Self::start_on(port, redirect_uri)
    }

    /// Starts one on `port`: a provider started again on its old port is the same issuer with new signing
    /// keys (oidc-provider makes fresh development keys at each start), as after a key rotation.
    pub fn start_on(port: u16, redirect_uri: &str) -> IdentityProvider {
        let root = workspace_root();
        let mut child = Command::new("node")
            .arg(root.join("tests/oidc/provider.mjs"))
            .args([&port.to_string(), CLIENT_ID, CLIENT_SECRET, redirect_uri])
            .current_dir(&root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node tests/oidc/provider.mjs (is Node.js installed? scripts/setup installs oidc-provider)");
        let stdout = child.stdout.take().expect("the provider's output");
        let mut ready = String::new();
        let mut output = BufReader::new(stdout);
        output
            .read_line(&mut ready)
            .expect("read the provider's first line");
        assert!(
            ready.starts_with("listening "),
            "the test identity provider did not start: {ready:?} (run scripts/setup for its npm packages)"
        );
        IdentityProvider {
            child,
            _output: output,
            issuer: ready["listening ".len()..].trim().to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .expect("an HTTP client"),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.issuer
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the issuer")
    }

    /// Stops it (its port is free again).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Moves the provider's clock by `seconds` (negative: tokens it issues from now on look that old), and
    /// sets how long its ID tokens last.
    pub async fn set_clock(&self, offset_seconds: i64, id_token_seconds: u32) {
        let answer = self
            .http
            .post(format!(
                "{}/test/clock?offset={offset_seconds}&id_token_ttl={id_token_seconds}",
                self.issuer
            ))
            .send()
            .await
            .expect("the provider's test clock");
        assert!(answer.status().is_success());
    }

    /// Follows the academy's redirect to the provider (`authorize_url`), signs in there as `user` and agrees
    /// to share the details, and returns where the provider sends the browser back to (a full URL).
    pub async fn sign_in(&self, authorize_url: &str, user: &str) -> String {
        let mut cookies: BTreeMap<String, String> = BTreeMap::new();
        let mut next = authorize_url.to_owned();
        let mut form: Option<Vec<(&str, String)>> = None;
        for _ in 0..12 {
            if !next.starts_with(&self.issuer) {
                return next;
            }
            let cookie = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let request = match form.take() {
                Some(fields) => self.http.post(&next).form(&fields),
                None => self.http.get(&next),
            };
            let answer = request
                .header("cookie", cookie)
                .send()
                .await
                .expect("the provider answers");
            for set in answer.headers().get_all("set-cookie") {
                let pair = set
                    .to_str()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    cookies.insert(name.trim().to_owned(), value.to_owned());
                }
            }
            let location = answer
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let status = answer.status();
            let body = answer.text().await.unwrap_or_default();
            if let Some(location) = location {
                next = if location.starts_with('/') {
                    format!("{}{location}", self.issuer)
                } else {
                    location
                };
                continue;
            }
            assert!(
                status.is_success(),
                "the provider answered {status}: {body}"
            );
            // A login or consent page: submit its form.
            let action = body
                .split("action=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a form on the provider's page");
            next = if action.starts_with('/') {
                format!("{}{action}", self.issuer)
            } else {
                action.to_owned()
            };
            form = Some(if body.contains("name=\"prompt\" value=\"login\"") {
                vec![
                    ("prompt", "login".to_owned()),
                    ("login", user.to_owned()),
                    ("password", "any password".to_owned()),
                ]
            } else {
                vec![("prompt", "consent".to_owned())]
            });
        }
        panic!("the provider never sent the browser back (last address {next})");
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
