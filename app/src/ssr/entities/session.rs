//! A signed-in browser session, stored in the database so several server instances share it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    /// SHA-256 of the cookie's session id: a copy of the table cannot be replayed as cookies.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The session's key-value data as JSON.
    pub data: String,
    /// When the row stops working: the idle timeout or the absolute lifetime, whichever comes first.
    pub expires_at: ChronoDateTimeUtc,
    /// The signed-in account; null for an anonymous session (one holding only a form's state).
    pub account_id: Option<i32>,
    pub signed_in_at: Option<ChronoDateTimeUtc>,
    /// Updated at most once a minute, so reading a page rarely writes.
    pub last_seen_at: Option<ChronoDateTimeUtc>,
    /// The browser's own description, cut to 200 characters, so a person can tell their sessions apart.
    pub user_agent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
