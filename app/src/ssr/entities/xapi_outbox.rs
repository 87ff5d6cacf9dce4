//! A statement waiting to be (or already) forwarded to the external learning record store.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xapi_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub statement_id: String,
    pub attempts: i32,
    /// Not before this time; pushed back after each failure (exponential back-off), and while claimed.
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<ChronoDateTimeUtc>,
    /// Set once the LRS accepted it; the row is kept as the delivery receipt.
    pub sent_at: Option<ChronoDateTimeUtc>,
    /// Set when the LRS refused the statement for good (`last_error` says why): it is not retried until an
    /// admin puts it back in the queue.
    pub parked_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::xapi_statement::Entity",
        from = "Column::StatementId",
        to = "super::xapi_statement::Column::Id",
        on_delete = "Cascade"
    )]
    XapiStatement,
}

impl Related<super::xapi_statement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::XapiStatement.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
