//! The shapes of content files (as authors write them) and of validated, loaded content.
//!
//! File shapes deny unknown fields, so a misspelt field is an error rather than silently ignored. Values
//! that later checks point at are `Spanned`, so an error can name their exact line and column.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

pub use crate::model::quizzes::QuestionKind;

/// `module.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModuleManifest {
    pub title: Spanned<String>,
    pub summary: Spanned<String>,
    pub audience: Spanned<String>,
    pub estimated_hours: Spanned<f64>,
    pub cpd_hours: Spanned<f64>,
    pub order: i32,
    pub completion: CompletionRule,
    #[serde(default)]
    pub alignments: Vec<Spanned<String>>,
}

/// What finishing a module means, in the spirit of cmi5's moveOn. Stored by its `module.toml` spelling.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "kebab-case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum CompletionRule {
    /// Every lesson marked complete.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// The assessment passed.
    #[sea_orm(string_value = "passed")]
    Passed,
    #[sea_orm(string_value = "completed-and-passed")]
    CompletedAndPassed,
    #[sea_orm(string_value = "completed-or-passed")]
    CompletedOrPassed,
}

impl CompletionRule {
    /// Whether the rule can only be met with an assessment.
    pub fn needs_assessment(self) -> bool {
        !matches!(self, CompletionRule::Completed)
    }

    /// Whether the rule is met, given the two facts it can depend on.
    pub fn is_met(self, all_lessons_completed: bool, assessment_passed: bool) -> bool {
        match self {
            CompletionRule::Completed => all_lessons_completed,
            CompletionRule::Passed => assessment_passed,
            CompletionRule::CompletedAndPassed => all_lessons_completed && assessment_passed,
            CompletionRule::CompletedOrPassed => all_lessons_completed || assessment_passed,
        }
    }

    /// What the rule asks, in words, for records and pages.
    pub fn describe(self, pass_mark: Option<u32>) -> String {
        let passed = match pass_mark {
            Some(mark) => format!("passed the module assessment (pass mark {mark}%)"),
            None => "passed the module assessment".to_owned(),
        };
        match self {
            CompletionRule::Completed => "Completed every lesson of the module.".to_owned(),
            CompletionRule::Passed => format!("{}.", capitalise(&passed)),
            CompletionRule::CompletedAndPassed => {
                format!("Completed every lesson of the module and {passed}.")
            }
            CompletionRule::CompletedOrPassed => {
                format!("Completed every lesson of the module or {passed}.")
            }
        }
    }

    /// The spelling used in `module.toml` (and in the database).
    pub fn as_str(self) -> &'static str {
        match self {
            CompletionRule::Completed => "completed",
            CompletionRule::Passed => "passed",
            CompletionRule::CompletedAndPassed => "completed-and-passed",
            CompletionRule::CompletedOrPassed => "completed-or-passed",
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The front matter of a lesson file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LessonFrontMatter {
    pub slug: Spanned<String>,
    pub title: Spanned<String>,
    pub minutes: Spanned<u32>,
    pub outcomes: Spanned<Vec<String>>,
    #[serde(default)]
    pub alignments: Vec<Spanned<String>>,
    #[serde(default)]
    pub questions: Vec<Spanned<QuestionSpec>>,
    /// When the lesson's facts were last checked against their sources, `YYYY-MM-DD`.
    pub checked: Option<Spanned<String>>,
}

/// `assessment.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AssessmentFile {
    pub pass_mark: Spanned<u32>,
    pub max_attempts: Option<Spanned<u32>>,
    pub cooldown_hours: Option<Spanned<u32>>,
    pub reveal_answers: Option<Spanned<RevealAnswers>>,
    #[serde(default)]
    pub questions: Vec<Spanned<QuestionSpec>>,
}

/// A question as authored: in a lesson's front matter or in `assessment.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub explanation: String,
    #[serde(default)]
    pub options: Vec<OptionSpec>,
    pub answer: Option<bool>,
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    pub text: String,
    #[serde(default)]
    pub correct: bool,
    pub feedback: Option<String>,
}

/// When a learner may see which options of an assessment were correct. Until then a marked attempt says
/// which questions were wrong and gives the explanations, so a failed attempt (even one submitted blank)
/// cannot be used as an answer key for the next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevealAnswers {
    /// Once the learner has passed.
    AfterPass,
    /// Once the learner has passed or has no attempts left (with unlimited attempts: once passed).
    #[default]
    AfterFinalAttempt,
    /// Never: the assessment's answers stay secret, for assessments reused across cohorts.
    Never,
}

