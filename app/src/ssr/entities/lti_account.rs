//! The link between a person at a VLE (the platform's subject identifier) and their academy account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub platform_id: i32,
    pub subject: String,
    pub account_id: i32,
    pub linked_at: ChronoDateTimeUtc,
    pub last_launch_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::lti_platform::Entity",
        from = "Column::PlatformId",
        to = "super::lti_platform::Column::Id",
        on_delete = "Cascade"
    )]
    Platform,
}

impl Related<super::lti_platform::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Platform.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
