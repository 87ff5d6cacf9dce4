//! Lesson events ("opened", "mark as complete") for many learners at once, in a fixed number of statements.
//!
//! A cohort opening the same module on the same morning sends these in floods: every signed-in lesson view
//! records an opening (the page's beacon), every "mark as complete" a completion. Written one by one, a
//! completion costs about fifteen statements on the database's single writer and an opening about seven,
//! and on SQLite every statement is handed to the connection's own thread and back: that hand-off, not
//! SQLite's work, capped the site at about 1,300 completions a second. Written together, a whole batch (up
//! to `group_commit::MAX_BATCH`) reads its learners, modules and lessons in three queries and writes its
//! statements (and, for completions, enrolments and progress) in one multi-row statement each, so an event
//! costs a fraction of a statement (a module completed adds the statements that issue its record).
//!
//! Each event's outcome is what writing the batch's requests one after another in order gives (the same
//! rows, the same progress answered, the module completed and its record issued by the request that
//! finished its lessons, the same statements): writing one alone is this same code with one request. A
//! request that cannot be done (no such module or lesson, no account) is answered with its own error and
//! writes nothing; a database error fails the whole call, and the caller (`group_commit`) then writes each
//! request again alone, so one learner's failure never fails another's.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::completion;
use super::learning::{Context, completion_events};
use super::progress::{completion_rows, ensure_enrolled, summarise};
use super::xapi;
use crate::error::AppError;
use crate::model::catalogue::{LessonRef, ProgressSummary};
use crate::ssr::entities::{account, lesson, lesson_progress, module};

/// A learner and a lesson of a listed module: what every lesson event names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnerLesson {
    pub account_id: i32,
    pub module_slug: String,
    pub lesson_slug: String,
}

impl LearnerLesson {
    /// From the slugs in the lesson's address, as a request names it.
    pub fn new(account_id: i32, module_slug: &str, lesson_slug: &str) -> Self {
        LearnerLesson {
            account_id,
            module_slug: module_slug.to_owned(),
            lesson_slug: lesson_slug.to_owned(),
        }
    }
}

/// One learner's "mark as complete", as it waits to be written with others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonCompletion(pub LearnerLesson);

/// One learner's lesson opened (recorded as "experienced", which time on task reads), as it waits to be
/// written with others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonOpening(pub LearnerLesson);

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

/// Records every opening in `requests` inside `txn` (one "experienced" statement per learner, lesson and
/// module version; opening it again stores nothing new): one outcome per request, in order. `Err` is a
/// database error, after which the caller must discard everything this call wrote.
pub async fn open_together(
    txn: &DatabaseTransaction,
    context: &Context,
    requests: &[LessonOpening],
) -> Result<Vec<Result<(), AppError>>, AppError> {
    let found = Found::read(txn, requests.iter().map(|r| &r.0)).await?;
    let resolved: Vec<Result<Ready<'_>, AppError>> = requests
        .iter()
        .map(|request| found.resolve(&request.0))
        .collect();
    let ready: Vec<&Ready<'_>> = resolved.iter().filter_map(|r| r.as_ref().ok()).collect();
    if !ready.is_empty() {
        let cohorts = xapi::cohorts_for(txn, &pairs(&ready)).await?;
        let now = Utc::now();
        let rows = ready
            .iter()
            .flat_map(|item| {
                let event = xapi::LearningEvent::LessonExperienced {
                    slug: &item.lesson.slug,
                    title: &item.lesson.title,
                };
                xapi::statement_rows(
                    &context.xapi,
                    item.learner,
                    item.module,
                    cohorts.get(&(item.learner.id, item.module.id)),
                    &[event],
                    now,
                )
            })
            .collect();
        xapi::store_rows(txn, &context.xapi, rows).await?;
    }
    Ok(resolved.into_iter().map(|r| r.map(|_| ())).collect())
}

