//! The searchable text of one listed module, indexed by the database's full-text engine (FTS5 on SQLite, a
//! generated `tsvector` on PostgreSQL; see migration 15). Derived data: rewritten whenever the module is
//! published, and rebuilt at start-up when its `content_hash` no longer matches the module's.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_search_text")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub module_id: i32,
    /// The module's `content_hash` when this text was taken from it.
    pub content_hash: String,
    pub title: String,
    pub summary: String,
    /// Lesson titles and the plain text of their bodies, in lesson order.
    pub body: String,
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
