//! Which academy account a person signed in by a provider is: the one linked to their subject identifier at
//! that provider, or (first time) the account with their address when the provider vouches for it, or a new
//! learner account. Also applies the provider's course-lead claim.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, TransactionTrait,
};

use super::{SingleSignOnError, SingleSignOnProblem, refused};
use crate::error::AppError;
use crate::model::accounts::Role;
use crate::ssr::entities::{account, account_identity, identity_provider};
use crate::ssr::services::accounts::{self, normalise_email, plausible_email};
use crate::ssr::services::audit;

/// Who the provider says signed in, after every check on its token.
#[derive(Debug, Clone)]
pub struct Person {
    /// The provider's subject identifier (`sub`): stable for this person at this provider.
    pub subject: String,
    pub email: Option<String>,
    /// The provider asserts it has verified the address (`email_verified`).
    pub email_verified: bool,
    pub name: Option<String>,
    /// Whether the provider's lead claim holds for them; `None` when the provider maps no claim.
    pub lead: Option<bool>,
}

/// The account for `person`, linked or created in one transaction. A first sign-in by two browsers at once
/// is settled by the unique indexes: the one that loses tries again and finds what the other made.
pub async fn account_for(
    db: &DatabaseConnection,
    provider: &identity_provider::Model,
    person: &Person,
) -> Result<account::Model, SingleSignOnError> {
    match link_once(db, provider, person).await {
        Err(SingleSignOnError::App(AppError::Conflict(_))) => link_once(db, provider, person).await,
        other => other,
    }
}

fn unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// A racing first sign-in made the same link or account first: try again.
fn raced(error: sea_orm::DbErr) -> SingleSignOnError {
    if unique_violation(&error) {
        SingleSignOnError::App(AppError::Conflict(
            "a first sign-in raced another".to_owned(),
        ))
    } else {
        error.into()
    }
}

async fn link_once(
    db: &DatabaseConnection,
    provider: &identity_provider::Model,
    person: &Person,
) -> Result<account::Model, SingleSignOnError> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let linked = account_identity::Entity::find()
        .filter(account_identity::Column::ProviderId.eq(provider.id))
        .filter(account_identity::Column::Subject.eq(&person.subject))
        .one(&txn)
        .await?;
    let (account, identity) = match linked {
        Some(identity) => {
            // Erasing an account deletes its links, so a linked account is live; locked for the role change.
            let account = accounts::lock_for_change(&txn, identity.account_id).await?;
            (account, identity)
        }
        None => first_sign_in(&txn, provider, person, now).await?,
    };
    let mut identity: account_identity::ActiveModel = identity.into();
    identity.last_used_at = Set(now);
    let account = apply_lead_claim(&txn, provider, person, account, &mut identity).await?;
    identity.update(&txn).await?;
    audit::record(
        &txn,
        Some(account.id),
        "account.signed_in",
        &format!("account:{}", account.id),
        serde_json::json!({ "provider": provider.slug }),
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}

