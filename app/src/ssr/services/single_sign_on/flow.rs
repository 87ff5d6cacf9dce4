//! The sign-in itself: `begin` sends the browser to the provider with a fresh state, nonce and PKCE challenge
//! (kept in the person's session, so any server sharing the database can finish it); `finish` takes the
//! provider's answer, exchanges the code, checks the ID token and finds the account.

use chrono::Utc;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenClaims,
    IdTokenFields, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse, UserInfoClaims,
};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::discovery::{ProviderDirectory, describe};
use super::linking::{self, Person};
use super::{SingleSignOnError, SingleSignOnProblem, providers, refused};
use crate::model::accounts::safe_next;
use crate::ssr::entities::{account, identity_provider};

/// The session key holding the sign-ins this browser has started and not finished.
pub const PENDING_KEY: &str = "sso_pending";
/// How long a person may take at their provider before the attempt lapses.
const ATTEMPT_SECONDS: i64 = 10 * 60;
/// Sign-ins kept per browser at once (a few tabs); the oldest goes first.
const MAX_PENDING: usize = 4;
/// Clock difference tolerated between the academy and a provider, for a token's expiry and issue time.
const LEEWAY_SECONDS: i64 = 120;
/// A token issued longer ago than this is refused: it was minted for the code just exchanged, not replayed.
const MAX_TOKEN_AGE_SECONDS: i64 = 10 * 60;

/// Claims the crate does not name (a group claim for the course-lead mapping), kept as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OrganisationClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<IdFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in started in this browser: the secrets its callback must match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    provider: String,
    state: String,
    nonce: String,
    pkce_verifier: String,
    /// Where to go once signed in: a path on this site.
    next: String,
    started_at: i64,
}

/// What the provider sent back to the callback address.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProviderAnswer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The issuer that answered (RFC 9207), checked against the provider's, against mix-up attacks.
    pub iss: Option<String>,
}

/// The address the provider returns the browser to; registered with the provider exactly as written here.
pub fn callback_url(public_url: &url::Url, slug: &str) -> Result<url::Url, url::ParseError> {
    public_url.join(&format!("/sign-in/sso/{slug}/callback"))
}

fn client_for(
    provider: &identity_provider::Model,
    metadata: super::discovery::ProviderDocument,
    public_url: &url::Url,
) -> Result<OrganisationClient, SingleSignOnError> {
    // Basic authentication is the default; a provider that lists only `client_secret_post` gets the secret
    // in the request body instead.
    let post_only = metadata
        .token_endpoint_auth_methods_supported()
        .is_some_and(|methods| {
            methods.contains(&CoreClientAuthMethod::ClientSecretPost)
                && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
        });
    let redirect = callback_url(public_url, &provider.slug)
        .map_err(|e| crate::ssr::error::internal("the sign-in callback address", e))?;
    let client = OrganisationClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::from_url(redirect));
    Ok(if post_only {
        client.set_auth_type(AuthType::RequestBody)
    } else {
        client
    })
}

/// Starts a sign-in with the provider `slug`: the address to send the browser to, and the browser's pending
/// sign-ins with this one added (lapsed ones dropped), for its session.
pub async fn begin(
    db: &DatabaseConnection,
    directory: &ProviderDirectory,
    public_url: &url::Url,
    slug: &str,
    next: Option<&str>,
    pending: &mut Vec<PendingSignIn>,
) -> Result<url::Url, SingleSignOnError> {
    let provider = providers::enabled(db, slug).await?;
    let metadata = directory.metadata(&provider.issuer, false).await?;
    let client = client_for(&provider, metadata, public_url)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let now = Utc::now().timestamp();
    pending.retain(|p| now - p.started_at < ATTEMPT_SECONDS);
    while pending.len() >= MAX_PENDING {
        pending.remove(0);
    }
    pending.push(PendingSignIn {
        provider: provider.slug,
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: safe_next(next),
        started_at: now,
    });
    Ok(url)
}

/// Takes the pending sign-in the answer's `state` belongs to out of the list: each is used once.
fn take_pending(
    pending: &mut Vec<PendingSignIn>,
    slug: &str,
    state: Option<&str>,
) -> Result<PendingSignIn, SingleSignOnError> {
    let now = Utc::now().timestamp();
    pending.retain(|p| now - p.started_at < ATTEMPT_SECONDS);
    let position = state.and_then(|state| {
        pending
            .iter()
            .position(|p| p.provider == slug && crate::ssr::secrets::same(&p.state, state))
    });
    match position {
        Some(at) => Ok(pending.remove(at)),
        None => Err(refused(
            SingleSignOnProblem::AttemptUnknown,
            format!(
                "a callback for {slug} matched no sign-in started in this browser (lapsed, used or forged)"
            ),
        )),
    }
}

