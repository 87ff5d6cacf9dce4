//! A module a cohort takes, with an optional due date.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_module")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cohort_id: i32,
    pub module_id: i32,
    pub due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
