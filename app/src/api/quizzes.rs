//! Check-your-understanding questions and module assessments.
//!
//! What reaches the browser before submitting is [`QuestionView`]: prompts and options, never which option
//! is correct. Marking happens on the server; results come back only for a submitted attempt.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

pub use crate::model::quizzes::*;

/// The questions for a lesson (`scope` = lesson slug) or the module assessment (`scope` = `assessment`).
#[server(endpoint = "quiz")]
pub async fn fetch_quiz(module: String, scope: String) -> Result<QuizView, AppError> {
    use crate::ssr::{auth, services::quizzes};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    quizzes::quiz_view(&state.db, &module, &scope, account.map(|a| a.id)).await
}

/// Submits answers, as `answers[question id][any key] = option index` (radio buttons use one key per
/// question, checkboxes one per option), marks them and returns the result.
#[server(endpoint = "submit-quiz")]
pub async fn submit_quiz(
    module: String,
    scope: String,
    #[server(default)] answers: HashMap<String, HashMap<String, String>>,
) -> Result<AttemptView, AppError> {
    use crate::ssr::auth;
    use crate::ssr::services::{learning, quizzes};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let chosen = quizzes::parse_answers(&answers)?;
    learning::submit_attempt(
        state.writes.clone(),
        (&state).into(),
        account.id,
        &module,
        &scope,
        chosen,
    )
    .await
}
