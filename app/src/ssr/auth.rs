//! Who is calling: the application state and the signed-in account, for server functions.
//!
//! The account is read at most once per request (one session row, one account row), however many server
//! functions a page render calls.

use chrono::{DateTime, Utc};
use leptos::prelude::use_context;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower_sessions::Session;

use super::entities::account;
use super::error::internal;
use super::session_store::SessionPolicy;
use super::state::AppState;
use crate::error::AppError;

/// The session key holding the signed-in account's id.
pub const ACCOUNT_ID_KEY: &str = "account_id";
/// When the session signed in (Unix seconds): the absolute lifetime counts from here.
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// When the session was last used (Unix seconds, refreshed at most once a minute): the idle timeout.
pub const LAST_SEEN_AT_KEY: &str = "last_seen_at";
/// The browser's User-Agent at sign-in, so a person can tell their sessions apart.
pub const USER_AGENT_KEY: &str = "user_agent";

/// How stale `last_seen_at` may get before a request refreshes it (one write a minute, not one a request).
const LAST_SEEN_RESOLUTION_SECONDS: i64 = 60;

/// Per-request memo of the signed-in account, provided as context for each request.
#[derive(Clone, Default)]
pub struct RequestAccount(Arc<OnceCell<Option<account::Model>>>);

/// The application state provided to every server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| internal("server function context", "AppState was not provided"))
}

/// A session that could not be loaded. Sessions live in the database, so a store failure means the
/// database is out of reach (restarting, its connection cut): answered 503, try again. A session that
/// loads but cannot be decoded is a fault on our side.
pub fn session_unreadable(error: tower_sessions::session::Error) -> AppError {
    match error {
        tower_sessions::session::Error::Store(tower_sessions::session_store::Error::Backend(
            why,
        )) => {
            tracing::error!(error = %why, "the session store (the database) is unreachable");
            AppError::Unavailable
        }
        other => internal("reading the session", other),
    }
}

/// This request's session (tower-sessions, stored in the database).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal("reading the session", e))
}

/// Whether this server function runs inside the server-side render of a page (its data then travels in the
/// page), rather than answering a browser's call to `/api/...`.
pub fn rendering_a_page() -> bool {
    use_context::<http::request::Parts>()
        .is_some_and(|parts| !parts.uri.path().starts_with("/api/"))
}

/// When this request's session signed in, for actions that an account without a password confirms by having
/// signed in moments ago.
pub async fn signed_in_at() -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(session()
        .await?
        .get::<i64>(SIGNED_IN_AT_KEY)
        .await
        .map_err(session_unreadable)?
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0)))
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
    account_for_session(&state.db, &state.sessions, &session).await
}

/// Starts a signed-in session for `account_id`: a fresh session id (so one planted before sign-in is
/// worthless), the sign-in time and the browser, and a cookie that dies with the browser.
pub async fn start_session(
    session: &Session,
    account_id: i32,
    user_agent: Option<&str>,
) -> Result<(), AppError> {
    let write = |e| internal("writing the session", e);
    session
        .cycle_id()
        .await
        .map_err(|e| internal("rotating the session id", e))?;
    session.set_expiry(Some(tower_sessions::Expiry::OnSessionEnd));
    let now = Utc::now().timestamp();
    session
        .insert(ACCOUNT_ID_KEY, account_id)
        .await
        .map_err(write)?;
    session.insert(SIGNED_IN_AT_KEY, now).await.map_err(write)?;
    session.insert(LAST_SEEN_AT_KEY, now).await.map_err(write)?;
    if let Some(agent) = user_agent {
        let agent: String = agent.chars().take(200).collect();
        session.insert(USER_AGENT_KEY, agent).await.map_err(write)?;
    }
    Ok(())
}

/// The account a session signs in, applying the idle timeout and lifetime (an expired session is ended,
/// not merely ignored). Shared by server functions and plain axum handlers, so both see the same rule.
pub async fn account_for_session(
    db: &DatabaseConnection,
    policy: &SessionPolicy,
    session: &Session,
) -> Result<Option<account::Model>, AppError> {
    let read = session_unreadable;
    let Some(id) = session.get::<i32>(ACCOUNT_ID_KEY).await.map_err(read)? else {
        return Ok(None);
    };
    let at = |seconds: Option<i64>| seconds.and_then(|s| DateTime::from_timestamp(s, 0));
    let signed_in_at = at(session.get(SIGNED_IN_AT_KEY).await.map_err(read)?);
    let last_seen_at = at(session.get(LAST_SEEN_AT_KEY).await.map_err(read)?);
    let now = Utc::now();
    let live = match (signed_in_at, last_seen_at) {
        (Some(start), Some(seen)) => policy.ends_at(start, seen) > now,
        // A session from before sign-in times were kept: sign in again.
        _ => false,
    };
    let found = if live {
        account::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|a| a.erased_at.is_none())
    } else {
        None
    };
    let Some(found) = found else {
        session
            .flush()
            .await
            .map_err(|e| internal("ending an expired session", e))?;
        return Ok(None);
    };
    if let Some(seen) = last_seen_at
        && (now - seen).num_seconds() >= LAST_SEEN_RESOLUTION_SECONDS
    {
        session
            .insert(LAST_SEEN_AT_KEY, now.timestamp())
            .await
            .map_err(|e| internal("writing the session", e))?;
    }
    Ok(Some(found))
}
