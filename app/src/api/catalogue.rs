//! Reading the catalogue: the module list, a module, a lesson.

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::catalogue::*;

/// The catalogue, with the caller's progress where enrolled.
#[server(endpoint = "modules")]
pub async fn list_modules() -> Result<Vec<ModuleCard>, AppError> {
    use crate::ssr::{auth, services::catalogue};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    catalogue::list_modules(&state.db, account.map(|a| a.id)).await
}

/// One module's page.
#[server(endpoint = "module")]
pub async fn fetch_module(slug: String) -> Result<ModuleDetail, AppError> {
    use crate::ssr::{auth, services::catalogue};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    catalogue::module_detail(&state.db, &state.frameworks, &slug, account.map(|a| a.id)).await
}

/// One lesson's page.
#[server(endpoint = "lesson")]
pub async fn fetch_lesson(module: String, lesson: String) -> Result<LessonContent, AppError> {
    use crate::ssr::{auth, services::catalogue};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    let mut content =
        catalogue::lesson_content(&state.db, &module, &lesson, account.map(|a| a.id)).await?;
    if auth::rendering_a_page() {
        content.html.mark_in_markup();
    }
    Ok(content)
}

/// One page of the catalogue, whole or searched (`q`), for the catalogue page.
#[server(endpoint = "catalogue")]
pub async fn browse_catalogue(q: String, page: u32) -> Result<CatalogueResults, AppError> {
    use crate::ssr::{auth, services::catalogue};
    let state = auth::app_state()?;
    let account = auth::current_account().await?;
    catalogue::browse(&state.db, account.map(|a| a.id), &q, page).await
}