/// Links or creates the account on a person's first sign-in through this provider.
async fn first_sign_in(
    txn: &DatabaseTransaction,
    provider: &identity_provider::Model,
    person: &Person,
    now: chrono::DateTime<Utc>,
) -> Result<(account::Model, account_identity::Model), SingleSignOnError> {
    let Some(email) = person.email.as_deref().map(normalise_email) else {
        return Err(refused(
            SingleSignOnProblem::NoEmail,
            format!(
                "{} released no email for subject {}",
                provider.slug, person.subject
            ),
        ));
    };
    // Logs name the domain only, never the address.
    let domain = super::providers::domain_of(&email).unwrap_or_default();
    if !plausible_email(&email) || !super::providers::speaks_for(provider, &email) {
        return Err(refused(
            SingleSignOnProblem::DomainNotAllowed,
            format!(
                "{} is not registered for the domain {domain}",
                provider.slug
            ),
        ));
    }
    let existing = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .filter(account::Column::ErasedAt.is_null())
        .one(txn)
        .await?;
    let account = match existing {
        // An admin account is never taken over on a provider's word: its holder signs in with a password.
        Some(existing) if existing.role == Role::Admin => {
            return Err(refused(
                SingleSignOnProblem::EmailInUse,
                format!("account {} at {domain} is an admin's", existing.id),
            ));
        }
        Some(existing) if person.email_verified => {
            let already = account_identity::Entity::find()
                .filter(account_identity::Column::AccountId.eq(existing.id))
                .filter(account_identity::Column::ProviderId.eq(provider.id))
                .one(txn)
                .await?;
            if let Some(already) = already {
                // The address has passed to someone else at the organisation: they do not inherit it.
                return Err(refused(
                    SingleSignOnProblem::EmailInUse,
                    format!(
                        "account {} is linked to another person ({}) at {}",
                        existing.id, already.subject, provider.slug
                    ),
                ));
            }
            let account = accounts::lock_for_change(txn, existing.id).await?;
            if account.email_verified_at.is_some() {
                account
            } else {
                // Never proved: whoever registered it may not be the person the organisation vouches for
                // (someone can register a colleague's address and wait). Their password and sessions go.
                let id = account.id;
                let mut reclaimed: account::ActiveModel = account.into();
                reclaimed.email_verified_at = Set(Some(now));
                reclaimed.password_hash = Set(String::new());
                let account = reclaimed.update(txn).await?;
                crate::ssr::services::sessions::end_all(txn, id, None).await?;
                audit::record(
                    txn,
                    None,
                    "account.reclaimed_by_organisation",
                    &format!("account:{id}"),
                    serde_json::json!({ "provider": provider.slug }),
                )
                .await?;
                tracing::warn!(
                    account = id,
                    provider = %provider.slug,
                    "an unverified account was reclaimed by its organisation's sign-in: password removed, sessions ended"
                );
                account
            }
        }
        Some(existing) => {
            return Err(refused(
                SingleSignOnProblem::EmailInUse,
                format!(
                    "account {} at {domain}, which {} does not say it verified",
                    existing.id, provider.slug
                ),
            ));
        }
        None => {
            let display_name = person
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default())
                .chars()
                .take(80)
                .collect::<String>();
            let created = account::ActiveModel {
                email: Set(email.clone()),
                display_name: Set(display_name),
                // No password: this person signs in through their organisation (a reset link can add one).
                password_hash: Set(String::new()),
                role: Set(Role::Learner),
                created_at: Set(now),
                email_verified_at: Set(person.email_verified.then_some(now)),
                ..Default::default()
            }
            .insert(txn)
            .await
            .map_err(raced)?;
            audit::record(
                txn,
                Some(created.id),
                "account.created",
                &format!("account:{}", created.id),
                serde_json::json!({ "provider": provider.slug }),
            )
            .await?;
            created
        }
    };
    let identity = account_identity::ActiveModel {
        account_id: Set(account.id),
        provider_id: Set(provider.id),
        subject: Set(person.subject.clone()),
        granted_lead: Set(false),
        linked_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(raced)?;
    audit::record(
        txn,
        Some(account.id),
        "account.identity_linked",
        &format!("account:{}", account.id),
        serde_json::json!({ "provider": provider.slug }),
    )
    .await?;
    tracing::info!(account = account.id, provider = %provider.slug, "account linked to an identity provider");
    Ok((account, identity))
}

/// Makes the account a course lead while the provider's claim holds, and a learner again when a lead the
/// claim made loses it. Admins, and leads an admin made, are left alone; an unverified address gets no role.
async fn apply_lead_claim(
    txn: &DatabaseTransaction,
    provider: &identity_provider::Model,
    person: &Person,
    account: account::Model,
    identity: &mut account_identity::ActiveModel,
) -> Result<account::Model, SingleSignOnError> {
    let granted = matches!(identity.granted_lead, sea_orm::ActiveValue::Unchanged(true));
    let new_role = match (person.lead, account.role) {
        (Some(true), Role::Learner) if account.email_verified_at.is_some() => Role::CourseLead,
        (Some(false), Role::CourseLead) if granted => Role::Learner,
        _ => return Ok(account),
    };
    identity.granted_lead = Set(new_role == Role::CourseLead);
    let id = account.id;
    let previous = account.role;
    let mut changed: account::ActiveModel = account.into();
    changed.role = Set(new_role);
    let account = changed.update(txn).await?;
    audit::record(
        txn,
        None,
        "account.role_granted",
        &format!("account:{id}"),
        serde_json::json!({
            "role": new_role.as_str(), "previous": previous.as_str(), "provider": provider.slug,
        }),
    )
    .await?;
    tracing::info!(account = id, role = new_role.as_str(), provider = %provider.slug, "role set by the provider's claim");
    Ok(account)
}
