//! Enrolling, marking lessons complete, and working out where a learner should continue.

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};

use super::catalogue::{cards, find_module, lesson_outlines};
use crate::error::AppError;
use crate::model::catalogue::{LessonRef, ModuleCard, ProgressSummary};
use crate::ssr::entities::{enrolment, lesson, lesson_progress, module};
use crate::ssr::group_commit::Writes;

/// Progress through lessons in order: how many are done and the first one not yet completed, which is
/// where "continue where you left off" takes the learner.
pub fn summarise(lessons: &[LessonRef], completed: &HashSet<String>) -> ProgressSummary {
    let done = lessons
        .iter()
        .filter(|l| completed.contains(&l.slug))
        .count();
    ProgressSummary {
        completed: u32::try_from(done).unwrap_or(u32::MAX),
        total: u32::try_from(lessons.len()).unwrap_or(u32::MAX),
        next_lesson: lessons
            .iter()
            .find(|l| !completed.contains(&l.slug))
            .cloned(),
    }
}

/// Ids of the modules an account is enrolled in.
pub async fn enrolled_module_ids(
    db: &DatabaseConnection,
    account_id: i32,
) -> Result<HashSet<i32>, AppError> {
    let ids: Vec<i32> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::ModuleId)
        .filter(enrolment::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// A learner's completed lessons per module, split by whether the lesson is still as they completed it.
#[derive(Debug, Default)]
pub struct Completions {
    /// Completed, and the lesson's content has not changed since: these count towards progress.
    pub current: HashMap<i32, HashSet<String>>,
    /// Completed on content that has since been changed by a newer version: to be read again.
    pub changed: HashMap<i32, HashSet<String>>,
}

/// Every lesson completion matching `filter`, as (learner, module, lesson slug, content hash at
/// completion): the one read behind a cohort's standing and a completion batch's progress, each of which
/// then keeps the completions whose content is unchanged.
pub(crate) async fn completion_rows<C: ConnectionTrait>(
    db: &C,
    filter: Condition,
) -> Result<Vec<(i32, i32, String, String)>, AppError> {
    Ok(lesson_progress::Entity::find()
        .select_only()
        .columns([
            lesson_progress::Column::AccountId,
            lesson_progress::Column::ModuleId,
            lesson_progress::Column::LessonSlug,
            lesson_progress::Column::ContentHash,
        ])
        .filter(filter)
        .into_tuple()
        .all(db)
        .await?)
}

/// The learner's completions (in one module, or all), compared with the lessons' current content hashes.
pub async fn completions<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_id: Option<i32>,
) -> Result<Completions, AppError> {
    let mut query = lesson_progress::Entity::find()
        .select_only()
        .columns([
            lesson_progress::Column::ModuleId,
            lesson_progress::Column::LessonSlug,
            lesson_progress::Column::ContentHash,
        ])
        .filter(lesson_progress::Column::AccountId.eq(account_id));
    if let Some(module_id) = module_id {
        query = query.filter(lesson_progress::Column::ModuleId.eq(module_id));
    }
    let rows: Vec<(i32, String, String)> = query.into_tuple().all(db).await?;
    if rows.is_empty() {
        return Ok(Completions::default());
    }
    let module_ids: HashSet<i32> = rows.iter().map(|(m, _, _)| *m).collect();
    let current_hashes: HashMap<(i32, String), String> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::ContentHash,
        ])
        .filter(lesson::Column::ModuleId.is_in(module_ids))
        .into_tuple::<(i32, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(m, slug, hash)| ((m, slug), hash))
        .collect();
    let mut result = Completions::default();
    for (module_id, slug, hash) in rows {
        match current_hashes.get(&(module_id, slug.clone())) {
            Some(now) if *now == hash => result.current.entry(module_id).or_default().insert(slug),
            Some(_) => result.changed.entry(module_id).or_default().insert(slug),
            None => false,
        };
    }
    Ok(result)
}

/// Completed lesson slugs per module whose content is unchanged since completion.
pub async fn completed_lessons<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_id: Option<i32>,
) -> Result<HashMap<i32, HashSet<String>>, AppError> {
    Ok(completions(db, account_id, module_id).await?.current)
}

