//! One thing a course lead or admin did (who, what, to what, when), kept for accountability.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// None for actions taken by the system or the command line.
    pub actor_id: Option<i32>,
    /// e.g. `cohort.created`, `cohort.member_removed`, `record.revoked`, `account.role_granted`.
    pub action: String,
    /// What it was done to, e.g. `cohort:12`.
    pub subject: String,
    /// JSON with the details.
    pub detail: String,
    pub at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
