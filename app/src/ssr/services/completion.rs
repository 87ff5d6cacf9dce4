//! Deciding that a learner has completed a module, at the moment the last condition is met, exactly once.
//!
//! Called after every lesson completion and every passed assessment. The `module_completion` row has a
//! unique (learner, module) index: of two racing requests only one inserts it, and only that one issues
//! the completion record, in the same transaction.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use super::progress::module_progress;
use super::records;
use crate::error::AppError;
use crate::model::quizzes::ASSESSMENT_SCOPE;
use crate::ssr::content::{CompletionRule, Framework};
use crate::ssr::entities::{account, completion_record, module, module_completion, quiz_attempt};
use crate::ssr::records::Issuer;

/// Completes the module for the learner if its rule is now met; returns the record id when one exists
/// (newly issued or issued before). A learner who has not verified their email address earns nothing yet:
/// a record names its holder, so it waits until the address is proved (then `email_links::verify_email`
/// calls this again for every module they are enrolled in).
pub async fn complete_if_due(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    account_id: i32,
    found: &module::Model,
) -> Result<Option<String>, AppError> {
    let verified = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .is_some_and(|a| a.email_verified_at.is_some());
    if !verified {
        return Ok(None);
    }
    let rule = CompletionRule::parse(&found.completion).unwrap_or(CompletionRule::Completed);
    let progress = module_progress(db, account_id, found.id).await?;
    let lessons_done = progress.total > 0 && progress.completed == progress.total;
    let best_pass = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::AccountId.eq(account_id))
        .filter(quiz_attempt::Column::ModuleId.eq(found.id))
        .filter(quiz_attempt::Column::Scope.eq(ASSESSMENT_SCOPE))
        .filter(quiz_attempt::Column::Passed.eq(true))
        .one(db)
        .await?;
    if !rule.is_met(lessons_done, best_pass.is_some()) {
        return Ok(None);
    }
    // A status-list index clash between two learners completing at once is retried.
    for attempt in 1..=3 {
        let txn = db.begin().await?;
        let inserted = module_completion::Entity::insert(module_completion::ActiveModel {
            account_id: Set(account_id),
            module_id: Set(found.id),
            module_version: Set(found.version),
            completed_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                module_completion::Column::AccountId,
                module_completion::Column::ModuleId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            txn.rollback().await?;
            return existing_record(db, account_id, found.id).await;
        }
        let score = best_pass
            .as_ref()
            .map(|a| u32::try_from(a.score).unwrap_or(0));
        match records::issue(&txn, issuer, frameworks, account_id, found, score).await {
            Ok(record) => {
                txn.commit().await?;
                tracing::info!(record = %record.id, module = %found.slug, "completion record issued");
                return Ok(Some(record.id));
            }
            Err(e) if attempt < 3 => {
                tracing::warn!(error = ?e, "issuing a record raced; retrying");
                txn.rollback().await?;
            }
            Err(e) => return Err(e),
        }
    }
    existing_record(db, account_id, found.id).await
}

async fn existing_record(
    db: &DatabaseConnection,
    account_id: i32,
    module_id: i32,
) -> Result<Option<String>, AppError> {
    Ok(completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(account_id))
        .filter(completion_record::Column::ModuleId.eq(module_id))
        .one(db)
        .await?
        .map(|r| r.id))
}

/// How many learners have completed a module (for tests and dashboards).
pub async fn completions(db: &DatabaseConnection, module_id: i32) -> Result<u64, AppError> {
    Ok(module_completion::Entity::find()
        .filter(module_completion::Column::ModuleId.eq(module_id))
        .count(db)
        .await?)
}
