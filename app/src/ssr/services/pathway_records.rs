//! Pathway records: completing every required module of a pathway earns an Open Badges 3.0 record of its
//! own (an achievement of type Certificate) that names, as its evidence, the module records it rests on.
//!
//! Issued in the transaction that completes the pathway's last required module, exactly once (the
//! `pathway_completion` row has a unique (learner, pathway) index, as module completions do). Two modules
//! completed at the same moment on two PostgreSQL servers each see only their own record, so neither would
//! issue it: once a module's completion has committed, [`settle`] looks again in a transaction of its own.
//! A learner who completed the modules before the pathway listed them asks for the record from the
//! pathway's page ([`claim`]). A pathway rests on live module records only: a revoked one does not count.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use std::collections::HashMap;

use super::catalogue::resolve_codes;
use super::learning::Context;
use super::records::NewRecord;
use crate::error::AppError;
use crate::model::pathways::{PathwayRecordLink, PathwayRecordStanding};
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::db::begin_write;
use crate::ssr::entities::completion_record::EarnedFor;
use crate::ssr::entities::{account, completion_record, module, pathway_completion, record_basis};
use crate::ssr::error::internal;
use crate::ssr::group_commit::Writes;
use crate::ssr::records::Issuer;
use crate::ssr::records::credential::{self, BasisFacts, PathwayFacts};

/// Where a learner stands on a pathway's record.
enum Standing {
    /// Issued now, or before.
    Issued(completion_record::Model),
    /// Not earned yet: how far the learner's module records cover the pathway.
    NotYet(Coverage),
}

/// How far a learner's live module records cover a pathway's required modules.
enum Coverage {
    /// Every listed required module has a live record: each module with it, in the pathway's order.
    Complete(Vec<(module::Model, completion_record::Model)>),
    /// The titles of the listed required modules without one.
    Missing(Vec<String>),
    /// The pathway lists no published required module: there is nothing for a record to rest on.
    Empty,
}

/// Issues the records of the pathways the learner completed by completing `module_slug`, inside the
/// caller's transaction (the one that issued the module's record; it holds the learner). Returns the new
/// records' ids.
pub async fn issue_earned<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    learner: &account::Model,
    module_slug: &str,
) -> Result<Vec<String>, AppError> {
    let mut issued = Vec::new();
    for pathway in pathways.iter().filter(|p| requires(p, module_slug)) {
        if let Standing::Issued(record) =
            standing(txn, issuer, frameworks, pathway, learner).await?
        {
            issued.push(record.id);
        }
    }
    Ok(issued)
}

/// The learner asks for a pathway's record (their own: there is no account to name). Returns its id, newly
/// issued or issued before; refused, naming what is missing, when the pathway is not complete.
pub async fn claim(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    actor: &account::Model,
    slug: &str,
) -> Result<String, AppError> {
    let pathway = pathways
        .iter()
        .find(|p| p.slug == slug.trim())
        .ok_or_else(|| AppError::NotFound(format!("The pathway “{}”", slug.trim())))?;
    let txn = begin_write(db).await?;
    // Held until the commit, as for a module's record: an erasure on another server waits, or wins.
    let learner = super::accounts::hold_learner(&txn, actor.id).await?;
    if learner.email_verified_at.is_none() {
        return Err(AppError::Conflict(
            "Confirm your email address first: a record names its holder, so it is issued once the \
             address is proved."
                .to_owned(),
        ));
    }
    let record = match standing(&txn, issuer, frameworks, pathway, &learner).await? {
        Standing::Issued(record) => record,
        Standing::NotYet(Coverage::Missing(titles)) => {
            return Err(AppError::Conflict(format!(
                "The pathway “{}” is not complete yet: a valid completion record is still needed for {}.",
                pathway.title,
                titles.join("; ")
            )));
        }
        Standing::NotYet(Coverage::Complete(_) | Coverage::Empty) => {
            return Err(AppError::Conflict(format!(
                "The pathway “{}” has no published required modules yet, so there is nothing for a \
                 record to rest on.",
                pathway.title
            )));
        }
    };
    txn.commit().await?;
    Ok(record.id)
}

/// The learner's record for the pathway: the one issued before, or a new one when every listed required
/// module has a live record; otherwise how far they are.
async fn standing<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathway: &Pathway,
    learner: &account::Model,
) -> Result<Standing, AppError> {
    if let Some(record) = existing(txn, learner.id, &pathway.slug).await? {
        return Ok(Standing::Issued(record));
    }
    match coverage(txn, pathway, learner.id).await? {
        Coverage::Complete(basis) => issue(txn, issuer, frameworks, pathway, learner, &basis).await,
        other => Ok(Standing::NotYet(other)),
    }
}

