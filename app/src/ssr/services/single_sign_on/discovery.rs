//! Each provider's discovery document and signing keys, fetched over HTTP and kept for an hour, so a sign-in
//! costs one request to the provider (the token exchange) rather than three. Keys are fetched again at once
//! when a token names a key the kept set lacks: that is how a provider's key rotation shows itself.

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{AdditionalProviderMetadata, IssuerUrl, ProviderMetadata};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use super::{SingleSignOnError, SingleSignOnProblem, refused};

/// What the academy reads from a discovery document beyond the crate's core fields.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct MixUpDefence {
    /// The provider names itself (`iss`) in every authorization answer (RFC 9207): an answer without it is
    /// then refused, not just one naming another issuer.
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for MixUpDefence {}

/// A provider's discovery document, as the academy reads it.
pub type ProviderDocument = ProviderMetadata<
    MixUpDefence,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// How long a provider's discovery document and keys are kept before being fetched again.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);
/// The most a call to a provider may take; a person is waiting on it.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client for providers and the documents fetched through it. One per server process.
#[derive(Debug)]
pub struct ProviderDirectory {
    http: reqwest::Client,
    kept: Mutex<HashMap<String, (ProviderDocument, Instant)>>,
}

impl ProviderDirectory {
    /// A directory with an HTTP client that never follows redirects: a provider's endpoints are fixed by its
    /// discovery document, and following a redirect would let a provider point the server anywhere.
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent("InformaticsAcademy/1 (OpenID Connect client)")
            .build()?;
        Ok(Self {
            http,
            kept: Mutex::new(HashMap::new()),
        })
    }

    /// The client the flow uses for the token and user info endpoints.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The issuer's discovery document with its keys: the kept copy, unless it is older than an hour or
    /// `refresh` asks for a new one. The crate checks that the document names the issuer it was fetched for.
    pub async fn metadata(
        &self,
        issuer: &str,
        refresh: bool,
    ) -> Result<ProviderDocument, SingleSignOnError> {
        if !refresh
            && let Some((metadata, at)) = self.kept.lock().await.get(issuer)
            && at.elapsed() < KEEP_FOR
        {
            return Ok(metadata.clone());
        }
        let url = IssuerUrl::new(issuer.to_owned()).map_err(|e| {
            refused(
                SingleSignOnProblem::ProviderUnreachable,
                format!("the registered issuer {issuer} is not a URL: {e}"),
            )
        })?;
        let metadata = ProviderDocument::discover_async(url, &self.http)
            .await
            .map_err(|e| {
                refused(
                    SingleSignOnProblem::ProviderUnreachable,
                    format!("discovery for {issuer} failed: {}", describe(&e)),
                )
            })?;
        self.kept
            .lock()
            .await
            .insert(issuer.to_owned(), (metadata.clone(), Instant::now()));
        Ok(metadata)
    }
}

/// An error with its chain of causes, for the log.
pub(super) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
