//! One submitted attempt at a lesson's check-your-understanding questions or a module assessment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub module_id: i32,
    /// The module version whose questions were answered.
    pub module_version: i32,
    /// `assessment`, or `lesson:<slug>` for a lesson's questions.
    pub scope: String,
    /// JSON object: question id → chosen option indices.
    pub answers: String,
    pub correct: i32,
    pub total: i32,
    /// Percentage, 0 to 100.
    pub score: i32,
    pub passed: bool,
    pub submitted_at: ChronoDateTimeUtc,
    /// 1, 2, 3... per learner and assessment, unique: the attempt limit is enforced by the index, not by a
    /// check that two racing requests could both pass. Null for lesson checks, which are unlimited.
    pub attempt_number: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::module::Entity",
        from = "Column::ModuleId",
        to = "super::module::Column::Id",
        on_delete = "Cascade"
    )]
    Module,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Module.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