/// How far the learner's live module records cover the pathway's required modules as published now (an
/// unlisted module is not asked of anyone, as the pathway's progress does not count it).
async fn coverage<C: ConnectionTrait>(
    db: &C,
    pathway: &Pathway,
    account_id: i32,
) -> Result<Coverage, AppError> {
    let required: Vec<&str> = pathway
        .steps
        .iter()
        .filter(|s| s.required)
        .map(|s| s.module.as_str())
        .collect();
    let mut listed: HashMap<String, module::Model> = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .filter(module::Column::Slug.is_in(required.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.slug.clone(), m))
        .collect();
    let modules: Vec<module::Model> = required
        .iter()
        .filter_map(|slug| listed.remove(*slug))
        .collect();
    if modules.is_empty() {
        return Ok(Coverage::Empty);
    }
    let mut live: HashMap<i32, completion_record::Model> = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(account_id))
        .filter(completion_record::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .filter(completion_record::Column::RevokedAt.is_null())
        .filter(completion_record::Column::WithdrawnAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.module_id?, r)))
        .collect();
    let missing: Vec<String> = modules
        .iter()
        .filter(|m| !live.contains_key(&m.id))
        .map(|m| m.title.clone())
        .collect();
    if !missing.is_empty() {
        return Ok(Coverage::Missing(missing));
    }
    Ok(Coverage::Complete(
        modules
            .into_iter()
            .filter_map(|m| live.remove(&m.id).map(|r| (m, r)))
            .collect(),
    ))
}

async fn existing<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    slug: &str,
) -> Result<Option<completion_record::Model>, AppError> {
    Ok(completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(account_id))
        .filter(completion_record::Column::PathwaySlug.eq(slug))
        .one(db)
        .await?)
}

