//! One self-assessment a learner took: their ratings on the competencies the curriculum teaches. Kept per
//! attempt, so a retake shows the change; seen only by its learner.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "self_assessment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub taken_at: ChronoDateTimeUtc,
    /// JSON object of `framework:code` to a rating from 1 (new to this) to 4 (could teach it).
    pub ratings: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
