//! A module being edited in the browser: its source files exactly as the author left them. Learners never
//! see a draft; publishing turns it into a new immutable `module_version` and removes it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_draft")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The module's slug (the folder name it exports to); one draft per module.
    #[sea_orm(unique)]
    pub slug: String,
    /// Who started the draft; for a module never published, its owner.
    pub owner_id: i32,
    /// The published version the draft started from; `None` for a new module. Publishing over a newer
    /// version needs the author's explicit confirmation.
    pub base_version: Option<i32>,
    /// JSON object: file name (`module.toml`, `01-intro.md`, `assessment.toml`) to its text.
    pub files: String,
    /// Goes up by one with every save: a write or publish based on an older revision is refused instead of
    /// silently overwriting someone else's save.
    pub revision: i32,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who started the draft.
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::OwnerId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
