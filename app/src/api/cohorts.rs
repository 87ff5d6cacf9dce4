//! Cohorts: course leads group learners, set modules and due dates, and see how the group is doing.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::error::AppError;

/// A module a cohort takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortModuleView {
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
}

/// A cohort as its course lead lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortSummary {
    pub id: i32,
    pub name: String,
    pub join_code: String,
    pub member_count: u32,
    pub modules: Vec<CohortModuleView>,
}

/// A learner's standing in one cohort module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellStatus {
    NotStarted,
    InProgress,
    Completed,
}

impl CellStatus {
    pub fn label(self) -> &'static str {
        match self {
            CellStatus::NotStarted => "Not started",
            CellStatus::InProgress => "In progress",
            CellStatus::Completed => "Completed",
        }
    }
}

/// One cell of the progress matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressCell {
    pub status: CellStatus,
    pub lessons_completed: u32,
    pub lessons_total: u32,
    pub overdue: bool,
}

/// One learner's row of the progress matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub account_id: i32,
    pub name: String,
    pub email: String,
    /// In the order of the cohort's modules.
    pub cells: Vec<ProgressCell>,
}

/// How far the cohort has got through one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub module_title: String,
    pub members: u32,
    pub started: u32,
    pub all_lessons: u32,
    pub completed: u32,
}

/// How one assessment question performed in a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub id: String,
    pub prompt: String,
    /// Share of learners who answered correctly (0 to 1).
    pub facility: Option<f64>,
    /// Upper-group minus lower-group facility (-1 to 1); low or negative values flag a poor question.
    pub discrimination: Option<f64>,
    /// The wrong option chosen most often, and how many chose it.
    pub most_chosen_wrong: Option<(String, u32)>,
}

/// Item analysis of one module's assessment in a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleItemAnalysis {
    pub module_title: String,
    /// Learners whose first attempt was analysed.
    pub learners: u32,
    pub items: Vec<ItemStats>,
}

/// The course lead's view of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortDashboard {
    pub id: i32,
    pub name: String,
    pub join_code: String,
    pub modules: Vec<CohortModuleView>,
    pub rows: Vec<MatrixRow>,
    pub funnel: Vec<FunnelRow>,
    /// (learner name, module title, due date) for every overdue, unfinished module.
    pub overdue: Vec<(String, String, String)>,
    /// For each cohort module with an assessment.
    pub item_analysis: Vec<ModuleItemAnalysis>,
}

/// A cohort as a learner in it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerCohort {
    pub name: String,
    pub modules: Vec<(CohortModuleView, ProgressCell)>,
}

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
    cohorts::join(&state.db, &learner, &code).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

/// The signed-in learner's cohorts with due dates and progress.
#[server(endpoint = "my-cohorts")]
pub async fn my_cohorts() -> Result<Vec<LearnerCohort>, AppError> {
    use crate::ssr::{auth, services::cohorts};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    cohorts::for_learner(&state.db, learner.id).await
}
