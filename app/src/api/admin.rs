//! Administration: the state of statement forwarding and of outgoing email.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::admin::*;

/// The LRS outbox and the mail outbox: backlog, last error and parked statements (admins only).
#[server(endpoint = "outbox")]
pub async fn outbox_status() -> Result<OutboxView, AppError> {
    use crate::ssr::{auth, services::lrs, services::mail_outbox};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    let s = lrs::status(&state.db, &account).await?;
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
        parked: s.parked,
        parked_statements: s.parked_statements,
    })
}

/// Puts the statements the LRS refused back in the queue once the cause is fixed (admins only).
#[server(endpoint = "send-parked-again")]
pub async fn send_parked_again() -> Result<u64, AppError> {
    use crate::ssr::{auth, services::lrs};
    let state = auth::app_state()?;
    let account = auth::require_account().await?;
    lrs::send_parked_again(&state.db, &account).await
}
