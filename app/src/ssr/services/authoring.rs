//! Authoring in the browser: drafts that learners never see, the same checks as `check`, publishing a draft
//! as a new immutable version, and the zip round trip with the `content/` folder format.
//!
//! A draft is the module's files as text (exactly what a `content/modules/<slug>` folder holds), so the
//! checker, the export and the import all see one thing. Only a module's owner (a course lead) and admins
//! may touch it; every action is written to the audit log.
//!
//! This file holds what every step shares (who may edit, loading a module's draft and published files, the
//! audit helper); each step has its own file: `drafts`, `editors`, `checks`, `publishing`, `transfer`,
//! `ownership`.

pub mod archive;
mod checks;
mod drafts;
mod editors;
pub mod forms;
mod ownership;
mod publishing;
mod transfer;

use checks::{changes, check, other_lessons, place_problems};
pub use drafts::{
    add_lesson, create_module, discard, save_assessment, save_lesson, save_settings, start_draft,
    write_file,
};
pub use editors::{assessment_editor, lesson_editor, overview, source_file};
pub use ownership::{list_for, set_owner};
pub use publishing::{Published, publish};
pub use transfer::{ExportSource, export, import};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::audit;
use super::catalogue::{Origin, SyncOutcome, VersionedLesson, publish_module};
use crate::error::{AppError, FieldError};
use crate::model::accounts::Role;
use crate::model::authoring::{
    AssessmentEditor, AuthoredModule, DraftLesson, DraftOverview, DraftProblem, FrameworkChoice,
    LessonEditor, LessonForm, ModuleAuthoring, ModuleSettings, SourceFile, VersionChanges,
};
use crate::ssr::blocking::off_the_runtime;
use crate::ssr::content::{
    ContentError, Framework, LoadedModule, check_module_files, is_valid_slug, line_and_column,
    refuse_unbounded, render_markdown,
};
use crate::ssr::entities::{account, lesson, module, module_draft};
use forms::Fields;

/// A module's files by name, as in its folder.
pub type ModuleFiles = BTreeMap<String, String>;

/// Whether `account` may edit a module owned by `owner` (`None`: loaded from `content/`, no owner yet).
pub fn may_edit(account: &account::Model, owner: Option<i32>) -> bool {
    match account.role {
        Role::Admin => true,
        Role::CourseLead => owner == Some(account.id),
        Role::Learner => false,
    }
}

fn may_author(account: &account::Model) -> bool {
    matches!(account.role, Role::CourseLead | Role::Admin)
}

fn files_from_json(json: &str) -> Result<ModuleFiles, AppError> {
    serde_json::from_str(json).map_err(|e| crate::ssr::error::internal("reading draft files", e))
}

fn files_to_json(files: &ModuleFiles) -> Result<String, AppError> {
    serde_json::to_string(files).map_err(|e| crate::ssr::error::internal("writing draft files", e))
}

