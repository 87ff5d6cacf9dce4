//! VLE courses: a course's teachers sync its roster (LTI Names and Role Provisioning) into an academy cohort.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::lti::{RosterSyncReport, VleCourseCohort, VleCourseView};

/// The VLE courses the caller launched the academy from as a teacher (every one, for an admin).
#[server(endpoint = "vle-courses")]
pub async fn list_vle_courses() -> Result<Vec<VleCourseView>, AppError> {
    use crate::ssr::{auth, services::lti::rosters};
    let state = auth::app_state()?;
    let actor = auth::require_account().await?;
    rosters::courses_for(&state.db, &actor).await
}

/// Syncs a VLE course's roster into its cohort (made on the first sync), then opens the cohort with what the
/// sync did. The course's teachers and admins only.
#[server(endpoint = "sync-vle-roster")]
pub async fn sync_vle_roster(course: i32) -> Result<RosterSyncReport, AppError> {
    use crate::ssr::{auth, services::lti::rosters};
    let state = auth::app_state()?;
    let actor = auth::require_account().await?;
    let report = rosters::sync(
        &state.db,
        &state.lti_services,
        &state.lti_tool_key,
        &actor,
        course,
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/cohorts/{}?synced={}&added={}&removed={}",
        report.cohort_id, report.learners, report.added, report.removed
    ));
    Ok(report)
}
