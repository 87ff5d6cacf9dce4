//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

use super::content::{Framework, Pathway};
use super::limits::Limits;
use super::mail::Mailer;
use super::records::Issuer;
use super::services::xapi::XapiSettings;
use super::session_store::SessionPolicy;

/// Shared, cheap to clone: provided to server functions as Leptos context and to axum as router state.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The competency frameworks that loaded at start-up. Modules are read from the database, so the loaded
    /// modules (their HTML and files) are dropped once they are published.
    pub frameworks: Arc<[Framework]>,
    /// The curriculum's pathways as they loaded at start-up (content only; small).
    pub pathways: Arc<[Pathway]>,
    /// Signs completion records.
    pub issuer: Arc<Issuer>,
    /// How learning events become xAPI statements.
    pub xapi: Arc<XapiSettings>,
    /// The site's public address, parsed once: where sign-in redirects must stay.
    pub public_url: url::Url,
    /// The idle timeout and lifetime of a sign-in.
    pub sessions: SessionPolicy,
    /// Rate limits on sign-in and the other doors guessed at (per instance).
    pub limits: Arc<Limits>,
    /// Where queued emails go (SMTP, or files when no server is configured).
    pub mailer: Arc<Mailer>,
    /// Organisations' identity providers: their discovery documents and keys, kept for an hour.
    pub identity_providers: Arc<crate::ssr::services::single_sign_on::discovery::ProviderDirectory>,
    /// VLEs' public keys for LTI launches, kept for an hour.
    pub lti_platform_keys: Arc<crate::ssr::services::lti::platform_keys::PlatformKeys>,
    /// This instance's LTI tool key: signs what the academy sends a VLE (a Deep Linking answer).
    pub lti_tool_key: Arc<crate::ssr::services::lti::tool_keys::ToolKey>,
    /// The tool's way into VLEs' services for what people ask for (a course roster's sync): its access
    /// tokens kept per platform and scope by this instance.
    pub lti_services: Arc<crate::ssr::services::lti::service_access::ServiceAccess>,
    pub leptos_options: LeptosOptions,
    /// Where learning events are written: grouped into shared commits on SQLite, direct on PostgreSQL.
    pub writes: crate::ssr::group_commit::Writes,
    /// How long a lesson's check of its facts stays good, for the authoring page's review list.
    pub review: super::content::ReviewPolicy,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
