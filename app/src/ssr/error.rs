//! How server-side failures become the user-facing [`AppError`], with the cause logged, not shown.

use crate::error::AppError;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if out_of_reach(&error) {
            tracing::error!(%error, "database unreachable");
            AppError::Unavailable
        } else {
            tracing::error!(%error, "database error");
            AppError::Internal
        }
    }
}

/// Whether the database is out of reach or cannot take writes for now (restarting, its connection cut,
/// its disk full or read-only), as opposed to a fault in what we asked: the learner is told to try again
/// (503) and nothing was saved, since the transaction did not commit.
fn out_of_reach(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                Sqlx::Io(_)
                | Sqlx::Tls(_)
                | Sqlx::PoolTimedOut
                | Sqlx::PoolClosed
                | Sqlx::WorkerCrashed
                | Sqlx::BeginFailed => true,
                Sqlx::Database(db) => db.code().is_some_and(|code| {
                    // PostgreSQL's five-character SQLSTATE: shutting down (57P01, 57P02), starting up
                    // (57P03), disk full (53100), read-only transaction (25006).
                    matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53100" | "25006")
                        // SQLite's extended result code (at most four digits), by its primary code: busy
                        // past the timeout (5), read-only (8), I/O error (10), disk full (13).
                        || (code.len() <= 4
                            && code
                                .parse::<u32>()
                                .is_ok_and(|extended| matches!(extended & 0xff, 5 | 8 | 10 | 13)))
                }),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Reads a JSON column. A row that cannot be read is an error naming its table, row and column (logged,
/// answered as an internal error): never quietly replaced by a default or left out.
pub fn stored_json<T: serde::de::DeserializeOwned>(
    table: &str,
    row: impl std::fmt::Display,
    column: &str,
    json: &str,
) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        internal(
            "reading a stored JSON column",
            format!("{table} {row}, column {column}: {e}"),
        )
    })
}

/// Logs an unexpected failure (a panicked blocking task, a serialisation bug) and hides its detail.
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{context}");
    AppError::Internal
}

/// Gives a server function's response the status of the error it answers with (and `Retry-After` when
/// rate limited). A form posted without JavaScript is left alone: it is answered with a redirect back to
/// the form, which carries the error, and a 4xx status would stop the browser following it.
pub fn answer_with_status(error: &AppError) {
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;
    let (Some(request), Some(response)) = (
        use_context::<http::request::Parts>(),
        use_context::<ResponseOptions>(),
    ) else {
        return;
    };
    let plain_form = request
        .headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if plain_form {
        return;
    }
    if let Ok(status) = http::StatusCode::from_u16(error.status_code()) {
        response.set_status(status);
    }
    if let AppError::TooManyRequests {
        retry_after_seconds,
    } = error
    {
        response.insert_header(http::header::RETRY_AFTER, (*retry_after_seconds).into());
    }
}

/// For the plain HTTP routes (record downloads, exports, verification): the error's status, `Retry-After`
/// when rate limited, and a JSON body with the same safe message a page would show.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = http::StatusCode::from_u16(self.status_code())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = match &self {
            AppError::TooManyRequests {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let mut response = (
            status,
            axum::Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
