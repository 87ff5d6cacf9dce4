//! The published catalogue: writing loaded content into the database as versions, and reading it back for
//! the catalogue, module and lesson pages in a fixed, small number of queries.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use super::catalogue_search;
use super::progress::{completed_lessons, completions, enrolled_module_ids, summarise};
use crate::error::AppError;
use crate::model::authoring::ModuleSource;
use crate::model::catalogue::{
    AlignmentView, CATALOGUE_PAGE_SIZE, CatalogueResults, LessonContent, LessonListItem, LessonRef,
    ModuleCard, ModuleDetail, PageHtml, ShownDate,
};
use crate::ssr::content::{Framework, Library, LoadedModule};
use crate::ssr::entities::{completion_record, lesson, module, module_version};
use crate::ssr::error::stored_json;

/// What publishing one module did, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    Created {
        version: i32,
    },
    Updated {
        version: i32,
    },
    Unchanged {
        version: i32,
    },
    /// The folder in `content/` differs from a version published in the browser since: the browser's
    /// version stays (see the README's rule), and the start-up log says so.
    KeptBrowserVersion {
        version: i32,
    },
}

/// Where a version comes from. A module last published in the browser is never overwritten by its
/// `content/` folder at start-up; once the folder matches the published files again, files lead once more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Files,
    /// `owner_id` becomes the owner of a module published for the first time; an existing module's owner
    /// only changes when an admin hands it over.
    Browser {
        account_id: i32,
        owner_id: i32,
    },
}

impl Origin {
    fn source(self) -> ModuleSource {
        match self {
            Origin::Files => ModuleSource::Files,
            Origin::Browser { .. } => ModuleSource::Browser,
        }
    }
}

/// A lesson as recorded in a module version, so later versions can tell which lessons changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionedLesson {
    pub slug: String,
    pub title: String,
    pub content_hash: String,
}

/// Publishes every loaded module (a new version for each whose content changed) and unlists modules whose
/// folders are gone. `present` holds every module folder found, including broken ones: a module that fails
/// to load keeps serving its last good version rather than vanishing.
pub(crate) async fn sync_library(
    db: &DatabaseConnection,
    library: &Library,
    present: &HashSet<String>,
) -> Result<Vec<(String, SyncOutcome)>, AppError> {
    let mut outcomes = Vec::with_capacity(library.modules.len());
    for loaded in &library.modules {
        // Two instances starting together may race to publish; the loser retries and finds it done.
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            let txn = db.begin().await?;
            match publish_module(&txn, loaded, Origin::Files).await {
                Ok(outcome) => {
                    txn.commit().await?;
                    break outcome;
                }
                Err(e) if attempt < 3 => {
                    tracing::warn!(module = %loaded.slug, error = ?e, "publishing raced; retrying");
                    txn.rollback().await?;
                }
                Err(e) => return Err(e),
            }
        };
        outcomes.push((loaded.slug.clone(), outcome));
    }
    let listed_slugs: Vec<String> = present.iter().cloned().collect();
    module::Entity::update_many()
        .col_expr(module::Column::Listed, Expr::value(false))
        .filter(module::Column::Slug.is_not_in(listed_slugs))
        .filter(module::Column::Listed.eq(true))
        .filter(module::Column::Source.eq(Origin::Files.source()))
        .exec(db)
        .await?;
    super::catalogue_search::index_stale_modules(db, library).await?;
    Ok(outcomes)
}

