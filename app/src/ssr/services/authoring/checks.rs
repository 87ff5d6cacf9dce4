//! The `check` command's validation run over a draft, its problems placed next to form fields, and what
//! publishing the draft would change against the version learners see now.

use super::*;

/// The other modules a draft links to (`lesson:<module>/<lesson>`): only their lessons are needed to check
/// the draft's links. A slug is made only of `[a-z0-9-]`, so text that merely looks similar is skipped.
fn linked_modules(slug: &str, files: &ModuleFiles) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    for text in files.values() {
        for rest in text.split("lesson:").skip(1) {
            if let Some((module, _)) = rest.split_once('/')
                && module != slug
                && is_valid_slug(module)
            {
                found.insert(module.to_owned());
            }
        }
    }
    found.into_iter().collect()
}

/// The lessons of the other modules the draft links to, with their heading anchors, so links from the
/// draft can be checked; nothing is read when it links only within itself.
pub(super) async fn other_lessons(
    db: &DatabaseConnection,
    slug: &str,
    files: &ModuleFiles,
) -> Result<HashMap<(String, String), HashSet<String>>, AppError> {
    let linked = linked_modules(slug, files);
    if linked.is_empty() {
        return Ok(HashMap::new());
    }
    let modules: HashMap<i32, String> = module::Entity::find()
        .select_only()
        .columns([module::Column::Id, module::Column::Slug])
        .filter(module::Column::Slug.is_in(linked))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let lessons: Vec<(i32, i32, String, String)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::Id,
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Anchors,
        ])
        .filter(lesson::Column::ModuleId.is_in(modules.keys().copied().collect::<Vec<_>>()))
        .into_tuple()
        .all(db)
        .await?;
    let mut found = HashMap::new();
    for (id, module_id, lesson_slug, anchors) in lessons {
        let Some(module_slug) = modules.get(&module_id) else {
            continue;
        };
        let anchors: HashSet<String> = serde_json::from_str(&anchors).map_err(|e| {
            crate::ssr::error::internal("reading heading anchors", format!("lesson {id}: {e}"))
        })?;
        found.insert((module_slug.clone(), lesson_slug), anchors);
    }
    Ok(found)
}

/// Runs the `check` command's validation over the draft's files: every lesson is rendered, so it runs off
/// the async runtime.
pub(super) async fn check(
    slug: &str,
    files: &ModuleFiles,
    frameworks: &[Framework],
    others: HashMap<(String, String), HashSet<String>>,
) -> Result<(Option<LoadedModule>, Vec<DraftProblem>), AppError> {
    let (slug, files, frameworks) = (slug.to_owned(), files.clone(), frameworks.to_vec());
    crate::ssr::blocking::off_the_runtime("checking a draft", move || {
        match check_module_files(&slug, Path::new(&slug), files, &frameworks, &others) {
            Ok(module) => (Some(module), Vec::new()),
            Err(errors) => (None, errors.iter().map(problem).collect()),
        }
    })
    .await
}

pub(super) fn problem(error: &ContentError) -> DraftProblem {
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
pub(super) fn place_problems(
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
            Some(field) => placed.push(FieldError::new(
                &field,
                format!("{} (line {})", p.message, p.line),
            )),
            None => rest.push(p.clone()),
        }
    }
    (placed, rest)
}

/// Lessons added, removed and changed, and whether settings or the assessment changed, against the
/// version learners see now.
pub(super) fn changes(
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
