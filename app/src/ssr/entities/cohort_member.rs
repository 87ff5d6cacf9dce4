//! A learner in a cohort.

use sea_orm::QuerySelect;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cohort_id: i32,
    pub account_id: i32,
    pub joined_at: ChronoDateTimeUtc,
    /// The VLE course whose roster added them (none: they joined by code); a later sync of that roster
    /// removes them when they leave the course.
    pub from_course_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cohort::Entity",
        from = "Column::CohortId",
        to = "super::cohort::Column::Id",
        on_delete = "Cascade"
    )]
    Cohort,
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohort.def()
    }
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// The cohorts a learner belongs to.
pub async fn cohort_ids_of<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<Vec<i32>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::CohortId)
        .filter(Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await
}