/// Finishes a sign-in from the provider's answer: the account signed in and where to send them. The
/// pending sign-in the answer belongs to is removed from `pending` whatever the outcome.
pub async fn finish(
    db: &DatabaseConnection,
    directory: &ProviderDirectory,
    public_url: &url::Url,
    slug: &str,
    answer: &ProviderAnswer,
    pending: &mut Vec<PendingSignIn>,
) -> Result<(account::Model, String), SingleSignOnError> {
    let provider = providers::enabled(db, slug).await?;
    let attempt = take_pending(pending, slug, answer.state.as_deref())?;
    if let Some(error) = &answer.error {
        return Err(refused(
            SingleSignOnProblem::Cancelled,
            format!(
                "{slug} answered {error}: {}",
                answer
                    .error_description
                    .as_deref()
                    .unwrap_or("no description")
            ),
        ));
    }
    let metadata = directory.metadata(&provider.issuer, false).await?;
    let names_itself = metadata
        .additional_metadata()
        .authorization_response_iss_parameter_supported
        == Some(true);
    if answer.iss.is_none() && names_itself {
        return Err(refused(
            SingleSignOnProblem::TokenRefused,
            format!("{slug} says it names itself in every answer, and this one does not"),
        ));
    }
    if let Some(iss) = &answer.iss
        && iss != &provider.issuer
    {
        return Err(refused(
            SingleSignOnProblem::TokenRefused,
            format!(
                "the answer for {slug} came from issuer {iss}, not {}",
                provider.issuer
            ),
        ));
    }
    let Some(code) = answer.code.clone() else {
        return Err(refused(
            SingleSignOnProblem::TokenRefused,
            format!("{slug} answered without a code"),
        ));
    };
    let person =
        exchange_and_check(directory, public_url, &provider, &attempt, metadata, code).await?;
    let account = linking::account_for(db, &provider, &person).await?;
    Ok((account, attempt.next))
}

