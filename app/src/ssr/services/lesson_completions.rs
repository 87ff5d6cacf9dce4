//! "Mark as complete" for many learners at once, in a fixed number of statements.
//!
//! A cohort opening the same module on the same morning sends completions in floods. Written one by one,
//! each costs about fifteen statements on the database's single writer, and on SQLite every statement is
//! handed to the connection's own thread and back: that hand-off, not SQLite's work, capped the site at
//! about 1,300 completions a second. Written together, a whole batch (up to `group_commit::MAX_BATCH`) reads
//! its learners, modules, lessons and progress so far in four queries and writes enrolments, progress and
//! statements in one multi-row statement each, so a completion costs a fraction of a statement (a module
//! completed adds the statements that issue its record).
//!
//! Each completion's outcome is what writing the batch's requests one after another in order gives (the
//! same rows, the same progress answered, the module completed and its record issued by the request that
//! finished its lessons, the same statements): writing one alone is this same function with one request. A request that cannot be done (no such module or lesson, no account) is
//! answered with its own error and writes nothing; a database error fails the whole call, and the caller
//! (`group_commit`) then writes each request again alone, so one learner's failure never fails another's.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::completion;
use super::learning::{Context, completion_events};
use super::progress::summarise;
use super::xapi;
use crate::error::AppError;
use crate::model::catalogue::{LessonRef, ProgressSummary};
use crate::ssr::entities::{account, enrolment, lesson, lesson_progress, module};

/// One learner's "mark as complete", as it waits to be written with others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonCompletion {
    pub account_id: i32,
    pub module_slug: String,
    pub lesson_slug: String,
}

/// A lesson of one of the batch's modules: what progress is judged against and what a completion pins.
struct LessonRow {
    slug: String,
    title: String,
    content_hash: String,
}

/// A request whose learner, module and lesson all exist.
struct Ready<'a> {
    learner: &'a account::Model,
    module: &'a module::Model,
    lesson: &'a LessonRow,
}

