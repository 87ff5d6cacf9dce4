//! The mail outbox: messages are queued in the same transaction as the change they tell someone about, so a
//! reset link is never promised without being sent, and delivered by a background task that backs off when
//! the mail server is away. A delivered message is deleted: its links must not linger in the database.
//!
//! Each round claims the rows it sends (pushing their next attempt back), so two instances never send the
//! same message at once.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::lrs::backoff;
use crate::error::AppError;
use crate::ssr::entities::mail_outbox;
use crate::ssr::mail::Mailer;

/// How long a claimed message is held before another round may try it (a sender that crashed).
const CLAIM_SECONDS: i64 = 120;

/// Messages per round.
const BATCH: u64 = 20;

/// One plain-text message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `email` inside the caller's transaction; it is sent once that commits.
pub async fn enqueue<C: ConnectionTrait>(db: &C, email: Email) -> Result<(), AppError> {
    let now = Utc::now();
    mail_outbox::ActiveModel {
        recipient: Set(email.to),
        subject: Set(email.subject),
        body: Set(email.body),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What one delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
}

/// Sends every message that is due (up to a batch); failures are kept with their error and retried later.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
) -> Result<DeliveryReport, AppError> {
    let now = Utc::now();
    let due = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .order_by_asc(mail_outbox::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut report = DeliveryReport::default();
    for message in due {
        // Claim it, unless another round got there first.
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::NextAttemptAt,
                Expr::value(now + Duration::seconds(CLAIM_SECONDS)),
            )
            .filter(mail_outbox::Column::Id.eq(message.id))
            .filter(mail_outbox::Column::NextAttemptAt.eq(message.next_attempt_at))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        match mailer
            .send(&message.recipient, &message.subject, &message.body)
            .await
        {
            Ok(()) => {
                mail_outbox::Entity::delete_by_id(message.id)
                    .exec(db)
                    .await?;
                report.sent += 1;
            }
            Err(error) => {
                let attempts = message.attempts + 1;
                tracing::warn!(
                    message = message.id,
                    attempts,
                    %error,
                    "an email could not be sent; it stays queued"
                );
                mail_outbox::Entity::update_many()
                    .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
                    .col_expr(
                        mail_outbox::Column::NextAttemptAt,
                        Expr::value(Utc::now() + backoff(attempts)),
                    )
                    .col_expr(
                        mail_outbox::Column::LastError,
                        Expr::value(Some(error.to_string())),
                    )
                    .filter(mail_outbox::Column::Id.eq(message.id))
                    .exec(db)
                    .await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// How many messages are waiting, and the last error (for the admin page).
pub async fn backlog(db: &DatabaseConnection) -> Result<(u64, Option<String>), AppError> {
    use sea_orm::PaginatorTrait;
    let waiting = mail_outbox::Entity::find().count(db).await?;
    let last_error = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::LastError.is_not_null())
        .order_by_desc(mail_outbox::Column::NextAttemptAt)
        .one(db)
        .await?
        .and_then(|m| m.last_error);
    Ok((waiting, last_error))
}
