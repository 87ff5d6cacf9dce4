//! Academy accounts for people a VLE knows, made at their first launch or from their course's roster: linked
//! by the platform's subject identifier, never by the address it sends.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::error::AppError;
use crate::model::accounts::Role;
use crate::ssr::entities::{account, lti_account, lti_erased_subject, lti_platform};
use crate::ssr::services::audit;

/// The names a VLE gives for a person (a launch's claims, or a roster's member).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PersonNames<'a> {
    pub name: Option<&'a str>,
    pub given_name: Option<&'a str>,
    pub family_name: Option<&'a str>,
}

impl PersonNames<'_> {
    /// The display name: the full name, else given and family names, else "<VLE> learner"; 80 characters.
    fn display_name(&self, platform: &lti_platform::Model) -> String {
        self.name
            .map(str::to_owned)
            .or_else(|| match (self.given_name, self.family_name) {
                (Some(given), Some(family)) => Some(format!("{given} {family}")),
                (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
                (None, None) => None,
            })
            .map(|n| n.trim().chars().take(80).collect::<String>())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "{} learner",
                    platform.name.chars().take(60).collect::<String>()
                )
            })
    }
}

/// Makes a learner account linked to the platform's `subject`. Never under the address the platform sends:
/// it is not proof (a VLE user may be able to set any address), and an account made under someone's address
/// could be theirs to reclaim later while the VLE user still launches into it. The account gets an address
/// that receives no mail and no password: only a launch signs in to it. `how` says, in the audit log, what
/// made it (`launch`, `roster`).
pub(super) async fn create<C: ConnectionTrait>(
    txn: &C,
    platform: &lti_platform::Model,
    subject: &str,
    names: &PersonNames<'_>,
    now: DateTime<Utc>,
    how: &str,
) -> Result<(account::Model, lti_account::Model), AppError> {
    let email = format!(
        "lti-{}-{}@lti.invalid",
        platform.id,
        &crate::ssr::secrets::digest(subject)[..24]
    );
    let created = account::ActiveModel {
        email: Set(email),
        display_name: Set(names.display_name(platform)),
        password_hash: Set(String::new()),
        role: Set(Role::Learner),
        created_at: Set(now),
        email_verified_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(raced)?;
    let link = lti_account::ActiveModel {
        platform_id: Set(platform.id),
        subject: Set(subject.to_owned()),
        account_id: Set(created.id),
        linked_at: Set(now),
        last_launch_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(raced)?;
    // Someone who erased their account and launches again has come back: their roster may list them again.
    lti_erased_subject::Entity::delete_many()
        .filter(lti_erased_subject::Column::PlatformId.eq(platform.id))
        .filter(lti_erased_subject::Column::SubjectDigest.eq(crate::ssr::secrets::digest(subject)))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        Some(created.id),
        "account.created",
        &format!("account:{}", created.id),
        serde_json::json!({ "lti_platform": platform.issuer, "by": how }),
    )
    .await?;
    Ok((created, link))
}

/// Two first sightings of one person at once (two launches, a launch and a roster sync) are settled by the
/// unique indexes: the one that loses is a conflict, and tries again or asks to.
fn raced(error: sea_orm::DbErr) -> AppError {
    if matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        AppError::Conflict(
            "Someone else's request added the same person at the same moment. Please try again."
                .to_owned(),
        )
    } else {
        error.into()
    }
}
