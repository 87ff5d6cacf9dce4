//! Shared types for authoring in the browser: the editor's forms and what a draft looks like, in both builds.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A module the caller may edit, for the authoring home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthoredModule {
    pub slug: String,
    pub title: String,
    /// The published version learners see; `None` for a module that exists only as a draft.
    pub version: Option<i32>,
    pub has_draft: bool,
    /// `files` (from `content/`) or `browser`.
    pub source: ModuleSource,
    pub owner: Option<String>,
    /// Published lessons not checked against their sources within the review period (or never), in order.
    pub due_for_review: Vec<LessonDue>,
}

/// A lesson due for another check of its facts, for its module's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonDue {
    pub slug: String,
    pub title: String,
    /// When it was last checked; `None` when it never said.
    pub checked: Option<crate::model::catalogue::ShownDate>,
}

/// A framework and its competencies, offered as alignment choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkChoice {
    pub id: String,
    pub name: String,
    /// (code, name)
    pub competencies: Vec<(String, String)>,
}

/// `module.toml` as form fields. Numbers are kept as typed so a wrong value is shown back, not lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSettings {
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub estimated_hours: String,
    pub cpd_hours: String,
    pub order: String,
    pub completion: String,
    /// `framework:code`
    pub alignments: Vec<String>,
}

/// One option of a choice question, as form fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionForm {
    pub text: String,
    pub correct: bool,
    pub feedback: String,
}

/// One question, as form fields; `kind` is `single`, `multiple` or `true-false`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionForm {
    pub id: String,
    pub kind: String,
    pub prompt: String,
    pub explanation: String,
    /// `true`, `false` or empty (true-false questions only).
    pub answer: String,
    pub options: Vec<OptionForm>,
}

/// A lesson file as form fields: front matter plus the Markdown body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonForm {
    pub slug: String,
    pub title: String,
    pub minutes: String,
    /// When the lesson's facts were last checked (`YYYY-MM-DD`, as typed); empty when it does not say.
    pub checked: String,
    /// One outcome per line.
    pub outcomes: String,
    pub alignments: Vec<String>,
    pub questions: Vec<QuestionForm>,
    pub body: String,
}

/// `assessment.toml` as form fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentForm {
    pub pass_mark: String,
    pub max_attempts: String,
    pub cooldown_hours: String,
    /// `after-final-attempt` (empty means this default), `after-pass` or `never`.
    pub reveal_answers: String,
    pub questions: Vec<QuestionForm>,
}

/// One problem the `check` command would report, located in the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftProblem {
    /// The file name within the module folder, e.g. `01-intro.md`.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl DraftProblem {
    /// As `check` prints it: `module/file:line:column: message`.
    pub fn describe(&self, module: &str) -> String {
        format!(
            "{module}/{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// What publishing the draft would change, compared with the version learners see now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChanges {
    /// Lesson titles (slug in brackets) added, removed and changed.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    pub settings_changed: bool,
    pub assessment_changed: bool,
}

impl VersionChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !self.settings_changed
            && !self.assessment_changed
    }
}

/// A lesson file in a draft, for the draft's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftLesson {
    pub file: String,
    pub title: String,
    pub problems: usize,
}

/// The module authoring page: the published state, and the draft if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleAuthoring {
    pub slug: String,
    pub title: String,
    pub published_version: Option<i32>,
    pub source: ModuleSource,
    pub owner: Option<String>,
    pub is_admin: bool,
    pub draft: Option<DraftOverview>,
}

/// A draft's settings, lessons, problems and pending changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftOverview {
    /// `None` when `module.toml` cannot be read as form fields: then only its source can be edited, so a
    /// save from an empty form never overwrites it.
    pub settings: Option<ModuleSettings>,
    pub settings_errors: Vec<FieldError>,
    pub lessons: Vec<DraftLesson>,
    pub has_assessment: bool,
    pub problems: Vec<DraftProblem>,
    pub changes: VersionChanges,
    /// The version the draft started from, and whether a newer one has been published since.
    pub base_version: Option<i32>,
    pub stale: bool,
    pub frameworks: Vec<FrameworkChoice>,
    pub started_by: String,
    pub updated_at: String,
}

/// The lesson editor: the lesson as fields, its preview, and the problems placed next to their fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonEditor {
    pub module_slug: String,
    pub module_title: String,
    pub file: String,
    /// `None` when the file's front matter cannot be read as fields; then only its source can be edited.
    pub form: Option<LessonForm>,
    pub preview_html: String,
    pub field_errors: Vec<FieldError>,
    /// Problems in this file that belong to no single field.
    pub other_problems: Vec<DraftProblem>,
    pub frameworks: Vec<FrameworkChoice>,
}

/// The assessment editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentEditor {
    pub module_slug: String,
    pub module_title: String,
    pub form: Option<AssessmentForm>,
    pub field_errors: Vec<FieldError>,
    pub other_problems: Vec<DraftProblem>,
}

/// One file of a draft as text, for the source editor (the way in for anything the forms cannot express).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub module_slug: String,
    pub file: String,
    pub text: String,
    pub problems: Vec<DraftProblem>,
}

/// The most options the quiz editor offers per question (existing ones plus empty slots).
pub const MAX_OPTIONS: usize = 8;

/// Empty option slots shown under a question's options, so an author can add some without JavaScript.
pub const SPARE_OPTIONS: usize = 2;

/// Where a module's published versions come from; a module published from the browser is never
/// overwritten by the `content/` folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "Text")
)]
pub enum ModuleSource {
    /// A folder under `content/`, published at start-up.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "files"))]
    Files,
    /// Authored and published in the browser.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "browser"))]
    Browser,
}
