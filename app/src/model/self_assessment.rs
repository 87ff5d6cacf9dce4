//! Shared types for the self-assessment: a learner rates themselves on the competencies the curriculum
//! teaches and gets a plan of modules ordered by their gaps.

use serde::{Deserialize, Serialize};

/// How confident a learner is in a competency, from new to it (1) to able to teach it (4).
pub const RATINGS: [(u8, &str); 4] = [
    (1, "New to this"),
    (2, "Aware of it"),
    (3, "Confident in practice"),
    (4, "Could teach it"),
];

/// The rating the plan aims for: confident in practice.
pub const TARGET_RATING: u8 = 3;

/// One competency to rate, with the learner's ratings (latest and the one before, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRating {
    /// `framework:code`, the form field's key.
    pub key: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub latest: Option<u8>,
    pub previous: Option<u8>,
}

/// A framework's competencies that the curriculum teaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRatings {
    pub id: String,
    pub name: String,
    pub competencies: Vec<CompetencyRating>,
}

/// A module in the plan: why (the competencies it closes gaps in) and how long it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedModule {
    pub slug: String,
    pub title: String,
    /// The gap it addresses: the sum, over the competencies it teaches, of how far the learner's rating is
    /// below the target.
    pub gap: u32,
    /// The competencies with a gap it teaches, as `code name`.
    pub closes: Vec<String>,
    /// The lessons that teach them (all the module's lessons when the module as a whole does), in order:
    /// (lesson slug, title, minutes).
    pub lessons: Vec<(String, String, u32)>,
    /// The minutes of those lessons.
    pub minutes: u32,
}

/// The learner's self-assessment page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfAssessmentView {
    pub frameworks: Vec<FrameworkRatings>,
    /// When the latest assessment was taken (RFC 3339), and the one before.
    pub taken_at: Option<String>,
    pub previous_taken_at: Option<String>,
    /// Modules not yet completed, largest gap first.
    pub plan: Vec<PlannedModule>,
}
