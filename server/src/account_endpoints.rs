//! The learner's own data as a download: everything the academy holds about them, in one zip.

use app::error::AppError;
use app::ssr::services::personal_data;
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::current_account::CurrentAccount;
use crate::record_endpoints::personal;

/// `GET /account/data.zip`: the signed-in person's data (profile, enrolments, progress, answers, records,
/// statements, cohorts, sessions, audit events) as JSON and CSV.
async fn my_data(
    State(state): State<AppState>,
    CurrentAccount(account): CurrentAccount,
) -> Result<Response, AppError> {
    let bytes = personal_data::export(&state.db, &account).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"informatics-academy-my-data.zip\""),
    );
    Ok(personal(response))
}

/// The routes, merged into the main router (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route("/account/data.zip", get(my_data))
}
