//! The launch (LTI 1.3 core, section 5.1.2): the platform posts an ID token back; every check the
//! specification and the 1EdTech Security Framework require is made here before anyone is signed in.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, Validation};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Deserialize;

use super::deep_linking::{self, DeepLinkingSettings, Picker};
use super::grades::{self, GradeEndpoint};
use super::linked_accounts::{self, PersonNames};
use super::login::{LOGIN_LIFETIME_SECONDS, on_this_site, state_hash};
use super::platform_keys::PlatformKeys;
use super::rosters::{self, CourseLaunch};
use super::{LaunchError, LaunchProblem, platforms, refused};
use crate::error::AppError;
use crate::ssr::entities::{account, lti_account, lti_login, lti_platform};
use crate::ssr::services::audit;

/// Clock difference tolerated with a platform, for expiry and issue time.
const LEEWAY_SECONDS: i64 = 120;

/// What the platform posts to the launch address.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LaunchForm {
    pub id_token: Option<String>,
    pub state: Option<String>,
    /// Sent instead of an ID token when the platform could not authenticate the person.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The VLE's frame that keeps data for the tool (LTI client-side platform storage), where it offers one.
    pub lti_storage_target: Option<String>,
}

/// What shows that a launch comes back to the browser its login initiation started in.
#[derive(Debug, Clone, Copy)]
pub enum StateProof<'a> {
    /// The state cookie the login initiation set, if the browser sent it back.
    Cookie(Option<&'a str>),
    /// The VLE's own page gave this browser's page the state it kept at the login initiation (checked by
    /// the page before it posted the launch from this site).
    PlatformStorage,
}

/// The resource link claim: the VLE's activity that launched.
#[derive(Debug, Clone, Deserialize)]
struct ResourceLink {
    id: String,
    title: Option<String>,
}

/// The launch's claims, as the specification names them.
#[derive(Debug, Clone, Deserialize)]
struct LaunchClaims {
    sub: String,
    aud: serde_json::Value,
    azp: Option<String>,
    iat: i64,
    nonce: String,
    name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type")]
    message_type: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version")]
    version: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id")]
    deployment_id: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri")]
    target_link_uri: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/resource_link")]
    resource_link: Option<ResourceLink>,
    /// Required by LTI core (it may be empty); a launch without it is malformed.
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/roles")]
    roles: Vec<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")]
    deep_linking_settings: Option<DeepLinkingSettings>,
    /// Assignment and Grade Services: where the activity's scores go.
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint")]
    grade_endpoint: Option<GradeEndpoint>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation")]
    launch_presentation: Option<LaunchPresentation>,
    /// The course launched from. Read leniently (a malformed one is ignored): the launch does not depend on it.
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/context")]
    context: Option<serde_json::Value>,
    /// Names and Role Provisioning: where the course's roster is read (read leniently too).
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice")]
    names_role_service: Option<serde_json::Value>,
}

/// Where the launch is shown: its `return_url` is a page of the VLE, whose origin frames the launch.
#[derive(Debug, Clone, Deserialize)]
struct LaunchPresentation {
    return_url: Option<String>,
}

/// A checked launch: who is signed in, and the page on this site the activity links to.
#[derive(Debug)]
pub struct Launched {
    pub account: account::Model,
    /// A path on this site.
    pub target: String,
    /// The VLE activity's title, for the page that continues in a new window.
    pub title: Option<String>,
    /// The sites allowed to frame the launch's answer: the platform's issuer origin, and the origin of the
    /// VLE page the launch says it returns to (Canvas and Blackboard serve courses from other hosts than
    /// their issuer).
    pub frame_origins: Vec<String>,
}

/// What a checked launch asks for.
#[derive(Debug)]
pub enum LaunchOutcome {
    /// A resource link launch: the person, signed in, opens the linked page.
    ResourceLink(Launched),
    /// A Deep Linking request from a course's teacher: the picker of content to place in the course.
    DeepLinking(Picker),
}

