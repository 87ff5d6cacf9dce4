//! Registering, signing in and creating admins.

use chrono::Utc;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};

use super::passwords::{decoy_hash, hash_password, verify_password};
use crate::error::{AppError, FieldError};
use crate::ssr::entities::account;

use crate::model::accounts::AccountSettings;
pub use crate::model::accounts::Role;
use crate::ssr::limits::Limits;

/// What a person types into the registration form.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// The shortest password accepted. Length is what makes a password strong (NCSC guidance favours long
/// passphrases over composition rules), so there are no rules about symbols or digits.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 128;

/// Lower-cases and trims an email so the same address always finds the same account.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A rough shape check (one `@`, a dotted domain, no spaces); the emailed link is the real proof.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// Checks every field and reports all problems at once.
pub fn validate_registration(input: &Registration) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let email = normalise_email(&input.email);
    if email.is_empty() {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter your email address.".into(),
        });
    } else if !plausible_email(&email) {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter an email address in the format name@example.org.".into(),
        });
    }
    check_display_name(input.display_name.trim(), &mut errors);
    check_new_password("password", &input.password, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid {
            errors,
            values: echo(input),
        })
    }
}

fn echo(input: &Registration) -> Vec<(String, String)> {
    vec![
        ("email".into(), input.email.trim().to_owned()),
        ("display_name".into(), input.display_name.trim().to_owned()),
    ]
}

/// Whether a new account's address counts as proved. Only the command line (an operator creating an
/// admin) and tests create accounts already verified; people registering prove theirs by the emailed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    Yes,
    No,
}

/// Creates an account with `role` after validating the input. An email already in use is a field error
/// (the registration page never shows this: see `email_links::register`).
pub async fn create_account(
    db: &DatabaseConnection,
    input: Registration,
    role: Role,
    verified: Verified,
) -> Result<account::Model, AppError> {
    validate_registration(&input)?;
    let email = normalise_email(&input.email);
    let taken = || AppError::Invalid {
        errors: vec![FieldError {
            field: "email".into(),
            message: "An account with this email address already exists. Sign in instead.".into(),
        }],
        values: echo(&input),
    };
    if account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let password_hash = hash_password(input.password.clone()).await?;
    let created = account::ActiveModel {
        email: Set(email.clone()),
        display_name: Set(input.display_name.trim().to_owned()),
        password_hash: Set(password_hash),
        role: Set(role),
        created_at: Set(Utc::now()),
        email_verified_at: Set((verified == Verified::Yes).then(Utc::now)),
        ..Default::default()
    }
    .insert(db)
    .await;
    match created {
        Ok(model) => Ok(model),
        // Two registrations for one email raced; the unique index let only one through.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(taken())
        }
        Err(e) => Err(e.into()),
    }
}

/// The account for this email and password, or a deliberately vague error (no hint which one was wrong).
///
/// Attempts on one account are counted by `limits` (slowed, not locked), and every outcome is a security
/// event: logged, and written to the audit log against the account when the email names one (an unknown
/// email is logged without what was typed, which may be a password in the wrong box).
pub async fn authenticate(
    db: &DatabaseConnection,
    limits: &Limits,
    email: &str,
    password: &str,
) -> Result<account::Model, AppError> {
    let email = normalise_email(email);
    let wrong = || AppError::Invalid {
        errors: vec![FieldError {
            field: "password".into(),
            message: "The email address or password is incorrect.".into(),
        }],
        values: vec![("email".into(), email.clone())],
    };
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(db)
        .await?
        .filter(|a| a.erased_at.is_none());
    if let Err(refused) = limits.check_account(&email) {
        if let Some(account) = &found {
            security_event(db, account.id, "account.sign_in_throttled").await?;
        }
        return Err(refused);
    }
    if let Some(provider) =
        super::single_sign_on::providers::requiring_sign_in_for(db, &email).await?
    {
        return Err(AppError::Invalid {
            errors: vec![FieldError::new(
                "email",
                format!(
                    "Your organisation signs you in: use \"Sign in with {}\" on this page.",
                    provider.display_name
                ),
            )],
            values: vec![("email".into(), email.clone())],
        });
    }
    // An account made by an organisation's sign-in has no password (an empty hash): it is checked against
    // the decoy like an unknown address, so the time taken does not tell them apart, and never matches.
    let has_password = found.as_ref().is_some_and(|a| !a.password_hash.is_empty());
    let hash = match &found {
        Some(account) if has_password => account.password_hash.clone(),
        _ => decoy_hash().to_owned(),
    };
    let matches = verify_password(password.to_owned(), hash).await? && has_password;
    match found {
        Some(account) if matches => {
            tracing::info!(account = account.id, "signed in");
            security_event(db, account.id, "account.signed_in").await?;
            Ok(account)
        }
        Some(account) => {
            tracing::warn!(account = account.id, "sign-in failed: wrong password");
            security_event(db, account.id, "account.sign_in_failed").await?;
            Err(wrong())
        }
        None => {
            tracing::warn!("sign-in failed: no account has that email");
            Err(wrong())
        }
    }
}

