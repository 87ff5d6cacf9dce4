//! Admins' management of organisations' identity providers ("Sign in with …"): list, register, change.
// A registration is one form whose fields are the server function's arguments (a form posted without
// JavaScript sends them so); there are more than clippy's default seven.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::single_sign_on::IdentityProviderView;

/// The organisations' identity providers registered for "Sign in with …" (admins only).
#[server(endpoint = "identity-providers")]
pub async fn identity_providers()
-> Result<Vec<crate::model::single_sign_on::IdentityProviderView>, AppError> {
    use crate::ssr::{auth, services::single_sign_on::providers};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    providers::list(&state.db, &account, &state.public_url).await
}

/// Registers an organisation's identity provider (admins only). One argument per form field, as a form
/// without JavaScript posts them.
#[server(endpoint = "register-identity-provider")]
pub async fn register_identity_provider(
    slug: String,
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    email_domains: String,
    lead_claim: Option<String>,
    lead_claim_value: Option<String>,
    trusts_domain_addresses: Option<String>,
    passwords_off: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::single_sign_on::providers};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let settings = providers::ProviderSettings {
        slug,
        display_name,
        issuer,
        client_id,
        client_secret,
        email_domains,
        lead_claim,
        lead_claim_value,
        trusts_domain_addresses: trusts_domain_addresses.is_some(),
        passwords_off: passwords_off.is_some(),
    };
    providers::register_by(&state.db, &account, &settings).await?;
    Ok(())
}

/// Turns a provider's sign-in off or on again, or gives it a new client secret (admins only). A blank
/// `client_secret` keeps the current one.
#[server(endpoint = "change-identity-provider")]
pub async fn change_identity_provider(
    slug: String,
    enabled: Option<String>,
    client_secret: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::single_sign_on::providers};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    providers::change(
        &state.db,
        &account,
        &slug,
        providers::ProviderChange {
            enabled: enabled.is_some(),
            client_secret: client_secret.filter(|s| !s.trim().is_empty()),
        },
    )
    .await
}
