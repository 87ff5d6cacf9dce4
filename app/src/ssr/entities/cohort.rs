//! A group of learners a course lead runs: its modules and due dates are in `cohort_module`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// The course lead who created it; they and admins manage it.
    pub owner_id: i32,
    /// What learners type (or follow as `/join/<code>`) to join.
    #[sea_orm(unique)]
    pub join_code: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The course lead who created the cohort.
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::OwnerId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
    #[sea_orm(has_many = "super::cohort_member::Entity")]
    CohortMember,
    /// The modules the cohort takes, with their due dates.
    #[sea_orm(has_many = "super::cohort_module::Entity")]
    CohortModule,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl Related<super::cohort_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CohortMember.def()
    }
}

impl Related<super::cohort_module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CohortModule.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
