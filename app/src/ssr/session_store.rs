//! Sessions kept in the application's own database (SQLite or PostgreSQL), for tower-sessions.
//!
//! Keeping them in the database, not in memory, lets several server instances behind one load balancer share
//! sign-ins. Only a SHA-256 of each session id is stored, so the table cannot be replayed as cookies.
//!
//! The row's expiry is worked out here from the session's own data: the idle timeout after the last use and
//! the absolute lifetime after signing in, whichever comes first. Loading filters on it, so an idle or
//! over-age session stops working on every instance at the same moment, whatever the cookie says.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::auth::{ACCOUNT_ID_KEY, LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY, USER_AGENT_KEY};
use super::entities::session;

/// How long a sign-in lasts. Hospital PCs are shared, so an unattended session ends soon (the idle
/// timeout), and no session lasts beyond a working day or so (the lifetime), however busy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::hours(2),
            lifetime: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// When a session signed in at `signed_in_at` and last used at `last_seen_at` stops working.
    pub fn ends_at(
        &self,
        signed_in_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        (last_seen_at + self.idle).min(signed_in_at + self.lifetime)
    }
}

/// The store; cheap to clone (it holds the connection pool).
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    policy: SessionPolicy,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, policy: SessionPolicy) -> Self {
        Self { db, policy }
    }

    /// Removes sessions past their expiry; run periodically so the table does not grow without bound.
    pub async fn delete_expired(&self) -> Result<u64, sea_orm::DbErr> {
        let result = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

/// The row id for a session id: its SHA-256, so the table never holds a usable cookie value.
pub fn key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn timestamp(value: Option<&Value>) -> Option<DateTime<Utc>> {
    value
        .and_then(Value::as_i64)
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
}

fn to_chrono(time: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.unix_timestamp(), time.nanosecond())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn row(
    record: &Record,
    policy: &SessionPolicy,
) -> Result<session::ActiveModel, session_store::Error> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let account_id = record
        .data
        .get(ACCOUNT_ID_KEY)
        .and_then(Value::as_i64)
        .and_then(|id| i32::try_from(id).ok());
    let signed_in_at = timestamp(record.data.get(SIGNED_IN_AT_KEY));
    let last_seen_at = timestamp(record.data.get(LAST_SEEN_AT_KEY));
    let expires_at = match (signed_in_at, last_seen_at) {
        (Some(start), Some(seen)) => policy.ends_at(start, seen),
        // Anonymous: whatever tower-sessions set, but never longer than the idle timeout.
        _ => to_chrono(record.expiry_date).min(Utc::now() + policy.idle),
    };
    let user_agent = record
        .data
        .get(USER_AGENT_KEY)
        .and_then(Value::as_str)
        .map(|agent| agent.chars().take(200).collect());
    Ok(session::ActiveModel {
        id: Set(key(&record.id)),
        data: Set(data),
        expires_at: Set(expires_at),
        account_id: Set(account_id),
        signed_in_at: Set(signed_in_at),
        last_seen_at: Set(last_seen_at),
        user_agent: Set(user_agent),
    })
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A collision of 128-bit random ids is vanishingly unlikely; if it happens, draw a new id.
        for _ in 0..3 {
            let exists = session::Entity::find_by_id(key(&record.id))
                .one(&self.db)
                .await
                .map_err(backend)?
                .is_some();
            if !exists {
                session::Entity::insert(row(record, &self.policy)?)
                    .exec(&self.db)
                    .await
                    .map_err(backend)?;
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(backend("could not allocate a unique session id"))
    }

    /// Updates an existing row only (new sessions go through `create`). A row deleted meanwhile (signed out
    /// everywhere, a password reset, an erased account) stays deleted: a request already in flight must not
    /// write it back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let updated = row(record, &self.policy)?;
        session::Entity::update_many()
            .set(updated)
            .filter(session::Column::Id.eq(key(&record.id)))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(found) = session::Entity::find_by_id(key(id))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&found.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(found.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