/// Signs and stores the pathway record resting on `basis` (each required module with its live record).
async fn issue<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathway: &Pathway,
    learner: &account::Model,
    basis: &[(module::Model, completion_record::Model)],
) -> Result<Standing, AppError> {
    let inserted = pathway_completion::Entity::insert(pathway_completion::ActiveModel {
        account_id: Set(learner.id),
        pathway_slug: Set(pathway.slug.clone()),
        completed_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            pathway_completion::Column::AccountId,
            pathway_completion::Column::PathwaySlug,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        // Completed by a transaction that committed meanwhile: the record it issued stands; none is issued
        // twice. (Erasure deletes the completion with the account's data, so the record is there.)
        return match existing(txn, learner.id, &pathway.slug).await? {
            Some(record) => Ok(Standing::Issued(record)),
            None => Err(internal(
                "issuing a pathway record",
                format!("pathway {} is completed with no record", pathway.slug),
            )),
        };
    }
    // The record's bit in the pathway status list is the completion's own row id, as for modules.
    let completion = pathway_completion::Entity::find()
        .filter(pathway_completion::Column::AccountId.eq(learner.id))
        .filter(pathway_completion::Column::PathwaySlug.eq(&pathway.slug))
        .one(txn)
        .await?
        .ok_or_else(|| {
            internal(
                "issuing a pathway record",
                "the completion just stored is not there",
            )
        })?;
    let titles: Vec<&str> = basis.iter().map(|(m, _)| m.title.as_str()).collect();
    let facts = PathwayFacts {
        id: uuid::Uuid::new_v4().to_string(),
        learner_name: learner.display_name.clone(),
        learner_email: learner.email.clone(),
        pathway_slug: pathway.slug.clone(),
        pathway_title: pathway.title.clone(),
        pathway_summary: pathway.summary.clone(),
        criteria: format!(
            "Completed every required module of the pathway ({}), each shown by its own completion record.",
            titles.join("; ")
        ),
        alignments: resolve_codes(&pathway.targets, frameworks),
        basis: basis
            .iter()
            .map(|(m, r)| BasisFacts {
                record_url: issuer.record_url(&r.id),
                module_title: m.title.clone(),
                module_version: r.module_version.unwrap_or(m.version),
                issued_at: r.issued_at,
            })
            .collect(),
        issued_at: Utc::now(),
        status_index: completion.id,
    };
    let record = super::records::store(
        txn,
        issuer,
        NewRecord {
            id: &facts.id,
            account_id: learner.id,
            earned_for: EarnedFor::Pathway {
                slug: &pathway.slug,
            },
            status_index: facts.status_index,
            issued_at: facts.issued_at,
        },
        &credential::build_pathway(issuer, &facts),
    )
    .await?;
    record_basis::Entity::insert_many(basis.iter().enumerate().map(|(position, (_, r))| {
        record_basis::ActiveModel {
            record_id: Set(record.id.clone()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            module_record_id: Set(r.id.clone()),
        }
    }))
    .exec_without_returning(txn)
    .await?;
    tracing::info!(record = %record.id, pathway = %pathway.slug, "pathway record issued");
    Ok(Standing::Issued(record))
}

/// Where the learner stands on a pathway's record, for its page: issued (a withdrawn one is gone), ready
/// to ask for, or held back by modules without a valid record. `progress_complete`: the page's progress
/// says every required module is complete (otherwise there is nothing to look up).
pub async fn record_standing(
    db: &DatabaseConnection,
    pathway: &Pathway,
    account_id: i32,
    progress_complete: bool,
) -> Result<PathwayRecordStanding, AppError> {
    if let Some(record) = existing(db, account_id, &pathway.slug).await? {
        return Ok(match record.withdrawn_at {
            Some(_) => PathwayRecordStanding::NotYet,
            None => PathwayRecordStanding::Issued(PathwayRecordLink {
                revoked: record.revoked_at.is_some(),
                id: record.id,
            }),
        });
    }
    if !progress_complete {
        return Ok(PathwayRecordStanding::NotYet);
    }
    Ok(match coverage(db, pathway, account_id).await? {
        Coverage::Complete(_) => PathwayRecordStanding::Ready,
        Coverage::Missing(modules) => PathwayRecordStanding::Blocked { modules },
        Coverage::Empty => PathwayRecordStanding::NotYet,
    })
}

/// Once a module's completion has committed: issues the records of the pathways it completes that its own
/// transaction could not see were due (see the module's documentation), in a transaction of its own
/// (queued with the other writes where the database groups them). A failure is logged, not returned: the
/// completion stands, and the pathway's page offers the record.
pub async fn settle(writes: &Writes, context: &Context, account_id: i32, module_slug: &str) {
    if !context.pathways.iter().any(|p| requires(p, module_slug)) {
        return;
    }
    let (context, slug) = (context.clone(), module_slug.to_owned());
    let settled = writes
        .run(move |txn| {
            Box::pin(async move {
                settle_in(
                    txn,
                    &context.issuer,
                    &context.frameworks,
                    &context.pathways,
                    account_id,
                    &slug,
                )
                .await
            })
        })
        .await;
    log_unsettled(settled, account_id, module_slug);
}

/// [`settle`] for a completion made outside learning events (a record that waited for a verified address),
/// in a write transaction of its own on `db`.
pub async fn settle_directly(
    db: &DatabaseConnection,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    account_id: i32,
    module_slug: &str,
) {
    if !pathways.iter().any(|p| requires(p, module_slug)) {
        return;
    }
    let settled = async {
        let txn = begin_write(db).await?;
        settle_in(&txn, issuer, frameworks, pathways, account_id, module_slug).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    log_unsettled(settled, account_id, module_slug);
}

fn log_unsettled(settled: Result<(), AppError>, account_id: i32, module_slug: &str) {
    if let Err(error) = settled {
        tracing::warn!(account = account_id, module = %module_slug, %error,
            "checking for a pathway record after a module completion failed; the pathway's page offers it");
    }
}

/// [`settle`] inside the caller's write transaction: the learner held, as for a module's record.
async fn settle_in<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    frameworks: &[Framework],
    pathways: &[Pathway],
    account_id: i32,
    module_slug: &str,
) -> Result<(), AppError> {
    let learner = match super::accounts::hold_learner(txn, account_id).await {
        Ok(learner) => learner,
        // Erased meanwhile: nothing to issue.
        Err(AppError::SignInRequired) => return Ok(()),
        Err(other) => return Err(other),
    };
    if learner.email_verified_at.is_none() {
        return Ok(());
    }
    issue_earned(txn, issuer, frameworks, pathways, &learner, module_slug).await?;
    Ok(())
}

/// Whether completing `module_slug` can complete the pathway.
fn requires(pathway: &Pathway, module_slug: &str) -> bool {
    pathway
        .steps
        .iter()
        .any(|step| step.required && step.module == module_slug)
}