impl RevealAnswers {
    /// The spelling in `assessment.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            RevealAnswers::AfterPass => "after-pass",
            RevealAnswers::AfterFinalAttempt => "after-final-attempt",
            RevealAnswers::Never => "never",
        }
    }
}

/// A validated module assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSpec {
    pub pass_mark: u32,
    pub max_attempts: Option<u32>,
    pub cooldown_hours: Option<u32>,
    /// Versions published before this setting existed read as the default.
    #[serde(default)]
    pub reveal_answers: RevealAnswers,
    pub questions: Vec<QuestionSpec>,
}

/// A framework file in `content/frameworks/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrameworkFile {
    pub name: String,
    pub url: Spanned<String>,
    pub checked: Spanned<String>,
    pub description: String,
    pub competencies: Vec<CompetencySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompetencySpec {
    pub code: Spanned<String>,
    pub name: String,
    pub description: String,
}

/// A professionalism framework that modules align to (FCI competencies, FEDIP levels, SFIA skills...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    /// The file name without `.toml`; alignments are written `id:code`.
    pub id: String,
    pub name: String,
    pub url: String,
    /// When someone last checked the codes against the source.
    pub checked: CheckedOn,
    pub description: String,
    pub competencies: Vec<Competency>,
}

/// When a lesson or framework was last checked against its sources, and where that date is written, so a
/// reminder to check it again can point at the line to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedOn {
    pub date: chrono::NaiveDate,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// One coded competency of a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Competency {
    pub code: String,
    pub name: String,
    pub description: String,
}

/// Everything that loaded without error.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub frameworks: Vec<Framework>,
    /// In catalogue order.
    pub modules: Vec<LoadedModule>,
    /// In their `order`, then by slug.
    pub pathways: Vec<Pathway>,
}

/// `pathways/<slug>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PathwayFile {
    pub title: Spanned<String>,
    pub summary: Spanned<String>,
    pub audience: Spanned<String>,
    pub order: i32,
    /// `framework:code` levels or competencies the whole pathway works towards.
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
    pub modules: Spanned<Vec<Spanned<PathwayModuleSpec>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PathwayModuleSpec {
    pub slug: String,
    /// Required modules make up the pathway; optional ones are suggested alongside.
    #[serde(default = "required_by_default")]
    pub required: bool,
}

fn required_by_default() -> bool {
    true
}

/// A curriculum path through several modules, in the order to take them: what a new CCIO should do first,
/// next and last, and what the whole adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pathway {
    /// The file name without `.toml`.
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub order: i32,
    /// `framework:code` strings, each checked against the loaded frameworks.
    pub targets: Vec<String>,
    pub steps: Vec<PathwayStep>,
}

/// One module of a pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayStep {
    pub module: String,
    pub required: bool,
}

impl Library {
    pub fn module(&self, slug: &str) -> Option<&LoadedModule> {
        self.modules.iter().find(|m| m.slug == slug)
    }
}

/// A module whose every file loaded and validated.
#[derive(Debug, Clone)]
pub struct LoadedModule {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub estimated_hours: f64,
    pub cpd_hours: f64,
    pub order: i32,
    pub completion: CompletionRule,
    /// `framework:code` strings, each checked against the loaded frameworks.
    pub alignments: Vec<String>,
    pub lessons: Vec<LoadedLesson>,
    pub assessment: Option<AssessmentSpec>,
    /// SHA-256 over the module's files: changes exactly when any of them does.
    pub content_hash: String,
    pub folder: PathBuf,
    /// The source files as read, by name: published with the version so it can be exported or edited
    /// byte for byte.
    pub files: BTreeMap<String, String>,
}

/// A lesson, rendered and checked.
#[derive(Debug, Clone)]
pub struct LoadedLesson {
    pub slug: String,
    pub title: String,
    pub minutes: u32,
    pub outcomes: Vec<String>,
    pub alignments: Vec<String>,
    pub questions: Vec<QuestionSpec>,
    /// Sanitised HTML of the body, rendered once here and cached by `content_hash`.
    pub html: String,
    /// The anchors of the body's headings, sorted: what `lesson:<module>/<lesson>#<anchor>` links may name.
    pub anchors: Vec<String>,
    /// SHA-256 of the file: progress is pinned to it, so an unchanged lesson keeps its learners' progress.
    pub content_hash: String,
    /// Words of prose in the body (code blocks excluded).
    pub word_count: usize,
    /// The body as plain text, indexed for the catalogue's full-text search.
    pub text: String,
    /// When its facts were last checked; `None` for a lesson that does not say (`check` warns).
    pub checked: Option<CheckedOn>,
    pub path: PathBuf,
}
