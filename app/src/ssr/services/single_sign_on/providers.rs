//! The identity providers an admin has registered: validating a registration, and what the sign-in page and
//! password sign-in need to know about them.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::SignInProvider;
use crate::error::{AppError, FieldError};
use crate::model::single_sign_on::IdentityProviderView;
use crate::ssr::entities::{account, account_identity, identity_provider};
use crate::ssr::services::audit;

/// What an admin enters to register a provider (the organisation supplies the issuer, client id and secret).
#[derive(Clone, Default)]
pub struct ProviderSettings {
    pub slug: String,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Email domains the provider speaks for, separated by commas, spaces or new lines.
    pub email_domains: String,
    pub lead_claim: Option<String>,
    pub lead_claim_value: Option<String>,
    /// The organisation controls these domains: their addresses count as verified (see the entity).
    pub trusts_domain_addresses: bool,
    pub passwords_off: bool,
}

/// Written out by hand so the client secret never reaches a log.
impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("slug", &self.slug)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("email_domains", &self.email_domains)
            .finish_non_exhaustive()
    }
}

/// The provider settings once checked: trimmed, domains lower-cased one per line.
struct Checked {
    slug: String,
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    email_domains: String,
    lead_claim: Option<String>,
    lead_claim_value: Option<String>,
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Whether `issuer` may be used: an acceptable outside address with no query (its discovery document is
/// found by appending a path).
fn acceptable_issuer(issuer: &str) -> bool {
    crate::ssr::outside_addresses::acceptable(issuer)
        && url::Url::parse(issuer).is_ok_and(|url| url.query().is_none())
}

fn plausible_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn check(settings: &ProviderSettings) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let slug = settings.slug.trim().to_owned();
    if slug.len() < 2
        || slug.len() > 40
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push(FieldError::new(
            "slug",
            "Enter a short name of 2 to 40 lower-case letters, digits or hyphens (it appears in the sign-in \
             address).",
        ));
    }
    let display_name = settings.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 80 {
        errors.push(FieldError::new(
            "display_name",
            "Enter the organisation's name as people know it, up to 80 characters.",
        ));
    }
    // Kept exactly as given: discovery and every token must name the issuer character for character (some
    // providers' issuers end in a slash, others do not).
    let issuer = settings.issuer.trim().to_owned();
    if !acceptable_issuer(&issuer) {
        errors.push(FieldError::new(
            "issuer",
            "Enter the provider's issuer: an https address with no query, such as \
             https://login.microsoftonline.com/<tenant>/v2.0.",
        ));
    }
    let client_id = settings.client_id.trim().to_owned();
    if client_id.is_empty() || client_id.len() > 255 {
        errors.push(FieldError::new(
            "client_id",
            "Enter the client id the organisation registered for the academy.",
        ));
    }
    let client_secret = settings.client_secret.trim().to_owned();
    if client_secret.is_empty() || client_secret.len() > 500 {
        errors.push(FieldError::new(
            "client_secret",
            "Enter the client secret the organisation issued for the academy.",
        ));
    }
    let domains: Vec<String> = settings
        .email_domains
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|d| d.trim().trim_start_matches('@').to_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    if domains.is_empty() {
        errors.push(FieldError::new(
            "email_domains",
            "Enter at least one email domain this provider signs people in for, such as north.nhs.uk.",
        ));
    } else if let Some(bad) = domains.iter().find(|d| !plausible_domain(d)) {
        errors.push(FieldError::new(
            "email_domains",
            format!(
                "\"{bad}\" is not an email domain. Enter domains such as north.nhs.uk, separated by commas."
            ),
        ));
    }
    let lead_claim = non_empty(settings.lead_claim.as_ref());
    let lead_claim_value = non_empty(settings.lead_claim_value.as_ref());
    if lead_claim.is_some() != lead_claim_value.is_some() {
        errors.push(FieldError::new(
            "lead_claim",
            "Enter both the claim and the value that makes someone a course lead, or neither.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors,
            values: vec![
                ("slug".into(), slug),
                ("display_name".into(), display_name),
                ("issuer".into(), issuer),
                ("client_id".into(), client_id),
                (
                    "email_domains".into(),
                    settings.email_domains.trim().to_owned(),
                ),
            ],
        });
    }
    let mut unique = Vec::new();
    for domain in domains {
        if !unique.contains(&domain) {
            unique.push(domain);
        }
    }
    Ok(Checked {
        slug,
        display_name,
        issuer,
        client_id,
        client_secret,
        email_domains: unique.join("\n"),
        lead_claim,
        lead_claim_value,
    })
}

