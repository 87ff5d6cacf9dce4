//! A person's signed-in sessions: listing them, ending one, ending every other one, and ending all of them
//! when the password changes or the account is erased. Rows are found by the account they sign in, which the
//! session store keeps beside each session's data.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::audit;
use crate::error::AppError;
use crate::model::accounts::SessionView;
use crate::ssr::entities::{account, session};

/// A short, readable name for a browser from its User-Agent ("Firefox on Windows").
pub fn describe_browser(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.filter(|a| !a.trim().is_empty()) else {
        return "Unknown browser".to_owned();
    };
    let browser = if agent.contains("Edg/") {
        "Edge"
    } else if agent.contains("Firefox/") {
        "Firefox"
    } else if agent.contains("Chrome/") || agent.contains("Chromium/") {
        "Chrome"
    } else if agent.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if agent.contains("Windows") {
        "Windows"
    } else if agent.contains("iPhone") || agent.contains("iPad") {
        "iOS"
    } else if agent.contains("Android") {
        "Android"
    } else if agent.contains("Mac OS X") || agent.contains("Macintosh") {
        "macOS"
    } else if agent.contains("CrOS") {
        "ChromeOS"
    } else if agent.contains("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {system}")
}

fn minute(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The account's live sessions, most recently used first; `current` marks the one asking.
pub async fn list(
    db: &DatabaseConnection,
    account: &account::Model,
    current: Option<&str>,
) -> Result<Vec<SessionView>, AppError> {
    let rows = session::Entity::find()
        .filter(session::Column::AccountId.eq(account.id))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionView {
            current: current == Some(row.id.as_str()),
            browser: describe_browser(row.user_agent.as_deref()),
            signed_in_at: minute(row.signed_in_at),
            last_seen_at: minute(row.last_seen_at),
            reference: row.id,
        })
        .collect())
}

/// Ends one of the account's sessions (signing that browser out). Another account's session is "not
/// found", so references cannot be probed.
pub async fn end(
    db: &DatabaseConnection,
    account: &account::Model,
    reference: &str,
) -> Result<(), AppError> {
    let ended = session::Entity::delete_many()
        .filter(session::Column::Id.eq(reference))
        .filter(session::Column::AccountId.eq(account.id))
        .exec(db)
        .await?;
    if ended.rows_affected == 0 {
        return Err(AppError::NotFound("That session".to_owned()));
    }
    audit::record(
        db,
        Some(account.id),
        "account.session_ended",
        &format!("account:{}", account.id),
        serde_json::json!({ "sessions": 1 }),
    )
    .await?;
    tracing::info!(account = account.id, "a session was ended by its owner");
    Ok(())
}

/// Signs the account out everywhere except the session asking ("sign out everywhere else").
pub async fn end_others(
    db: &DatabaseConnection,
    account: &account::Model,
    current: &str,
) -> Result<u64, AppError> {
    let ended = session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account.id))
        .filter(session::Column::Id.ne(current))
        .exec(db)
        .await?;
    audit::record(
        db,
        Some(account.id),
        "account.sessions_ended",
        &format!("account:{}", account.id),
        serde_json::json!({ "sessions": ended.rows_affected, "kept_current": true }),
    )
    .await?;
    tracing::info!(
        account = account.id,
        sessions = ended.rows_affected,
        "sessions ended elsewhere"
    );
    Ok(ended.rows_affected)
}

/// Ends every session of an account except `keep` (after a password change or reset, or erasure), inside
/// the caller's transaction.
pub async fn end_all<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    keep: Option<&str>,
) -> Result<u64, AppError> {
    let mut delete =
        session::Entity::delete_many().filter(session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_as_people_know_them() {
        assert_eq!(
            describe_browser(Some(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0"
            )),
            "Edge on Windows"
        );
        assert_eq!(
            describe_browser(Some(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"
            )),
            "Safari on macOS"
        );
        assert_eq!(describe_browser(None), "Unknown browser");
    }
}
