//! Single-use, expiring tokens for the links sent by email. The link carries 256 random bits; the database
//! keeps only their SHA-256, so a copy of it cannot follow anyone's link. Using a token and the change it
//! authorises happen in one transaction, and a token can be used once even when two requests race.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::error::AppError;
use crate::ssr::entities::account_token::{self, TokenPurpose};

/// How long a link works.
pub fn lifetime(purpose: TokenPurpose) -> Duration {
    match purpose {
        TokenPurpose::VerifyEmail => Duration::hours(48),
        TokenPurpose::ResetPassword => Duration::hours(1),
        TokenPurpose::ChangeEmail => Duration::hours(24),
        TokenPurpose::LtiContinue => Duration::minutes(2),
    }
}

fn hash(token: &str) -> String {
    crate::ssr::secrets::digest(token.trim())
}

/// A new token for `account_id`, inside the caller's transaction; earlier unused tokens for the same purpose
/// stop working, so only the latest link does.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    purpose: TokenPurpose,
    new_email: Option<&str>,
) -> Result<String, AppError> {
    let now = Utc::now();
    // A new emailed link makes the earlier ones of its kind useless; tickets for new windows do not, since
    // several VLE activities on one page each hand over their own.
    if purpose != TokenPurpose::LtiContinue {
        account_token::Entity::update_many()
            .col_expr(account_token::Column::UsedAt, Expr::value(Some(now)))
            .filter(account_token::Column::AccountId.eq(account_id))
            .filter(account_token::Column::Purpose.eq(purpose))
            .filter(account_token::Column::UsedAt.is_null())
            .exec(db)
            .await?;
    }
    let token = crate::ssr::secrets::random();
    account_token::ActiveModel {
        account_id: Set(account_id),
        purpose: Set(purpose),
        token_hash: Set(hash(&token)),
        new_email: Set(new_email.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + lifetime(purpose)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The refusal for a link that is wrong, used or expired: one message for all three, naming what to do.
fn dead_link() -> AppError {
    AppError::invalid(
        "token",
        "This link has expired or has already been used. Ask for a new one.",
    )
}

/// The live token, without using it: for a page that asks before acting on it.
pub async fn peek<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
) -> Result<account_token::Model, AppError> {
    let now = Utc::now();
    account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
        .filter(|t| t.purpose == purpose && t.used_at.is_none() && t.expires_at > now)
        .ok_or_else(dead_link)
}

/// Uses the token (once), inside the caller's transaction, returning what it authorises.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
) -> Result<account_token::Model, AppError> {
    let now = Utc::now();
    let found = account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
        .filter(|t| t.purpose == purpose && t.used_at.is_none() && t.expires_at > now)
        .ok_or_else(dead_link)?;
    // The account before the link, the order an erasure takes (it marks the account, then deletes its links):
    // a link used as its account is erased waits and then finds the account gone, or goes first.
    super::accounts::lock_for_change(db, found.account_id)
        .await
        .map_err(|error| match error {
            AppError::SignInRequired => dead_link(),
            other => other,
        })?;
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(account_token::Column::Id.eq(found.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected == 1 {
        Ok(found)
    } else {
        Err(dead_link())
    }
}