/// Writes every completion in `requests` inside `txn` (enrolling each learner if needed, pinning the
/// lesson content they saw, completing the module and issuing its record when it was the last lesson, and
/// storing the statements): one outcome per request, in order. `Err` is a database error, after which the
/// caller must discard everything this call wrote (roll back to a savepoint taken before it).
pub async fn write_together(
    txn: &DatabaseTransaction,
    context: &Context,
    requests: &[LessonCompletion],
) -> Result<Vec<Result<ProgressSummary, AppError>>, AppError> {
    let learners = learners(txn, requests).await?;
    let modules = listed_modules(txn, requests).await?;
    let lessons = lessons_of(txn, modules.values().map(|m| m.id)).await?;
    let resolved: Vec<Result<Ready<'_>, AppError>> = requests
        .iter()
        .map(|request| resolve(request, &learners, &modules, &lessons))
        .collect();
    let ready: Vec<&Ready<'_>> = resolved.iter().filter_map(|r| r.as_ref().ok()).collect();
    if ready.is_empty() {
        // Every request failed on its own: answer each with its error, writing nothing.
        return Ok(resolved
            .into_iter()
            .filter_map(Result::err)
            .map(Err)
            .collect());
    }
    // Read before this batch's pins, so each request is answered as if the batch's requests had been
    // written one after another in order: a learner completing two lessons at once sees one, then both.
    let mut completed = completed_lessons(txn, &ready, &lessons).await?;
    enrol(txn, &ready).await?;
    pin_progress(txn, &ready).await?;

    let outlines: HashMap<i32, Vec<LessonRef>> = lessons
        .iter()
        .map(|(module_id, rows)| {
            let refs = rows
                .iter()
                .map(|l| LessonRef {
                    slug: l.slug.clone(),
                    title: l.title.clone(),
                })
                .collect();
            (*module_id, refs)
        })
        .collect();
    let mut outcomes = Vec::with_capacity(requests.len());
    // The record each request earned, if it was the request that completed its module.
    let mut records: Vec<Option<String>> = Vec::with_capacity(requests.len());
    for resolved in &resolved {
        let item = match resolved {
            Ok(item) => item,
            Err(error) => {
                outcomes.push(Err(error.clone()));
                records.push(None);
                continue;
            }
        };
        let key = (item.learner.id, item.module.id);
        let done = completed.entry(key).or_default();
        done.insert(item.lesson.slug.clone());
        let refs = outlines.get(&item.module.id).map_or(&[][..], Vec::as_slice);
        let summary = summarise(refs, done);
        // Every lesson done: the module may now be complete (rare, so one by one); when it was complete
        // before, this finds the record issued then, as completing a lesson again does on its own.
        let record = if summary.next_lesson.is_none() {
            completion::complete_in(
                txn,
                &context.issuer,
                &context.frameworks,
                item.learner,
                item.module,
            )
            .await?
        } else {
            None
        };
        records.push(record);
        outcomes.push(Ok(summary));
    }

    let pairs: Vec<(i32, i32)> = ready
        .iter()
        .map(|r| (r.learner.id, r.module.id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let cohorts = xapi::cohorts_for(txn, &pairs).await?;
    let now = Utc::now();
    let mut rows = Vec::with_capacity(ready.len());
    for (item, record) in resolved.iter().zip(&records) {
        let Ok(item) = item else { continue };
        let key = (item.learner.id, item.module.id);
        let mut events = vec![xapi::LearningEvent::LessonCompleted {
            slug: &item.lesson.slug,
            title: &item.lesson.title,
        }];
        completion_events(record.as_deref(), &mut events);
        rows.extend(xapi::statement_rows(
            &context.xapi,
            item.learner,
            item.module,
            cohorts.get(&key),
            &events,
            now,
        ));
    }
    xapi::store_rows(txn, &context.xapi, rows).await?;
    Ok(outcomes)
}

/// Finds a request's learner, module and lesson, or the error it is answered with (the same as completing
/// it alone would give).
fn resolve<'a>(
    request: &LessonCompletion,
    learners: &'a HashMap<i32, account::Model>,
    modules: &'a HashMap<String, module::Model>,
    lessons: &'a HashMap<i32, Vec<LessonRow>>,
) -> Result<Ready<'a>, AppError> {
    let learner = learners
        .get(&request.account_id)
        .ok_or(AppError::SignInRequired)?;
    let module = modules
        .get(&request.module_slug)
        .ok_or_else(|| AppError::NotFound(format!("The module “{}”", request.module_slug)))?;
    let lesson = lessons
        .get(&module.id)
        .and_then(|rows| rows.iter().find(|l| l.slug == request.lesson_slug))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "The lesson “{}” in “{}”",
                request.lesson_slug, module.title
            ))
        })?;
    Ok(Ready {
        learner,
        module,
        lesson,
    })
}

/// The requests' accounts, by id.
async fn learners<C: ConnectionTrait>(
    txn: &C,
    requests: &[LessonCompletion],
) -> Result<HashMap<i32, account::Model>, AppError> {
    let ids: BTreeSet<i32> = requests.iter().map(|r| r.account_id).collect();
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// The listed modules named by the requests, by slug (an unlisted module cannot be completed, as on its
/// own page).
async fn listed_modules<C: ConnectionTrait>(
    txn: &C,
    requests: &[LessonCompletion],
) -> Result<HashMap<String, module::Model>, AppError> {
    let slugs: BTreeSet<&str> = requests.iter().map(|r| r.module_slug.as_str()).collect();
    Ok(module::Entity::find()
        .filter(module::Column::Slug.is_in(slugs))
        .filter(module::Column::Listed.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.slug.clone(), m))
        .collect())
}