/// A file name a module folder may hold: `module.toml`, `assessment.toml`, or a lesson `name.md` made of
/// letters, digits, hyphens and underscores.
pub fn is_module_file_name(name: &str) -> bool {
    name == "module.toml"
        || name == "assessment.toml"
        || name.strip_suffix(".md").is_some_and(|stem| {
            !stem.is_empty()
                && stem.len() <= 80
                && stem
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Addresses that name authoring pages themselves (`/author/import`), so no module may take them.
pub const RESERVED_SLUGS: &[&str] = &["import"];

/// A slug made from a title: `Why it matters!` → `why-it-matters`.
pub fn slug_from_title(title: &str) -> String {
    let slug = crate::ssr::content::heading_anchor(title)
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect::<String>();
    let mut slug: String = slug.chars().take(64).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// What the database holds under one slug: the published module and the draft, either of which may be missing.
struct Target {
    module: Option<module::Model>,
    draft: Option<module_draft::Model>,
}

/// Who owns a slug: the published module's owner once there is a module (`Some(owner)`, which may itself
/// be `None` for a `content/` module nobody was given), otherwise whoever started the draft.
fn owner_of(module_owner: Option<Option<i32>>, draft_owner: Option<i32>) -> Option<i32> {
    module_owner.unwrap_or(draft_owner)
}

impl Target {
    fn owner(&self) -> Option<i32> {
        owner_of(
            self.module.as_ref().map(|m| m.owner_id),
            self.draft.as_ref().map(|d| d.owner_id),
        )
    }

    fn draft(&self, slug: &str) -> Result<&module_draft::Model, AppError> {
        self.draft.as_ref().ok_or_else(|| {
            AppError::NotFound(format!(
                "A draft of “{slug}” (start editing the module first)"
            ))
        })
    }
}

async fn load_target<C: sea_orm::ConnectionTrait>(db: &C, slug: &str) -> Result<Target, AppError> {
    let module = module::Entity::find()
        .filter(module::Column::Slug.eq(slug))
        .one(db)
        .await?;
    let draft = module_draft::Entity::find()
        .filter(module_draft::Column::Slug.eq(slug))
        .one(db)
        .await?;
    Ok(Target { module, draft })
}

/// Loads the slug and checks that `account` may edit it: its owner (a course lead) or an admin.
async fn authorised_target(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
) -> Result<Target, AppError> {
    if !may_author(account) {
        return Err(AppError::Forbidden);
    }
    let target = load_target(db, slug).await?;
    if target.module.is_none() && target.draft.is_none() {
        return Err(AppError::NotFound(format!("The module “{slug}”")));
    }
    if !may_edit(account, target.owner()) {
        return Err(AppError::Forbidden);
    }
    Ok(target)
}

/// Writes one authoring action to the audit log (who, what, which module), in the caller's transaction.
async fn audit_action<C: sea_orm::ConnectionTrait>(
    txn: &C,
    actor: &account::Model,
    action: &str,
    slug: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        txn,
        Some(actor.id),
        action,
        &format!("module:{slug}"),
        detail,
    )
    .await
}

async fn insert_draft<C: sea_orm::ConnectionTrait>(
    db: &C,
    slug: &str,
    owner_id: i32,
    base_version: Option<i32>,
    files: &ModuleFiles,
) -> Result<(), AppError> {
    let now = Utc::now();
    module_draft::ActiveModel {
        slug: Set(slug.to_owned()),
        owner_id: Set(owner_id),
        base_version: Set(base_version),
        files: Set(files_to_json(files)?),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(format!(
            "A draft of “{slug}” was opened at the same moment, perhaps in another tab: reload the page to continue with it."
        )),
        _ => e.into(),
    })?;
    Ok(())
}

/// Refuses a draft bigger than an imported module may be (the same limits as a zip), so one author cannot
/// fill the database or make every page of the draft slow to check.
fn check_draft_size(files: &ModuleFiles) -> Result<(), AppError> {
    if files.len() > archive::MAX_FILES {
        return Err(AppError::Conflict(format!(
            "A module may hold at most {} files.",
            archive::MAX_FILES
        )));
    }
    if let Some((name, _)) = files
        .iter()
        .find(|(_, text)| text.len() as u64 > archive::MAX_FILE_BYTES)
    {
        return Err(AppError::Conflict(format!(
            "“{name}” is larger than 1 MiB: split it into several lessons."
        )));
    }
    let total: u64 = files.values().map(|t| t.len() as u64).sum();
    if total > archive::MAX_TOTAL_BYTES {
        return Err(AppError::Conflict(
            "The module would be larger than 8 MiB in all: split it into several modules."
                .to_owned(),
        ));
    }
    Ok(())
}

/// The files of the version learners see now, as published.
async fn published_files(
    db: &DatabaseConnection,
    module: &module::Model,
) -> Result<Option<(ModuleFiles, Vec<VersionedLesson>)>, AppError> {
    let Some(version) = module.version_numbered(db, module.version).await? else {
        return Ok(None);
    };
    let lessons: Vec<VersionedLesson> =
        crate::ssr::error::stored_json("module_version", version.id, "lessons", &version.lessons)?;
    match version.files.as_deref() {
        Some(json) => Ok(Some((files_from_json(json)?, lessons))),
        None => Ok(None),
    }
}

/// The frameworks as alignment choices for the editor.
pub fn framework_choices(frameworks: &[Framework]) -> Vec<FrameworkChoice> {
    frameworks
        .iter()
        .map(|f| FrameworkChoice {
            id: f.id.clone(),
            name: f.name.clone(),
            competencies: f
                .competencies
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect(),
        })
        .collect()
}

async fn owner_name(db: &DatabaseConnection, id: Option<i32>) -> Result<Option<String>, AppError> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(account::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|a| format!("{} <{}>", a.display_name, a.email)))
}

/// Markdown rendered exactly as learners will see it, for the editor's live preview. Course leads and admins
/// only, so it is no anonymous rendering service. Rendering runs off the async runtime, and a body too large
/// or too deeply nested to render is refused with the line and column of the fault.
pub async fn preview(
    account: &account::Model,
    body: String,
    module_slug: String,
) -> Result<String, AppError> {
    if account.role == Role::Learner {
        return Err(AppError::Forbidden);
    }
    if let Some((offset, message)) = refuse_unbounded(&body) {
        let (line, column) = line_and_column(&body, offset);
        return Err(AppError::BadRequest(format!(
            "line {line}, column {column}: {message}"
        )));
    }
    off_the_runtime("rendering a preview", move || {
        render_markdown(&body, &module_slug).html
    })
    .await
}
