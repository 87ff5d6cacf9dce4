//! Calling a VLE's LTI Advantage services as the tool (grades, rosters): an HTTP client that follows no
//! redirects and gives up after a timeout, access tokens asked for with a client assertion signed by the tool
//! key (1EdTech Security Framework, OAuth 2 client credentials) and kept per platform and scope until they
//! nearly lapse, answers read up to a cap, and the rule for which addresses a VLE may point the server at.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, Header};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

use super::tool_keys::ToolKey;
use crate::ssr::entities::lti_platform;

/// How long one request to a VLE may take.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The most of a VLE's answer kept in an error message.
const ERROR_TEXT: usize = 300;

/// A platform's access token, kept until shortly before it lapses.
#[derive(Debug, Clone)]
struct AccessToken {
    token: String,
    expires: DateTime<Utc>,
}

/// The tool's way into VLEs' services, one per use (the grade sender, the roster sync), shared by its tasks.
#[derive(Debug)]
pub struct ServiceAccess {
    client: reqwest::Client,
    /// By platform and the scopes asked for.
    tokens: Mutex<HashMap<(i32, String), AccessToken>>,
    /// Whether service addresses must be public https ones (a site served over https).
    public_only: bool,
}

/// Whether an IP address is inside a private network: loopback, private, link-local, carrier-grade NAT,
/// unspecified or broadcast, unique-local IPv6, or an IPv4 one of those mapped into IPv6.
fn inside_private_network(ip: std::net::IpAddr) -> bool {
    fn v4_inside(ip: std::net::Ipv4Addr) -> bool {
        ip.is_loopback()
            || ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
    }
    match ip {
        std::net::IpAddr::V4(v4) => v4_inside(v4),
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(v4_inside)
        }
    }
}

/// Whether an address a VLE gave (a gradebook, a roster, a next page) may be called. On a site served over
/// https it must be https and name no address inside a private network (nor `localhost`), so a registered
/// VLE cannot make the server call services inside its own network. A name is checked again when it is
/// resolved ([`PublicOnly`]), so one that resolves inside is refused too.
pub fn vle_address_allowed(address: &url::Url, public_only: bool) -> Result<(), String> {
    if !public_only {
        return Ok(());
    }
    if address.scheme() != "https" {
        return Err(format!("{address} is not https"));
    }
    let inside = match address.host() {
        Some(url::Host::Ipv4(ip)) => inside_private_network(ip.into()),
        Some(url::Host::Ipv6(ip)) => inside_private_network(ip.into()),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => true,
    };
    if inside {
        return Err(format!("{address} is inside a private network"));
    }
    Ok(())
}

/// Resolves a VLE's host names for a site served over https, keeping only public addresses: a name that
/// resolves only inside a private network (by mistake, or to reach the server's own network) is refused at
/// every connection, however it resolved before.
#[derive(Debug, Clone, Copy)]
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| !inside_private_network(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves only inside a private network").into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addresses)
        })
    }
}

