//! Shared types for the academy as an LTI 1.3 tool.

use serde::{Deserialize, Serialize};

/// The addresses a VLE administrator enters when adding the academy as a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolAddresses {
    pub login_initiation_url: String,
    pub launch_url: String,
    pub redirect_uris: Vec<String>,
    /// The tool's public keys (its JWK Set).
    pub keyset_url: String,
    /// A JSON configuration a VLE can import (Canvas's "Paste JSON" or "Enter URL").
    pub configuration_url: String,
    /// Where a teacher's "add content" (Deep Linking) request is sent (Moodle's content selection URL).
    pub deep_linking_url: String,
}

/// A registered VLE as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LtiPlatformView {
    pub id: i32,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_login_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub enabled: bool,
    /// Accounts made or linked by launches from it.
    pub linked_accounts: u64,
    /// Learners' scores waiting to reach its gradebooks (being retried when `last_score_error` says why).
    pub scores_waiting: u64,
    /// Scores it refused for good, kept with its reason and not retried.
    pub scores_parked: u64,
    /// The latest reason a score waiting or parked was not delivered.
    pub last_score_error: Option<String>,
}

/// The admin page: the tool's own addresses and the platforms registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LtiPlatformsView {
    pub tool: ToolAddresses,
    pub platforms: Vec<LtiPlatformView>,
}

/// A VLE course the signed-in teacher launched the academy from, with what its roster sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VleCourseView {
    pub id: i32,
    /// The course's title in the VLE.
    pub title: String,
    /// The VLE's name, as its registration gives it.
    pub vle: String,
    /// Whether a launch offered the course's roster (Names and Role Provisioning); without it there is
    /// nothing to sync.
    pub roster_offered: bool,
    /// The modules placed in the course (launched from it, or chosen with Deep Linking).
    pub modules: Vec<String>,
    /// The cohort its roster was synced into.
    pub cohort: Option<VleCourseCohort>,
    /// When its roster was last synced, as an RFC 3339 time.
    pub last_synced_at: Option<String>,
}

/// The cohort a VLE course's roster was synced into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VleCourseCohort {
    pub id: i32,
    pub name: String,
    pub members: u32,
}

/// What one roster sync did, for the teacher who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterSyncReport {
    pub cohort_id: i32,
    /// Whether this sync made the cohort.
    pub cohort_created: bool,
    /// Active learners in the roster, now the cohort's members.
    pub learners: u32,
    /// Active instructors in the roster, now the cohort's leads.
    pub leads: u32,
    /// Members added by this sync.
    pub added: u32,
    /// Members a previous sync added who are no longer active in the course, removed (their progress is kept).
    pub removed: u32,
    /// Accounts made for people who had not opened the academy from the VLE yet.
    pub accounts_made: u32,
}
