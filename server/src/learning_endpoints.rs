//! The lesson page's "opened" beacon: a one-pixel image the lesson page embeds for a signed-in learner, so
//! opening a lesson is recorded by the browser's own request (with JavaScript or without) while rendering
//! the page stays a read that can be cached. Bots and prefetchers that fetch no images record nothing.

use app::error::AppError;
use app::ssr::services::learning;
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::current_account::CurrentAccount;
use crate::record_endpoints::personal;

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// `GET /modules/{module}/lessons/{lesson}/opened.gif`: records the lesson as opened ("experienced") by
/// the signed-in learner, once per lesson and module version.
async fn lesson_opened(
    State(state): State<AppState>,
    CurrentAccount(learner): CurrentAccount,
    Path((module, lesson)): Path<(String, String)>,
) -> Result<Response, AppError> {
    learning::open_lesson(
        state.writes.clone(),
        (&state).into(),
        learner.id,
        &module,
        &lesson,
    )
    .await?;
    let mut response = PIXEL.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
    Ok(personal(response))
}

/// The routes, merged into the main router (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/modules/{module}/lessons/{lesson}/opened.gif",
        get(lesson_opened),
    )
}
