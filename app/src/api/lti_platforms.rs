//! Admins' registration of VLEs that launch the academy as an LTI 1.3 tool.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::lti::*;

/// The tool's addresses and the registered platforms (admins only).
#[server(endpoint = "lti-platforms")]
pub async fn lti_platforms() -> Result<LtiPlatformsView, AppError> {
    use crate::ssr::{auth, services::lti::platforms};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    platforms::list(&state.db, &account, &state.public_url).await
}

/// Registers a VLE with the details its administrator gives (admins only).
#[server(endpoint = "register-lti-platform")]
pub async fn register_lti_platform(
    name: String,
    issuer: String,
    client_id: String,
    deployment_ids: String,
    auth_login_url: String,
    token_url: String,
    jwks_url: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::lti::platforms};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let settings = platforms::PlatformSettings {
        name,
        issuer,
        client_id,
        deployment_ids,
        auth_login_url,
        token_url,
        jwks_url,
    };
    platforms::register_by(&state.db, &account, &settings).await?;
    Ok(())
}

/// Turns a platform's launches off or on again (admins only).
#[server(endpoint = "change-lti-platform")]
pub async fn change_lti_platform(platform: i32, enabled: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{auth, services::lti::platforms};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    platforms::set_enabled(&state.db, &account, platform, enabled.is_some()).await
}

/// Puts a VLE's parked scores back in the queue to its gradebooks (admins only); answers how many.
#[server(endpoint = "send-parked-scores-again")]
pub async fn send_parked_scores_again(platform: i32) -> Result<u64, AppError> {
    use crate::ssr::{auth, services::lti::grades};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    grades::send_parked_again(&state.db, &account, platform).await
}
