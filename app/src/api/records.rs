//! Completion records: the public verification page, the learner's records and portfolio, revocation.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::records::*;

/// A record's public page data (no sign-in needed).
#[server(endpoint = "record")]
pub async fn fetch_record(id: String) -> Result<RecordView, AppError> {
    use crate::ssr::{auth, services::records};
    let state = auth::app_state()?;
    let viewer = auth::current_account().await?;
    records::record_view(&state.db, &state.issuer, &id, viewer.as_ref()).await
}

/// The signed-in learner's portfolio.
#[server(endpoint = "portfolio")]
pub async fn fetch_portfolio() -> Result<Portfolio, AppError> {
    use crate::ssr::{auth, services::records};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    records::portfolio(&state.db, &state.frameworks, &account).await
}

/// Revokes a record with a reason (an admin or the module's owner).
#[server(endpoint = "revoke-record")]
pub async fn revoke_record(id: String, reason: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::records};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    records::revoke(&state.db, &account, &id, &reason).await
}

/// Reverses a revocation (an admin or the module's owner).
#[server(endpoint = "reinstate-record")]
pub async fn reinstate_record(id: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::records};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    records::reinstate(&state.db, &account, &id).await
}
