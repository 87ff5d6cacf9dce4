//! Cohorts: course leads group learners, set modules and due dates, and see how the group is doing.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

pub use crate::model::cohorts::*;

/// The caller's cohorts as a course lead (or every cohort, for an admin).
#[server(endpoint = "cohorts")]
pub async fn list_cohorts() -> Result<Vec<CohortSummary>, AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let lead = auth::require_account().await?;
    cohorts::list_for_lead(&state.db, &lead).await
}

/// Creates a cohort. `modules[slug] = slug` for each module taken, `due[slug] = YYYY-MM-DD` for due dates.
#[server(endpoint = "create-cohort")]
pub async fn create_cohort(
    name: String,
    #[server(default)] modules: HashMap<String, String>,
    #[server(default)] due: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let lead = auth::require_account().await?;
    let id = cohorts::create(
        &state.db,
        &lead,
        &name,
        modules.into_values().collect(),
        &due,
    )
    .await?;
    leptos_axum::redirect(&format!("/cohorts/{id}"));
    Ok(())
}

/// The progress matrix, funnel and overdue list of a cohort (its owner and admins only).
#[server(endpoint = "cohort")]
pub async fn fetch_cohort(id: i32) -> Result<CohortDashboard, AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let lead = auth::require_account().await?;
    cohorts::dashboard(&state.db, &lead, id).await
}

/// Removes a learner from a cohort (their own progress is kept).
#[server(endpoint = "remove-member")]
pub async fn remove_member(cohort: i32, account: i32) -> Result<(), AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let lead = auth::require_account().await?;
    cohorts::remove_member(&state.db, &lead, cohort, account).await
}

/// Joins the cohort with this code, and enrols the learner in its modules.
#[server(endpoint = "join-cohort")]
pub async fn join_cohort(code: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    cohorts::join(state.writes.clone(), &learner, &code).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

/// The signed-in learner leaves one of their cohorts (their progress and records stay theirs).
#[server(endpoint = "leave-cohort")]
pub async fn leave_cohort(cohort_id: i32) -> Result<(), AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    cohorts::leave(&state.db, &learner, cohort_id).await
}

/// The signed-in learner's cohorts with due dates and progress.
#[server(endpoint = "my-cohorts")]
pub async fn my_cohorts() -> Result<Vec<LearnerCohort>, AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    cohorts::for_learner(&state.db, learner.id).await
}
