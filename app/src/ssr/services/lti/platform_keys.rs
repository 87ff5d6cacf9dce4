//! Each platform's public keys (its JWK Set), fetched over HTTP and kept for an hour; fetched again at once
//! when a launch names a key the kept set lacks, which is how a platform's key rotation shows itself.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use super::{LaunchError, LaunchProblem, refused};

const KEEP_FOR: Duration = Duration::from_secs(60 * 60);
/// A set is fetched again for an unknown key id at most this often: the key id is read before the signature
/// is checked, so anyone could otherwise make the academy fetch a platform's keys on every request.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// A JWK Set larger than this is not a platform's keys.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// The HTTP client for platforms and the key sets fetched through it. One per server process.
/// A platform's key set as last fetched.
#[derive(Debug, Clone)]
struct Kept {
    set: JwkSet,
    fetched_at: Instant,
    /// When a launch last named a key the set lacked and the set was fetched again for it.
    refetched_for_unknown_key_at: Option<Instant>,
}

/// The HTTP client for platforms and the key sets fetched through it. One per server process.
#[derive(Debug)]
pub struct PlatformKeys {
    http: reqwest::Client,
    kept: Mutex<HashMap<String, Kept>>,
}

impl PlatformKeys {
    /// Redirects are never followed: the key address is what the admin registered.
    pub fn new() -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .connect_timeout(Duration::from_secs(5))
                .user_agent("InformaticsAcademy/1 (LTI 1.3 tool)")
                .build()?,
            kept: Mutex::new(HashMap::new()),
        })
    }

    async fn fetch(&self, jwks_url: &str) -> Result<JwkSet, LaunchError> {
        let unreachable = |why: String| {
            refused(
                LaunchProblem::PlatformUnreachable,
                format!("the platform's keys at {jwks_url}: {why}"),
            )
        };
        let mut answer = self
            .http
            .get(jwks_url)
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if !answer.status().is_success() {
            return Err(unreachable(format!("answered {}", answer.status())));
        }
        // Read in pieces, stopping at the limit, so a huge answer is never held whole.
        let mut bytes = Vec::new();
        while let Some(piece) = answer
            .chunk()
            .await
            .map_err(|e| unreachable(e.to_string()))?
        {
            bytes.extend_from_slice(&piece);
            if bytes.len() > MAX_JWKS_BYTES {
                return Err(unreachable(format!("more than {MAX_JWKS_BYTES} bytes")));
            }
        }
        serde_json::from_slice(&bytes).map_err(|e| unreachable(format!("not a JWK Set: {e}")))
    }

    /// The key `kid` from the platform's set: the kept set if it has it and is under an hour old; otherwise
    /// the set is fetched again, but for a key id the kept set lacks at most once a minute (the key id is
    /// read before the signature is checked, so anyone could otherwise make every request fetch the set).
    pub async fn key(&self, jwks_url: &str, kid: &str) -> Result<DecodingKey, LaunchError> {
        let kept = self.kept.lock().await.get(jwks_url).cloned();
        let fresh = kept.filter(|k| k.fetched_at.elapsed() < KEEP_FOR);
        let jwk = match fresh.as_ref().and_then(|k| k.set.find(kid).cloned()) {
            Some(jwk) => jwk,
            None => {
                let unknown_key = fresh.is_some();
                if unknown_key
                    && fresh
                        .as_ref()
                        .and_then(|k| k.refetched_for_unknown_key_at)
                        .is_some_and(|at| at.elapsed() < REFETCH_AFTER)
                {
                    return Err(refused(
                        LaunchProblem::TokenRefused,
                        format!("no key {kid} at {jwks_url} (fetched again under a minute ago)"),
                    ));
                }
                let set = self.fetch(jwks_url).await?;
                let now = Instant::now();
                self.kept.lock().await.insert(
                    jwks_url.to_owned(),
                    Kept {
                        set: set.clone(),
                        fetched_at: now,
                        refetched_for_unknown_key_at: unknown_key.then_some(now),
                    },
                );
                set.find(kid).cloned().ok_or_else(|| {
                    refused(
                        LaunchProblem::TokenRefused,
                        format!("the platform's keys at {jwks_url} have no key {kid}"),
                    )
                })?
            }
        };
        DecodingKey::from_jwk(&jwk).map_err(|e| {
            refused(
                LaunchProblem::TokenRefused,
                format!("the platform's key {kid} cannot be used: {e}"),
            )
        })
    }
}
