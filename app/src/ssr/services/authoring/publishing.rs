//! Publishing a draft as a new immutable version, through the same path as a `content/` folder change.

use super::*;

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
    let others = other_lessons(db, slug, &files).await?;
    let (loaded, problems) = check(slug, &files, frameworks, others).await?;
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
            owner_id: draft.owner_id,
        },
    )
    .await?;
    let version = match outcome {
        SyncOutcome::Created { version }
        | SyncOutcome::Updated { version }
        | SyncOutcome::Unchanged { version }
        | SyncOutcome::KeptBrowserVersion { version } => version,
    };
    // Publish exactly what was checked: if the draft was saved meanwhile, publish nothing.
    let removed = module_draft::Entity::delete_many()
        .filter(module_draft::Column::Id.eq(draft.id))
        .filter(module_draft::Column::Revision.eq(draft.revision))
        .exec(&txn)
        .await?;
    if removed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "The draft was saved while it was being published, so nothing was published: check the latest \
             changes and publish again."
                .to_owned(),
        ));
    }
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