/// Writes one module inside a transaction: the module row, a version row, and its current lessons.
pub async fn publish_module(
    txn: &DatabaseTransaction,
    loaded: &LoadedModule,
    origin: Origin,
) -> Result<SyncOutcome, AppError> {
    let now = Utc::now();
    let existing = module::Entity::find()
        .filter(module::Column::Slug.eq(&loaded.slug))
        .one(txn)
        .await?;
    let alignments = serde_json::to_string(&loaded.alignments)
        .map_err(|e| crate::ssr::error::internal("alignments", e))?;
    let files = serde_json::to_string(&loaded.files)
        .map_err(|e| crate::ssr::error::internal("module files", e))?;
    let (module_id, version, created) = match existing {
        Some(found) if found.content_hash == loaded.content_hash => {
            if !found.listed || (origin == Origin::Files && found.source != Origin::Files.source())
            {
                let mut active: module::ActiveModel = found.clone().into();
                active.listed = Set(true);
                if origin == Origin::Files {
                    active.source = Set(Origin::Files.source());
                }
                active.update(txn).await?;
            }
            backfill_files(txn, found.id, found.version, &files).await?;
            return Ok(SyncOutcome::Unchanged {
                version: found.version,
            });
        }
        Some(found) if origin == Origin::Files && found.source != Origin::Files.source() => {
            return Ok(SyncOutcome::KeptBrowserVersion {
                version: found.version,
            });
        }
        Some(found) => {
            let version = found.version + 1;
            let mut active: module::ActiveModel = found.into();
            active.title = Set(loaded.title.clone());
            active.summary = Set(loaded.summary.clone());
            active.audience = Set(loaded.audience.clone());
            active.estimated_hours = Set(loaded.estimated_hours);
            active.cpd_hours = Set(loaded.cpd_hours);
            active.position = Set(loaded.order);
            active.completion = Set(loaded.completion);
            active.alignments = Set(alignments);
            active.version = Set(version);
            active.content_hash = Set(loaded.content_hash.clone());
            active.listed = Set(true);
            active.updated_at = Set(now);
            active.source = Set(origin.source());
            let updated = active.update(txn).await?;
            (updated.id, version, false)
        }
        None => {
            let inserted = module::ActiveModel {
                slug: Set(loaded.slug.clone()),
                title: Set(loaded.title.clone()),
                summary: Set(loaded.summary.clone()),
                audience: Set(loaded.audience.clone()),
                estimated_hours: Set(loaded.estimated_hours),
                cpd_hours: Set(loaded.cpd_hours),
                position: Set(loaded.order),
                completion: Set(loaded.completion),
                alignments: Set(alignments),
                version: Set(1),
                content_hash: Set(loaded.content_hash.clone()),
                listed: Set(true),
                updated_at: Set(now),
                source: Set(origin.source()),
                owner_id: Set(match origin {
                    Origin::Browser { owner_id, .. } => Some(owner_id),
                    Origin::Files => None,
                }),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            (inserted.id, 1, true)
        }
    };

    let manifest: Vec<VersionedLesson> = loaded
        .lessons
        .iter()
        .map(|l| VersionedLesson {
            slug: l.slug.clone(),
            title: l.title.clone(),
            content_hash: l.content_hash.clone(),
        })
        .collect();
    module_version::ActiveModel {
        module_id: Set(module_id),
        version: Set(version),
        content_hash: Set(loaded.content_hash.clone()),
        lessons: Set(serde_json::to_string(&manifest)
            .map_err(|e| crate::ssr::error::internal("manifest", e))?),
        published_at: Set(now),
        assessment: Set(match &loaded.assessment {
            Some(assessment) => Some(
                serde_json::to_string(assessment)
                    .map_err(|e| crate::ssr::error::internal("assessment", e))?,
            ),
            None => None,
        }),
        completion: Set(loaded.completion),
        files: Set(Some(files)),
        published_by: Set(match origin {
            Origin::Browser { account_id, .. } => Some(account_id),
            Origin::Files => None,
        }),
        ..Default::default()
    }
    .insert(txn)
    .await?;

    let current: HashMap<String, lesson::Model> = lesson::Entity::find()
        .filter(lesson::Column::ModuleId.eq(module_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| (l.slug.clone(), l))
        .collect();
    let kept: HashSet<&str> = loaded.lessons.iter().map(|l| l.slug.as_str()).collect();
    let removed: Vec<i32> = current
        .values()
        .filter(|l| !kept.contains(l.slug.as_str()))
        .map(|l| l.id)
        .collect();
    if !removed.is_empty() {
        lesson::Entity::delete_many()
            .filter(lesson::Column::Id.is_in(removed))
            .exec(txn)
            .await?;
    }
    for (position, loaded_lesson) in loaded.lessons.iter().enumerate() {
        let outcomes = serde_json::to_string(&loaded_lesson.outcomes)
            .map_err(|e| crate::ssr::error::internal("outcomes", e))?;
        let alignments = serde_json::to_string(&loaded_lesson.alignments)
            .map_err(|e| crate::ssr::error::internal("alignments", e))?;
        let mut active = match current.get(&loaded_lesson.slug) {
            Some(found) => found.clone().into(),
            None => lesson::ActiveModel {
                module_id: Set(module_id),
                slug: Set(loaded_lesson.slug.clone()),
                ..Default::default()
            },
        };
        active.position = Set(i32::try_from(position).unwrap_or(i32::MAX));
        active.title = Set(loaded_lesson.title.clone());
        active.minutes = Set(i32::try_from(loaded_lesson.minutes).unwrap_or(i32::MAX));
        active.outcomes = Set(outcomes);
        active.alignments = Set(alignments);
        active.content_hash = Set(loaded_lesson.content_hash.clone());
        active.html = Set(loaded_lesson.html.clone());
        active.anchors = Set(serde_json::to_string(&loaded_lesson.anchors)
            .map_err(|e| crate::ssr::error::internal("heading anchors", e))?);
        active.questions = Set(serde_json::to_string(&loaded_lesson.questions)
            .map_err(|e| crate::ssr::error::internal("questions", e))?);
        active.checked = Set(loaded_lesson.checked.as_ref().map(|c| c.date));
        active.save(txn).await?;
    }
    super::catalogue_search::index_loaded(txn, module_id, loaded).await?;
    Ok(if created {
        SyncOutcome::Created { version }
    } else {
        SyncOutcome::Updated { version }
    })
}

/// Records the source files of a version published before versions kept them (so it can be edited and
/// exported); a version that already has them is left alone, since versions are immutable.
async fn backfill_files(
    txn: &DatabaseTransaction,
    module_id: i32,
    version: i32,
    files: &str,
) -> Result<(), AppError> {
    module_version::Entity::update_many()
        .col_expr(module_version::Column::Files, Expr::value(files))
        .filter(module_version::Column::ModuleId.eq(module_id))
        .filter(module_version::Column::Version.eq(version))
        .filter(module_version::Column::Files.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// A lesson's place in its module, without its body.
#[derive(Debug, Clone)]
pub(crate) struct LessonOutline {
    pub module_id: i32,
    pub slug: String,
    pub title: String,
    pub minutes: i32,
}

/// Every current lesson of the given modules (all listed modules when `None`), in order, without bodies.
pub(crate) async fn lesson_outlines<C: ConnectionTrait>(
    db: &C,
    module_ids: Option<Vec<i32>>,
) -> Result<Vec<LessonOutline>, AppError> {
    let mut query = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Title,
            lesson::Column::Minutes,
        ])
        .order_by_asc(lesson::Column::ModuleId)
        .order_by_asc(lesson::Column::Position);
    if let Some(ids) = module_ids {
        query = query.filter(lesson::Column::ModuleId.is_in(ids));
    }
    let rows: Vec<(i32, String, String, i32)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(module_id, slug, title, minutes)| LessonOutline {
            module_id,
            slug,
            title,
            minutes,
        })
        .collect())
}

