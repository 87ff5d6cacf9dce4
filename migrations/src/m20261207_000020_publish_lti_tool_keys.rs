//! The LTI tool's public keys. Each server instance keeps its own RSA private key in its key folder and
//! publishes the public half here, so the tool's keyset (what a VLE verifies the academy's signed messages
//! with) lists every instance's key, as the records' keyset does.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000020_publish_lti_tool_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lti_tool_key")
                    .col(string_len("kid", 64).primary_key())
                    .col(text("public_jwk"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("lti_tool_key").to_owned())
            .await
    }
}
