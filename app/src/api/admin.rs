//! Administration: the state of statement forwarding and of outgoing email.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::admin::*;

/// The LRS outbox and the mail outbox: backlog and last error (admins only).
#[server(endpoint = "outbox")]
pub async fn outbox_status() -> Result<OutboxView, AppError> {
    use crate::model::accounts::Role;
    use crate::ssr::{auth, services::lrs, services::mail_outbox};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    if account.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let s = lrs::status(&state.db).await?;
    let (emails_waiting, email_last_error) = mail_outbox::backlog(&state.db).await?;
    Ok(OutboxView {
        emails_waiting,
        email_last_error,
        email_transport: state.mailer.describe(),
        pending: s.pending,
        sent: s.sent,
        last_error: s.last_error,
        last_error_at: s.last_error_at,
        last_sent_at: s.last_sent_at,
    })
}
