//! A module as a zip in the `content/` folder format: exporting a version or the draft, importing as a draft.

use super::*;
use crate::ssr::blocking::off_the_runtime;

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
            let row = module
                .version_numbered(db, version)
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
    let folder = slug.to_owned();
    let bytes = off_the_runtime("writing a module archive", move || {
        archive::export(&folder, &files)
    })
    .await?
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
    let upload = bytes.to_vec();
    let (slug, files) =
        off_the_runtime("reading a module archive", move || archive::import(&upload))
            .await?
            .map_err(|e| AppError::invalid("archive", e.to_string()))?;
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(AppError::invalid(
            "archive",
            format!("`{slug}` is reserved for the authoring pages: rename the module folder"),
        ));
    }
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
