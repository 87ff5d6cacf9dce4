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
    progress::enrol(state.writes.clone(), account.id, &module).await
}

/// Marks a lesson complete for the signed-in learner and returns the module's progress.
#[server(endpoint = "complete-lesson")]
pub async fn complete_lesson(module: String, lesson: String) -> Result<ProgressSummary, AppError> {
    use crate::ssr::{auth, services::learning};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    learning::complete_lesson(
        state.writes.clone(),
        (&state).into(),
        account.id,
        &module,
        &lesson,
    )
    .await
}

/// The signed-in learner's enrolled modules with progress.
#[server(endpoint = "my-learning")]
pub async fn my_learning() -> Result<Vec<ModuleCard>, AppError> {
    use crate::ssr::{auth, services::progress};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    progress::my_learning(&state.db, account.id).await
}
