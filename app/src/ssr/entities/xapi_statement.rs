//! A learning event as an xAPI 1.0.3 statement.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xapi_statement")]
pub struct Model {
    /// A UUID derived from the event itself (learner, activity, version), so recording it twice is one row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: i32,
    /// The verb's IRI.
    pub verb: String,
    /// The object activity's IRI.
    pub object_id: String,
    pub timestamp: ChronoDateTimeUtc,
    /// The full statement (JSON).
    pub statement: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
