//! One routed page per file.

pub mod account;
pub mod account_deleted;
pub mod admin;
pub mod admin_identity_providers;
pub mod admin_lti_platforms;
pub mod assessment;
pub mod assessment_editor;
pub mod authoring;
pub mod authoring_module;
pub mod catalogue;
pub mod check_email;
pub mod cohort;
pub mod cohorts;
pub mod confirm_email_change;
pub mod dashboard;
pub mod email_verified;
pub mod forgot_password;
pub mod from_server;
pub mod join;
pub mod lesson;
pub mod lesson_editor;
pub mod module;
pub mod not_found;
pub mod pathway;
pub mod pathways;
pub mod portfolio;
pub mod record;
pub mod register;
pub mod reset_password;
pub mod self_assessment;
pub mod sign_in;
pub mod source_editor;
pub mod verify_email;

/// Formats hours for people: `2.5` → "2.5 hours", `1` → "1 hour".
pub fn hours(value: f64) -> String {
    let text = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    if text == "1" {
        "1 hour".to_owned()
    } else {
        format!("{text} hours")
    }
}
