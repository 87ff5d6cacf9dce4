//! What the authoring pages show: a module's draft with its problems and pending changes, and the lesson,
//! assessment and source editors.

use super::*;
use crate::model::authoring::ModuleSource;

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
            let others = other_lessons(db, slug, &files).await?;
            let (loaded, problems) = check(slug, &files, frameworks, others).await?;
            let published = match &target.module {
                Some(module) => published_files(db, module).await?,
                None => None,
            };
            let settings_text = files.get("module.toml").cloned().unwrap_or_default();
            let settings = forms::settings_from_text(&settings_text).ok();
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
        (None, Some(d)) => d
            .settings
            .as_ref()
            .map(|s| s.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| slug.to_owned()),
        _ => slug.to_owned(),
    };
    Ok(ModuleAuthoring {
        slug: slug.to_owned(),
        title,
        published_version: target.module.as_ref().map(|m| m.version),
        source: target
            .module
            .as_ref()
            .map_or(ModuleSource::Browser, |m| m.source),
        owner: owner_name(db, target.owner()).await?,
        is_admin: account.role == Role::Admin,
        draft,
    })
}

pub(super) async fn draft_files_and_problems(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    account: &account::Model,
    slug: &str,
) -> Result<(String, ModuleFiles, Vec<DraftProblem>), AppError> {
    let target = authorised_target(db, account, slug).await?;
    let files = files_from_json(&target.draft(slug)?.files)?;
    let others = other_lessons(db, slug, &files).await?;
    let (_, problems) = check(slug, &files, frameworks, others).await?;
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
