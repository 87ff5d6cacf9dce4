//! Who launched from which VLE activity: the learners whose completions the activity's gradebook column
//! receives.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_link_learner")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resource_link_id: i32,
    pub lti_account_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
