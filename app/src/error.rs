//! The one error type every server function returns.
//!
//! It crosses the wire (JSON with JavaScript, the `__err` query parameter without), so it carries only what a
//! user may see: never a database message or a stack of causes. Details are logged on the server instead.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one form field, shown next to that field and in the form's error summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The `name` of the form field at fault; the page links the summary entry to the field's `id`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// What went wrong, in terms a learner or course lead can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    SignInRequired,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The account's email address has not been proved yet, which this action needs.
    #[error(
        "Verify your email address first: follow the link we emailed you, or ask for a new one on your account page."
    )]
    EmailNotVerified,
    #[error("{0} was not found.")]
    NotFound(String),
    /// Input that failed validation. `values` echoes back the safe fields (never passwords) so a page
    /// rendered without JavaScript can refill the form after the redirect.
    #[error("Please correct the highlighted fields.")]
    Invalid {
        errors: Vec<FieldError>,
        values: Vec<(String, String)>,
    },
    #[error("{0}")]
    Conflict(String),
    /// A completion record its holder withdrew when they erased their account.
    #[error("This record was withdrawn by its holder.")]
    Withdrawn,
    /// The request itself was malformed (a wrong field type, a missing argument): not the user's typing.
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    /// Too many attempts from one address or on one account (rate limited); answered with 429 and
    /// `Retry-After`.
    #[error("Too many attempts. Please wait {retry_after_seconds} seconds and try again.")]
    TooManyRequests { retry_after_seconds: u64 },
    /// Something failed on our side. The message is deliberately generic; the cause is in the server log.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The database or another service is out of reach; retrying later will work and nothing was lost.
    #[error(
        "The service is temporarily unavailable. Nothing you entered was saved; please try again."
    )]
    Unavailable,
}

impl AppError {
    /// The HTTP status a page showing this error should carry.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::SignInRequired => 401,
            AppError::Forbidden | AppError::EmailNotVerified => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } | AppError::BadRequest(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::Withdrawn => 410,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }

    /// One invalid field, the common case for a form.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            errors: vec![FieldError {
                field: field.to_owned(),
                message: message.into(),
            }],
            values: Vec::new(),
        }
    }

    /// The message for one field, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { errors, .. } => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// The value the user had typed into a field, echoed back after a failed no-JavaScript submit.
    pub fn echoed_value(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { values, .. } => values
                .iter()
                .find(|(name, _)| name == field)
                .map(|(_, value)| value.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(message)
            }
            ServerFnErrorErr::Request(_) => AppError::Unavailable,
            _ => AppError::Internal,
        }
    }

    /// Every server function's error passes through here on its way to the caller, so this is where the
    /// response takes the error's own status (401, 403, 404, 409, 422, 429…) instead of a blanket 500:
    /// monitoring then pages someone for real failures only.
    #[cfg(feature = "ssr")]
    fn ser(&self) -> leptos::server_fn::Bytes {
        crate::ssr::error::answer_with_status(self);
        serde_json::to_vec(self)
            .map(Into::into)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }
}