/// Exchanges the code and checks the ID token: who signed in, by the provider's word.
async fn exchange_and_check(
    directory: &ProviderDirectory,
    public_url: &url::Url,
    provider: &identity_provider::Model,
    attempt: &PendingSignIn,
    metadata: super::discovery::ProviderDocument,
    code: String,
) -> Result<Person, SingleSignOnError> {
    let slug = &provider.slug;
    let client = client_for(provider, metadata, public_url)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| {
            refused(
                SingleSignOnProblem::ProviderUnreachable,
                format!("{slug} publishes no token endpoint: {e}"),
            )
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
        .request_async(directory.http())
        .await
        .map_err(|e| {
            let problem = match &e {
                openidconnect::RequestTokenError::ServerResponse(_) => {
                    SingleSignOnProblem::TokenRefused
                }
                _ => SingleSignOnProblem::ProviderUnreachable,
            };
            refused(
                problem,
                format!("the code exchange with {slug} failed: {}", describe(&e)),
            )
        })?;
    let Some(id_token) = token.id_token() else {
        return Err(refused(
            SingleSignOnProblem::TokenRefused,
            format!("{slug} returned no ID token"),
        ));
    };
    let nonce = Nonce::new(attempt.nonce.clone());
    let checked = {
        let verifier = verifier_for(&client);
        id_token.claims(&verifier, &nonce).cloned()
    };
    // A key the kept set lacks: the provider has rotated its keys. Fetch them again, once.
    let (client, claims) = match checked {
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey,
        )) => {
            let metadata = directory.metadata(&provider.issuer, true).await?;
            let client = client_for(provider, metadata, public_url)?;
            let claims = id_token.claims(&verifier_for(&client), &nonce).cloned();
            (client, claims)
        }
        other => (client, other),
    };
    let claims = claims.map_err(|e| {
        refused(
            SingleSignOnProblem::TokenRefused,
            format!("the ID token from {slug} failed a check: {}", describe(&e)),
        )
    })?;
    check_authorized_party(&claims, &provider.client_id, slug)?;
    let verifier = verifier_for(&client);
    if let Some(expected) = claims.access_token_hash() {
        let actual = id_token
            .signing_alg()
            .and_then(|alg| Ok((alg, id_token.signing_key(&verifier)?)))
            .map_err(|e| e.to_string())
            .and_then(|(alg, key)| {
                AccessTokenHash::from_token(token.access_token(), alg, key)
                    .map_err(|e| e.to_string())
            });
        if actual.as_ref().ok() != Some(expected) {
            return Err(refused(
                SingleSignOnProblem::TokenRefused,
                format!("the access token from {slug} does not match the ID token's at_hash"),
            ));
        }
    }
    let mut person = Person {
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        lead: lead_claim(provider, &claims.additional_claims().rest),
    };
    // Providers that keep the ID token small (as the specification suggests for the code flow) release the
    // address, or the lead claim, at the user info endpoint instead; its answer must be about the same subject.
    let lead_missing = provider.lead_claim.is_some() && person.lead.is_none();
    if (person.email.is_none() || lead_missing) && client.user_info_url().is_some() {
        let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = client
            .user_info(token.access_token().clone(), Some(claims.subject().clone()))
            .map_err(|e| {
                refused(
                    SingleSignOnProblem::ProviderUnreachable,
                    format!("{slug} user info: {e}"),
                )
            })?
            .request_async(directory.http())
            .await
            .map_err(|e| {
                refused(
                    SingleSignOnProblem::TokenRefused,
                    format!("the user info from {slug} failed: {}", describe(&e)),
                )
            })?;
        if person.email.is_none() {
            person.email = info.email().map(|e| e.to_string());
            person.email_verified = info.email_verified().unwrap_or(false);
        }
        if person.name.is_none() {
            person.name = info.name().and_then(|n| n.get(None)).map(|n| n.to_string());
        }
        if person.lead.is_none() {
            person.lead = lead_claim(provider, &info.additional_claims().rest);
        }
    }
    // An organisation that controls its domains vouches for its addresses there (Entra ID sends no
    // `email_verified`); an address elsewhere is refused later anyway.
    if provider.trusts_domain_addresses
        && person
            .email
            .as_deref()
            .is_some_and(|email| providers::speaks_for(provider, email))
    {
        person.email_verified = true;
    }
    Ok(person)
}

/// The crate's checks (signature by a published key, issuer, audience, expiry, nonce), with a leeway for
/// clock differences and a bound on the issue time, which the crate leaves open.
fn verifier_for(client: &OrganisationClient) -> openidconnect::IdTokenVerifier<'_, CoreJsonWebKey> {
    client
        .id_token_verifier()
        // Signed with a published key only: a token "signed" with the client secret (HMAC) could be made by
        // anyone who holds that secret, and `at_hash` could not be checked against it.
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha384,
            CoreJwsSigningAlgorithm::RsaSsaPssSha512,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::EcdsaP384Sha384,
            CoreJwsSigningAlgorithm::EdDsa,
        ])
        .set_time_fn(|| Utc::now() - chrono::Duration::seconds(LEEWAY_SECONDS))
        .set_issue_time_verifier_fn(|issued| {
            let age = (Utc::now() - issued).num_seconds();
            if age < -LEEWAY_SECONDS {
                Err(format!("issued in the future ({issued})"))
            } else if age > MAX_TOKEN_AGE_SECONDS + LEEWAY_SECONDS {
                Err(format!("issued too long ago ({issued})"))
            } else {
                Ok(())
            }
        })
}

/// OpenID Connect Core 3.1.3.7 steps 4 and 5, which the crate leaves out: a token for several audiences must
/// name this client as its authorized party, and an authorized party named must be this client.
fn check_authorized_party(
    claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>,
    client_id: &str,
    slug: &str,
) -> Result<(), SingleSignOnError> {
    let azp = claims.authorized_party().map(|party| party.as_str());
    let fine = match azp {
        Some(party) => party == client_id,
        None => claims.audiences().len() == 1,
    };
    if fine {
        Ok(())
    } else {
        Err(refused(
            SingleSignOnProblem::TokenRefused,
            format!(
                "the ID token from {slug} is for {} audiences with authorized party {azp:?}, not {client_id}",
                claims.audiences().len()
            ),
        ))
    }
}