/// Writes every completion in `requests` inside `txn` (enrolling each learner if needed, pinning the
/// lesson content they saw, completing the module and issuing its record when it was the last lesson, and
/// storing the statements): one outcome per request, in order. `Err` is a database error, after which the
/// caller must discard everything this call wrote (roll back to a savepoint taken before it).
pub async fn complete_together(
    txn: &DatabaseTransaction,
    context: &Context,
    requests: &[LessonCompletion],
) -> Result<Vec<Result<ProgressSummary, AppError>>, AppError> {
    let found = Found::read(txn, requests.iter().map(|r| &r.0)).await?;
    let lessons = &found.lessons;
    let resolved: Vec<Result<Ready<'_>, AppError>> = requests
        .iter()
        .map(|request| found.resolve(&request.0))
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
    // Enrolled first, which holds each learner's enrolment row: on PostgreSQL a second server writing the
    // same learner's module waits here for the first to commit, and so reads its progress below. Progress is
    // read before this batch's pins, so each request is answered as if the batch's requests had been written
    // one after another in order: a learner completing two lessons at once sees one, then both.
    ensure_enrolled(txn, ready.iter().map(|r| (r.learner.id, r.module.id))).await?;
    let mut completed = completed_lessons(txn, &ready, lessons).await?;
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
                &context.pathways,
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

    let cohorts = xapi::cohorts_for(txn, &pairs(&ready)).await?;
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

/// The order a batch takes its rows' locks in, for `requests` written one at a time instead: by learner, then
/// by module row id (as `progress::ensure_enrolled` and `pin_progress` take them), a learner's own requests
/// keeping their order. A module no longer listed sorts last. Returns the requests' positions in that order.
pub async fn lock_order<'r, C: ConnectionTrait>(
    txn: &C,
    requests: impl Iterator<Item = &'r LearnerLesson> + Clone,
) -> Result<Vec<usize>, AppError> {
    let slugs: BTreeSet<&str> = requests.clone().map(|r| r.module_slug.as_str()).collect();
    let ids: HashMap<String, i32> = module::Entity::find()
        .select_only()
        .columns([module::Column::Slug, module::Column::Id])
        .filter(module::Column::Slug.is_in(slugs))
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut order: Vec<(usize, (i32, i32))> = requests
        .enumerate()
        .map(|(at, r)| {
            let module = ids.get(&r.module_slug).copied().unwrap_or(i32::MAX);
            (at, (r.account_id, module))
        })
        .collect();
    order.sort_by_key(|(_, key)| *key);
    Ok(order.into_iter().map(|(at, _)| at).collect())
}

/// Each (learner, module) pair of the ready requests, once, in key order.
fn pairs(ready: &[&Ready<'_>]) -> Vec<(i32, i32)> {
    ready
        .iter()
        .map(|r| (r.learner.id, r.module.id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The learners, listed modules and lessons a batch's requests name, read in three queries.
struct Found {
    learners: HashMap<i32, account::Model>,
    modules: HashMap<String, module::Model>,
    /// Every lesson of those modules, in order, per module id.
    lessons: HashMap<i32, Vec<LessonRow>>,
}

impl Found {
    async fn read<'r, C: ConnectionTrait>(
        txn: &C,
        requests: impl Iterator<Item = &'r LearnerLesson> + Clone,
    ) -> Result<Self, AppError> {
        let ids: BTreeSet<i32> = requests.clone().map(|r| r.account_id).collect();
        // Held (shared, in id order) until the batch commits, as a single event holds its learner: an erasure
        // marks the account before deleting anything, so it waits for the batch and then deletes what it
        // wrote, or it came first and its learner's requests are refused as for a signed-out learner.
        let learners = account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .filter(account::Column::ErasedAt.is_null())
            .order_by_asc(account::Column::Id)
            .lock_shared()
            .all(txn)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        // An unlisted module cannot be opened or completed, as on its own page.
        let slugs: BTreeSet<&str> = requests.map(|r| r.module_slug.as_str()).collect();
        let modules: HashMap<String, module::Model> = module::Entity::find()
            .filter(module::Column::Slug.is_in(slugs))
            .filter(module::Column::Listed.eq(true))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.slug.clone(), m))
            .collect();
        let lessons = lessons_of(txn, modules.values().map(|m| m.id)).await?;
        Ok(Found {
            learners,
            modules,
            lessons,
        })
    }

    /// A request's learner, module and lesson, or the error it is answered with (the same as writing it
    /// alone would give).
    fn resolve(&self, request: &LearnerLesson) -> Result<Ready<'_>, AppError> {
        let learner = self
            .learners
            .get(&request.account_id)
            .ok_or(AppError::SignInRequired)?;
        let module = self
            .modules
            .get(&request.module_slug)
            .ok_or_else(|| AppError::NotFound(format!("The module “{}”", request.module_slug)))?;
        let lesson = self
            .lessons
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
    // Exactly the batch's (learner, module) pairs, each an index lookup: filtering on "learner in …" and
    // "module in …" separately would read every module's progress of every learner in the batch.
    let wanted = pairs(ready)
        .into_iter()
        .fold(Condition::any(), |any, (account_id, module_id)| {
            any.add(
                Condition::all()
                    .add(lesson_progress::Column::AccountId.eq(account_id))
                    .add(lesson_progress::Column::ModuleId.eq(module_id)),
            )
        });
    let mut completed: HashMap<(i32, i32), HashSet<String>> = HashMap::new();
    for (account_id, module_id, slug, hash) in completion_rows(txn, wanted).await? {
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