/// Checks a launch and signs in the person it is for, or keeps a Deep Linking request while its teacher picks.
/// `proof` shows the launch comes back to the browser the login initiation started in: a launch without it
/// did not start here.
pub async fn launch(
    db: &DatabaseConnection,
    keys: &PlatformKeys,
    public_url: &url::Url,
    form: &LaunchForm,
    proof: StateProof<'_>,
) -> Result<LaunchOutcome, LaunchError> {
    let unknown = |why: &str| refused(LaunchProblem::AttemptUnknown, why.to_owned());
    let state = form.state.as_deref().ok_or_else(|| unknown("no state"))?;
    match proof {
        StateProof::Cookie(Some(cookie)) if crate::ssr::secrets::same(cookie, state) => {}
        StateProof::Cookie(Some(_)) => {
            return Err(unknown("the state does not match this browser's"));
        }
        StateProof::Cookie(None) => {
            return Err(unknown(
                "no state cookie came with the launch (blocked, or another browser)",
            ));
        }
        StateProof::PlatformStorage => {}
    }
    // Used once: whoever deletes the row has the launch; a replay finds nothing.
    let login = lti_login::Entity::find()
        .filter(lti_login::Column::StateHash.eq(state_hash(state)))
        .one(db)
        .await?
        .ok_or_else(|| unknown("no login initiation has this state (lapsed or used)"))?;
    let deleted = lti_login::Entity::delete_by_id(login.id).exec(db).await?;
    if deleted.rows_affected != 1 {
        return Err(unknown("another request used this state first"));
    }
    if Utc::now() - login.created_at > Duration::seconds(LOGIN_LIFETIME_SECONDS) {
        return Err(unknown("the login initiation lapsed"));
    }
    let platform = lti_platform::Entity::find_by_id(login.platform_id)
        .filter(lti_platform::Column::Enabled.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| {
            refused(
                LaunchProblem::UnknownPlatform,
                "the platform was turned off during the launch",
            )
        })?;
    if let Some(error) = &form.error {
        return Err(refused(
            LaunchProblem::TokenRefused,
            format!(
                "{} answered {error}: {}",
                platform.issuer,
                form.error_description
                    .as_deref()
                    .unwrap_or("no description")
            ),
        ));
    }
    let token = form
        .id_token
        .as_deref()
        .ok_or_else(|| refused(LaunchProblem::TokenRefused, "no id_token"))?;
    let claims = verified_claims(keys, &platform, &login, token).await?;
    let bad = |why: String| refused(LaunchProblem::TokenRefused, why);
    if claims.version != "1.3.0" {
        return Err(bad(format!("LTI version {:?}, not 1.3.0", claims.version)));
    }
    if !platforms::allows_deployment(&platform, &claims.deployment_id) {
        return Err(refused(
            LaunchProblem::UnknownDeployment,
            format!(
                "deployment {:?} of {}",
                claims.deployment_id, platform.issuer
            ),
        ));
    }
    if claims.target_link_uri != login.target_link_uri
        || !on_this_site(public_url, &claims.target_link_uri)
    {
        return Err(bad(format!(
            "target_link_uri {} differs from the login initiation's {}",
            claims.target_link_uri, login.target_link_uri
        )));
    }
    let frame_origins = frame_origins(&platform, &claims);
    match claims.message_type.as_str() {
        "LtiResourceLinkRequest" => {}
        "LtiDeepLinkingRequest" => {
            let picker = deep_linking::start(
                db,
                &platform,
                claims.deep_linking_settings,
                &CourseLaunch {
                    deployment_id: &claims.deployment_id,
                    context: rosters::Context::read(claims.context.as_ref()).as_ref(),
                    roster: rosters::NamesRoleService::read(claims.names_role_service.as_ref())
                        .as_ref(),
                    roles: &claims.roles,
                    module_slug: None,
                },
                frame_origins,
            )
            .await?;
            return Ok(LaunchOutcome::DeepLinking(picker));
        }
        other => {
            return Err(refused(
                LaunchProblem::UnsupportedMessage,
                format!("message type {other:?}"),
            ));
        }
    }
    let Some(link) = claims.resource_link.clone().filter(|l| !l.id.is_empty()) else {
        return Err(bad(
            "a resource link launch with no resource_link.id".to_owned()
        ));
    };
    let target = url::Url::parse(&claims.target_link_uri)
        .map(|u| {
            let mut path = u.path().to_owned();
            if let Some(query) = u.query() {
                path.push('?');
                path.push_str(query);
            }
            path
        })
        .map_err(|e| bad(format!("target_link_uri: {e}")))?;
    let account = account_for(db, &platform, &claims, &link.id, &target).await?;
    tracing::info!(account = account.id, platform = %platform.issuer, resource_link = %link.id, "LTI launch");
    Ok(LaunchOutcome::ResourceLink(Launched {
        account,
        target,
        title: link.title,
        frame_origins,
    }))
}

