//! Shared types for cohorts: what server functions return and pages show, in both builds.

use serde::{Deserialize, Serialize};

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

/// Time on task in one module, measured from a learner opening a lesson to marking it complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeOnTaskRow {
    pub module_title: String,
    /// Lesson completions whose time could be measured.
    pub measured: u32,
    /// Lesson completions with no usable measurement (no recorded opening, or too long a gap).
    pub unmeasured: u32,
    /// Median minutes per measured lesson, and the lessons' own estimate for comparison.
    pub median_minutes: Option<f64>,
    pub estimated_minutes: Option<f64>,
    /// Sum of measured time across the cohort, in hours.
    pub total_hours: f64,
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
    /// For each cohort module.
    pub time_on_task: Vec<TimeOnTaskRow>,
}

/// A cohort as a learner in it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerCohort {
    /// For the "leave this cohort" form.
    pub id: i32,
    pub name: String,
    pub modules: Vec<(CohortModuleView, ProgressCell)>,
}
