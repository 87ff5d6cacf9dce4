//! Shared types for administration.

use serde::{Deserialize, Serialize};

/// The statement outbox as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub pending: u64,
    pub sent: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_sent_at: Option<String>,
    /// Emails waiting for the mail server (verification and reset links), and why the last one failed.
    pub emails_waiting: u64,
    pub email_last_error: Option<String>,
    /// Where emails go: the SMTP server, or files on the server when none is configured.
    pub email_transport: String,
    /// Statements the LRS refused for good, not retried until an admin sends them again.
    pub parked: u64,
    /// The most recently parked (the count above covers all).
    pub parked_statements: Vec<ParkedStatementView>,
}

/// One statement the LRS refused, with its answer, so an admin can see what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedStatementView {
    pub statement_id: String,
    pub reason: String,
    pub parked_at: String,
}
