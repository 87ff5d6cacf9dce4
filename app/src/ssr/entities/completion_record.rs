//! A signed completion record (an Open Badges 3.0 AchievementCredential) issued to a learner.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "completion_record")]
pub struct Model {
    /// A UUID; the credential's id is `urn:uuid:<id>` and its public page `/records/<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: i32,
    pub module_id: i32,
    /// The module version the record was earned on.
    pub module_version: i32,
    /// This record's bit in the revocation status list.
    pub status_index: i32,
    /// The credential body as issued (JSON).
    pub credential: String,
    /// The same credential as a VC-JWT signed with EdDSA.
    pub jwt: String,
    pub kid: String,
    pub issued_at: ChronoDateTimeUtc,
    pub revoked_at: Option<ChronoDateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<i32>,
    /// Set when the holder erased their account: the credential and its signed form are deleted, and the
    /// record's page says only that it was withdrawn by its holder.
    pub withdrawn_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The learner the record was issued to (not `revoked_by`).
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
