//! Forwarding statements to an external learning record store (LRS) through the persistent outbox.
//!
//! Statements wait in `xapi_outbox` until the LRS accepts them, so they survive restarts and outages. Each
//! round claims the due rows (pushing their next attempt back, so another instance does not send them at the
//! same moment), posts them as one batch, then marks them sent, or records the error and backs off
//! exponentially. A statement is only ever sent under its own stable id, and the xAPI rules make a resend of
//! the same statement harmless.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::AppError;
use crate::ssr::entities::{xapi_outbox, xapi_statement};

/// Where and how to reach the LRS (its statements resource, and HTTP Basic credentials).
#[derive(Debug, Clone)]
pub struct LrsConfig {
    /// The LRS endpoint, e.g. `https://lrs.example.org/xapi`; `/statements` is appended.
    pub endpoint: String,
    pub username: String,
    pub password: String,
    /// Statements per request.
    pub batch: u64,
}

impl LrsConfig {
    fn statements_url(&self) -> String {
        let base = self.endpoint.trim_end_matches('/');
        if base.ends_with("/statements") {
            base.to_owned()
        } else {
            format!("{base}/statements")
        }
    }
}

/// What one forwarding round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardReport {
    pub sent: usize,
    pub failed: usize,
    pub error: Option<String>,
}

/// The outbox as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStatus {
    pub pending: u64,
    pub sent: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_sent_at: Option<String>,
}

/// Seconds to wait after the `attempts`-th failure: 2, 4, 8, … capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    Duration::seconds(std::cmp::Ord::min(2_i64.pow(exponent), 3600))
}

/// How long a claimed batch is held before another round may try it again (a crashed sender's rows).
const CLAIM: i64 = 120;

