//! Enrolling, completing lessons, and "My learning".

use leptos::prelude::*;

use crate::api::catalogue::{ModuleCard, ProgressSummary};
use crate::error::AppError;

/// Enrols the signed-in learner in a module.
#[server(endpoint = "enrol")]
pub async fn enrol(module: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::progress};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    progress::enrol(&state.db, account.id, &module).await
}

/// Marks a lesson complete for the signed-in learner and returns the module's progress.
#[server(endpoint = "complete-lesson")]
pub async fn complete_lesson(module: String, lesson: String) -> Result<ProgressSummary, AppError> {
    use crate::ssr::auth;
    use crate::ssr::services::{catalogue, completion, progress, xapi};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let summary = progress::complete_lesson(&state.db, account.id, &module, &lesson).await?;
    let found = catalogue::find_module(&state.db, &module).await?;
    let title: Option<String> = crate::ssr::entities::lesson::Entity::find()
        .select_only()
        .column(crate::ssr::entities::lesson::Column::Title)
        .filter(crate::ssr::entities::lesson::Column::ModuleId.eq(found.id))
        .filter(crate::ssr::entities::lesson::Column::Slug.eq(&lesson))
        .into_tuple()
        .one(&state.db)
        .await?;
    let event = xapi::LearningEvent::LessonCompleted {
        slug: &lesson,
        title: title.as_deref().unwrap_or(&lesson),
    };
    xapi::record(&state.db, &state.xapi, &account, &found, event).await?;
    if summary.next_lesson.is_none() {
        completion::complete_if_due(
            &state.db,
            &state.issuer,
            &state.library.frameworks,
            account.id,
            &found,
        )
        .await?;
        xapi::record_completion(&state.db, &state.xapi, &account, &found).await?;
    }
    Ok(summary)
}

/// The signed-in learner's enrolled modules with progress.
#[server(endpoint = "my-learning")]
pub async fn my_learning() -> Result<Vec<ModuleCard>, AppError> {
    use crate::ssr::{auth, services::progress};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    progress::my_learning(&state.db, account.id).await
}