/// Writes a security event about an account to the audit log.
pub(super) async fn security_event(
    db: &DatabaseConnection,
    account_id: i32,
    action: &str,
) -> Result<(), AppError> {
    super::audit::record(
        db,
        Some(account_id),
        action,
        &format!("account:{account_id}"),
        serde_json::json!({}),
    )
    .await
}

/// What the `create-admin` command does: a new admin account with the given password, its address taken as
/// verified (the operator vouches for it). An address that already has an account is refused unless
/// `promote_existing`: then that account becomes an admin and keeps its own password (the one given is not
/// used, and the command says so), provided its holder has verified the address.
pub async fn create_admin(
    db: &DatabaseConnection,
    input: Registration,
    promote_existing: bool,
) -> Result<account::Model, AppError> {
    match find_by_email(db, &input.email).await? {
        Some(_) if !promote_existing => Err(AppError::Conflict(format!(
            "{} already has an account. To make that account an admin (keeping its own password), run the \
             command again with --promote-existing.",
            normalise_email(&input.email)
        ))),
        Some(existing) => grant_role(db, None, &existing.email, Role::Admin).await,
        None => {
            let created = create_account(db, input, Role::Admin, Verified::Yes).await?;
            security_event(db, created.id, "account.admin_created").await?;
            Ok(created)
        }
    }
}

/// Gives the account with this email a role (how admins make course leads), recording it in the audit log.
/// Refused for an account whose holder has not proved the address: a role must go to the person who owns it.
pub async fn grant_role(
    db: &DatabaseConnection,
    actor_id: Option<i32>,
    email: &str,
    role: Role,
) -> Result<account::Model, AppError> {
    let found = find_by_email(db, email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("An account with the email address {email}")))?;
    if found.email_verified_at.is_none() {
        return Err(AppError::Conflict(format!(
            "{} has not verified its email address yet, so it cannot be given a role. Ask its holder to follow \
             the link in their verification email (they can ask for a new one from their account page).",
            found.email
        )));
    }
    let txn = db.begin().await?;
    let found = lock_for_change(&txn, found.id)
        .await
        .map_err(|error| match error {
            AppError::SignInRequired => {
                AppError::NotFound(format!("An account with the email address {email}"))
            }
            other => other,
        })?;
    let previous = found.role;
    let mut active: account::ActiveModel = found.into();
    active.role = Set(role);
    let updated = active.update(&txn).await?;
    super::audit::record(
        &txn,
        actor_id,
        "account.role_granted",
        &format!("account:{}", updated.id),
        serde_json::json!({ "role": role.as_str(), "previous": previous.as_str() }),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = updated.id, role = role.as_str(), "role granted");
    Ok(updated)
}

fn check_display_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "Enter the name to show on your records.",
        ));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new(
            "display_name",
            "Your name must be 100 characters or fewer.",
        ));
    }
}

/// Checks a new password on its own (reset, change), as a field error on `field`.
pub fn validate_new_password(field: &str, password: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    check_new_password(field, password, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid {
            errors,
            values: Vec::new(),
        })
    }
}

fn check_new_password(field: &str, password: &str, errors: &mut Vec<FieldError>) {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            field,
            format!("Your password must be at least {MIN_PASSWORD_CHARS} characters long."),
        ));
    } else if length > MAX_PASSWORD_CHARS {
        errors.push(FieldError::new(
            field,
            format!("Your password must be {MAX_PASSWORD_CHARS} characters or fewer."),
        ));
    }
}

/// The account page's data: profile and live sessions (`current` is this request's session row).
pub async fn settings(
    db: &DatabaseConnection,
    account: &account::Model,
    current: Option<&str>,
) -> Result<AccountSettings, AppError> {
    Ok(AccountSettings {
        display_name: account.display_name.clone(),
        email: account.email.clone(),
        email_verified: account.email_verified_at.is_some(),
        sessions: super::sessions::list(db, account, current).await?,
        has_password: !account.password_hash.is_empty(),
        organisations: super::single_sign_on::providers::linked_to(db, account.id).await?,
    })
}

