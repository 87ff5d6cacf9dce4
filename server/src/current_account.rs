//! The signed-in account as an axum extractor, for the plain HTTP routes: the same session rules as server
//! functions (idle timeout, lifetime), and a 401 when nobody is signed in.

use app::error::AppError;
use app::ssr::entities::account;
use app::ssr::state::AppState;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use tower_sessions::Session;

/// Whoever is signed in on this request; a handler taking it is never reached anonymously.
pub struct CurrentAccount(pub account::Model);

impl FromRequestParts<AppState> for CurrentAccount {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        <Self as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or(AppError::SignInRequired)
    }
}

/// `Option<CurrentAccount>`: for a route that answers anonymous visitors differently (a form sent back to
/// the sign-in page instead of a 401).
impl OptionalFromRequestParts<AppState> for CurrentAccount {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| app::ssr::error::internal("reading the session", why))?;
        Ok(
            app::ssr::auth::account_for_session(&state.db, &state.sessions, &session)
                .await?
                .map(CurrentAccount),
        )
    }
}