/// A VLE's answer, read up to `cap` bytes; a longer one is refused, never held.
pub async fn capped_text(mut answer: reqwest::Response, cap: usize) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|e| format!("reading the VLE's answer: {e}"))?
    {
        if body.len() + chunk.len() > cap {
            return Err(format!("the VLE's answer is longer than {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A VLE's status and the start of its answer, for an error message.
pub fn answer_text(status: reqwest::StatusCode, body: &str) -> String {
    format!(
        "answered {status}: {}",
        body.chars().take(ERROR_TEXT).collect::<String>()
    )
}

/// The most of a token endpoint's answer read.
const TOKEN_ANSWER_CAP: usize = 64 * 1024;

impl ServiceAccess {
    /// `public_only`: the site is served over https, so service addresses must be public https ones
    /// ([`vle_address_allowed`]).
    pub fn new(public_only: bool) -> Result<Self, reqwest::Error> {
        let mut client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT);
        if public_only {
            client = client.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        Ok(ServiceAccess {
            client: client.build()?,
            tokens: Mutex::new(HashMap::new()),
            public_only,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Whether the address a VLE gave may be called from this site.
    pub fn allowed(&self, address: &url::Url) -> Result<(), String> {
        vle_address_allowed(address, self.public_only)
    }

    fn kept_token(&self, platform_id: i32, scope: &str) -> Option<String> {
        let tokens = self.tokens.lock().ok()?;
        tokens
            .get(&(platform_id, scope.to_owned()))
            .filter(|t| t.expires > Utc::now() + Duration::seconds(30))
            .map(|t| t.token.clone())
    }

    /// Forgets a platform's tokens (it answered 401: revoked, or its keys changed).
    pub fn forget_tokens(&self, platform_id: i32) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.retain(|(platform, _), _| *platform != platform_id);
        }
    }

    /// The platform's access token for `scope` (space-separated, only scopes the platform granted: Canvas
    /// refuses a request naming one its developer key lacks): kept, or asked for with a client assertion.
    /// The error says why, for the log or the person who asked.
    pub async fn token(
        &self,
        platform: &lti_platform::Model,
        tool_key: &ToolKey,
        scope: &str,
    ) -> Result<String, String> {
        if let Some(token) = self.kept_token(platform.id, scope) {
            return Ok(token);
        }
        let now = Utc::now().timestamp();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(tool_key.kid.clone());
        let assertion = jsonwebtoken::encode(
            &header,
            &serde_json::json!({
                "iss": platform.client_id,
                "sub": platform.client_id,
                "aud": platform.token_url,
                "iat": now,
                "exp": now + 300,
                "jti": crate::ssr::secrets::random(),
            }),
            &tool_key.encoding_key,
        )
        .map_err(|e| format!("could not sign the token request: {e}"))?;
        let answer = self
            .client
            .post(&platform.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
                ("scope", scope),
            ])
            .send()
            .await
            .map_err(|e| {
                format!(
                    "the token endpoint {} could not be reached: {e}",
                    platform.token_url
                )
            })?;
        let status = answer.status();
        let body = capped_text(answer, TOKEN_ANSWER_CAP).await?;
        if !status.is_success() {
            return Err(format!("the token endpoint {}", answer_text(status, &body)));
        }
        #[derive(Deserialize)]
        struct TokenAnswer {
            access_token: String,
            expires_in: Option<i64>,
        }
        let parsed: TokenAnswer = serde_json::from_str(&body)
            .map_err(|e| format!("the token endpoint's answer is not an access token: {e}"))?;
        let expires = Utc::now() + Duration::seconds(parsed.expires_in.unwrap_or(3600).max(0));
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(
                (platform.id, scope.to_owned()),
                AccessToken {
                    token: parsed.access_token.clone(),
                    expires,
                },
            );
        }
        Ok(parsed.access_token)
    }
}

#[cfg(test)]
mod tests {
    use super::vle_address_allowed;

    #[test]
    fn on_an_https_site_only_public_https_vle_addresses_are_called() {
        let allowed = |a: &str, public_only| {
            vle_address_allowed(&url::Url::parse(a).expect("a URL"), public_only).is_ok()
        };
        assert!(allowed("https://vle.example.ac.uk/lineitems/3", true));
        for inside in [
            "http://vle.example.ac.uk/lineitems/3",
            "https://127.0.0.1/lineitems",
            "https://10.1.2.3/lineitems",
            "https://192.168.0.9/lineitems",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://[::1]/lineitems",
            "https://[fd00::1]/lineitems",
            "https://[::ffff:127.0.0.1]/lineitems",
            "https://[::ffff:169.254.169.254]/latest",
            "https://localhost/lineitems",
            "https://admin.localhost/lineitems",
        ] {
            assert!(!allowed(inside, true), "{inside}");
        }
        // A development site over http (and the tests) calls anywhere.
        assert!(allowed("http://127.0.0.1:8080/lineitems", false));
    }

    #[tokio::test]
    async fn a_name_resolving_inside_a_private_network_is_refused() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("a name");
        let refused = super::PublicOnly
            .resolve(name)
            .await
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            refused.as_deref(),
            Some("localhost resolves only inside a private network")
        );
    }
}
