//! Publishing the `content/` folder at start-up, rendering only what changed since the last start.
//!
//! A restart with the same content reads and hashes every module's files and renders none of them: with
//! a large library that is the difference between seconds and minutes of start-up, and between holding every
//! lesson's HTML in memory at once and holding none.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::catalogue::{SyncOutcome, sync_library};
use crate::error::AppError;
use crate::model::authoring::ModuleSource;
use crate::ssr::content::{
    LoadReport, PublishedLesson, PublishedModule, PublishedModules, load_changes,
};
use crate::ssr::entities::{lesson, module, module_version};
use crate::ssr::error::stored_json;

/// What publishing the folder did: the load report (changed modules only in its library) and, for every
/// module, what happened to it.
#[derive(Debug)]
pub struct FolderPublished {
    pub report: LoadReport,
    pub outcomes: Vec<(String, SyncOutcome)>,
    /// What the database served before; for the modules in `report.unchanged`, still what it serves.
    pub published: PublishedModules,
}

/// Loads `content_dir`, rendering only the modules whose files differ from their published version, and
/// publishes the changes; one transaction per changed module, as `sync_library` does.
pub async fn publish_folder(
    db: &DatabaseConnection,
    content_dir: &Path,
) -> Result<FolderPublished, AppError> {
    let published = published_from_files(db).await?;
    let root: PathBuf = content_dir.to_path_buf();
    let (report, present, published) =
        crate::ssr::blocking::off_the_runtime("loading the content folder", move || {
            let report = load_changes(&root, &published);
            (report, module_folders(&root), published)
        })
        .await?;
    let mut outcomes = sync_library(db, &report.library, &present).await?;
    outcomes.extend(
        report
            .unchanged
            .iter()
            .map(|(slug, version)| (slug.clone(), SyncOutcome::Unchanged { version: *version })),
    );
    Ok(FolderPublished {
        report,
        outcomes,
        published,
    })
}

/// The module folders present under `content/modules`, including ones that failed to load: a module that
/// fails to load keeps its last good version listed rather than vanishing.
fn module_folders(content_dir: &Path) -> HashSet<String> {
    std::fs::read_dir(content_dir.join("modules"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every listed module whose current version was published from its folder, with what checking changed
/// modules against it needs, and the slugs of all listed modules: three queries, whatever the size of the
/// library. A version published before versions kept their files is left out, so publishing it again
/// records them.
async fn published_from_files(db: &DatabaseConnection) -> Result<PublishedModules, AppError> {
    let modules: Vec<(i32, String, String, String, i32, ModuleSource)> = module::Entity::find()
        .select_only()
        .columns([
            module::Column::Id,
            module::Column::Slug,
            module::Column::ContentHash,
            module::Column::Alignments,
            module::Column::Version,
            module::Column::Source,
        ])
        .filter(module::Column::Listed.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let listed: HashSet<String> = modules.iter().map(|m| m.1.clone()).collect();
    let without_files: HashSet<(i32, i32)> = module_version::Entity::find()
        .select_only()
        .columns([
            module_version::Column::ModuleId,
            module_version::Column::Version,
        ])
        .filter(module_version::Column::Files.is_null())
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut by_id: HashMap<i32, (String, PublishedModule)> = HashMap::new();
    for (id, slug, content_hash, alignments, version, source) in modules {
        if source != ModuleSource::Files || without_files.contains(&(id, version)) {
            continue;
        }
        let alignments: Vec<String> = stored_json("module", id, "alignments", &alignments)?;
        by_id.insert(
            id,
            (
                slug,
                PublishedModule {
                    version,
                    content_hash,
                    alignments,
                    lessons: Vec::new(),
                },
            ),
        );
    }
    let lessons: Vec<(i32, i32, String, String, String, Option<chrono::NaiveDate>)> =
        lesson::Entity::find()
            .select_only()
            .columns([
                lesson::Column::Id,
                lesson::Column::ModuleId,
                lesson::Column::Slug,
                lesson::Column::Anchors,
                lesson::Column::Alignments,
                lesson::Column::Checked,
            ])
            .into_tuple()
            .all(db)
            .await?;
    for (id, module_id, slug, anchors, alignments, checked) in lessons {
        let Some((_, module)) = by_id.get_mut(&module_id) else {
            continue;
        };
        let lesson_alignments: Vec<String> = stored_json("lesson", id, "alignments", &alignments)?;
        module.alignments.extend(lesson_alignments);
        module.lessons.push(PublishedLesson {
            slug,
            anchors: stored_json("lesson", id, "anchors", &anchors)?,
            checked,
        });
    }
    Ok(PublishedModules {
        modules: by_id.into_values().collect(),
        listed,
    })
}
