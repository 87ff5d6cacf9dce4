//! A person who signs in: a learner, a course lead or an admin.

use sea_orm::entity::prelude::*;

pub use crate::model::accounts::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stored lower-cased, so sign-in is case-insensitive and unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub role: Role,
    pub created_at: ChronoDateTimeUtc,
    /// When the holder proved they own `email` (by a single-use link). Until then they can learn and track
    /// progress, but cannot join a cohort, be given a role or earn a record.
    pub email_verified_at: Option<ChronoDateTimeUtc>,
    /// Set when the holder erased the account: the row is then an anonymous tombstone (no email, name or
    /// password), kept so audit entries and withdrawn records still point at an account id.
    pub erased_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
