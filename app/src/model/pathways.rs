//! Shared types for pathways: what the pathway pages and the dashboard show, in both builds.

use serde::{Deserialize, Serialize};

use super::catalogue::{AlignmentView, ModuleCard};

/// A pathway as listed: what it is, how big, and (signed in) how far the learner is through it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwaySummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub required_modules: u32,
    pub optional_modules: u32,
    /// The required modules' estimated hours together.
    pub required_hours: f64,
    /// Present when signed in.
    pub progress: Option<PathwayProgress>,
}

/// How far a learner is through a pathway's required modules, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayProgress {
    /// Required modules whose completion rule the learner has met.
    pub completed: u32,
    pub total: u32,
    /// The first required module not yet complete, in the pathway's order; `None` once all are.
    pub next: Option<NextStep>,
}

/// Where to go next on a pathway: a lesson to continue, or a module to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub href: String,
    pub label: String,
}

/// A pathway's page: the summary, what it works towards, and its modules in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwayDetail {
    pub summary: PathwaySummary,
    /// The framework levels and competencies the whole pathway works towards.
    pub targets: Vec<AlignmentView>,
    pub steps: Vec<PathwayStepView>,
    /// Where the signed-in learner stands on the pathway's own record.
    pub record: PathwayRecordStanding,
}

/// Where a learner stands on a pathway's own record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PathwayRecordStanding {
    /// Signed out, or not every required module is complete yet.
    NotYet,
    /// Every required module has a valid record, and the pathway's is not issued yet: it can be asked for.
    Ready,
    /// Every required module is complete, but these have no valid record (a revoked one does not count).
    Blocked {
        modules: Vec<String>,
    },
    Issued(PathwayRecordLink),
}

/// A learner's record for a pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayRecordLink {
    pub id: String,
    pub revoked: bool,
}

/// One module on a pathway's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwayStepView {
    pub card: ModuleCard,
    pub required: bool,
    /// The learner has met the module's completion rule.
    pub completed: bool,
}
