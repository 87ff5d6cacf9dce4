//! The VLEs registered to launch the academy, and what a VLE administrator registers on their side.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::error::{AppError, FieldError};
pub use crate::model::lti::ToolAddresses;
use crate::model::lti::{LtiPlatformView, LtiPlatformsView};
use crate::ssr::entities::{account, lti_account, lti_platform};
use crate::ssr::services::audit;

/// What an admin enters for a platform, from its administrator.
#[derive(Debug, Clone, Default)]
pub struct PlatformSettings {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Separated by commas, spaces or new lines.
    pub deployment_ids: String,
    pub auth_login_url: String,
    pub token_url: String,
    pub jwks_url: String,
}

/// Registers a platform, enabled at once; `actor` is the admin (none from the command line).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: Option<i32>,
    settings: &PlatformSettings,
) -> Result<lti_platform::Model, AppError> {
    let mut errors = Vec::new();
    let name = settings.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new(
            "name",
            "Enter the VLE's name, such as \"University of Leeds Minerva\", up to 120 characters.",
        ));
    }
    let issuer = settings.issuer.trim().to_owned();
    if !crate::ssr::outside_addresses::acceptable(&issuer) {
        errors.push(FieldError::new(
            "issuer",
            "Enter the platform's issuer as its administrator gives it: an https address.",
        ));
    }
    let client_id = settings.client_id.trim().to_owned();
    if client_id.is_empty() || client_id.len() > 255 {
        errors.push(FieldError::new(
            "client_id",
            "Enter the client id the VLE gave the academy when the tool was added.",
        ));
    }
    let deployments: Vec<&str> = settings
        .deployment_ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|d| !d.is_empty())
        .collect();
    if deployments.is_empty() || deployments.iter().any(|d| d.len() > 255) {
        errors.push(FieldError::new(
            "deployment_ids",
            "Enter at least one deployment id from the VLE (Moodle shows it in the tool's details).",
        ));
    }
    let urls = [
        (
            "auth_login_url",
            &settings.auth_login_url,
            "authentication request URL",
        ),
        ("token_url", &settings.token_url, "access token URL"),
        ("jwks_url", &settings.jwks_url, "public keyset URL"),
    ];
    for (field, value, what) in urls {
        if !crate::ssr::outside_addresses::acceptable(value.trim()) || value.trim().len() > 500 {
            errors.push(FieldError::new(
                field,
                format!(
                    "Enter the platform's {what}: an https address, as its administrator gives it."
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors,
            values: vec![
                ("name".into(), name),
                ("issuer".into(), issuer),
                ("client_id".into(), client_id),
            ],
        });
    }
    let taken = lti_platform::Entity::find()
        .filter(lti_platform::Column::Issuer.eq(&issuer))
        .filter(lti_platform::Column::ClientId.eq(&client_id))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(AppError::invalid(
            "client_id",
            "A platform with this issuer and client id is already registered.",
        ));
    }
    let created = lti_platform::ActiveModel {
        name: Set(name),
        issuer: Set(issuer),
        client_id: Set(client_id),
        deployment_ids: Set(deployments.join("\n")),
        auth_login_url: Set(settings.auth_login_url.trim().to_owned()),
        token_url: Set(settings.token_url.trim().to_owned()),
        jwks_url: Set(settings.jwks_url.trim().to_owned()),
        enabled: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "lti_platform.registered",
        &format!("lti_platform:{}", created.id),
        serde_json::json!({ "issuer": created.issuer, "client_id": created.client_id }),
    )
    .await?;
    tracing::info!(platform = %created.name, issuer = %created.issuer, "LTI platform registered");
    Ok(created)
}

/// Whether the platform registered this deployment.
pub fn allows_deployment(platform: &lti_platform::Model, deployment_id: &str) -> bool {
    platform.deployment_ids.lines().any(|d| d == deployment_id)
}

/// The tool's addresses on this site.
pub fn tool_addresses(public_url: &url::Url) -> ToolAddresses {
    let at = |path: &str| {
        public_url
            .join(path)
            .map_or_else(|_| path.to_owned(), |u| u.to_string())
    };
    ToolAddresses {
        login_initiation_url: at("/lti/login"),
        launch_url: at("/lti/launch"),
        redirect_uris: vec![at("/lti/launch")],
        keyset_url: at("/lti/jwks.json"),
        configuration_url: at("/lti/config.json"),
        deep_linking_url: at(super::deep_linking::DEEP_LINKING_PATH),
    }
}

