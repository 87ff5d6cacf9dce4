//! Forwarding statements to an external learning record store (LRS) through the persistent outbox.
//!
//! Statements wait in `xapi_outbox` until the LRS accepts them, so they survive restarts and outages. Each
//! round claims the due rows (pushing their next attempt back, so another instance does not send them at the
//! same moment), posts them as one batch, then marks them sent, or records the error and backs off
//! exponentially. A statement the LRS refuses for good (400, 409, 413) is parked with the LRS's reason: the
//! admin page lists it, it is not retried for ever, and an admin can put parked statements back in the
//! queue. A statement is only ever sent under its own stable id, and the xAPI rules make a resend of the same
//! statement harmless.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::AppError;
use crate::model::admin::ParkedStatementView;
use crate::ssr::entities::{account, xapi_outbox, xapi_statement};
use crate::ssr::services::audit;

/// Where and how to reach the LRS (its statements resource, and HTTP Basic credentials).
#[derive(Debug, Clone)]
pub struct LrsConfig {
    /// The LRS endpoint, e.g. `https://lrs.example.org/xapi`; `/statements` is appended.
    pub endpoint: String,
    pub username: String,
    pub password: String,
    /// Statements per request.
    pub batch: u64,
    /// How long one request may take before it counts as failed and is retried later (`LRS_TIMEOUT_SECONDS`).
    /// An LRS that accepted a batch just after we gave up stores it once anyway: the resend carries the
    /// same ids and the same statements, which xAPI requires an LRS to accept without a conflict.
    pub timeout: std::time::Duration,
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
    /// Kept in the queue to try again after a back-off (the LRS was down, slow or answered 5xx).
    pub failed: usize,
    /// Refused for good by the LRS (or unreadable here): parked with the reason, not retried.
    pub parked: usize,
    pub error: Option<String>,
}

/// The outbox as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStatus {
    /// Waiting to be sent, parked ones not included.
    pub pending: u64,
    pub sent: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_sent_at: Option<String>,
    pub parked: u64,
    /// The most recently parked, newest first (at most [`PARKED_SHOWN`]).
    pub parked_statements: Vec<ParkedStatementView>,
}

/// How many parked statements the admin page lists; the count covers all of them.
pub const PARKED_SHOWN: u64 = 50;

/// Seconds to wait after the `attempts`-th failure: 2, 4, 8, … capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    Duration::seconds(std::cmp::Ord::min(2_i64.pow(exponent), 3600))
}

/// How long a claimed batch is held before another round may try it again (a crashed sender's rows).
const CLAIM: i64 = 120;

/// What the LRS did with one request.
enum Answer {
    Accepted,
    /// An answer it will give again however often the same statements are sent: 400 (the statement is
    /// malformed to it), 409 (it holds a different statement under the same id) or 413 (too large).
    RefusedForGood(String),
    /// Down, unreachable, slow, rate limiting, refusing our credentials or failing inside: try again later.
    Failed(String),
}

/// Posts statements as one batch and classifies the answer.
async fn post(client: &reqwest::Client, lrs: &LrsConfig, statements: &[&Value]) -> Answer {
    let sent = client
        .post(lrs.statements_url())
        .basic_auth(&lrs.username, Some(&lrs.password))
        .header("X-Experience-API-Version", "1.0.3")
        .json(statements)
        .timeout(lrs.timeout)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Answer::Accepted,
        Ok(response) => {
            let status = response.status();
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            let error = format!("the LRS answered {status}: {body}");
            if matches!(status.as_u16(), 400 | 409 | 413) {
                Answer::RefusedForGood(error)
            } else {
                Answer::Failed(error)
            }
        }
        Err(e) => Answer::Failed(format!("the LRS could not be reached: {e}")),
    }
}

