//! Pathway records: completing every required module of a pathway earns an Open Badges 3.0 record of its
//! own (an achievement of type Certificate) that names, as its evidence, the module records it rests on.
//!
//! Issued in the transaction that completes the pathway's last required module, exactly once (the
//! `pathway_completion` row has a unique (learner, pathway) index, as module completions do), or on the
//! learner's request from the pathway's page when they had completed its modules before (the pathway was
//! added, or a module left it). A pathway rests on live module records only: a revoked one does not count.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use std::collections::HashMap;

use super::catalogue::resolve_codes;
use crate::error::AppError;
use crate::model::pathways::PathwayRecordLink;
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::db::begin_write;
use crate::ssr::entities::{account, completion_record, module, pathway_completion, record_basis};
use crate::ssr::error::internal;
use crate::ssr::records::Issuer;
use crate::ssr::records::credential::{self, BasisFacts, PathwayFacts};
use crate::ssr::records::jwt;

/// Where a learner stands on a pathway's record.
enum Standing {
    /// Issued now, or before.
    Issued(completion_record::Model),
    /// Not earned yet: the titles of the required modules without a live record.
    Missing(Vec<String>),
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
    let requiring = pathways.iter().filter(|p| {
        p.steps
            .iter()
            .any(|step| step.required && step.module == module_slug)
    });
    for pathway in requiring {
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
        Standing::Missing(titles) => {
            return Err(AppError::Conflict(format!(
                "The pathway “{}” is not complete yet: a valid completion record is still needed for {}.",
                pathway.title,
                titles.join("; ")
            )));
        }
    };
    txn.commit().await?;
    Ok(record.id)
}

/// The learner's record for the pathway: the one issued before, or a new one when every listed required
/// module has a live record; otherwise what is missing.
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
    // The required modules as published now, in the pathway's order (an unlisted module is not asked of
    // anyone, as the pathway's progress does not count it).
    let required: Vec<&str> = pathway
        .steps
        .iter()
        .filter(|s| s.required)
        .map(|s| s.module.as_str())
        .collect();
    let mut listed: HashMap<String, module::Model> = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .filter(module::Column::Slug.is_in(required.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.slug.clone(), m))
        .collect();
    let modules: Vec<module::Model> = required
        .iter()
        .filter_map(|slug| listed.remove(*slug))
        .collect();
    if modules.is_empty() {
        return Ok(Standing::Missing(Vec::new()));
    }
    let mut live: HashMap<i32, completion_record::Model> = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(learner.id))
        .filter(completion_record::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .filter(completion_record::Column::RevokedAt.is_null())
        .filter(completion_record::Column::WithdrawnAt.is_null())
        .all(txn)
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
        return Ok(Standing::Missing(missing));
    }
    let basis: Vec<(module::Model, completion_record::Model)> = modules
        .into_iter()
        .filter_map(|m| live.remove(&m.id).map(|r| (m, r)))
        .collect();
    issue(txn, issuer, frameworks, pathway, learner, &basis).await
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
        // Completed before (the record may since have been erased with nothing left to show): the record
        // issued then stands; none is issued twice.
        return Ok(match existing(txn, learner.id, &pathway.slug).await? {
            Some(record) => Standing::Issued(record),
            None => Standing::Missing(Vec::new()),
        });
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
    let body = credential::build_pathway(issuer, &facts)
        .to_value()
        .map_err(|e| internal("serialising a pathway record", e))?;
    let token = jwt::sign(issuer, &body).map_err(|e| internal("signing a pathway record", e))?;
    let record = completion_record::ActiveModel {
        id: Set(facts.id.clone()),
        account_id: Set(learner.id),
        module_id: Set(None),
        module_version: Set(None),
        pathway_slug: Set(Some(pathway.slug.clone())),
        status_index: Set(facts.status_index),
        credential: Set(body.to_string()),
        jwt: Set(token),
        kid: Set(issuer.kid.clone()),
        issued_at: Set(facts.issued_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        revoked_by: Set(None),
        withdrawn_at: Set(None),
    }
    .insert(txn)
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

/// The learner's record for a pathway, for its page (a withdrawn one is gone).
pub async fn record_link(
    db: &DatabaseConnection,
    account_id: i32,
    slug: &str,
) -> Result<Option<PathwayRecordLink>, AppError> {
    Ok(existing(db, account_id, slug)
        .await?
        .filter(|r| r.withdrawn_at.is_none())
        .map(|r| PathwayRecordLink {
            revoked: r.revoked_at.is_some(),
            id: r.id,
        }))
}