/// One round: send every due statement (up to a batch) and record the outcome.
pub async fn forward_due(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    lrs: &LrsConfig,
) -> Result<ForwardReport, AppError> {
    let now = Utc::now();
    let due: Vec<xapi_outbox::Model> = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_null())
        .filter(xapi_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(xapi_outbox::Column::NextAttemptAt)
        .limit(lrs.batch)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(ForwardReport::default());
    }
    let ids: Vec<String> = due.iter().map(|d| d.statement_id.clone()).collect();
    // Claim them: a concurrent round (another instance) now skips these rows.
    xapi_outbox::Entity::update_many()
        .col_expr(
            xapi_outbox::Column::NextAttemptAt,
            Expr::value(now + Duration::seconds(CLAIM)),
        )
        .filter(xapi_outbox::Column::StatementId.is_in(ids.clone()))
        .exec(db)
        .await?;
    // Every claimed row is either sent or kept with an error naming it: a statement that cannot be read
    // (or has gone) is never dropped from the batch and then counted as delivered.
    let stored = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::Id.is_in(ids.clone()))
        .order_by_asc(xapi_statement::Column::Timestamp)
        .all(db)
        .await?;
    let mut statements: Vec<Value> = Vec::with_capacity(stored.len());
    let mut readable: Vec<String> = Vec::with_capacity(stored.len());
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for row in &stored {
        match serde_json::from_str::<Value>(&row.statement) {
            Ok(statement) => {
                statements.push(statement);
                readable.push(row.id.clone());
            }
            Err(e) => unreadable.push((
                row.id.clone(),
                format!(
                    "statement {} is not readable JSON ({e}); it was not sent",
                    row.id
                ),
            )),
        }
    }
    for id in &ids {
        if !stored.iter().any(|row| &row.id == id) {
            unreadable.push((
                id.clone(),
                format!("statement {id} is no longer stored; it was not sent"),
            ));
        }
    }
    for (id, error) in &unreadable {
        tracing::error!(statement = %id, %error, "a queued statement cannot be forwarded");
    }
    let outcome = if statements.is_empty() {
        None
    } else {
        Some(
            client
                .post(lrs.statements_url())
                .basic_auth(&lrs.username, Some(&lrs.password))
                .header("X-Experience-API-Version", "1.0.3")
                .json(&statements)
                .timeout(std::time::Duration::from_secs(20))
                .send()
                .await,
        )
    };
    let failure = match outcome {
        None => None,
        Some(Ok(response)) if response.status().is_success() => None,
        Some(Ok(response)) => {
            let status = response.status();
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            Some(format!("the LRS answered {status}: {body}"))
        }
        Some(Err(e)) => Some(format!("the LRS could not be reached: {e}")),
    };
    let mut report = ForwardReport::default();
    let mut held: Vec<(String, String)> = unreadable;
    match failure {
        None => {
            if !readable.is_empty() {
                xapi_outbox::Entity::update_many()
                    .col_expr(xapi_outbox::Column::SentAt, Expr::value(Some(Utc::now())))
                    .col_expr(xapi_outbox::Column::LastAttemptAt, Expr::value(Some(now)))
                    .col_expr(
                        xapi_outbox::Column::Attempts,
                        Expr::col(xapi_outbox::Column::Attempts).add(1),
                    )
                    .filter(xapi_outbox::Column::StatementId.is_in(readable.clone()))
                    .exec(db)
                    .await?;
            }
            report.sent = readable.len();
        }
        Some(error) => {
            tracing::warn!(%error, statements = readable.len(), "forwarding to the LRS failed; will retry");
            report.error = Some(error.clone());
            held.extend(readable.into_iter().map(|id| (id, error.clone())));
        }
    }
    for (id, error) in &held {
        let attempts = due
            .iter()
            .find(|row| &row.statement_id == id)
            .map_or(0, |row| row.attempts)
            + 1;
        xapi_outbox::Entity::update_many()
            .col_expr(xapi_outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(
                xapi_outbox::Column::NextAttemptAt,
                Expr::value(now + backoff(attempts)),
            )
            .col_expr(
                xapi_outbox::Column::LastError,
                Expr::value(Some(error.clone())),
            )
            .col_expr(xapi_outbox::Column::LastAttemptAt, Expr::value(Some(now)))
            .filter(xapi_outbox::Column::StatementId.eq(id.clone()))
            .exec(db)
            .await?;
    }
    report.failed = held.len();
    if report.error.is_none() {
        report.error = held.first().map(|(_, error)| error.clone());
    }
    Ok(report)
}

/// The backlog and the last error, for the admin page.
pub async fn status(db: &DatabaseConnection) -> Result<OutboxStatus, AppError> {
    let pending = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_null())
        .count(db)
        .await?;
    let sent = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_not_null())
        .count(db)
        .await?;
    let last_error = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_null())
        .filter(xapi_outbox::Column::LastError.is_not_null())
        .order_by_desc(xapi_outbox::Column::LastAttemptAt)
        .one(db)
        .await?;
    let last_sent = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_not_null())
        .order_by_desc(xapi_outbox::Column::SentAt)
        .one(db)
        .await?;
    Ok(OutboxStatus {
        pending,
        sent,
        last_error: last_error.as_ref().and_then(|e| e.last_error.clone()),
        last_error_at: last_error
            .and_then(|e| e.last_attempt_at)
            .map(|t| t.to_rfc3339()),
        last_sent_at: last_sent.and_then(|s| s.sent_at).map(|t| t.to_rfc3339()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_is_capped_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(2), Duration::seconds(4));
        assert_eq!(backoff(5), Duration::seconds(32));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }

    #[test]
    fn the_statements_resource_is_appended_once() {
        let config = |endpoint: &str| LrsConfig {
            endpoint: endpoint.into(),
            username: String::new(),
            password: String::new(),
            batch: 1,
        };
        assert_eq!(
            config("https://lrs.example/xapi/").statements_url(),
            "https://lrs.example/xapi/statements"
        );
        assert_eq!(
            config("https://lrs.example/xapi/statements").statements_url(),
            "https://lrs.example/xapi/statements"
        );
    }
}
