//! Deciding that a learner has completed a module, at the moment the last condition is met, exactly once.
//!
//! Called after every lesson completion and every passed assessment. The `module_completion` row has a
//! unique (learner, module) index: of two racing requests only one inserts it, and only that one issues
//! the completion record, in the same transaction.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::progress::module_progress;
use super::records;
use crate::error::AppError;
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::db::begin_write;
use crate::ssr::entities::{account, completion_record, module, module_completion, quiz_attempt};
use crate::ssr::error::internal;
use crate::ssr::records::Issuer;

/// Completes the module for the learner if its rule is now met, in its own transaction; returns the record
/// id when one exists (newly issued or issued before). Learning events complete modules inside their own
/// transaction instead ([`complete_in`]); this is for issuing records that waited for a verified address.
pub async fn complete_if_due(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    account_id: i32,
    found: &module::Model,
) -> Result<Option<String>, AppError> {
    let txn = begin_write(db).await?;
    // The learner first, as every write of their data holds them (an account erased meanwhile earns nothing
    // and gets no enrolment back); then their enrolment before reading their progress, as a lesson completion
    // does: a last lesson completed on another server at the same moment is then seen here, or sees this
    // verification.
    let learner = match super::accounts::hold_learner(&txn, account_id).await {
        Ok(learner) => learner,
        Err(AppError::SignInRequired) => return Ok(None),
        Err(other) => return Err(other),
    };
    super::progress::ensure_enrolled(&txn, [(account_id, found.id)]).await?;
    let record = complete_in(&txn, issuer, frameworks, pathways, &learner, found).await?;
    txn.commit().await?;
    if record.is_some() {
        // As after a learning event: a module completed at the same moment on another server is seen now.
        super::pathway_records::settle_directly(
            db,
            issuer,
            frameworks,
            pathways,
            account_id,
            &found.slug,
        )
        .await;
    }
    Ok(record)
}

/// Completes the module inside the caller's transaction if its rule is now met, and returns the record id
/// when one exists. The caller holds the learner (`accounts::hold_learner`, so `learner` stays as read until
/// the commit: a verification on another server waits for it) and then their enrolment
/// (`progress::ensure_enrolled`, so two servers deciding the same learner's module take turns). A learner
/// who has not verified their email address earns nothing yet: a record names its holder, so it waits until
/// the address is proved (then `email_links::verify_email` calls [`complete_if_due`] for every module they
/// are enrolled in). A module that completes a pathway also earns the pathway's record, in the same
/// transaction.
pub async fn complete_in(
    txn: &DatabaseTransaction,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    learner: &account::Model,
    found: &module::Model,
) -> Result<Option<String>, AppError> {
    let Some(met) = rule_met(txn, learner.id, found).await? else {
        return Ok(None);
    };
    if learner.email_verified_at.is_none() {
        // No record yet; a VLE's gradebook knows the learner by its own identifier and is told now.
        super::lti::grades::queue_scores(txn, learner.id, &found.slug, met.score()).await?;
        return Ok(None);
    }
    let inserted = module_completion::Entity::insert(module_completion::ActiveModel {
        account_id: Set(learner.id),
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
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        return existing_record(txn, learner.id, found.id).await;
    }
    super::lti::grades::queue_scores(txn, learner.id, &found.slug, met.score()).await?;
    // The record's bit in the status list is the completion's own row id: unique without reading what
    // other transactions have issued, so learners completing at the same moment never clash (taking the
    // highest index so far and adding one did, under load on PostgreSQL).
    let completion = module_completion::Entity::find()
        .filter(module_completion::Column::AccountId.eq(learner.id))
        .filter(module_completion::Column::ModuleId.eq(found.id))
        .one(txn)
        .await?
        .ok_or_else(|| {
            internal(
                "issuing a record",
                "the completion just stored is not there",
            )
        })?;
    let record = records::issue(
        txn,
        issuer,
        frameworks,
        learner.id,
        found,
        met.best_pass,
        completion.id,
    )
    .await?;
    tracing::info!(record = %record.id, module = %found.slug, "completion record issued");
    super::pathway_records::issue_earned(txn, issuer, frameworks, pathways, learner, &found.slug)
        .await?;
    Ok(Some(record.id))
}

/// A module's completion rule, met.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Met {
    /// The best passed assessment's score (percent), when there is one.
    pub best_pass: Option<u32>,
}

impl Met {
    /// What a VLE's gradebook is sent: the best assessment score, or 100 for a module completed by its
    /// lessons alone.
    pub fn score(self) -> u32 {
        self.best_pass.unwrap_or(100)
    }
}

/// Whether the learner meets the module's completion rule now.
pub(crate) async fn rule_met<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    found: &module::Model,
) -> Result<Option<Met>, AppError> {
    let progress = module_progress(db, account_id, found.id).await?;
    let lessons_done = progress.total > 0 && progress.completed == progress.total;
    let best_pass = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::AccountId.eq(account_id))
        .filter(quiz_attempt::Column::ModuleId.eq(found.id))
        .filter(quiz_attempt::Column::Scope.eq(quiz_attempt::AttemptScope::Assessment))
        .filter(quiz_attempt::Column::Passed.eq(true))
        .order_by_desc(quiz_attempt::Column::Score)
        .one(db)
        .await?;
    if !found.completion.is_met(lessons_done, best_pass.is_some()) {
        return Ok(None);
    }
    Ok(Some(Met {
        best_pass: best_pass.map(|a| u32::try_from(a.score).unwrap_or(0)),
    }))
}

async fn existing_record<C: ConnectionTrait>(
    db: &C,
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