/// Corrects the name shown on the account and on records issued from now on (records already issued keep
/// the name they were signed with; they are evidence of what was issued).
pub async fn change_name(
    db: &DatabaseConnection,
    account: &account::Model,
    display_name: &str,
) -> Result<(), AppError> {
    let name = display_name.trim();
    let mut errors = Vec::new();
    check_display_name(name, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors,
            values: vec![("display_name".into(), name.to_owned())],
        });
    }
    let txn = db.begin().await?;
    let mut active: account::ActiveModel = lock_for_change(&txn, account.id).await?.into();
    active.display_name = Set(name.to_owned());
    active.update(&txn).await?;
    super::audit::record(
        &txn,
        Some(account.id),
        "account.name_changed",
        &format!("account:{}", account.id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the password after checking the current one, and signs the account out everywhere else: whoever
/// knew the old password loses their session too.
pub async fn change_password(
    db: &DatabaseConnection,
    base_url: &str,
    account: &account::Model,
    current_password: &str,
    new_password: &str,
    keep_session: Option<&str>,
) -> Result<u64, AppError> {
    validate_new_password("new_password", new_password)?;
    if !verify_password(current_password.to_owned(), account.password_hash.clone()).await? {
        tracing::warn!(
            account = account.id,
            "password change refused: wrong current password"
        );
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not right.",
        ));
    }
    let hash = hash_password(new_password.to_owned()).await?;
    let txn = db.begin().await?;
    let current = lock_for_change(&txn, account.id).await?;
    let mut active: account::ActiveModel = current.clone().into();
    active.password_hash = Set(hash);
    active.update(&txn).await?;
    let ended = super::sessions::end_all(&txn, account.id, keep_session).await?;
    super::audit::record(
        &txn,
        Some(account.id),
        "account.password_changed",
        &format!("account:{}", account.id),
        serde_json::json!({ "sessions_ended": ended }),
    )
    .await?;
    super::mail_outbox::enqueue(
        &txn,
        super::emails::password_changed(&current.email, &current.display_name, base_url),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        account = account.id,
        sessions_ended = ended,
        "password changed"
    );
    Ok(ended)
}

/// The account, unless erased, locked as `lock` until the caller's transaction ends; erasure marks the
/// account before deleting anything, so a write that holds it first is finished before the deletes run, and
/// one that comes after waits and is refused ([`AppError::SignInRequired`]). The lock is PostgreSQL's (several
/// servers); SQLite has one writer, and the erased check is enough there.
async fn live_account<C: sea_orm::ConnectionTrait>(
    txn: &C,
    account_id: i32,
    lock: LockType,
) -> Result<account::Model, AppError> {
    account::Entity::find_by_id(account_id)
        .filter(account::Column::ErasedAt.is_null())
        .lock(lock)
        .one(txn)
        .await?
        .ok_or(AppError::SignInRequired)
}

/// The account about to be changed (its name, password, role, or through an emailed link), held exclusively
/// until the change commits: a change racing an erasure never writes the old name, password hash or role
/// back onto the erased account, nor verifies it.
pub(crate) async fn lock_for_change<C: sea_orm::ConnectionTrait>(
    txn: &C,
    account_id: i32,
) -> Result<account::Model, AppError> {
    live_account(txn, account_id, LockType::Update).await
}

/// The learner a write of their own data is for (a lesson, an attempt, an enrolment, joining a cohort, a
/// record, an emailed link issued), held shared until the caller's transaction ends, so such writes do not
/// wait for one another.
pub async fn hold_learner<C: sea_orm::ConnectionTrait>(
    txn: &C,
    account_id: i32,
) -> Result<account::Model, AppError> {
    live_account(txn, account_id, LockType::Share).await
}

/// The rule for what only an admin may do (registering identity providers and VLEs, the outboxes).
pub fn require_admin(account: &account::Model) -> Result<(), AppError> {
    if account.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Finds an account by email.
pub async fn find_by_email<C: sea_orm::ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<account::Model>, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(normalise_email(email)))
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str, name: &str, password: &str) -> Registration {
        Registration {
            email: email.into(),
            display_name: name.into(),
            password: password.into(),
        }
    }

    #[test]
    fn every_invalid_field_is_reported_at_once_and_the_password_is_never_echoed() {
        let err = validate_registration(&input("not-an-email", " ", "short")).expect_err("invalid");
        assert!(err.field_message("email").is_some());
        assert!(err.field_message("display_name").is_some());
        assert!(err.field_message("password").is_some());
        assert_eq!(err.echoed_value("email").as_deref(), Some("not-an-email"));
        assert_eq!(err.echoed_value("password"), None);
    }

    #[test]
    fn a_long_passphrase_without_symbols_is_accepted() {
        assert!(
            validate_registration(&input("Ada@Example.org", "Ada", "correct horse battery"))
                .is_ok()
        );
    }
}
