//! Reading `pathways/*.toml`: ordered sets of modules that make a curriculum, each checked against the
//! modules and frameworks that loaded, with every problem at its `path:line:column`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::diagnostics::{ContentError, SourceFile, file_error};
use super::model::{Pathway, PathwayFile, PathwayStep};
use super::slug::is_valid_slug;

/// Every pathway in `dir` (none when the folder is absent), in order; a pathway with any problem is left out
/// and its problems added to `errors`. `modules` holds the slug of every module folder found, loaded or not,
/// so a pathway is not also blamed for a module's own errors.
pub(super) fn load_pathways(
    dir: &Path,
    modules: &HashSet<&str>,
    frameworks: &HashMap<&str, HashSet<&str>>,
    errors: &mut Vec<ContentError>,
) -> Vec<Pathway> {
    let mut pathways = Vec::new();
    if !dir.exists() {
        return pathways;
    }
    for path in super::loader::sorted_entries(dir, errors) {
        if super::loader::is_hidden(&path) {
            continue;
        }
        let (Some(slug), Some("toml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            errors.push(file_error(
                &path,
                "unexpected file: pathways are `.toml` files",
            ));
            continue;
        };
        let Some(text) = super::loader::read_text(&path, errors) else {
            continue;
        };
        let source = SourceFile {
            path: &path,
            text: &text,
        };
        let file: PathwayFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(e) => {
                errors.push(super::loader::toml_error(&source, 0, &e));
                continue;
            }
        };
        let mut problems = Vec::new();
        if !is_valid_slug(slug) {
            problems.push(file_error(
                &path,
                format!("pathway file name `{slug}` is not a valid slug: use lower-case letters, digits and hyphens"),
            ));
        }
        super::loader::check_description(
            [&file.title, &file.summary, &file.audience],
            &source,
            &mut problems,
        );
        let targets =
            super::loader::check_alignments(&file.targets, frameworks, &source, 0, &mut problems);
        let mut seen = HashSet::new();
        for step in file.modules.get_ref() {
            let module = &step.get_ref().slug;
            if !modules.contains(module.as_str()) {
                problems.push(source.error_at(
                    step.span().start,
                    format!("pathway names module `{module}`, which is not in content/modules/"),
                ));
            } else if !seen.insert(module.clone()) {
                problems.push(source.error_at(
                    step.span().start,
                    format!("module `{module}` is listed twice"),
                ));
            }
        }
        if !file
            .modules
            .get_ref()
            .iter()
            .any(|step| step.get_ref().required)
        {
            problems.push(source.error_at(
                file.modules.span().start,
                "a pathway needs at least one required module (`required = true`, the default)",
            ));
        }
        if problems.is_empty() {
            pathways.push(Pathway {
                slug: slug.to_owned(),
                title: file.title.into_inner(),
                summary: file.summary.into_inner(),
                audience: file.audience.into_inner(),
                order: file.order,
                targets,
                steps: file
                    .modules
                    .into_inner()
                    .into_iter()
                    .map(|step| {
                        let step = step.into_inner();
                        PathwayStep {
                            module: step.slug,
                            required: step.required,
                        }
                    })
                    .collect(),
            });
        } else {
            errors.extend(problems);
        }
    }
    pathways.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.slug.cmp(&b.slug)));
    pathways
}
