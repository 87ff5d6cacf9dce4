//! Shared types for records: what server functions return and pages show, in both builds.

use crate::model::catalogue::AlignmentView;
use serde::{Deserialize, Serialize};

/// What checking a record found. `valid` only when the signature holds, the content is exactly what was
/// issued and the record has not been revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub valid: bool,
    pub signature_valid: bool,
    pub matches_issued: bool,
    pub revoked: bool,
    /// `YYYY-MM-DD`. The reason is never part of the public verdict.
    pub revoked_at: Option<String>,
    /// `YYYY-MM-DD` when the holder withdrew the record by erasing their account.
    pub withdrawn_on: Option<String>,
    /// Plain-language reasons the record is not valid.
    pub problems: Vec<String>,
}

/// What a record was earned for, as its page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    /// One module (a version of it).
    Module,
    /// A pathway: every required module, each with its own record.
    Pathway,
}

/// A record as its public page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordView {
    pub id: String,
    pub learner_name: String,
    pub kind: RecordKind,
    /// The module's or the pathway's slug (for the link to it).
    pub module_slug: String,
    /// The module's or the pathway's title, as the record states it.
    pub module_title: String,
    /// The module version (module records only).
    pub module_version: Option<i32>,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    pub criteria: String,
    pub score: Option<u32>,
    /// CPD hours (module records only: a pathway's are its modules' records').
    pub cpd_hours: Option<f64>,
    pub alignments: Vec<AlignmentView>,
    /// A pathway record's module records, in the pathway's order, each with its standing now.
    pub basis: Vec<BasisView>,
    pub issuer_name: String,
    pub record_url: String,
    pub verification: Verification,
    /// The record URL as a QR code (SVG), for the printed certificate.
    pub qr_svg: String,
    /// Whether the viewer may revoke it (an admin, or the module's owner for a module record) and it is
    /// not revoked.
    pub can_revoke: bool,
    /// Whether the viewer may reverse its revocation (the same people) and it is revoked.
    pub can_reinstate: bool,
    /// Why it was revoked: shown only to the learner, the module's owner and admins, never publicly.
    pub revoked_reason: Option<String>,
    /// Whether the viewer is the learner it was issued to.
    pub is_owner: bool,
}

/// A module record a pathway record rests on, with whether it still stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisView {
    pub id: String,
    pub module_title: String,
    pub module_version: i32,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// `YYYY-MM-DD` when it was revoked; the pathway record is then not valid.
    pub revoked_on: Option<String>,
}

/// A record in the learner's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    pub id: String,
    pub kind: RecordKind,
    /// The module's or the pathway's title.
    pub module_title: String,
    /// The module version (module records only).
    pub module_version: Option<i32>,
    pub issued_on: String,
    /// CPD hours (module records only).
    pub cpd_hours: Option<f64>,
    pub revoked: bool,
}

/// Evidence for one competency: the records that align to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetencyEvidence {
    pub code: String,
    pub name: String,
    pub records: Vec<RecordSummary>,
}

/// One framework in the learner's portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkEvidence {
    pub id: String,
    pub name: String,
    pub url: String,
    pub competencies: Vec<CompetencyEvidence>,
}

/// The learner's portfolio: records, evidence per framework competency, total CPD hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    pub learner_name: String,
    pub records: Vec<RecordSummary>,
    pub frameworks: Vec<FrameworkEvidence>,
    pub total_cpd_hours: f64,
}
