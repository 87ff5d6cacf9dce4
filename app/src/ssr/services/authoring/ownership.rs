//! Who may edit which module: the list a course lead or admin sees, and handing a module to a course lead.

use super::*;
use crate::model::authoring::{LessonDue, ModuleSource};
use crate::model::catalogue::ShownDate;
use crate::ssr::content::ReviewPolicy;
use crate::ssr::entities::lesson;
use sea_orm::QueryOrder;

/// Every module the account may edit, with its draft status and the lessons due for review on `today`
/// under `review`. Course leads see their own; admins see all.
pub async fn list_for(
    db: &DatabaseConnection,
    account: &account::Model,
    today: chrono::NaiveDate,
    review: ReviewPolicy,
) -> Result<Vec<AuthoredModule>, AppError> {
    if !may_author(account) {
        return Err(AppError::Forbidden);
    }
    let admin = account.role == Role::Admin;
    let mut modules = module::Entity::find();
    if !admin {
        modules = modules.filter(module::Column::OwnerId.eq(account.id));
    }
    let modules = modules.all(db).await?;
    let mut drafts = module_draft::Entity::find();
    if !admin {
        // Candidates: drafts this lead started, and drafts anyone started on this lead's modules.
        let own_slugs: Vec<String> = modules.iter().map(|m| m.slug.clone()).collect();
        drafts = drafts.filter(
            sea_orm::Condition::any()
                .add(module_draft::Column::OwnerId.eq(account.id))
                .add(module_draft::Column::Slug.is_in(own_slugs)),
        );
    }
    let mut drafts = drafts.all(db).await?;
    if !admin && !drafts.is_empty() {
        // Keep those the lead owns by the one ownership rule (a published module's owner decides).
        let module_owners: HashMap<String, Option<i32>> = module::Entity::find()
            .select_only()
            .columns([module::Column::Slug, module::Column::OwnerId])
            .filter(module::Column::Slug.is_in(drafts.iter().map(|d| d.slug.clone())))
            .into_tuple::<(String, Option<i32>)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        drafts.retain(|d| {
            owner_of(module_owners.get(&d.slug).copied(), Some(d.owner_id)) == Some(account.id)
        });
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
    let mut due: HashMap<i32, Vec<LessonDue>> = HashMap::new();
    let lessons: Vec<(i32, String, String, Option<chrono::NaiveDate>)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Title,
            lesson::Column::Checked,
        ])
        .filter(lesson::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    for (module_id, slug, title, checked) in lessons {
        if review.is_due(checked, today) {
            due.entry(module_id).or_default().push(LessonDue {
                slug,
                title,
                checked: checked.map(ShownDate::from),
            });
        }
    }
    let draft_slugs: HashSet<&str> = drafts.iter().map(|d| d.slug.as_str()).collect();
    let mut list: Vec<AuthoredModule> = modules
        .iter()
        .map(|m| AuthoredModule {
            slug: m.slug.clone(),
            title: m.title.clone(),
            version: Some(m.version),
            has_draft: draft_slugs.contains(m.slug.as_str()),
            source: m.source,
            owner: m.owner_id.and_then(|id| names.get(&id).cloned()),
            due_for_review: due.remove(&m.id).unwrap_or_default(),
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
            source: ModuleSource::Browser,
            owner: names.get(&draft.owner_id).cloned(),
            due_for_review: Vec::new(),
        });
    }
    list.sort_by(|a, b| a.title.cmp(&b.title).then(a.slug.cmp(&b.slug)));
    Ok(list)
}

/// Makes the course lead with this email the module's owner (admins only).
pub async fn set_owner(
    db: &DatabaseConnection,
    admin: &account::Model,
    slug: &str,
    email: &str,
) -> Result<(), AppError> {
    if admin.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let target = authorised_target(db, admin, slug).await?;
    let email = crate::ssr::services::accounts::normalise_email(email);
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