fn lesson_refs(outlines: &[LessonOutline], module_id: i32) -> Vec<LessonRef> {
    outlines
        .iter()
        .filter(|l| l.module_id == module_id)
        .map(|l| LessonRef {
            slug: l.slug.clone(),
            title: l.title.clone(),
        })
        .collect()
}

/// Builds catalogue cards, with progress for the modules the account is enrolled in. Outlines are grouped
/// by module once, so a catalogue of thousands of modules costs one pass over its lessons.
pub(crate) fn cards(
    modules: Vec<module::Model>,
    outlines: &[LessonOutline],
    enrolled: &HashSet<i32>,
    completed: &HashMap<i32, HashSet<String>>,
) -> Vec<ModuleCard> {
    let mut by_module: HashMap<i32, Vec<LessonRef>> = HashMap::new();
    for outline in outlines {
        by_module
            .entry(outline.module_id)
            .or_default()
            .push(LessonRef {
                slug: outline.slug.clone(),
                title: outline.title.clone(),
            });
    }
    let empty_lessons = Vec::new();
    let empty_completed = HashSet::new();
    modules
        .into_iter()
        .map(|m| {
            let lessons = by_module.get(&m.id).unwrap_or(&empty_lessons);
            let progress = enrolled
                .contains(&m.id)
                .then(|| summarise(lessons, completed.get(&m.id).unwrap_or(&empty_completed)));
            ModuleCard {
                slug: m.slug,
                title: m.title,
                summary: m.summary,
                audience: m.audience,
                estimated_hours: m.estimated_hours,
                cpd_hours: m.cpd_hours,
                lesson_count: u32::try_from(lessons.len()).unwrap_or(u32::MAX),
                progress,
            }
        })
        .collect()
}

