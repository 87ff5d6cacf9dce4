//! Authoring in the browser: drafts that learners never see, the same checks as `check`, publishing a draft
//! as a new immutable version, and the zip round trip with the `content/` folder format.
//!
//! A draft is the module's files as text (exactly what a `content/modules/<slug>` folder holds), so the
//! checker, the export and the import all see one thing. Only a module's owner (a course lead) and admins
//! may touch it; every action is written to the audit log.

pub mod archive;
pub mod forms;

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
use crate::ssr::content::{
    ContentError, Framework, LoadedModule, check_module_files, is_valid_slug, render_markdown,
};
use crate::ssr::entities::{account, lesson, module, module_draft, module_version};
use forms::Fields;

/// A module's files by name, as in its folder.
pub type ModuleFiles = BTreeMap<String, String>;

/// Whether `account` may edit a module owned by `owner` (`None`: loaded from `content/`, no owner yet).
pub fn may_edit(account: &account::Model, owner: Option<i32>) -> bool {
    match Role::parse(&account.role) {
        Role::Admin => true,
        Role::CourseLead => owner == Some(account.id),
        Role::Learner => false,
    }
}

fn may_author(account: &account::Model) -> bool {
    matches!(Role::parse(&account.role), Role::CourseLead | Role::Admin)
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

impl Target {
    fn owner(&self) -> Option<i32> {
        match (&self.module, &self.draft) {
            (Some(module), _) => module.owner_id,
            (None, Some(draft)) => Some(draft.owner_id),
            (None, None) => None,
        }
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

/// Every module the account may edit, with its draft status. Course leads see their own; admins see all.
pub async fn list_for(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<Vec<AuthoredModule>, AppError> {
    if !may_author(account) {
        return Err(AppError::Forbidden);
    }
    let admin = Role::parse(&account.role) == Role::Admin;
    let mut modules = module::Entity::find();
    let mut drafts = module_draft::Entity::find();
    if !admin {
        modules = modules.filter(module::Column::OwnerId.eq(account.id));
        drafts = drafts.filter(module_draft::Column::OwnerId.eq(account.id));
    }
    let modules = modules.all(db).await?;
    let mut drafts = drafts.all(db).await?;
    // A draft someone else (an admin) started on one of this lead's modules is theirs to see too.
    let own_slugs: Vec<String> = modules.iter().map(|m| m.slug.clone()).collect();
    if !admin && !own_slugs.is_empty() {
        let more = module_draft::Entity::find()
            .filter(module_draft::Column::Slug.is_in(own_slugs))
            .filter(module_draft::Column::OwnerId.ne(account.id))
            .all(db)
            .await?;
        drafts.extend(more);
    }
    let owner_ids: HashSet<i32> = modules
        .iter()
        .filter_map(|m| m.owner_id)
        .chain(drafts.iter().map(|d| d.owner_id))
        .collect();
    let names: HashMap<i32, String> = account::Entity::find()
        .select_only()
        .columns([account::Column::Id, account::Column::DisplayName])
        .filter(account::Column::Id.is_in(owner_ids))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let draft_slugs: HashSet<&str> = drafts.iter().map(|d| d.slug.as_str()).collect();
    let mut list: Vec<AuthoredModule> = modules
        .iter()
        .map(|m| AuthoredModule {
            slug: m.slug.clone(),
            title: m.title.clone(),
            version: Some(m.version),
            has_draft: draft_slugs.contains(m.slug.as_str()),
            source: m.source.clone(),
            owner: m.owner_id.and_then(|id| names.get(&id).cloned()),
        })
        .collect();
    let published: HashSet<&str> = modules.iter().map(|m| m.slug.as_str()).collect();
    for draft in drafts
        .iter()
        .filter(|d| !published.contains(d.slug.as_str()))
    {
        let title = files_from_json(&draft.files)
            .ok()
            .and_then(|files| files.get("module.toml").cloned())
            .and_then(|text| forms::settings_from_text(&text).ok())
            .map(|s| s.title)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| draft.slug.clone());
        list.push(AuthoredModule {
            slug: draft.slug.clone(),
            title,
            version: None,
            has_draft: true,
            source: "browser".to_owned(),
            owner: names.get(&draft.owner_id).cloned(),
        });
    }
    list.sort_by(|a, b| a.title.cmp(&b.title).then(a.slug.cmp(&b.slug)));
    Ok(list)
}

fn new_lesson_text(slug: &str, title: &str) -> String {
    forms::lesson_text(&LessonForm {
        slug: slug.to_owned(),
        title: title.to_owned(),
        minutes: "10".to_owned(),
        outcomes: String::new(),
        alignments: Vec::new(),
        questions: Vec::new(),
        body: String::new(),
    })
}

/// Starts a new module as a draft owned by `account`, with its settings and one empty lesson.
pub async fn create_module(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    title: &str,
) -> Result<String, AppError> {
    if !may_author(account) {
        return Err(AppError::Forbidden);
    }
    let title = title.trim();
    let slug = match slug.trim() {
        "" => slug_from_title(title),
        typed => typed.to_owned(),
    };
    let mut errors = Vec::new();
    if title.is_empty() {
        errors.push(field_error("title", "Enter the module’s title."));
    }
    if !is_valid_slug(&slug) {
        errors.push(field_error(
            "slug",
            "Use lower-case letters, digits and single hyphens, at most 64 characters (for example clinical-safety).",
        ));
    }
    if errors.is_empty() {
        let existing = load_target(db, &slug).await?;
        if existing.module.is_some() || existing.draft.is_some() {
            errors.push(field_error(
                "slug",
                format!("A module with the address “{slug}” already exists: choose another."),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors,
            values: vec![
                ("title".to_owned(), title.to_owned()),
                ("slug".to_owned(), slug),
            ],
        });
    }
    let settings = ModuleSettings {
        title: title.to_owned(),
        estimated_hours: "1".to_owned(),
        cpd_hours: "1".to_owned(),
        order: "100".to_owned(),
        completion: "completed".to_owned(),
        ..ModuleSettings::default()
    };
    let mut files = ModuleFiles::new();
    files.insert("module.toml".to_owned(), forms::settings_text(&settings));
    files.insert(
        "01-introduction.md".to_owned(),
        new_lesson_text("introduction", "Introduction"),
    );
    let txn = db.begin().await?;
    insert_draft(&txn, &slug, account.id, None, &files).await?;
    audit_action(
        &txn,
        account,
        "module.created",
        &slug,
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(slug)
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

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
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
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The files of the version learners see now, as published.
async fn published_files(
    db: &DatabaseConnection,
    module: &module::Model,
) -> Result<Option<(ModuleFiles, Vec<VersionedLesson>)>, AppError> {
    let version = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(module.id))
        .filter(module_version::Column::Version.eq(module.version))
        .one(db)
        .await?;
    let Some(version) = version else {
        return Ok(None);
    };
    let lessons: Vec<VersionedLesson> = serde_json::from_str(&version.lessons).unwrap_or_default();
    match version.files.as_deref() {
        Some(json) => Ok(Some((files_from_json(json)?, lessons))),
        None => Ok(None),
    }
}

/// Opens a draft of a published module, starting from the version learners see now.
pub async fn start_draft(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
) -> Result<(), AppError> {
    let target = authorised_target(db, account, slug).await?;
    if target.draft.is_some() {
        return Ok(());
    }
    let Some(module) = &target.module else {
        return Err(AppError::NotFound(format!("The module “{slug}”")));
    };
    let Some((files, _)) = published_files(db, module).await? else {
        return Err(AppError::Conflict(format!(
            "Version {} of “{slug}” was published before the editor kept source files. Restart the server \
             once (it records them from content/), or import the module’s folder as a zip.",
            module.version
        )));
    };
    let txn = db.begin().await?;
    insert_draft(&txn, slug, account.id, Some(module.version), &files).await?;
    audit_action(
        &txn,
        account,
        "module.draft_started",
        slug,
        serde_json::json!({ "base_version": module.version }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces (or with `None`, deletes) one file of the draft.
pub async fn write_file(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    file: &str,
    text: Option<String>,
) -> Result<(), AppError> {
    if !is_module_file_name(file) {
        return Err(AppError::invalid(
            "file",
            format!(
                "“{file}” cannot be part of a module: use module.toml, assessment.toml or a lesson name.md"
            ),
        ));
    }
    let target = authorised_target(db, account, slug).await?;
    let draft = target.draft(slug)?;
    let mut files = files_from_json(&draft.files)?;
    let action = match text {
        Some(text) => {
            files.insert(file.to_owned(), text);
            "module.draft_edited"
        }
        None => {
            if file == "module.toml" {
                return Err(AppError::Conflict(
                    "module.toml holds the module’s settings and cannot be deleted.".to_owned(),
                ));
            }
            if files.remove(file).is_none() {
                return Err(AppError::NotFound(format!("The file “{file}”")));
            }
            "module.draft_file_deleted"
        }
    };
    let txn = db.begin().await?;
    let mut active: module_draft::ActiveModel = draft.clone().into();
    active.files = Set(files_to_json(&files)?);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    audit_action(
        &txn,
        account,
        action,
        slug,
        serde_json::json!({ "file": file, "base_version": draft.base_version }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Saves the module settings form as `module.toml`.
pub async fn save_settings(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    fields: &Fields,
) -> Result<(), AppError> {
    let text = forms::settings_text(&forms::settings_from_fields(fields));
    write_file(db, account, slug, "module.toml", Some(text)).await
}

/// Saves the lesson editor's form as the lesson file.
pub async fn save_lesson(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    file: &str,
    fields: &Fields,
) -> Result<(), AppError> {
    if file == "module.toml" || file == "assessment.toml" {
        return Err(AppError::BadRequest(format!("“{file}” is not a lesson")));
    }
    let text = forms::lesson_text(&forms::lesson_from_fields(fields));
    write_file(db, account, slug, file, Some(text)).await
}

/// Saves the assessment editor's form as `assessment.toml`.
pub async fn save_assessment(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    fields: &Fields,
) -> Result<(), AppError> {
    let text = forms::assessment_text(&forms::assessment_from_fields(fields, slug));
    write_file(db, account, slug, "assessment.toml", Some(text)).await
}

/// Adds an empty lesson after the others; returns its file name.
pub async fn add_lesson(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    title: &str,
) -> Result<String, AppError> {
    let title = title.trim();
    let lesson_slug = slug_from_title(title);
    if title.is_empty() || lesson_slug.is_empty() {
        return Err(AppError::invalid(
            "lesson_title",
            "Enter the lesson’s title, with at least one letter or digit.",
        ));
    }
    let target = authorised_target(db, account, slug).await?;
    let files = files_from_json(&target.draft(slug)?.files)?;
    let next = files
        .keys()
        .filter(|name| name.ends_with(".md"))
        .filter_map(|name| name.split('-').next()?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let file = format!("{next:02}-{lesson_slug}.md");
    if files.contains_key(&file) {
        return Err(AppError::invalid(
            "lesson_title",
            "A lesson file with that name exists already.",
        ));
    }
    write_file(
        db,
        account,
        slug,
        &file,
        Some(new_lesson_text(&lesson_slug, title)),
    )
    .await?;
    Ok(file)
}

/// Every lesson of every other module, with its heading anchors, so links from a draft can be checked.
async fn other_lessons(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<HashMap<(String, String), HashSet<String>>, AppError> {
    let modules: HashMap<i32, String> = module::Entity::find()
        .select_only()
        .columns([module::Column::Id, module::Column::Slug])
        .filter(module::Column::Slug.ne(slug))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let lessons: Vec<(i32, String, String)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Html,
        ])
        .filter(lesson::Column::ModuleId.is_in(modules.keys().copied().collect::<Vec<_>>()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(lessons
        .into_iter()
        .filter_map(|(module_id, lesson_slug, html)| {
            let module_slug = modules.get(&module_id)?.clone();
            Some(((module_slug, lesson_slug), anchors_in(&html)))
        })
        .collect())
}

/// The `id`s of a rendered lesson's headings.
fn anchors_in(html: &str) -> HashSet<String> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Runs the `check` command's validation over the draft's files.
fn check(
    slug: &str,
    files: &ModuleFiles,
    frameworks: &[Framework],
    others: &HashMap<(String, String), HashSet<String>>,
) -> (Option<LoadedModule>, Vec<DraftProblem>) {
    match check_module_files(slug, Path::new(slug), files.clone(), frameworks, others) {
        Ok(module) => (Some(module), Vec::new()),
        Err(errors) => (None, errors.iter().map(problem).collect()),
    }
}

fn problem(error: &ContentError) -> DraftProblem {
    DraftProblem {
        file: error
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("module.toml")
            .to_owned(),
        line: error.line,
        column: error.column,
        message: error.message.clone(),
    }
}

/// The problems of one file, split into those that belong next to a form field and the rest.
fn place_problems(
    problems: &[DraftProblem],
    file: &str,
    lines: &HashMap<usize, String>,
    body_line: Option<usize>,
) -> (Vec<FieldError>, Vec<DraftProblem>) {
    let mut placed = Vec::new();
    let mut rest = Vec::new();
    for p in problems.iter().filter(|p| p.file == file) {
        let field = match body_line {
            Some(first) if p.line >= first => Some("body".to_owned()),
            _ => lines.get(&p.line).cloned(),
        };
        match field {
            Some(field) => placed.push(field_error(
                &field,
                format!("{} (line {})", p.message, p.line),
            )),
            None => rest.push(p.clone()),
        }
    }
    (placed, rest)
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

/// Lessons added, removed and changed, and whether settings or the assessment changed, against the
/// version learners see now.
fn changes(
    draft: &LoadedModule,
    files: &ModuleFiles,
    published: Option<&(ModuleFiles, Vec<VersionedLesson>)>,
) -> VersionChanges {
    let label = |title: &str, slug: &str| format!("{title} ({slug})");
    let Some((published_files, published_lessons)) = published else {
        return VersionChanges {
            added: draft
                .lessons
                .iter()
                .map(|l| label(&l.title, &l.slug))
                .collect(),
            settings_changed: true,
            assessment_changed: draft.assessment.is_some(),
            ..VersionChanges::default()
        };
    };
    let before: HashMap<&str, &VersionedLesson> = published_lessons
        .iter()
        .map(|l| (l.slug.as_str(), l))
        .collect();
    let after: HashSet<&str> = draft.lessons.iter().map(|l| l.slug.as_str()).collect();
    VersionChanges {
        added: draft
            .lessons
            .iter()
            .filter(|l| !before.contains_key(l.slug.as_str()))
            .map(|l| label(&l.title, &l.slug))
            .collect(),
        changed: draft
            .lessons
            .iter()
            .filter(|l| {
                before
                    .get(l.slug.as_str())
                    .is_some_and(|old| old.content_hash != l.content_hash)
            })
            .map(|l| label(&l.title, &l.slug))
            .collect(),
        removed: published_lessons
            .iter()
            .filter(|l| !after.contains(l.slug.as_str()))
            .map(|l| label(&l.title, &l.slug))
            .collect(),
        settings_changed: published_files.get("module.toml") != files.get("module.toml"),
        assessment_changed: published_files.get("assessment.toml") != files.get("assessment.toml"),
    }
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

/// The module's authoring page: what is published, and the draft with its problems and pending changes.
pub async fn overview(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
) -> Result<ModuleAuthoring, AppError> {
    let target = authorised_target(db, account, slug).await?;
    let draft = match &target.draft {
        None => None,
        Some(draft) => {
            let files = files_from_json(&draft.files)?;
            let others = other_lessons(db, slug).await?;
            let (loaded, problems) = check(slug, &files, frameworks, &others);
            let published = match &target.module {
                Some(module) => published_files(db, module).await?,
                None => None,
            };
            let settings_text = files.get("module.toml").cloned().unwrap_or_default();
            let settings = forms::settings_from_text(&settings_text).unwrap_or_default();
            let (settings_errors, _) = place_problems(
                &problems,
                "module.toml",
                &forms::fields_by_line(&settings_text, 1),
                None,
            );
            let lessons = files
                .iter()
                .filter(|(name, _)| name.ends_with(".md"))
                .map(|(name, text)| DraftLesson {
                    file: name.clone(),
                    title: forms::lesson_from_text(text)
                        .ok()
                        .map(|f| f.title)
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| name.clone()),
                    problems: problems.iter().filter(|p| &p.file == name).count(),
                })
                .collect();
            let current = target.module.as_ref().map(|m| m.version);
            Some(DraftOverview {
                settings,
                settings_errors,
                lessons,
                has_assessment: files.contains_key("assessment.toml"),
                changes: loaded
                    .as_ref()
                    .map(|l| changes(l, &files, published.as_ref()))
                    .unwrap_or_default(),
                problems,
                base_version: draft.base_version,
                stale: current.is_some() && current != draft.base_version,
                frameworks: framework_choices(frameworks),
                started_by: owner_name(db, Some(draft.owner_id))
                    .await?
                    .unwrap_or_default(),
                updated_at: draft.updated_at.format("%-d %B %Y, %H:%M UTC").to_string(),
            })
        }
    };
    let title = match (&target.module, &draft) {
        (Some(module), _) => module.title.clone(),
        (None, Some(d)) if !d.settings.title.is_empty() => d.settings.title.clone(),
        _ => slug.to_owned(),
    };
    Ok(ModuleAuthoring {
        slug: slug.to_owned(),
        title,
        published_version: target.module.as_ref().map(|m| m.version),
        source: target
            .module
            .as_ref()
            .map_or_else(|| "browser".to_owned(), |m| m.source.clone()),
        owner: owner_name(db, target.owner()).await?,
        is_admin: Role::parse(&account.role) == Role::Admin,
        draft,
    })
}

async fn draft_files_and_problems(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
) -> Result<(String, ModuleFiles, Vec<DraftProblem>), AppError> {
    let target = authorised_target(db, account, slug).await?;
    let files = files_from_json(&target.draft(slug)?.files)?;
    let others = other_lessons(db, slug).await?;
    let (_, problems) = check(slug, &files, frameworks, &others);
    let title = files
        .get("module.toml")
        .and_then(|t| forms::settings_from_text(t).ok())
        .map(|s| s.title)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| slug.to_owned());
    Ok((title, files, problems))
}

/// The lesson editor for one file of the draft, with its preview and its problems next to their fields.
pub async fn lesson_editor(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
    file: &str,
) -> Result<LessonEditor, AppError> {
    let (module_title, files, problems) =
        draft_files_and_problems(db, frameworks, account, slug).await?;
    let text = files
        .get(file)
        .filter(|_| file.ends_with(".md"))
        .ok_or_else(|| AppError::NotFound(format!("The lesson file “{file}”")))?;
    let (form, mut other_problems, field_errors, preview_html) = match forms::lesson_from_text(text)
    {
        Ok(form) => {
            let (front, _, body_line) = forms::split_lesson(text).unwrap_or((text, "", usize::MAX));
            let (placed, rest) = place_problems(
                &problems,
                file,
                &forms::fields_by_line(front, 2),
                Some(body_line),
            );
            let html = render_markdown(&form.body, slug).html;
            (Some(form), rest, placed, html)
        }
        Err(message) => {
            let (_, rest) = place_problems(&problems, file, &HashMap::new(), None);
            let mut rest = rest;
            rest.insert(
                0,
                DraftProblem {
                    file: file.to_owned(),
                    line: 1,
                    column: 1,
                    message,
                },
            );
            (None, rest, Vec::new(), String::new())
        }
    };
    other_problems.dedup();
    Ok(LessonEditor {
        module_slug: slug.to_owned(),
        module_title,
        file: file.to_owned(),
        form,
        preview_html,
        field_errors,
        other_problems,
        frameworks: framework_choices(frameworks),
    })
}

/// The assessment editor, with problems next to their fields.
pub async fn assessment_editor(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
) -> Result<AssessmentEditor, AppError> {
    let (module_title, files, problems) =
        draft_files_and_problems(db, frameworks, account, slug).await?;
    let text = files.get("assessment.toml").cloned().unwrap_or_default();
    let (form, field_errors, other_problems) = match forms::assessment_from_text(&text) {
        Ok(form) => {
            let (placed, rest) = place_problems(
                &problems,
                "assessment.toml",
                &forms::fields_by_line(&text, 1),
                None,
            );
            (Some(form), placed, rest)
        }
        Err(message) => {
            let (_, mut rest) = place_problems(&problems, "assessment.toml", &HashMap::new(), None);
            rest.insert(
                0,
                DraftProblem {
                    file: "assessment.toml".to_owned(),
                    line: 1,
                    column: 1,
                    message,
                },
            );
            (None, Vec::new(), rest)
        }
    };
    Ok(AssessmentEditor {
        module_slug: slug.to_owned(),
        module_title,
        form,
        field_errors,
        other_problems,
    })
}

/// One file of the draft as text, with its problems, for the source editor.
pub async fn source_file(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
    file: &str,
) -> Result<SourceFile, AppError> {
    let (_, files, problems) = draft_files_and_problems(db, frameworks, account, slug).await?;
    Ok(SourceFile {
        module_slug: slug.to_owned(),
        file: file.to_owned(),
        text: files.get(file).cloned().unwrap_or_default(),
        problems: problems.into_iter().filter(|p| p.file == file).collect(),
    })
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub version: i32,
    pub changes: VersionChanges,
}

/// Publishes the draft as a new immutable version and removes the draft. Refused while the checker finds
/// problems, and, unless `confirm_over_newer`, when a newer version was published after the draft began.
pub async fn publish(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
    confirm_over_newer: bool,
) -> Result<Published, AppError> {
    let target = authorised_target(db, account, slug).await?;
    let draft = target.draft(slug)?;
    let files = files_from_json(&draft.files)?;
    let others = other_lessons(db, slug).await?;
    let (loaded, problems) = check(slug, &files, frameworks, &others);
    let Some(loaded) = loaded else {
        return Err(AppError::Conflict(format!(
            "The draft has {} problem{} to fix before it can be published; each is listed on the module’s authoring page.",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        )));
    };
    if let Some(module) = &target.module
        && Some(module.version) != draft.base_version
        && !confirm_over_newer
    {
        return Err(AppError::Conflict(format!(
            "Version {} of this module was published after this draft was started{}. Review the changes \
             listed, then tick “Publish over the newer version” to replace it.",
            module.version,
            draft
                .base_version
                .map(|v| format!(" (from version {v})"))
                .unwrap_or_default()
        )));
    }
    let published = match &target.module {
        Some(module) => published_files(db, module).await?,
        None => None,
    };
    let changes = changes(&loaded, &files, published.as_ref());
    let txn = db.begin().await?;
    let outcome = publish_module(
        &txn,
        &loaded,
        Origin::Browser {
            account_id: account.id,
            owner_id: target.owner().unwrap_or(draft.owner_id),
        },
    )
    .await?;
    let version = match outcome {
        SyncOutcome::Created { version }
        | SyncOutcome::Updated { version }
        | SyncOutcome::Unchanged { version }
        | SyncOutcome::KeptBrowserVersion { version } => version,
    };
    module_draft::Entity::delete_by_id(draft.id)
        .exec(&txn)
        .await?;
    audit_action(
        &txn,
        account,
        "module.published",
        slug,
        serde_json::json!({
            "version": version,
            "from_version": draft.base_version,
            "added": changes.added,
            "removed": changes.removed,
            "changed": changes.changed,
            "unchanged": matches!(outcome, SyncOutcome::Unchanged { .. }),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Published { version, changes })
}

/// Throws the draft away; the published version is untouched.
pub async fn discard(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
) -> Result<(), AppError> {
    let target = authorised_target(db, account, slug).await?;
    let draft = target.draft(slug)?;
    let txn = db.begin().await?;
    module_draft::Entity::delete_by_id(draft.id)
        .exec(&txn)
        .await?;
    audit_action(
        &txn,
        account,
        "module.draft_discarded",
        slug,
        serde_json::json!({ "base_version": draft.base_version }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Makes the course lead with this email the module's owner (admins only).
pub async fn set_owner(
    db: &DatabaseConnection,
    admin: &account::Model,
    slug: &str,
    email: &str,
) -> Result<(), AppError> {
    if Role::parse(&admin.role) != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let target = authorised_target(db, admin, slug).await?;
    let email = email.trim().to_lowercase();
    let owner = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(db)
        .await?
        .filter(may_author)
        .ok_or_else(|| {
            AppError::invalid(
                "owner_email",
                format!("No course lead or admin has the email “{email}”."),
            )
        })?;
    let txn = db.begin().await?;
    if let Some(module) = &target.module {
        let mut active: module::ActiveModel = module.clone().into();
        active.owner_id = Set(Some(owner.id));
        active.update(&txn).await?;
    } else if let Some(draft) = &target.draft {
        let mut active: module_draft::ActiveModel = draft.clone().into();
        active.owner_id = Set(owner.id);
        active.update(&txn).await?;
    }
    audit_action(
        &txn,
        admin,
        "module.owner_set",
        slug,
        serde_json::json!({ "owner": owner.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Which files to export: the draft, or a published version (the current one when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportSource {
    Draft,
    Version(Option<i32>),
}

/// The module's files as a zip in the `content/` folder format, with a file name for the download.
pub async fn export(
    db: &DatabaseConnection,
    account: &account::Model,
    slug: &str,
    source: ExportSource,
) -> Result<(String, Vec<u8>), AppError> {
    let target = authorised_target(db, account, slug).await?;
    let (files, label) = match source {
        ExportSource::Draft => (
            files_from_json(&target.draft(slug)?.files)?,
            "draft".to_owned(),
        ),
        ExportSource::Version(version) => {
            let module = target
                .module
                .as_ref()
                .ok_or_else(|| AppError::NotFound(format!("A published version of “{slug}”")))?;
            let version = version.unwrap_or(module.version);
            let row = module_version::Entity::find()
                .filter(module_version::Column::ModuleId.eq(module.id))
                .filter(module_version::Column::Version.eq(version))
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("Version {version} of “{slug}”")))?;
            let json = row.files.ok_or_else(|| {
                AppError::Conflict(format!(
                    "Version {version} was published before source files were kept, so it cannot be exported."
                ))
            })?;
            (files_from_json(&json)?, format!("v{version}"))
        }
    };
    let bytes = archive::export(slug, &files)
        .map_err(|e| crate::ssr::error::internal("writing a module archive", e))?;
    Ok((format!("{slug}-{label}.zip"), bytes))
}

/// Imports a zip of a module folder as a draft (a new module, or a new draft of one the account may edit).
/// Never overwrites a draft in progress. Returns the module's slug.
pub async fn import(
    db: &DatabaseConnection,
    account: &account::Model,
    bytes: &[u8],
) -> Result<String, AppError> {
    if !may_author(account) {
        return Err(AppError::Forbidden);
    }
    let (slug, files) =
        archive::import(bytes).map_err(|e| AppError::invalid("archive", e.to_string()))?;
    if !files.contains_key("module.toml") {
        return Err(AppError::invalid(
            "archive",
            format!("`{slug}/module.toml` is missing: the archive should hold one module folder"),
        ));
    }
    if let Some(bad) = files.keys().find(|name| !is_module_file_name(name)) {
        return Err(AppError::invalid(
            "archive",
            format!(
                "`{slug}/{bad}` cannot be part of a module: use module.toml, assessment.toml and lesson name.md files"
            ),
        ));
    }
    let target = load_target(db, &slug).await?;
    if (target.module.is_some() || target.draft.is_some()) && !may_edit(account, target.owner()) {
        return Err(AppError::Forbidden);
    }
    if target.draft.is_some() {
        return Err(AppError::Conflict(format!(
            "A draft of “{slug}” is already open. Publish or discard it first, so that no edits are overwritten."
        )));
    }
    let base_version = target.module.as_ref().map(|m| m.version);
    let owner = target.owner().unwrap_or(account.id);
    let txn = db.begin().await?;
    insert_draft(&txn, &slug, owner, base_version, &files).await?;
    audit_action(
        &txn,
        account,
        "module.imported",
        &slug,
        serde_json::json!({ "base_version": base_version, "files": files.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(slug)
}

/// Markdown rendered exactly as learners will see it, for the editor's live preview.
pub fn preview(body: &str, module_slug: &str) -> String {
    render_markdown(body, module_slug).html
}