/// The origin of the platform's authorization endpoint for a waiting login initiation: where the launch's
/// page asks the VLE's page for the state it kept (platform storage). `None` when no login waits with this
/// state (lapsed, used, or forged).
pub async fn storage_origin(
    db: &DatabaseConnection,
    state: &str,
) -> Result<Option<String>, AppError> {
    let Some(login) = lti_login::Entity::find()
        .filter(lti_login::Column::StateHash.eq(state_hash(state)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if Utc::now() - login.created_at > Duration::seconds(LOGIN_LIFETIME_SECONDS) {
        return Ok(None);
    }
    Ok(lti_platform::Entity::find_by_id(login.platform_id)
        .filter(lti_platform::Column::Enabled.eq(true))
        .one(db)
        .await?
        .and_then(|platform| url::Url::parse(&platform.auth_login_url).ok())
        .map(|auth| auth.origin().ascii_serialization()))
}

/// The sites allowed to frame a launch's answer: the platform's issuer origin, and the origin of the VLE page
/// the launch says it returns to.
fn frame_origins(platform: &lti_platform::Model, claims: &LaunchClaims) -> Vec<String> {
    let mut frame_origins: Vec<String> = [
        Some(platform.issuer.as_str()),
        claims
            .launch_presentation
            .as_ref()
            .and_then(|p| p.return_url.as_deref()),
    ]
    .into_iter()
    .flatten()
    .filter_map(|address| url::Url::parse(address).ok())
    .filter(|u| matches!(u.scheme(), "https" | "http"))
    .map(|u| u.origin().ascii_serialization())
    .filter(|origin| origin != "null")
    .collect();
    frame_origins.dedup();
    frame_origins
}

/// The ID token's signature (by the platform's key named in its header), issuer, audience, expiry and
/// required claims (by `jsonwebtoken`), then what that crate leaves: authorized party, issue time, nonce.
async fn verified_claims(
    keys: &PlatformKeys,
    platform: &lti_platform::Model,
    login: &lti_login::Model,
    token: &str,
) -> Result<LaunchClaims, LaunchError> {
    let bad = |why: String| refused(LaunchProblem::TokenRefused, why);
    let header = jsonwebtoken::decode_header(token).map_err(|e| bad(format!("not a JWT: {e}")))?;
    if header.alg != Algorithm::RS256 {
        return Err(bad(format!("signed with {:?}, not RS256", header.alg)));
    }
    let kid = header
        .kid
        .ok_or_else(|| bad("the ID token names no key (kid)".to_owned()))?;
    let key = keys.key(&platform.jwks_url, &kid).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&platform.issuer]);
    validation.set_audience(&[&platform.client_id]);
    validation.leeway = LEEWAY_SECONDS.unsigned_abs();
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<LaunchClaims>(token, &key, &validation)
        .map_err(|e| {
            bad(format!(
                "the ID token from {} failed a check: {e}",
                platform.issuer
            ))
        })?
        .claims;
    let audiences: Vec<&str> = match &claims.aud {
        serde_json::Value::String(one) => vec![one.as_str()],
        serde_json::Value::Array(many) => many.iter().filter_map(|a| a.as_str()).collect(),
        _ => Vec::new(),
    };
    let party_ok = match &claims.azp {
        Some(azp) => azp == &platform.client_id,
        None => audiences.len() == 1,
    };
    if !party_ok {
        return Err(bad(format!(
            "{} audiences with authorized party {:?}, not {}",
            audiences.len(),
            claims.azp,
            platform.client_id
        )));
    }
    let age = Utc::now().timestamp().saturating_sub(claims.iat);
    if !(-LEEWAY_SECONDS..=LOGIN_LIFETIME_SECONDS + LEEWAY_SECONDS).contains(&age) {
        return Err(bad(format!("issued {age} seconds ago")));
    }
    if !crate::ssr::secrets::same(&claims.nonce, &login.nonce) {
        return Err(bad("the nonce is not the login initiation's".to_owned()));
    }
    if claims.sub.is_empty() || claims.sub.len() > 255 {
        return Err(bad(format!("a subject of {} characters", claims.sub.len())));
    }
    Ok(claims)
}