/// One page of the catalogue for the catalogue page: every listed module in order, or those matching a
/// search, best first; with the account's progress where enrolled. Five queries whatever the size of the
/// catalogue, and only the page's modules and lessons are read.
pub async fn browse(
    db: &DatabaseConnection,
    account_id: Option<i32>,
    search: &str,
    page: u32,
) -> Result<CatalogueResults, AppError> {
    let words = catalogue_search::search_words(search);
    let size = u64::from(CATALOGUE_PAGE_SIZE);
    let matches = if words.is_empty() {
        None
    } else {
        Some(catalogue_search::matching_modules(db, &words).await?)
    };
    let total = match &matches {
        Some(ids) => u64::try_from(ids.len()).unwrap_or(u64::MAX),
        None => {
            module::Entity::find()
                .filter(module::Column::Listed.eq(true))
                .count(db)
                .await?
        }
    };
    let pages = total.div_ceil(size).max(1);
    let page = u64::from(page).clamp(1, pages);
    let skip = (page - 1) * size;
    let modules = match &matches {
        None => {
            module::Entity::find()
                .filter(module::Column::Listed.eq(true))
                .order_by_asc(module::Column::Position)
                .order_by_asc(module::Column::Slug)
                .offset(skip)
                .limit(size)
                .all(db)
                .await?
        }
        Some(ids) => {
            let wanted: Vec<i32> = ids
                .iter()
                .copied()
                .skip(usize::try_from(skip).unwrap_or(usize::MAX))
                .take(usize::try_from(size).unwrap_or(usize::MAX))
                .collect();
            let mut found: HashMap<i32, module::Model> = module::Entity::find()
                .filter(module::Column::Id.is_in(wanted.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
            wanted.iter().filter_map(|id| found.remove(id)).collect()
        }
    };
    let ids: Vec<i32> = modules.iter().map(|m| m.id).collect();
    let outlines = lesson_outlines(db, Some(ids)).await?;
    let (enrolled, completed) = match account_id {
        Some(account_id) => (
            enrolled_module_ids(db, account_id).await?,
            completed_lessons(db, account_id, None).await?,
        ),
        None => (HashSet::new(), HashMap::new()),
    };
    Ok(CatalogueResults {
        cards: cards(modules, &outlines, &enrolled, &completed),
        query: words.join(" "),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        page: u32::try_from(page).unwrap_or(u32::MAX),
        pages: u32::try_from(pages).unwrap_or(u32::MAX),
    })
}

/// The catalogue: every listed module in order, with the account's progress where enrolled.
/// Four queries whatever the number of modules.
pub async fn list_modules(
    db: &DatabaseConnection,
    account_id: Option<i32>,
) -> Result<Vec<ModuleCard>, AppError> {
    let modules = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .order_by_asc(module::Column::Position)
        .order_by_asc(module::Column::Slug)
        .all(db)
        .await?;
    let outlines = lesson_outlines(db, None).await?;
    let (enrolled, completed) = match account_id {
        Some(account_id) => (
            enrolled_module_ids(db, account_id).await?,
            completed_lessons(db, account_id, None).await?,
        ),
        None => (HashSet::new(), HashMap::new()),
    };
    Ok(cards(modules, &outlines, &enrolled, &completed))
}

/// Finds a listed module by slug.
pub async fn find_module<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<module::Model, AppError> {
    module::Entity::find()
        .filter(module::Column::Slug.eq(slug))
        .filter(module::Column::Listed.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("The module “{slug}”")))
}

/// A module's `framework:code` alignments (as stored, JSON) resolved against the loaded frameworks; codes
/// no longer in a framework are left out. Used by module pages and by the records issued for them.
pub fn resolve_alignments(
    found: &module::Model,
    frameworks: &[Framework],
) -> Result<Vec<AlignmentView>, AppError> {
    let codes: Vec<String> = stored_json("module", found.id, "alignments", &found.alignments)?;
    Ok(resolve_codes(&codes, frameworks))
}

/// `framework:code` strings resolved against the loaded frameworks; codes no longer in a framework are left
/// out.
pub fn resolve_codes(codes: &[String], frameworks: &[Framework]) -> Vec<AlignmentView> {
    codes
        .iter()
        .filter_map(|written| {
            let (framework_id, code) = written.split_once(':')?;
            let framework = frameworks.iter().find(|f| f.id == framework_id)?;
            let competency = framework.competencies.iter().find(|c| c.code == code)?;
            Some(AlignmentView {
                framework: framework.name.clone(),
                framework_url: framework.url.clone(),
                code: competency.code.clone(),
                name: competency.name.clone(),
            })
        })
        .collect()
}

/// Whether the account is enrolled, which lessons count as complete, and which were completed on content
/// that has since changed.
async fn learner_state(
    db: &DatabaseConnection,
    account_id: Option<i32>,
    module_id: i32,
) -> Result<(bool, HashSet<String>, HashSet<String>), AppError> {
    let Some(account_id) = account_id else {
        return Ok((false, HashSet::new(), HashSet::new()));
    };
    let enrolled = enrolled_module_ids(db, account_id)
        .await?
        .contains(&module_id);
    let mut completions = completions(db, account_id, Some(module_id)).await?;
    Ok((
        enrolled,
        completions.current.remove(&module_id).unwrap_or_default(),
        completions.changed.remove(&module_id).unwrap_or_default(),
    ))
}

/// The module page: overview, lessons with ticks, and the account's progress.
pub async fn module_detail(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    slug: &str,
    account_id: Option<i32>,
) -> Result<ModuleDetail, AppError> {
    let found = find_module(db, slug).await?;
    let outlines = lesson_outlines(db, Some(vec![found.id])).await?;
    let lessons = lesson_refs(&outlines, found.id);
    let (enrolled, completed, changed) = learner_state(db, account_id, found.id).await?;
    let assessment = found.current_version(db).await?.assessment_spec()?;
    let rule = found.completion;
    let record_id = match account_id {
        Some(account_id) => {
            completion_record::Entity::find()
                .select_only()
                .column(completion_record::Column::Id)
                .filter(completion_record::Column::AccountId.eq(account_id))
                .filter(completion_record::Column::ModuleId.eq(found.id))
                .into_tuple::<String>()
                .one(db)
                .await?
        }
        None => None,
    };
    Ok(ModuleDetail {
        completion: rule.describe(assessment.as_ref().map(|a| a.pass_mark)),
        has_assessment: assessment.is_some(),
        record_id,
        progress: enrolled.then(|| summarise(&lessons, &completed)),
        lessons: outlines
            .iter()
            .map(|l| LessonListItem {
                slug: l.slug.clone(),
                title: l.title.clone(),
                minutes: u32::try_from(l.minutes).unwrap_or(0),
                completed: completed.contains(&l.slug),
                changed: changed.contains(&l.slug),
            })
            .collect(),
        changed_lessons: lessons
            .iter()
            .filter(|l| changed.contains(&l.slug))
            .cloned()
            .collect(),
        alignments: resolve_alignments(&found, frameworks)?,
        slug: found.slug,
        title: found.title,
        summary: found.summary,
        audience: found.audience,
        estimated_hours: found.estimated_hours,
        cpd_hours: found.cpd_hours,
        version: found.version,
        enrolled,
        signed_in: account_id.is_some(),
    })
}

/// One lesson page with its neighbours and the account's progress through the module.
pub async fn lesson_content(
    db: &DatabaseConnection,
    module_slug: &str,
    lesson_slug: &str,
    account_id: Option<i32>,
) -> Result<LessonContent, AppError> {
    let found = find_module(db, module_slug).await?;
    let outlines = lesson_outlines(db, Some(vec![found.id])).await?;
    let lessons = lesson_refs(&outlines, found.id);
    let index = lessons
        .iter()
        .position(|l| l.slug == lesson_slug)
        .ok_or_else(|| {
            AppError::NotFound(format!("The lesson “{lesson_slug}” in “{}”", found.title))
        })?;
    let body = lesson::Entity::find()
        .filter(lesson::Column::ModuleId.eq(found.id))
        .filter(lesson::Column::Slug.eq(lesson_slug))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("The lesson “{lesson_slug}”")))?;
    let (enrolled, completed, changed) = learner_state(db, account_id, found.id).await?;
    Ok(LessonContent {
        module_slug: found.slug,
        module_title: found.title,
        slug: body.slug,
        title: body.title,
        minutes: u32::try_from(body.minutes).unwrap_or(0),
        outcomes: stored_json("lesson", body.id, "outcomes", &body.outcomes)?,
        html: PageHtml::new(body.html),
        position: u32::try_from(index + 1).unwrap_or(u32::MAX),
        total: u32::try_from(lessons.len()).unwrap_or(u32::MAX),
        previous: index.checked_sub(1).and_then(|i| lessons.get(i).cloned()),
        next: lessons.get(index + 1).cloned(),
        completed: completed.contains(lesson_slug),
        changed_since_completed: changed.contains(lesson_slug),
        enrolled,
        signed_in: account_id.is_some(),
        progress: enrolled.then(|| summarise(&lessons, &completed)),
        has_questions: !stored_json::<Vec<serde::de::IgnoredAny>>(
            "lesson",
            body.id,
            "questions",
            &body.questions,
        )?
        .is_empty(),
        checked: body.checked.map(ShownDate::from),
    })
}
