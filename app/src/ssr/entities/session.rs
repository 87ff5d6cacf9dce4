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
    pub expires_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