/// Registers a provider, enabled at once; `actor` is the admin (none from the command line).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: Option<i32>,
    settings: &ProviderSettings,
) -> Result<identity_provider::Model, AppError> {
    let checked = check(settings)?;
    let taken = identity_provider::Entity::find()
        .filter(identity_provider::Column::Slug.eq(&checked.slug))
        .one(db)
        .await?
        .is_some();
    let slug = checked.slug.clone();
    let slug_taken = move || {
        AppError::invalid(
            "slug",
            format!("A provider is already registered as \"{slug}\". Choose another short name."),
        )
    };
    if taken {
        return Err(slug_taken());
    }
    // A domain belongs to one organisation's provider: another could otherwise vouch for its addresses (and
    // take over their accounts) or turn their password sign-in off.
    let others = identity_provider::Entity::find().all(db).await?;
    let claimed = checked.email_domains.lines().find_map(|domain| {
        others
            .iter()
            .find(|p| p.email_domains.lines().any(|d| d == domain))
            .map(|p| (domain.to_owned(), p.display_name.clone()))
    });
    if let Some((domain, other)) = claimed {
        return Err(AppError::invalid(
            "email_domains",
            format!(
                "{domain} is already registered to {other}. A domain can belong to one organisation's sign-in only."
            ),
        ));
    }
    let created = identity_provider::ActiveModel {
        slug: Set(checked.slug),
        display_name: Set(checked.display_name),
        issuer: Set(checked.issuer),
        client_id: Set(checked.client_id),
        client_secret: Set(checked.client_secret),
        email_domains: Set(checked.email_domains),
        lead_claim: Set(checked.lead_claim),
        lead_claim_value: Set(checked.lead_claim_value),
        trusts_domain_addresses: Set(settings.trusts_domain_addresses),
        passwords_off: Set(settings.passwords_off),
        enabled: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        // Two admins registering the same short name at once: the unique index lets one through.
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            slug_taken()
        } else {
            e.into()
        }
    })?;
    audit::record(
        db,
        actor,
        "identity_provider.registered",
        &format!("identity_provider:{}", created.id),
        serde_json::json!({ "slug": created.slug, "issuer": created.issuer }),
    )
    .await?;
    tracing::info!(provider = %created.slug, issuer = %created.issuer, "identity provider registered");
    Ok(created)
}

/// Registers a provider for an admin in the browser (see [`register`]).
pub async fn register_by(
    db: &DatabaseConnection,
    admin: &account::Model,
    settings: &ProviderSettings,
) -> Result<identity_provider::Model, AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let txn = db.begin().await?;
    let created = register(&txn, Some(admin.id), settings).await?;
    txn.commit().await?;
    Ok(created)
}

/// Every registered provider, for the admin page, with the redirect URI to give each organisation.
pub async fn list(
    db: &DatabaseConnection,
    admin: &account::Model,
    public_url: &url::Url,
) -> Result<Vec<IdentityProviderView>, AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let providers = identity_provider::Entity::find()
        .order_by_asc(identity_provider::Column::DisplayName)
        .all(db)
        .await?;
    let linked = crate::ssr::db::count_by(
        db,
        account_identity::Entity::find(),
        account_identity::Column::ProviderId,
    )
    .await?;
    let mut views = Vec::with_capacity(providers.len());
    for provider in providers {
        let linked_accounts = linked.get(&provider.id).copied().unwrap_or(0);
        let redirect_uri = super::flow::callback_url(public_url, &provider.slug)
            .map_err(|e| crate::ssr::error::internal("the sign-in callback address", e))?
            .to_string();
        views.push(IdentityProviderView {
            lead_mapping: provider
                .lead_claim
                .as_ref()
                .zip(provider.lead_claim_value.as_ref())
                .map(|(claim, value)| format!("{claim} = {value}")),
            email_domains: provider.email_domains.lines().map(str::to_owned).collect(),
            slug: provider.slug,
            display_name: provider.display_name,
            issuer: provider.issuer,
            client_id: provider.client_id,
            trusts_domain_addresses: provider.trusts_domain_addresses,
            passwords_off: provider.passwords_off,
            enabled: provider.enabled,
            redirect_uri,
            linked_accounts,
        });
    }
    Ok(views)
}

/// What an admin may change on a registered provider.
#[derive(Debug, Clone)]
pub struct ProviderChange {
    /// Whether "Sign in with …" is offered (and, with passwords off, required) for its domains.
    pub enabled: bool,
    /// A new client secret (an organisation's secrets expire); `None` keeps the current one.
    pub client_secret: Option<String>,
}

/// Turns a provider on or off, or replaces its client secret. Turning it off leaves links in place, so
/// turning it on again lets the same people back into the same accounts.
pub async fn change(
    db: &DatabaseConnection,
    admin: &account::Model,
    slug: &str,
    change: ProviderChange,
) -> Result<(), AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let txn = db.begin().await?;
    let found = identity_provider::Entity::find()
        .filter(identity_provider::Column::Slug.eq(slug))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("The identity provider \"{slug}\"")))?;
    let id = found.id;
    let mut changed: identity_provider::ActiveModel = found.into();
    changed.enabled = Set(change.enabled);
    let new_secret = change.client_secret.map(|s| s.trim().to_owned());
    if let Some(secret) = &new_secret {
        if secret.len() > 500 {
            return Err(AppError::invalid(
                "client_secret",
                "That client secret is longer than 500 characters: check it was copied on its own.",
            ));
        }
        changed.client_secret = Set(secret.clone());
    }
    changed.update(&txn).await?;
    audit::record(
        &txn,
        Some(admin.id),
        "identity_provider.changed",
        &format!("identity_provider:{id}"),
        serde_json::json!({ "enabled": change.enabled, "new_client_secret": new_secret.is_some() }),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(provider = %slug, enabled = change.enabled, "identity provider changed");
    Ok(())
}

