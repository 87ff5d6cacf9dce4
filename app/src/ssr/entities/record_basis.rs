//! A module record a pathway record rests on, in the pathway's order: what a verifier follows to see that
//! each module the pathway required was completed, and is still vouched for.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_basis")]
pub struct Model {
    /// The pathway record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: String,
    /// The module's place among the pathway's required modules, from 0.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub module_record_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::completion_record::Entity",
        from = "Column::RecordId",
        to = "super::completion_record::Column::Id",
        on_delete = "Cascade"
    )]
    Record,
    #[sea_orm(
        belongs_to = "super::completion_record::Entity",
        from = "Column::ModuleRecordId",
        to = "super::completion_record::Column::Id",
        on_delete = "Cascade"
    )]
    ModuleRecord,
}

/// Joined through the pathway record (whose holder is the learner).
impl Related<super::completion_record::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Record.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
