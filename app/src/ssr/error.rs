//! How server-side failures become the user-facing [`AppError`], with the cause logged, not shown.

use crate::error::AppError;
use sea_orm::DbErr;

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        match error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::error!(%error, "database unreachable");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// Logs an unexpected failure (a panicked blocking task, a serialisation bug) and hides its detail.
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{context}");
    AppError::Internal
}
