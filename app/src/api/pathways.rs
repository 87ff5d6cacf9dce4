//! Pathways: curricula of several modules, for everyone to read and for learners to follow.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::pathways::*;

/// Every pathway, with the caller's progress when signed in.
#[server(endpoint = "pathways")]
pub async fn list_pathways() -> Result<Vec<PathwaySummary>, AppError> {
    use crate::ssr::{auth, services::pathways};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    pathways::list(&state.db, &state.pathways, account.map(|a| a.id)).await
}

/// One pathway's page.
#[server(endpoint = "pathway")]
pub async fn fetch_pathway(slug: String) -> Result<PathwayDetail, AppError> {
    use crate::ssr::{auth, services::pathways};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    pathways::detail(
        &state.db,
        &state.pathways,
        &state.frameworks,
        &slug,
        account.map(|a| a.id),
    )
    .await
}

/// The signed-in learner asks for their record for a pathway whose required modules they have all
/// completed (one completed before the pathway listed them, say); lands on the record.
#[server(endpoint = "claim-pathway-record")]
pub async fn claim_pathway_record(pathway: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::pathway_records};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let id = pathway_records::claim(
        &state.db,
        &state.issuer,
        &state.frameworks,
        &state.pathways,
        &account,
        &pathway,
    )
    .await?;
    leptos_axum::redirect(&format!("/records/{id}"));
    Ok(())
}
