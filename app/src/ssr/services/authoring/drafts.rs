//! Writing a draft: starting one (a new module, or from the published version), saving the editor forms and
//! source files into it, adding lessons, and throwing it away. Every action is audited.

use super::*;
use sea_orm::sea_query::Expr;

pub(super) fn new_lesson_text(slug: &str, title: &str) -> String {
    forms::lesson_text(&LessonForm {
        slug: slug.to_owned(),
        title: title.to_owned(),
        minutes: "10".to_owned(),
        checked: String::new(),
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
        errors.push(FieldError::new("title", "Enter the module’s title."));
    }
    if !is_valid_slug(&slug) {
        errors.push(FieldError::new(
            "slug",
            "Use lower-case letters, digits and single hyphens, at most 64 characters (for example clinical-safety).",
        ));
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        errors.push(FieldError::new(
            "slug",
            format!("“{slug}” is reserved for the authoring pages: choose another address."),
        ));
    }
    if errors.is_empty() {
        let existing = load_target(db, &slug).await?;
        if existing.module.is_some() || existing.draft.is_some() {
            errors.push(FieldError::new(
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
    // Read, change one file, write back only if nobody saved in between; on a clash, read again.
    for _ in 0..3 {
        let target = authorised_target(db, account, slug).await?;
        let draft = target.draft(slug)?;
        let mut files = files_from_json(&draft.files)?;
        let action = match &text {
            Some(text) => {
                files.insert(file.to_owned(), text.clone());
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
        check_draft_size(&files)?;
        let txn = db.begin().await?;
        let written = module_draft::Entity::update_many()
            .col_expr(
                module_draft::Column::Files,
                Expr::value(files_to_json(&files)?),
            )
            .col_expr(
                module_draft::Column::Revision,
                Expr::value(draft.revision + 1),
            )
            .col_expr(module_draft::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(module_draft::Column::Id.eq(draft.id))
            .filter(module_draft::Column::Revision.eq(draft.revision))
            .exec(&txn)
            .await?;
        if written.rows_affected != 1 {
            txn.rollback().await?;
            continue;
        }
        audit_action(
            &txn,
            account,
            action,
            slug,
            serde_json::json!({ "file": file, "base_version": draft.base_version }),
        )
        .await?;
        txn.commit().await?;
        return Ok(());
    }
    Err(AppError::Conflict(
        "The draft is being saved by someone else at this moment, so nothing was saved: please save again."
            .to_owned(),
    ))
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
        .saturating_add(1);
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
