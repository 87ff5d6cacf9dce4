//! Who is calling: the application state and the signed-in account, for server functions.
//!
//! The account is read at most once per request (one session row, one account row), however many server
//! functions a page render calls.

use leptos::prelude::use_context;
use sea_orm::EntityTrait;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower_sessions::Session;

use super::entities::account;
use super::error::internal;
use super::state::AppState;
use crate::error::AppError;

/// The session key holding the signed-in account's id.
pub const ACCOUNT_ID_KEY: &str = "account_id";

/// Per-request memo of the signed-in account, provided as context for each request.
#[derive(Clone, Default)]
pub struct RequestAccount(Arc<OnceCell<Option<account::Model>>>);

/// The application state provided to every server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| internal("server function context", "AppState was not provided"))
}

/// This request's session (tower-sessions, stored in the database).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal("reading the session", e))
}

/// The signed-in account, if any.
pub async fn current_account() -> Result<Option<account::Model>, AppError> {
    let memo = use_context::<RequestAccount>().unwrap_or_default();
    memo.0.get_or_try_init(load_account).await.cloned()
}

/// The signed-in account, or [`AppError::SignInRequired`].
pub async fn require_account() -> Result<account::Model, AppError> {
    current_account().await?.ok_or(AppError::SignInRequired)
}

async fn load_account() -> Result<Option<account::Model>, AppError> {
    let state = app_state()?;
    let session = session().await?;
    let id: Option<i32> = session
        .get(ACCOUNT_ID_KEY)
        .await
        .map_err(|e| internal("reading the session", e))?;
    match id {
        Some(id) => Ok(account::Entity::find_by_id(id).one(&state.db).await?),
        None => Ok(None),
    }
}
