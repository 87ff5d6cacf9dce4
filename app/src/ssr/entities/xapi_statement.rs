//! A learning event as an xAPI 1.0.3 statement.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xapi_statement")]
pub struct Model {
    /// A UUID derived from the event itself (learner, activity, version), so recording it twice is one row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: i32,
    /// The verb's IRI.
    pub verb: String,
    /// The object activity's IRI.
    pub object_id: String,
    /// The module the event belongs to (none for statements recorded before modules were kept here and
    /// whose object named no module).
    pub module_id: Option<i32>,
    /// The lesson the event is about, for lesson events (opened, completed, a lesson check answered).
    pub lesson_slug: Option<String>,
    pub timestamp: ChronoDateTimeUtc,
    /// The full statement (JSON).
    pub statement: String,
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
    /// Its delivery to the external learning record store, once queued (keyed by the statement id).
    #[sea_orm(has_one = "super::xapi_outbox::Entity")]
    XapiOutbox,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::xapi_outbox::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::XapiOutbox.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
