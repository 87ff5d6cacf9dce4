//! A pretend LTI 1.3 platform for the launch checks: it publishes a JWK Set over HTTP (so the academy fetches
//! and caches keys as it would from Moodle) and signs launch ID tokens with the test keys in
//! `tests/fixtures/lti`, whatever claims a test asks for, so each check can be shown to refuse.

use axum::Router;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// One of the two test keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    First,
    Second,
}

impl Key {
    fn file(self) -> &'static str {
        match self {
            Key::First => "1",
            Key::Second => "2",
        }
    }

    pub fn kid(self) -> String {
        format!("test-platform-key-{}", self.file())
    }

    fn jwk(self) -> Value {
        let path = crate::fixtures().join(format!("lti/platform-jwk-{}.json", self.file()));
        serde_json::from_str(&std::fs::read_to_string(path).expect("the test JWK")).expect("JSON")
    }

    fn encoding_key(self) -> EncodingKey {
        let path = crate::fixtures().join(format!("lti/platform-key-{}.der", self.file()));
        EncodingKey::from_rsa_der(&std::fs::read(path).expect("the test key"))
    }
}

/// The client id and deployment the academy is registered with at the pretend platform.
pub const CLIENT_ID: &str = "academy-tool";
pub const DEPLOYMENT_ID: &str = "deployment-1";

/// A running pretend platform.
pub struct TestPlatform {
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    published: Arc<Mutex<Vec<Key>>>,
    server: tokio::task::JoinHandle<()>,
}

impl TestPlatform {
    /// Starts one publishing the first key.
    pub async fn start() -> TestPlatform {
        let published = Arc::new(Mutex::new(vec![Key::First]));
        let keys = published.clone();
        let app = Router::new().route(
            "/jwks",
            get(move || {
                let keys = keys.lock().expect("the published keys").clone();
                async move {
                    axum::Json(json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() }))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let issuer = format!("http://{}", listener.local_addr().expect("its address"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestPlatform {
            issuer,
            published,
            server,
        }
    }

    /// Publishes these keys from now on (a rotation).
    pub fn publish(&self, keys: &[Key]) {
        *self.published.lock().expect("the published keys") = keys.to_vec();
    }

    /// A launch ID token with `claims`, signed by `signer` and naming `kid` in its header.
    pub fn sign(&self, claims: &Value, signer: Key, kid: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &signer.encoding_key()).expect("signed")
    }

    /// The claims of a good resource link launch for `sub`, with the nonce and target of its login.
    pub fn launch_claims(&self, sub: &str, nonce: &str, target: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": "Rosa Launch",
            "email": format!("{sub}@student.example.ac.uk"),
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT_ID,
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": target,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": { "id": "activity-7", "title": "Week 3: PRINCE2" },
            "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        })
    }
}

impl Drop for TestPlatform {
    fn drop(&mut self) {
        self.server.abort();
    }
}
