//! A VLE person who erased their academy account, known only by a SHA-256 of the platform's identifier for
//! them: their course's roster sync makes no account for them again. Their own launch from the VLE does (they
//! came back), and clears the row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_erased_subject")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub platform_id: i32,
    /// SHA-256 (hex) of the platform's `sub` for the person.
    pub subject_digest: String,
    pub erased_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