/// The account linked to the platform's subject, or a new learner account. Never matched by the email a
/// platform sends: platforms do not say they verified it. Two first launches at once are settled by the
/// unique indexes: the one that loses tries again and finds the other's account.
async fn account_for(
    db: &DatabaseConnection,
    platform: &lti_platform::Model,
    claims: &LaunchClaims,
    resource_link_id: &str,
    target: &str,
) -> Result<account::Model, LaunchError> {
    match link_once(db, platform, claims, resource_link_id, target).await {
        Err(AppError::Conflict(_)) => {
            Ok(link_once(db, platform, claims, resource_link_id, target).await?)
        }
        other => Ok(other?),
    }
}

/// Signs the person in to their linked (or new) account, and tells the grade service which activity they
/// launched from, in one transaction.
async fn link_once(
    db: &DatabaseConnection,
    platform: &lti_platform::Model,
    claims: &LaunchClaims,
    resource_link_id: &str,
    target: &str,
) -> Result<account::Model, AppError> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let linked = lti_account::Entity::find()
        .filter(lti_account::Column::PlatformId.eq(platform.id))
        .filter(lti_account::Column::Subject.eq(&claims.sub))
        .one(&txn)
        .await?;
    let (account, link) = match linked {
        Some(link) => {
            let account =
                crate::ssr::services::accounts::hold_learner(&txn, link.account_id).await?;
            let mut used: lti_account::ActiveModel = link.into();
            used.last_launch_at = Set(now);
            (account, used.update(&txn).await?)
        }
        None => {
            linked_accounts::create(
                &txn,
                platform,
                &claims.sub,
                &PersonNames {
                    name: claims.name.as_deref(),
                    given_name: claims.given_name.as_deref(),
                    family_name: claims.family_name.as_deref(),
                },
                now,
                "launch",
            )
            .await?
        }
    };
    grades::remember_launch(
        &txn,
        platform,
        &grades::ActivityLaunch {
            deployment_id: &claims.deployment_id,
            resource_link_id,
            target_path: target,
            endpoint: claims.grade_endpoint.as_ref(),
            roles: &claims.roles,
        },
        &link,
    )
    .await?;
    rosters::remember_course(
        &txn,
        platform,
        &CourseLaunch {
            deployment_id: &claims.deployment_id,
            context: rosters::Context::read(claims.context.as_ref()).as_ref(),
            roster: rosters::NamesRoleService::read(claims.names_role_service.as_ref()).as_ref(),
            roles: &claims.roles,
            module_slug: rosters::module_of_page(target),
        },
        Some(account.id),
    )
    .await?;
    audit::record(
        &txn,
        Some(account.id),
        "account.signed_in",
        &format!("account:{}", account.id),
        serde_json::json!({ "lti_platform": platform.issuer }),
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}
