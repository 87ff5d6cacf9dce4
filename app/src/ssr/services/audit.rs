//! The audit log: who did what to which thing, and when. Written in the same transaction as the change
//! where there is one, so the log never claims a change that did not happen.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::error::AppError;
use crate::ssr::entities::audit_event;

/// Records one action.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor_id: Option<i32>,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit_event::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        subject: Set(subject.to_owned()),
        detail: Set(detail.to_string()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