/// Whether the provider's course-lead claim holds in `claims`: a string equal to the value, or a list
/// holding it. `None` when the provider maps no claim, or the claim is missing (Entra ID leaves out `groups`
/// for someone in more than 200 groups): nothing is changed on an unknown.
fn lead_claim(
    provider: &identity_provider::Model,
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Option<bool> {
    let (name, wanted) = (
        provider.lead_claim.as_ref()?,
        provider.lead_claim_value.as_ref()?,
    );
    let holds = match claims.get(name) {
        Some(serde_json::Value::String(value)) => value == wanted,
        Some(serde_json::Value::Array(values)) => values.iter().any(|v| v.as_str() == Some(wanted)),
        Some(serde_json::Value::Bool(value)) => wanted == if *value { "true" } else { "false" },
        Some(_) => false,
        None => return None,
    };
    Some(holds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(slug: &str, state: &str, age: i64) -> PendingSignIn {
        PendingSignIn {
            provider: slug.into(),
            state: state.into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            next: "/dashboard".into(),
            started_at: Utc::now().timestamp() - age,
        }
    }

    #[test]
    fn a_pending_sign_in_is_used_once_and_only_for_its_own_provider_and_state() {
        let mut list = vec![pending("north", "s1", 0), pending("south", "s2", 0)];
        assert!(take_pending(&mut list, "north", Some("s2")).is_err());
        assert!(take_pending(&mut list, "north", None).is_err());
        assert!(take_pending(&mut list, "north", Some("s1")).is_ok());
        assert!(
            take_pending(&mut list, "north", Some("s1")).is_err(),
            "replayed"
        );
        assert_eq!(list.len(), 1);
    }

    fn claims_for(
        audiences: &[&str],
        azp: Option<&str>,
    ) -> IdTokenClaims<OtherClaims, CoreGenderClaim> {
        IdTokenClaims::new(
            openidconnect::IssuerUrl::new("https://login.example".into()).expect("a URL"),
            audiences
                .iter()
                .map(|a| openidconnect::Audience::new((*a).to_owned()))
                .collect(),
            Utc::now(),
            Utc::now(),
            openidconnect::StandardClaims::new(openidconnect::SubjectIdentifier::new("s".into())),
            OtherClaims::default(),
        )
        .set_authorized_party(azp.map(|p| ClientId::new(p.to_owned())))
    }

    #[test]
    fn a_token_for_several_audiences_must_name_the_academy_as_its_authorized_party() {
        assert!(check_authorized_party(&claims_for(&["academy"], None), "academy", "n").is_ok());
        assert!(
            check_authorized_party(&claims_for(&["academy", "other"], None), "academy", "n")
                .is_err()
        );
        assert!(
            check_authorized_party(
                &claims_for(&["academy", "other"], Some("academy")),
                "academy",
                "n"
            )
            .is_ok()
        );
        assert!(
            check_authorized_party(&claims_for(&["academy"], Some("other")), "academy", "n")
                .is_err()
        );
    }

    #[test]
    fn a_lapsed_sign_in_is_refused() {
        let mut list = vec![pending("north", "s1", ATTEMPT_SECONDS + 1)];
        assert!(take_pending(&mut list, "north", Some("s1")).is_err());
        assert!(list.is_empty());
    }

    #[test]
    fn the_lead_claim_matches_a_value_or_a_member_of_a_list() {
        let mut provider = identity_provider::Model {
            id: 1,
            slug: "north".into(),
            display_name: "North".into(),
            issuer: "https://login.example".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            email_domains: "north.nhs.uk".into(),
            lead_claim: Some("groups".into()),
            lead_claim_value: Some("academy-leads".into()),
            trusts_domain_addresses: false,
            passwords_off: false,
            enabled: true,
            created_at: Utc::now(),
        };
        let claims = |value: serde_json::Value| {
            serde_json::json!({ "groups": value })
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        let list = claims(serde_json::json!(["staff", "academy-leads"]));
        assert_eq!(lead_claim(&provider, &list), Some(true));
        assert_eq!(
            lead_claim(&provider, &claims(serde_json::json!("academy-leads"))),
            Some(true)
        );
        assert_eq!(
            lead_claim(&provider, &claims(serde_json::json!(["staff"]))),
            Some(false)
        );
        assert_eq!(
            lead_claim(&provider, &serde_json::Map::new()),
            None,
            "missing is unknown"
        );
        provider.lead_claim = None;
        assert_eq!(lead_claim(&provider, &list), None);
    }
}
