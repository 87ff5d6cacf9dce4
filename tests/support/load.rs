//! Learners made in bulk for load runs (`scripts/bench`, the soak): verified accounts that sign in by a
//! session written through the server's own session store, so their cookies are real sign-ins. Hashing a
//! password per learner would take minutes for a thousand; none of these learners ever types one.

use app::ssr::entities::account;
use app::ssr::session_store::{DbSessionStore, SessionPolicy};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

/// One course lead, then `count` learners, all verified, with a throwaway password hash; the lead first.
pub async fn create_accounts(
    db: &DatabaseConnection,
    count: usize,
) -> anyhow::Result<Vec<account::Model>> {
    let now = Utc::now();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let rows: Vec<account::ActiveModel> = (0..=count)
        .map(|i| account::ActiveModel {
            email: Set(format!("bench-{run}-{i}@example.org")),
            display_name: Set(format!("Bench learner {i:05}")),
            password_hash: Set("not-a-password-hash".into()),
            role: Set(if i == 0 {
                account::Role::CourseLead
            } else {
                account::Role::Learner
            }),
            created_at: Set(now),
            email_verified_at: Set(Some(now)),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        account::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    let mut made = account::Entity::find()
        .filter(account::Column::Email.starts_with(format!("bench-{run}-")))
        .all(db)
        .await?;
    made.sort_by_key(|a| a.id);
    Ok(made)
}

/// A live session per account in the server's own store; returns the cookie values, in the same order.
pub async fn sign_in(
    db: &DatabaseConnection,
    accounts: &[account::Model],
    user_agent: &str,
) -> anyhow::Result<Vec<String>> {
    use app::ssr::auth::{ACCOUNT_ID_KEY, LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY, USER_AGENT_KEY};
    let store = DbSessionStore::new(db.clone(), SessionPolicy::default());
    let now = Utc::now().timestamp();
    let mut cookies = Vec::with_capacity(accounts.len());
    for learner in accounts {
        let mut data = std::collections::HashMap::new();
        data.insert(ACCOUNT_ID_KEY.to_owned(), serde_json::json!(learner.id));
        data.insert(SIGNED_IN_AT_KEY.to_owned(), serde_json::json!(now));
        data.insert(LAST_SEEN_AT_KEY.to_owned(), serde_json::json!(now));
        data.insert(USER_AGENT_KEY.to_owned(), serde_json::json!(user_agent));
        let mut record = Record {
            id: Id::default(),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(12),
        };
        store
            .create(&mut record)
            .await
            .map_err(|e| anyhow::anyhow!("creating a session: {e}"))?;
        cookies.push(record.id.to_string());
    }
    Ok(cookies)
}
