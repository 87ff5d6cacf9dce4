//! Everything proved by a link sent to an email address: registering (and verifying the address),
//! resetting a forgotten password, and moving an account to a new address.
//!
//! Registration and password reset answer the same whatever the address: the email says what happened
//! ("you already have an account", "no account uses this address"), so the pages cannot be used to find out
//! who has an account. Each change and the email reporting it commit together (the mail outbox).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::accounts::{
    Registration, Role, find_by_email, normalise_email, plausible_email, security_event,
    validate_new_password, validate_registration,
};
use super::passwords::{hash_password, verify_password};
use super::{account_tokens, emails, mail_outbox, sessions};
use crate::error::{AppError, FieldError};
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::entities::account;
use crate::ssr::entities::account_token::{self, TokenPurpose};
use crate::ssr::records::Issuer;
use sea_orm::sea_query::Expr;

/// Refuses an action that needs a proved address (joining a cohort, being given a role, earning a record).
pub fn require_verified(account: &account::Model) -> Result<(), AppError> {
    if account.email_verified_at.is_some() {
        Ok(())
    } else {
        Err(AppError::EmailNotVerified)
    }
}

/// Registers a learner. A new address gets an unverified account and a verification link; an address with
/// an account gets an email saying so. Either way the answer is the same, and takes as long (the password is
/// hashed in both cases).
pub async fn register(
    db: &DatabaseConnection,
    base_url: &str,
    input: Registration,
) -> Result<(), AppError> {
    validate_registration(&input)?;
    let email = normalise_email(&input.email);
    let password_hash = hash_password(input.password.clone()).await?;
    let txn = db.begin().await?;
    if let Some(existing) = find_by_email(&txn, &email).await? {
        mail_outbox::enqueue(
            &txn,
            emails::already_registered(&existing.email, &existing.display_name, base_url),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(
            account = existing.id,
            "registration tried for an existing address"
        );
        return Ok(());
    }
    let created = account::ActiveModel {
        email: Set(email.clone()),
        display_name: Set(input.display_name.trim().to_owned()),
        password_hash: Set(password_hash),
        role: Set(Role::Learner),
        created_at: Set(Utc::now()),
        email_verified_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let created = match created {
        Ok(created) => created,
        // Two registrations for one address raced and the other won: answer as for an existing address.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let token = account_tokens::issue(&txn, created.id, TokenPurpose::VerifyEmail, None).await?;
    mail_outbox::enqueue(
        &txn,
        emails::verify_new_account(&created.email, &created.display_name, base_url, &token),
    )
    .await?;
    super::audit::record(
        &txn,
        Some(created.id),
        "account.registered",
        &format!("account:{}", created.id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = created.id, "registered; verification link queued");
    Ok(())
}

/// Sends a signed-in account a fresh verification link (earlier links stop working).
pub async fn resend_verification(
    db: &DatabaseConnection,
    base_url: &str,
    account: &account::Model,
) -> Result<(), AppError> {
    if account.email_verified_at.is_some() {
        return Err(AppError::Conflict(
            "Your email address is already verified.".to_owned(),
        ));
    }
    let txn = db.begin().await?;
    // Held, so no link is issued for an account erased meanwhile (nor an email sent to its address).
    super::accounts::hold_learner(&txn, account.id).await?;
    let token = account_tokens::issue(&txn, account.id, TokenPurpose::VerifyEmail, None).await?;
    mail_outbox::enqueue(
        &txn,
        emails::verify_again(&account.email, &account.display_name, base_url, &token),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Follows a verification link: the address is proved, and any module the learner completed while
/// unverified now issues its record.
pub async fn verify_email(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    token: &str,
) -> Result<account::Model, AppError> {
    let txn = db.begin().await?;
    let used = account_tokens::consume(&txn, token, TokenPurpose::VerifyEmail).await?;
    let found = account::Entity::find_by_id(used.account_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("The account for this link".to_owned()))?;
    let verified = if found.email_verified_at.is_some() {
        found
    } else {
        let mut active: account::ActiveModel = found.into();
        active.email_verified_at = Set(Some(Utc::now()));
        active.update(&txn).await?
    };
    super::audit::record(
        &txn,
        Some(verified.id),
        "account.email_verified",
        &format!("account:{}", verified.id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = verified.id, "email address verified");
    issue_waiting_records(db, issuer, frameworks, pathways, &verified).await?;
    Ok(verified)
}

/// Records for modules completed before the address was verified.
async fn issue_waiting_records(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    learner: &account::Model,
) -> Result<(), AppError> {
    use crate::ssr::entities::module;
    let ids = super::progress::enrolled_module_ids(db, learner.id).await?;
    let modules = module::Entity::find()
        .filter(module::Column::Id.is_in(ids))
        .all(db)
        .await?;
    for found in modules {
        super::completion::complete_if_due(db, issuer, frameworks, pathways, learner.id, &found)
            .await?;
    }
    Ok(())
}

/// Asks for a password reset link. The answer is the same whether or not the address has an account; the
/// email tells its owner which.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    base_url: &str,
    email: &str,
) -> Result<(), AppError> {
    let email = normalise_email(email);
    if !plausible_email(&email) {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "email",
                "Enter an email address in the format name@example.org.",
            )],
            values: vec![("email".into(), email)],
        });
    }
    let txn = db.begin().await?;
    // Held, so no link is issued for an account erased meanwhile: answered as for an unknown address.
    let found = match find_by_email(&txn, &email).await? {
        Some(found) => match super::accounts::hold_learner(&txn, found.id).await {
            Ok(held) => Some(held),
            Err(AppError::SignInRequired) => None,
            Err(other) => return Err(other),
        },
        None => None,
    };
    match found {
        Some(found) => {
            let token =
                account_tokens::issue(&txn, found.id, TokenPurpose::ResetPassword, None).await?;
            mail_outbox::enqueue(
                &txn,
                emails::reset_password(&found.email, &found.display_name, base_url, &token),
            )
            .await?;
            super::audit::record(
                &txn,
                Some(found.id),
                "account.password_reset_requested",
                &format!("account:{}", found.id),
                serde_json::json!({}),
            )
            .await?;
            tracing::info!(account = found.id, "password reset link queued");
        }
        None => {
            mail_outbox::enqueue(&txn, emails::no_account_for_reset(&email, base_url)).await?;
            tracing::info!("password reset asked for an address with no account");
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link: the link proves the address (so it counts as verified), and every
/// session of the account ends.
pub async fn reset_password(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    token: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let base_url = issuer.base_url.as_str();
    validate_new_password("new_password", new_password)?;
    let hash = hash_password(new_password.to_owned()).await?;
    let txn = db.begin().await?;
    let used = account_tokens::consume(&txn, token, TokenPurpose::ResetPassword).await?;
    let found = account::Entity::find_by_id(used.account_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("The account for this link".to_owned()))?;
    let (id, email, name) = (found.id, found.email.clone(), found.display_name.clone());
    let was_verified = found.email_verified_at.is_some();
    let verified_at = found.email_verified_at.unwrap_or_else(Utc::now);
    let mut active: account::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.email_verified_at = Set(Some(verified_at));
    let updated = active.update(&txn).await?;
    let ended = sessions::end_all(&txn, id, None).await?;
    super::audit::record(
        &txn,
        Some(id),
        "account.password_reset",
        &format!("account:{id}"),
        serde_json::json!({ "sessions_ended": ended }),
    )
    .await?;
    mail_outbox::enqueue(&txn, emails::password_changed(&email, &name, base_url)).await?;
    txn.commit().await?;
    tracing::info!(account = id, sessions_ended = ended, "password reset");
    if !was_verified {
        issue_waiting_records(db, issuer, frameworks, pathways, &updated).await?;
    }
    Ok(())
}

/// Asks to move the account to `new_email`: needs the current password; the new address gets a link, the
/// old one a notice. An address that has its own account gets an email saying so, and the answer here is the
/// same.
pub async fn request_email_change(
    db: &DatabaseConnection,
    base_url: &str,
    account: &account::Model,
    new_email: &str,
    current_password: &str,
    signed_in_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), AppError> {
    let new_email = normalise_email(new_email);
    let echo = vec![("new_email".to_owned(), new_email.clone())];
    if !plausible_email(&new_email) {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "new_email",
                "Enter an email address in the format name@example.org.",
            )],
            values: echo,
        });
    }
    if new_email == account.email {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "new_email",
                "That is already your email address.",
            )],
            values: echo,
        });
    }
    // An account without a password (made by a VLE launch or an organisation's sign-in) confirms by having
    // signed in moments ago, as for erasure; one with a password by typing it.
    if account.password_hash.is_empty() {
        let minutes = super::personal_data::RECENT_SIGN_IN_MINUTES;
        let recent = signed_in_at
            .is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::minutes(minutes));
        if !recent {
            return Err(AppError::Invalid {
                errors: vec![FieldError::new(
                    "new_email",
                    format!(
                        "For your safety, sign out, open the academy from your course or organisation again, \
                         then change your address within {minutes} minutes."
                    ),
                )],
                values: echo,
            });
        }
    } else if !verify_password(current_password.to_owned(), account.password_hash.clone()).await? {
        security_event(db, account.id, "account.email_change_refused").await?;
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "email_password",
                "Your current password is not right.",
            )],
            values: echo,
        });
    }
    let txn = db.begin().await?;
    // Held, so nothing is sent for an account erased meanwhile.
    super::accounts::hold_learner(&txn, account.id).await?;
    // The old address is told in both cases, so the notice cannot reveal whether the new one is taken; an
    // address that receives no mail (a VLE learner's first, under the reserved `.invalid` domain) is not.
    if !account.email.ends_with(".invalid") {
        mail_outbox::enqueue(
            &txn,
            emails::address_change_notice(
                &account.email,
                &account.display_name,
                &new_email,
                false,
                base_url,
            ),
        )
        .await?;
    }
    if find_by_email(&txn, &new_email).await?.is_some() {
        mail_outbox::enqueue(&txn, emails::address_taken(&new_email, base_url)).await?;
    } else {
        let token = account_tokens::issue(
            &txn,
            account.id,
            TokenPurpose::ChangeEmail,
            Some(&new_email),
        )
        .await?;
        mail_outbox::enqueue(
            &txn,
            emails::confirm_new_address(&new_email, &account.display_name, base_url, &token),
        )
        .await?;
    }
    super::audit::record(
        &txn,
        Some(account.id),
        "account.email_change_requested",
        &format!("account:{}", account.id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Follows a change-of-address link: the account moves to the proved address (verified), and the old address
/// is told.
pub async fn confirm_email_change(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    token: &str,
) -> Result<(), AppError> {
    let base_url = issuer.base_url.as_str();
    let txn = db.begin().await?;
    let used = account_tokens::consume(&txn, token, TokenPurpose::ChangeEmail).await?;
    let new_email = used.new_email.clone().ok_or_else(|| {
        crate::ssr::error::internal("confirming an address", "token has no address")
    })?;
    let found = account::Entity::find_by_id(used.account_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("The account for this link".to_owned()))?;
    if account::Entity::find()
        .filter(account::Column::Email.eq(&new_email))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "Another account started using this address after the link was sent, so your account keeps its \
             current address."
                .to_owned(),
        ));
    }
    let (id, old_email, name) = (found.id, found.email.clone(), found.display_name.clone());
    let was_verified = found.email_verified_at.is_some();
    // Links sent to the old address (a reset, say) must not work once it no longer belongs to the account.
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(Utc::now())))
        .filter(account_token::Column::AccountId.eq(id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    let mut active: account::ActiveModel = found.into();
    active.email = Set(new_email.clone());
    active.email_verified_at = Set(Some(Utc::now()));
    let updated = match active.update(&txn).await {
        Ok(updated) => updated,
        Err(e) => {
            // Another account took the address between the check above and this update.
            return Err(
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) {
                    AppError::Conflict(
                    "Another account started using this address after the link was sent, so your \
                     account keeps its current address."
                        .to_owned(),
                )
                } else {
                    e.into()
                },
            );
        }
    };
    super::audit::record(
        &txn,
        Some(id),
        "account.email_changed",
        &format!("account:{id}"),
        serde_json::json!({}),
    )
    .await?;
    mail_outbox::enqueue(
        &txn,
        emails::address_change_notice(&old_email, &name, &new_email, true, base_url),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = id, "email address changed");
    if !was_verified {
        issue_waiting_records(db, issuer, frameworks, pathways, &updated).await?;
    }
    Ok(())
}