/// Every lesson of these modules, in order, per module.
async fn lessons_of<C: ConnectionTrait>(
    txn: &C,
    module_ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, Vec<LessonRow>>, AppError> {
    let ids: BTreeSet<i32> = module_ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i32, String, String, String)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Title,
            lesson::Column::ContentHash,
        ])
        .filter(lesson::Column::ModuleId.is_in(ids))
        .order_by_asc(lesson::Column::ModuleId)
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(txn)
        .await?;
    let mut lessons: HashMap<i32, Vec<LessonRow>> = HashMap::new();
    for (module_id, slug, title, content_hash) in rows {
        lessons.entry(module_id).or_default().push(LessonRow {
            slug,
            title,
            content_hash,
        });
    }
    Ok(lessons)
}

/// Enrols each learner in the module if they were not already. Rows go in key order, so two servers
/// writing overlapping batches to one PostgreSQL take their locks in the same order and never deadlock.
async fn enrol<C: ConnectionTrait>(txn: &C, ready: &[&Ready<'_>]) -> Result<(), AppError> {
    let pairs: BTreeSet<(i32, i32)> = ready.iter().map(|r| (r.learner.id, r.module.id)).collect();
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
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Stores each completion pinned to the module version and lesson content the learner saw; completing a
/// lesson again refreshes the pin. One row per (learner, module, lesson) even when a learner's request
/// came twice in the batch (PostgreSQL refuses to update one row twice in a statement).
async fn pin_progress<C: ConnectionTrait>(txn: &C, ready: &[&Ready<'_>]) -> Result<(), AppError> {
    let rows: BTreeMap<(i32, i32, &str), &Ready<'_>> = ready
        .iter()
        .map(|r| ((r.learner.id, r.module.id, r.lesson.slug.as_str()), *r))
        .collect();
    let now = Utc::now();
    lesson_progress::Entity::insert_many(rows.into_values().map(|r| {
        lesson_progress::ActiveModel {
            account_id: Set(r.learner.id),
            module_id: Set(r.module.id),
            lesson_slug: Set(r.lesson.slug.clone()),
            module_version: Set(r.module.version),
            content_hash: Set(r.lesson.content_hash.clone()),
            completed_at: Set(now),
            ..Default::default()
        }
    }))
    .on_conflict(
        OnConflict::columns([
            lesson_progress::Column::AccountId,
            lesson_progress::Column::ModuleId,
            lesson_progress::Column::LessonSlug,
        ])
        .update_columns([
            lesson_progress::Column::ModuleVersion,
            lesson_progress::Column::ContentHash,
            lesson_progress::Column::CompletedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Per (learner, module), the lessons completed on their current content (a completion of content since
/// changed does not count, as everywhere progress is shown).
async fn completed_lessons<C: ConnectionTrait>(
    txn: &C,
    ready: &[&Ready<'_>],
    lessons: &HashMap<i32, Vec<LessonRow>>,
) -> Result<HashMap<(i32, i32), HashSet<String>>, AppError> {
    let pairs: HashSet<(i32, i32)> = ready.iter().map(|r| (r.learner.id, r.module.id)).collect();
    let account_ids: BTreeSet<i32> = pairs.iter().map(|(a, _)| *a).collect();
    let module_ids: BTreeSet<i32> = pairs.iter().map(|(_, m)| *m).collect();
    let rows: Vec<(i32, i32, String, String)> = lesson_progress::Entity::find()
        .select_only()
        .columns([
            lesson_progress::Column::AccountId,
            lesson_progress::Column::ModuleId,
            lesson_progress::Column::LessonSlug,
            lesson_progress::Column::ContentHash,
        ])
        .filter(lesson_progress::Column::AccountId.is_in(account_ids))
        .filter(lesson_progress::Column::ModuleId.is_in(module_ids))
        .into_tuple()
        .all(txn)
        .await?;
    let mut completed: HashMap<(i32, i32), HashSet<String>> = HashMap::new();
    for (account_id, module_id, slug, hash) in rows {
        if !pairs.contains(&(account_id, module_id)) {
            continue;
        }
        let current = lessons
            .get(&module_id)
            .and_then(|rows| rows.iter().find(|l| l.slug == slug))
            .is_some_and(|l| l.content_hash == hash);
        if current {
            completed
                .entry((account_id, module_id))
                .or_default()
                .insert(slug);
        }
    }
    Ok(completed)
}