/// The providers offered on the sign-in page, by name.
pub async fn offered<C: ConnectionTrait>(db: &C) -> Result<Vec<SignInProvider>, AppError> {
    Ok(identity_provider::Entity::find()
        .filter(identity_provider::Column::Enabled.eq(true))
        .order_by_asc(identity_provider::Column::DisplayName)
        .all(db)
        .await?
        .into_iter()
        .map(|p| SignInProvider {
            slug: p.slug,
            display_name: p.display_name,
        })
        .collect())
}

/// The enabled provider a sign-in address names; any other name is not found.
pub async fn enabled<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<identity_provider::Model, AppError> {
    identity_provider::Entity::find()
        .filter(identity_provider::Column::Slug.eq(slug))
        .filter(identity_provider::Column::Enabled.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("That organisation's sign-in".to_owned()))
}

/// The names of the providers linked to an account, for its account page.
pub async fn linked_to<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
) -> Result<Vec<String>, AppError> {
    use crate::ssr::entities::account_identity;
    use sea_orm::QuerySelect;
    Ok(identity_provider::Entity::find()
        .inner_join(account_identity::Entity)
        .filter(account_identity::Column::AccountId.eq(account_id))
        .select_only()
        .column(identity_provider::Column::DisplayName)
        .order_by_asc(identity_provider::Column::DisplayName)
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// The domain part of an address, lower-cased.
pub fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim().to_lowercase())
        .filter(|domain| !domain.is_empty())
}

/// Whether the provider is registered to sign in people with this address.
pub fn speaks_for(provider: &identity_provider::Model, email: &str) -> bool {
    domain_of(email).is_some_and(|domain| provider.email_domains.lines().any(|d| d == domain))
}

/// The enabled provider that has turned password sign-in off for this address's domain, if any.
pub async fn requiring_sign_in_for<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<identity_provider::Model>, AppError> {
    let providers = identity_provider::Entity::find()
        .filter(identity_provider::Column::Enabled.eq(true))
        .filter(identity_provider::Column::PasswordsOff.eq(true))
        .order_by_asc(identity_provider::Column::Id)
        .all(db)
        .await?;
    Ok(providers.into_iter().find(|p| speaks_for(p, email)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ProviderSettings {
        ProviderSettings {
            slug: "north-trust".into(),
            display_name: "North Trust".into(),
            issuer: " https://login.example.nhs.uk/ ".into(),
            client_id: "academy".into(),
            client_secret: "s3cret".into(),
            email_domains: "@North.nhs.uk, south.nhs.uk\nsouth.nhs.uk".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_registration_is_tidied_before_it_is_kept() {
        let checked = check(&settings()).expect("valid settings");
        assert_eq!(checked.issuer, "https://login.example.nhs.uk/");
        assert_eq!(checked.email_domains, "north.nhs.uk\nsouth.nhs.uk");
    }

    #[test]
    fn plain_http_is_only_for_a_provider_on_this_machine() {
        for (issuer, ok) in [
            ("http://login.example.nhs.uk", false),
            ("http://127.0.0.1:4000", true),
            ("http://localhost:4000", true),
            ("https://login.example.nhs.uk/tenant?x=1", false),
            ("https://user:pw@login.example.nhs.uk", false),
            ("not a url", false),
        ] {
            assert_eq!(acceptable_issuer(issuer), ok, "{issuer}");
        }
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let wrong = ProviderSettings {
            slug: "North Trust".into(),
            email_domains: "not-a-domain".into(),
            lead_claim: Some("groups".into()),
            ..Default::default()
        };
        let Err(AppError::Invalid { errors, .. }) = check(&wrong) else {
            panic!("invalid settings were accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "slug",
                "display_name",
                "issuer",
                "client_id",
                "client_secret",
                "email_domains",
                "lead_claim"
            ]
        );
    }

    #[test]
    fn a_provider_speaks_only_for_its_own_domains() {
        let provider = identity_provider::Model {
            id: 1,
            slug: "north".into(),
            display_name: "North".into(),
            issuer: "https://login.example".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            email_domains: "north.nhs.uk\nnhs.net".into(),
            lead_claim: None,
            lead_claim_value: None,
            trusts_domain_addresses: false,
            passwords_off: false,
            enabled: true,
            created_at: Utc::now(),
        };
        assert!(speaks_for(&provider, "a.b@NHS.net"));
        assert!(!speaks_for(&provider, "a@sub.nhs.net"));
        assert!(!speaks_for(&provider, "a@evilnhs.net"));
        assert!(!speaks_for(&provider, "no-at-sign"));
    }
}
