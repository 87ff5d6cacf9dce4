//! The self-assessment: a learner rates themselves against the frameworks the curriculum teaches and gets a
//! plan of modules ordered by their gaps. Only the learner sees their own.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

pub use crate::model::self_assessment::*;

/// The signed-in learner's competencies to rate, their latest and previous ratings, and their plan.
#[server(endpoint = "self-assessment")]
pub async fn fetch_self_assessment() -> Result<SelfAssessmentView, AppError> {
    use crate::ssr::{auth, services::self_assessment};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    self_assessment::view(&state.db, &state.frameworks, &learner).await
}

/// Keeps a new self-assessment for the signed-in learner: `rating[framework:code] = 1..4`.
#[server(endpoint = "take-self-assessment")]
pub async fn take_self_assessment(
    #[server(default)] rating: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::self_assessment};
    let state = auth::app_state()?;
    let learner = auth::require_account().await?;
    self_assessment::submit(&state.db, &state.frameworks, &learner, &rating).await?;
    leptos_axum::redirect("/self-assessment#plan");
    Ok(())
}
