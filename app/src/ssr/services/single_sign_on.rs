//! Signing in with an organisation's OpenID Connect provider: authorization code flow with PKCE, through the
//! `openidconnect` crate, with the checks that crate leaves to its user added here (authorized party, issue
//! time, clock leeway, refetching the provider's keys when it rotates them, the `iss` response parameter).
//!
//! An account is linked to a person by the provider's subject identifier. On a first sign-in, an existing
//! account is linked only when the provider vouches for the address (`email_verified`); otherwise a new
//! account is made. An admin registers providers (`providers`); the sign-in itself is `flow`.

pub mod discovery;
pub mod flow;
pub mod linking;
pub mod providers;

use crate::error::AppError;
pub use crate::model::single_sign_on::{SignInProvider, SingleSignOnProblem};

/// A sign-in through a provider that ended without signing anyone in.
#[derive(Debug, thiserror::Error)]
pub enum SingleSignOnError {
    /// Refused for a reason the person is shown (by its code); `detail` goes to the log only, since it may
    /// quote the provider.
    #[error("{}: {detail}", problem.code())]
    Refused {
        problem: SingleSignOnProblem,
        detail: String,
    },
    /// Anything else (the database, an unknown provider): answered like any other request's error.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sea_orm::DbErr> for SingleSignOnError {
    fn from(error: sea_orm::DbErr) -> Self {
        SingleSignOnError::App(error.into())
    }
}

/// Shorthand for a refusal with its log detail.
pub(crate) fn refused(
    problem: SingleSignOnProblem,
    detail: impl Into<String>,
) -> SingleSignOnError {
    SingleSignOnError::Refused {
        problem,
        detail: detail.into(),
    }
}
