//! The learner's own data as a download: everything the academy holds about them, in one zip.

use app::ssr::services::personal_data;
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_sessions::Session;

use crate::record_endpoints::{error_response, personal, signed_in};

/// `GET /account/data.zip`: the signed-in person's data (profile, enrolments, progress, answers, records,
/// statements, cohorts, sessions, audit events) as JSON and CSV.
async fn my_data(State(state): State<AppState>, session: Session) -> Response {
    let result = async {
        let account = signed_in(&state, &session).await?;
        personal_data::export(&state.db, &account).await
    }
    .await;
    match result {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(
                    "attachment; filename=\"informatics-academy-my-data.zip\"",
                ),
            );
            personal(response)
        }
        Err(e) => error_response(e),
    }
}

/// The routes, merged into the main router (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route("/account/data.zip", get(my_data))
}
