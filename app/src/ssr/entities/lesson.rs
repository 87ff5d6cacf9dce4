//! A lesson of a module's current version, with its HTML rendered once at publish time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub module_id: i32,
    pub slug: String,
    pub position: i32,
    pub title: String,
    pub minutes: i32,
    /// JSON array of learning outcomes.
    pub outcomes: String,
    /// JSON array of `framework:code` strings.
    pub alignments: String,
    pub content_hash: String,
    /// Sanitised HTML; re-rendered only when `content_hash` changes.
    pub html: String,
    /// JSON array of the lesson's check-your-understanding questions, answers included: server only.
    pub questions: String,
    /// JSON array of the body's heading anchors, kept when the content loaded (for checking links to them).
    pub anchors: String,
    /// When its facts were last checked against their sources; `None` when the lesson does not say.
    pub checked: Option<ChronoDate>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::module::Entity",
        from = "Column::ModuleId",
        to = "super::module::Column::Id",
        on_delete = "Cascade"
    )]
    Module,
}

impl Related<super::module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Module.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
