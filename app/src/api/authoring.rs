//! Authoring in the browser: course leads write, check and publish modules. Each function checks the caller
//! in the authoring service (owners and admins only) and redirects back to the page the form came from, so
//! every form works without JavaScript.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::HashMap;

pub use crate::model::authoring::*;

/// The modules the caller may edit.
#[server(endpoint = "authored-modules")]
pub async fn authored_modules() -> Result<Vec<AuthoredModule>, AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let today = chrono::Utc::now().date_naive();
    authoring::list_for(&state.db, &account, today, state.review).await
}

/// Starts a new module as a draft and opens it.
#[server(endpoint = "create-module")]
pub async fn create_module(title: String, #[server(default)] slug: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let slug = authoring::create_module(&state.db, &account, &slug, &title).await?;
    leptos_axum::redirect(&format!("/author/{slug}"));
    Ok(())
}

/// A module's authoring page.
#[server(endpoint = "module-authoring")]
pub async fn fetch_module_authoring(module: String) -> Result<ModuleAuthoring, AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::overview(&state.db, &state.frameworks, &account, &module).await
}

/// Opens a draft of a published module.
#[server(endpoint = "start-draft")]
pub async fn start_draft(module: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::start_draft(&state.db, &account, &module).await?;
    leptos_axum::redirect(&format!("/author/{module}"));
    Ok(())
}

/// Saves the module settings form (`fields[title]`, `fields[al-0]`...).
#[server(endpoint = "save-module-settings")]
pub async fn save_module_settings(
    module: String,
    #[server(default)] fields: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::save_settings(&state.db, &account, &module, &fields).await?;
    leptos_axum::redirect(&format!("/author/{module}#settings"));
    Ok(())
}

/// Adds a lesson and opens it in the editor.
#[server(endpoint = "add-lesson")]
pub async fn add_lesson(module: String, lesson_title: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let file = authoring::add_lesson(&state.db, &account, &module, &lesson_title).await?;
    leptos_axum::redirect(&format!("/author/{module}/lessons/{file}"));
    Ok(())
}

/// Deletes a lesson file (or `assessment.toml`) from the draft.
#[server(endpoint = "delete-draft-file")]
pub async fn delete_draft_file(module: String, file: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::write_file(&state.db, &account, &module, &file, None).await?;
    leptos_axum::redirect(&format!("/author/{module}"));
    Ok(())
}

/// The lesson editor.
#[server(endpoint = "lesson-editor")]
pub async fn fetch_lesson_editor(module: String, file: String) -> Result<LessonEditor, AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::lesson_editor(&state.db, &state.frameworks, &account, &module, &file).await
}

/// Saves the lesson editor's form; the page shows the preview and any problems after the redirect.
#[server(endpoint = "save-lesson")]
pub async fn save_lesson(
    module: String,
    file: String,
    #[server(default)] fields: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::save_lesson(&state.db, &account, &module, &file, &fields).await?;
    leptos_axum::redirect(&format!("/author/{module}/lessons/{file}#preview"));
    Ok(())
}

/// The assessment editor.
#[server(endpoint = "assessment-editor")]
pub async fn fetch_assessment_editor(module: String) -> Result<AssessmentEditor, AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::assessment_editor(&state.db, &state.frameworks, &account, &module).await
}

/// Saves the assessment editor's form.
#[server(endpoint = "save-assessment")]
pub async fn save_assessment(
    module: String,
    #[server(default)] fields: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::save_assessment(&state.db, &account, &module, &fields).await?;
    leptos_axum::redirect(&format!("/author/{module}/assessment"));
    Ok(())
}

/// One draft file as text.
#[server(endpoint = "draft-source")]
pub async fn draft_source(module: String, file: String) -> Result<SourceFile, AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::source_file(&state.db, &state.frameworks, &account, &module, &file).await
}

/// Saves one draft file as typed.
#[server(endpoint = "save-draft-source")]
pub async fn save_draft_source(module: String, file: String, text: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let text = text.replace("\r\n", "\n");
    authoring::write_file(&state.db, &account, &module, &file, Some(text)).await?;
    leptos_axum::redirect(&format!("/author/{module}/source/{file}"));
    Ok(())
}

/// Publishes the draft as a new version.
#[server(endpoint = "publish-draft")]
pub async fn publish_draft(
    module: String,
    #[server(default)] confirm_over_newer: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let published = authoring::publish(
        &state.db,
        &state.frameworks,
        &account,
        &module,
        confirm_over_newer.is_some(),
    )
    .await?;
    leptos_axum::redirect(&format!("/author/{module}?published={}", published.version));
    Ok(())
}

/// Throws the draft away.
#[server(endpoint = "discard-draft")]
pub async fn discard_draft(module: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::discard(&state.db, &account, &module).await?;
    leptos_axum::redirect(&format!("/author/{module}"));
    Ok(())
}

/// Hands a module to a course lead (admins only).
#[server(endpoint = "set-module-owner")]
pub async fn set_module_owner(module: String, owner_email: String) -> Result<(), AppError> {
    use crate::ssr::{auth, services::authoring};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    authoring::set_owner(&state.db, &account, &module, &owner_email).await?;
    leptos_axum::redirect(&format!("/author/{module}"));
    Ok(())
}

/// The live preview: Markdown rendered by the same renderer learners see. Course leads and admins only,
/// so it cannot be used as an anonymous rendering service.
#[server(endpoint = "preview-markdown")]
pub async fn preview_markdown(module: String, body: String) -> Result<String, AppError> {
    use crate::ssr::{auth, services::authoring};
    let account = auth::require_account().await?;
    authoring::preview(&account, body, module).await
}
