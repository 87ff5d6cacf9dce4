//! A signed completion record (an Open Badges 3.0 AchievementCredential) issued to a learner: for a module,
//! or for a pathway (its required modules all completed; its basis is in `record_basis`).

use sea_orm::entity::prelude::*;

use crate::ssr::records::status_list::StatusList;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "completion_record")]
pub struct Model {
    /// A UUID; the credential's id is `urn:uuid:<id>` and its public page `/records/<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: i32,
    /// The module, for a module record; `None` for a pathway record. See [`Model::earned_for`].
    pub module_id: Option<i32>,
    /// The module version the record was earned on (module records only).
    pub module_version: Option<i32>,
    /// The pathway's content slug, for a pathway record.
    pub pathway_slug: Option<String>,
    /// This record's bit in its kind's revocation status list.
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

/// What a record was earned for. The table allows exactly one of the two (a check constraint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarnedFor<'a> {
    Module { id: i32, version: i32 },
    Pathway { slug: &'a str },
}

impl Model {
    /// What the record was earned for; `None` only for a row the check constraint should have refused.
    pub fn earned_for(&self) -> Option<EarnedFor<'_>> {
        match (self.module_id, self.module_version, &self.pathway_slug) {
            (Some(id), Some(version), None) => Some(EarnedFor::Module { id, version }),
            (None, None, Some(slug)) => Some(EarnedFor::Pathway { slug }),
            _ => None,
        }
    }

    /// Which revocation status list holds this record's bit.
    pub fn status_list(&self) -> StatusList {
        if self.pathway_slug.is_some() {
            StatusList::Pathways
        } else {
            StatusList::Modules
        }
    }
}