/// The tool's configuration as JSON, in the form Canvas imports (other VLEs take the same facts by hand): the
/// addresses, the keyset, the grade services (line items and scores), a course navigation link that opens the catalogue, and the places
/// where a teacher adds academy content to a course (Deep Linking). Asks for the person's name only: the
/// academy uses no other detail a VLE could send.
pub fn tool_configuration(public_url: &url::Url) -> serde_json::Value {
    let tool = tool_addresses(public_url);
    let home = public_url.as_str().to_owned();
    let placement = |name: &str| {
        serde_json::json!({
            "placement": name,
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": tool.deep_linking_url,
        })
    };
    serde_json::json!({
        "title": "Informatics Academy",
        "description": "Courses for clinicians in informatics leadership: project and programme methods, IT service \
                        management, how the NHS is organised, coding basics and leadership.",
        "oidc_initiation_url": tool.login_initiation_url,
        "target_link_uri": home,
        "public_jwk_url": tool.keyset_url,
        "scopes": [
            super::grades::LINE_ITEM_SCOPE,
            super::grades::SCORE_SCOPE,
            super::rosters::MEMBERSHIP_SCOPE,
        ],
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": public_url.host_str().unwrap_or_default(),
            "privacy_level": "name_only",
            "settings": {
                "placements": [
                    placement("link_selection"),
                    placement("assignment_selection"),
                    {
                        "placement": "course_navigation",
                        "message_type": "LtiResourceLinkRequest",
                        "target_link_uri": home,
                    },
                ],
            },
        }],
        "custom_fields": {},
    })
}

/// Registers a platform for an admin in the browser (see [`register`]).
pub async fn register_by(
    db: &DatabaseConnection,
    admin: &account::Model,
    settings: &PlatformSettings,
) -> Result<lti_platform::Model, AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let txn = db.begin().await?;
    let created = register(&txn, Some(admin.id), settings).await?;
    txn.commit().await?;
    Ok(created)
}

/// The tool's addresses and every registered platform, for the admin page.
pub async fn list(
    db: &DatabaseConnection,
    admin: &account::Model,
    public_url: &url::Url,
) -> Result<LtiPlatformsView, AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let rows = lti_platform::Entity::find()
        .order_by_asc(lti_platform::Column::Name)
        .all(db)
        .await?;
    let mut platforms = Vec::with_capacity(rows.len());
    let linked = crate::ssr::db::count_by(
        db,
        lti_account::Entity::find(),
        lti_account::Column::PlatformId,
    )
    .await?;
    let mut undelivered = super::grades::undelivered_by_platform(db).await?;
    for platform in rows {
        let linked_accounts = linked.get(&platform.id).copied().unwrap_or(0);
        let scores = undelivered.remove(&platform.id).unwrap_or_default();
        platforms.push(LtiPlatformView {
            id: platform.id,
            deployment_ids: platform.deployment_ids.lines().map(str::to_owned).collect(),
            name: platform.name,
            issuer: platform.issuer,
            client_id: platform.client_id,
            auth_login_url: platform.auth_login_url,
            token_url: platform.token_url,
            jwks_url: platform.jwks_url,
            enabled: platform.enabled,
            linked_accounts,
            scores_waiting: scores.waiting,
            scores_parked: scores.parked,
            last_score_error: scores.last_error,
        });
    }
    Ok(LtiPlatformsView {
        tool: tool_addresses(public_url),
        platforms,
    })
}

/// Turns a platform's launches off (or on again). Links stay, so turning it on again lets the same people
/// back into the same accounts.
pub async fn set_enabled(
    db: &DatabaseConnection,
    admin: &account::Model,
    platform_id: i32,
    enabled: bool,
) -> Result<(), AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let txn = db.begin().await?;
    let found = lti_platform::Entity::find_by_id(platform_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That platform".to_owned()))?;
    let mut changed: lti_platform::ActiveModel = found.into();
    changed.enabled = Set(enabled);
    changed.update(&txn).await?;
    audit::record(
        &txn,
        Some(admin.id),
        "lti_platform.changed",
        &format!("lti_platform:{platform_id}"),
        serde_json::json!({ "enabled": enabled }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