/// Enrols each (account, module) pair not enrolled already, in one statement, and holds each pair's
/// enrolment row until the transaction ends: an existing row meets `ON CONFLICT DO UPDATE … WHERE false`,
/// which on PostgreSQL locks it and writes nothing. So two servers writing progress in the same learner's
/// module take turns, and the second reads the first's progress: two servers each completing one of a
/// learner's last two lessons complete the module once, not never. Rows go in key order, so overlapping batches take these locks in the same order
/// and cannot deadlock. (SQLite has one writer, so its transactions already take turns.)
pub(crate) async fn ensure_enrolled<C: ConnectionTrait>(
    db: &C,
    pairs: impl IntoIterator<Item = (i32, i32)>,
) -> Result<(), AppError> {
    let pairs: BTreeSet<(i32, i32)> = pairs.into_iter().collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    enrolment::Entity::insert_many(pairs.into_iter().map(|(account_id, module_id)| {
        enrolment::ActiveModel {
            account_id: Set(account_id),
            module_id: Set(module_id),
            enrolled_at: Set(now),
            ..Default::default()
        }
    }))
    .on_conflict(
        OnConflict::columns([enrolment::Column::AccountId, enrolment::Column::ModuleId])
            .value(
                enrolment::Column::EnrolledAt,
                Expr::col((enrolment::Entity, enrolment::Column::EnrolledAt)),
            )
            // Never true, so nothing is rewritten; PostgreSQL still locks each conflicting row ("all rows
            // will be locked when the ON CONFLICT DO UPDATE action is taken", INSERT's documentation).
            .action_and_where(Expr::val(false))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Enrols an account in a module; enrolling twice is harmless. Goes through the same write queue as the
/// other learning events, so on SQLite a morning's rush of enrolments waits its turn in the queue instead of
/// timing out on the database's write lock.
pub async fn enrol(
    writes: impl Into<Writes>,
    account_id: i32,
    module_slug: &str,
) -> Result<(), AppError> {
    let module_slug = module_slug.to_owned();
    writes
        .into()
        .run(move |txn| {
            Box::pin(async move {
                super::accounts::hold_learner(txn, account_id).await?;
                let found = find_module(txn, &module_slug).await?;
                ensure_enrolled(txn, [(account_id, found.id)]).await
            })
        })
        .await
}

/// An account's progress through one module.
pub async fn module_progress<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_id: i32,
) -> Result<ProgressSummary, AppError> {
    let outlines = lesson_outlines(db, Some(vec![module_id])).await?;
    let lessons: Vec<LessonRef> = outlines
        .into_iter()
        .map(|l| LessonRef {
            slug: l.slug,
            title: l.title,
        })
        .collect();
    let completed = completed_lessons(db, account_id, Some(module_id))
        .await?
        .remove(&module_id)
        .unwrap_or_default();
    Ok(summarise(&lessons, &completed))
}

/// "My learning": every module the account is enrolled in (listed or not), with progress, in catalogue order.
pub async fn my_learning(
    db: &DatabaseConnection,
    account_id: i32,
) -> Result<Vec<ModuleCard>, AppError> {
    let enrolled = enrolled_module_ids(db, account_id).await?;
    if enrolled.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = enrolled.iter().copied().collect();
    let modules = module::Entity::find()
        .filter(module::Column::Id.is_in(ids.clone()))
        .order_by_asc(module::Column::Position)
        .order_by_asc(module::Column::Slug)
        .all(db)
        .await?;
    let outlines = lesson_outlines(db, Some(ids)).await?;
    let completed = completed_lessons(db, account_id, None).await?;
    Ok(cards(modules, &outlines, &enrolled, &completed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lessons(slugs: &[&str]) -> Vec<LessonRef> {
        slugs
            .iter()
            .map(|s| LessonRef {
                slug: (*s).to_owned(),
                title: s.to_uppercase(),
            })
            .collect()
    }

    #[test]
    fn learner_resumes_at_first_unfinished_lesson_even_after_skipping_ahead() {
        let done: HashSet<String> = ["a", "c"].iter().map(|s| (*s).to_owned()).collect();
        let summary = summarise(&lessons(&["a", "b", "c"]), &done);
        assert_eq!(summary.completed, 2);
        assert_eq!(summary.total, 3);
        assert_eq!(summary.next_lesson.map(|l| l.slug).as_deref(), Some("b"));
    }

    #[test]
    fn progress_ignores_completions_of_lessons_no_longer_in_the_module() {
        let done: HashSet<String> = ["removed"].iter().map(|s| (*s).to_owned()).collect();
        let summary = summarise(&lessons(&["a"]), &done);
        assert_eq!(summary.completed, 0);
    }
}
