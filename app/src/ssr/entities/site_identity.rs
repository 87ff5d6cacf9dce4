//! What makes this academy (this database) distinct from any other: one row, created at first start and
//! shared by every instance on the database.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_identity")]
pub struct Model {
    /// Always 1: the table holds one row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// The UUID namespace this site's xAPI statement ids are derived in, so two academies sending to one
    /// learning record store never produce the same id for different statements.
    pub statement_namespace: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
