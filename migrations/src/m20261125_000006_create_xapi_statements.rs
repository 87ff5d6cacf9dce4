//! Learning events as xAPI 1.0.3 statements, each stored once under a stable id.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000006_create_xapi_statements"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("xapi_statement")
                    .col(string_len("id", 36).primary_key())
                    .col(integer("account_id"))
                    .col(string_len("verb", 120))
                    .col(text("object_id"))
                    .col(timestamp_with_time_zone("timestamp"))
                    .col(text("statement"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_xapi_statement_account")
                            .from("xapi_statement", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_xapi_statement_timestamp")
                    .table("xapi_statement")
                    .col("timestamp")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("xapi_statement").to_owned())
            .await
    }
}
