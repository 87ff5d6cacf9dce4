//! An email waiting for the mail server to accept it. Written in the same transaction as the change it
//! reports, delivered by a background task with back-off, and deleted once accepted: a reset link must not
//! linger in the database after it has gone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recipient: String,
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    pub created_at: ChronoDateTimeUtc,
    pub attempts: i32,
    /// Not before this time: pushed back after each failure, and while a sender holds it.
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
