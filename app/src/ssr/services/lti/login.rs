//! The login initiation (LTI 1.3 core, section 5.1.1; OpenID Connect third-party-initiated login): the
//! platform names itself and the person, the academy remembers a fresh state and nonce, and sends the browser
//! to the platform's authorization endpoint for the ID token.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::Deserialize;

use super::{LaunchError, LaunchProblem, platforms, refused};
use crate::ssr::entities::{lti_login, lti_platform};

/// How long a person has between the login initiation and the launch.
pub const LOGIN_LIFETIME_SECONDS: i64 = 10 * 60;

/// The login initiation's parameters (query string or form), as the specification names them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginInitiation {
    pub iss: Option<String>,
    pub login_hint: Option<String>,
    pub target_link_uri: Option<String>,
    pub lti_message_hint: Option<String>,
    pub client_id: Option<String>,
    pub lti_deployment_id: Option<String>,
    /// The VLE's frame that keeps data for the tool (LTI client-side platform storage), where it offers one.
    pub lti_storage_target: Option<String>,
}

/// Where to send the browser, and the state to bind to it (in a cookie the launch must bring back).
#[derive(Debug)]
pub struct Started {
    pub authorization_url: url::Url,
    pub state: String,
    /// The origin of the platform's authorization endpoint: the VLE page that keeps the state, where it
    /// offers platform storage, answers from there.
    pub platform_origin: String,
}

/// SHA-256 (hex) of a state: what is stored.
pub fn state_hash(state: &str) -> String {
    crate::ssr::secrets::digest(state)
}

/// Whether `target` is an address on this site (a launch may only land here).
pub(crate) fn on_this_site(public_url: &url::Url, target: &str) -> bool {
    url::Url::parse(target).is_ok_and(|t| t.origin() == public_url.origin())
}

/// Answers a login initiation: checks it, remembers its state and nonce, and returns the platform's
/// authorization address to send the browser to.
pub async fn initiate(
    db: &DatabaseConnection,
    public_url: &url::Url,
    request: &LoginInitiation,
) -> Result<Started, LaunchError> {
    let bad = |what: &str| refused(LaunchProblem::BadLogin, what.to_owned());
    let iss = request.iss.as_deref().ok_or_else(|| bad("no iss"))?;
    let login_hint = request
        .login_hint
        .as_deref()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no login_hint"))?;
    let target = request
        .target_link_uri
        .as_deref()
        .ok_or_else(|| bad("no target_link_uri"))?;
    // A page of this site to land on, or the deep linking address; never the tool's other LTI addresses.
    let lands_on_a_page = url::Url::parse(target).is_ok_and(|t| {
        !t.path().starts_with("/lti/") || t.path() == super::deep_linking::DEEP_LINKING_PATH
    });
    if !on_this_site(public_url, target) || !lands_on_a_page || target.len() > 2048 {
        let shown: String = target.chars().take(200).collect();
        return Err(bad(&format!(
            "target_link_uri {shown:?} is not a page of this site"
        )));
    }
    let mut query = lti_platform::Entity::find()
        .filter(lti_platform::Column::Issuer.eq(iss))
        .filter(lti_platform::Column::Enabled.eq(true));
    if let Some(client_id) = &request.client_id {
        query = query.filter(lti_platform::Column::ClientId.eq(client_id));
    }
    let mut found = query.all(db).await?;
    let platform = match (found.len(), request.client_id.is_some()) {
        (1, _) => found.remove(0),
        (0, _) => {
            return Err(refused(
                LaunchProblem::UnknownPlatform,
                format!(
                    "no enabled platform {iss} (client id {:?})",
                    request.client_id
                ),
            ));
        }
        _ => {
            return Err(bad(&format!(
                "{iss} is registered more than once and sent no client_id to tell them apart"
            )));
        }
    };
    if let Some(deployment) = &request.lti_deployment_id
        && !platforms::allows_deployment(&platform, deployment)
    {
        return Err(refused(
            LaunchProblem::UnknownDeployment,
            format!("{iss} initiated a login for deployment {deployment}, not registered"),
        ));
    }
    let now = Utc::now();
    lti_login::Entity::delete_many()
        .filter(lti_login::Column::CreatedAt.lt(now - Duration::seconds(LOGIN_LIFETIME_SECONDS)))
        .exec(db)
        .await?;
    let state = crate::ssr::secrets::random();
    let nonce = crate::ssr::secrets::random();
    lti_login::ActiveModel {
        state_hash: Set(state_hash(&state)),
        nonce: Set(nonce.clone()),
        platform_id: Set(platform.id),
        target_link_uri: Set(target.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut authorization_url = url::Url::parse(&platform.auth_login_url).map_err(|e| {
        refused(
            LaunchProblem::UnknownPlatform,
            format!("the registered login address of {iss} is not a URL: {e}"),
        )
    })?;
    let launch_url = platforms::tool_addresses(public_url).launch_url;
    {
        let mut pairs = authorization_url.query_pairs_mut();
        pairs
            .append_pair("scope", "openid")
            .append_pair("response_type", "id_token")
            .append_pair("response_mode", "form_post")
            .append_pair("prompt", "none")
            .append_pair("client_id", &platform.client_id)
            .append_pair("redirect_uri", &launch_url)
            .append_pair("login_hint", login_hint)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce);
        if let Some(hint) = &request.lti_message_hint {
            pairs.append_pair("lti_message_hint", hint);
        }
        if let Some(target) = &request.lti_storage_target {
            pairs.append_pair("lti_storage_target", target);
        }
    }
    let platform_origin = authorization_url.origin().ascii_serialization();
    Ok(Started {
        authorization_url,
        state,
        platform_origin,
    })
}
