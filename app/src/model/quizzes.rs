//! Shared types for quizzes: what server functions return and pages show, in both builds.

use serde::{Deserialize, Serialize};

/// The question kinds the engine can mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Exactly one correct option (radio buttons).
    Single,
    /// One or more correct options; the learner selects all that apply (checkboxes).
    Multiple,
    /// "True" or "False".
    TrueFalse,
}

/// A question as shown before answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<String>,
}

/// How one question was answered in a submitted attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub id: String,
    pub correct: bool,
    pub chosen: Vec<usize>,
    /// None while the assessment withholds its answers (see `AttemptView::answers_revealed`).
    pub correct_options: Option<Vec<usize>>,
    pub explanation: String,
    /// Feedback written for the options the learner chose; empty while answers are withheld.
    pub feedback: Vec<String>,
}

/// A marked attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    /// The stored attempt (for statements and support queries).
    pub attempt_id: i32,
    pub correct: u32,
    pub total: u32,
    pub score: u32,
    /// For an assessment: whether the pass mark was reached.
    pub passed: bool,
    /// False while an assessment keeps its answer key from the learner: results then say which questions
    /// were wrong, with explanations, but not which options were right.
    pub answers_revealed: bool,
    pub submitted_at: String,
    pub results: Vec<QuestionResult>,
}

/// Which questions: a lesson's, or the module assessment.
pub const ASSESSMENT_SCOPE: &str = "assessment";

/// Everything a quiz needs to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizView {
    pub module_slug: String,
    pub module_title: String,
    /// `assessment` or a lesson slug.
    pub scope: String,
    pub questions: Vec<QuestionView>,
    /// Percentage needed to pass (assessments only).
    pub pass_mark: Option<u32>,
    pub attempts_used: u32,
    pub max_attempts: Option<u32>,
    /// When the learner may try again, if they must wait (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// False when out of attempts, waiting for a cool-down, not signed in, or already passed.
    pub can_attempt: bool,
    pub signed_in: bool,
    pub last_attempt: Option<AttemptView>,
    /// The assessment has been passed (in any attempt).
    pub passed: bool,
}