/// One round: send every due statement (up to a batch) and record the outcome.
///
/// When the LRS refuses a batch for good, one statement in it may be to blame: each is then sent on its own,
/// so the good ones are delivered and only the refused ones are parked.
pub async fn forward_due(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    lrs: &LrsConfig,
) -> Result<ForwardReport, AppError> {
    let now = Utc::now();
    let due: Vec<xapi_outbox::Model> = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_null())
        .filter(xapi_outbox::Column::ParkedAt.is_null())
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
    // Every claimed row is sent, kept with an error naming it, or parked with its reason: a statement that
    // cannot be read is never dropped from the batch and then counted as delivered.
    let stored = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::Id.is_in(ids.clone()))
        .order_by_asc(xapi_statement::Column::Timestamp)
        .all(db)
        .await?;
    let mut readable: Vec<(String, Value)> = Vec::with_capacity(stored.len());
    let mut parked: Vec<(String, String)> = Vec::new();
    for row in &stored {
        match serde_json::from_str::<Value>(&row.statement) {
            Ok(statement) => readable.push((row.id.clone(), statement)),
            Err(e) => parked.push((
                row.id.clone(),
                format!(
                    "statement {} is not readable JSON ({e}); it was not sent",
                    row.id
                ),
            )),
        }
    }
    let mut sent: Vec<String> = Vec::new();
    let mut held: Vec<(String, String)> = Vec::new();
    if !readable.is_empty() {
        let batch: Vec<&Value> = readable.iter().map(|(_, statement)| statement).collect();
        match post(client, lrs, &batch).await {
            Answer::Accepted => sent.extend(readable.iter().map(|(id, _)| id.clone())),
            Answer::Failed(error) => {
                tracing::warn!(%error, statements = readable.len(), "forwarding to the LRS failed; will retry");
                held.extend(readable.iter().map(|(id, _)| (id.clone(), error.clone())));
            }
            Answer::RefusedForGood(error) if readable.len() == 1 => {
                parked.extend(readable.iter().map(|(id, _)| (id.clone(), error.clone())));
            }
            Answer::RefusedForGood(_) => {
                for (id, statement) in &readable {
                    match post(client, lrs, &[statement]).await {
                        Answer::Accepted => sent.push(id.clone()),
                        Answer::Failed(error) => held.push((id.clone(), error)),
                        Answer::RefusedForGood(error) => parked.push((id.clone(), error)),
                    }
                }
            }
        }
    }
    if !sent.is_empty() {
        xapi_outbox::Entity::update_many()
            .col_expr(xapi_outbox::Column::SentAt, Expr::value(Some(Utc::now())))
            .col_expr(xapi_outbox::Column::LastAttemptAt, Expr::value(Some(now)))
            .col_expr(
                xapi_outbox::Column::Attempts,
                Expr::col(xapi_outbox::Column::Attempts).add(1),
            )
            .filter(xapi_outbox::Column::StatementId.is_in(sent.clone()))
            .exec(db)
            .await?;
    }
    for (id, error) in &parked {
        tracing::error!(statement = %id, %error, "a statement cannot be forwarded; it is parked, not retried");
    }
    let attempts_of = |id: &String| {
        due.iter()
            .find(|row| &row.statement_id == id)
            .map_or(0, |row| row.attempts)
            + 1
    };
    for (id, error, park) in held
        .iter()
        .map(|(id, error)| (id, error, false))
        .chain(parked.iter().map(|(id, error)| (id, error, true)))
    {
        let attempts = attempts_of(id);
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
            .col_expr(
                xapi_outbox::Column::ParkedAt,
                Expr::value(park.then_some(now)),
            )
            .filter(xapi_outbox::Column::StatementId.eq(id.clone()))
            .exec(db)
            .await?;
    }
    Ok(ForwardReport {
        sent: sent.len(),
        failed: held.len(),
        parked: parked.len(),
        error: held
            .first()
            .or_else(|| parked.first())
            .map(|(_, error)| error.clone()),
    })
}

/// Puts every parked statement back in the queue, for an admin who has fixed what the LRS objected to
/// (its credentials, a proxy, a statement it could not store). Answers how many were put back.
pub async fn send_parked_again(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<u64, AppError> {
    super::accounts::require_admin(account)?;
    let txn = db.begin().await?;
    let done = xapi_outbox::Entity::update_many()
        .col_expr(
            xapi_outbox::Column::ParkedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(xapi_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(xapi_outbox::Column::SentAt.is_null())
        .filter(xapi_outbox::Column::ParkedAt.is_not_null())
        .exec(&txn)
        .await?;
    if done.rows_affected > 0 {
        audit::record(
            &txn,
            Some(account.id),
            "statements.requeued",
            "xapi_outbox",
            serde_json::json!({ "statements": done.rows_affected }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(done.rows_affected)
}

/// The backlog, the last error and the parked statements, for the admin page.
pub async fn status(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<OutboxStatus, AppError> {
    super::accounts::require_admin(account)?;
    let waiting = || {
        xapi_outbox::Entity::find()
            .filter(xapi_outbox::Column::SentAt.is_null())
            .filter(xapi_outbox::Column::ParkedAt.is_null())
    };
    let pending = waiting().count(db).await?;
    let sent = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_not_null())
        .count(db)
        .await?;
    let last_error = waiting()
        .filter(xapi_outbox::Column::LastError.is_not_null())
        .order_by_desc(xapi_outbox::Column::LastAttemptAt)
        .one(db)
        .await?;
    let last_sent = xapi_outbox::Entity::find()
        .filter(xapi_outbox::Column::SentAt.is_not_null())
        .order_by_desc(xapi_outbox::Column::SentAt)
        .one(db)
        .await?;
    let parked_rows = || {
        xapi_outbox::Entity::find()
            .filter(xapi_outbox::Column::SentAt.is_null())
            .filter(xapi_outbox::Column::ParkedAt.is_not_null())
    };
    let parked = parked_rows().count(db).await?;
    let parked_statements = parked_rows()
        .order_by_desc(xapi_outbox::Column::ParkedAt)
        .limit(PARKED_SHOWN)
        .all(db)
        .await?
        .into_iter()
        .map(|row| ParkedStatementView {
            reason: row.last_error.unwrap_or_default(),
            parked_at: row.parked_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            statement_id: row.statement_id,
        })
        .collect();
    Ok(OutboxStatus {
        pending,
        sent,
        last_error: last_error.as_ref().and_then(|e| e.last_error.clone()),
        last_error_at: last_error
            .and_then(|e| e.last_attempt_at)
            .map(|t| t.to_rfc3339()),
        last_sent_at: last_sent.and_then(|s| s.sent_at).map(|t| t.to_rfc3339()),
        parked,
        parked_statements,
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
            timeout: std::time::Duration::from_secs(20),
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
