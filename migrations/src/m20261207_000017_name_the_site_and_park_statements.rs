//! Two things an LRS shared between academies needs. Each academy (each database) gets a namespace of its own
//! for statement ids, created once at first start, so two sites sending the same kind of event for their
//! learner 1 no longer collide. And a statement the LRS refuses for good (400, 409, 413) is parked with its
//! reason instead of being retried for ever.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000017_name_the_site_and_park_statements"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("site_identity")
                    .col(integer("id").primary_key())
                    .col(string_len("statement_namespace", 36))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("xapi_outbox")
                    .add_column(timestamp_with_time_zone_null("parked_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("xapi_outbox")
                    .drop_column("parked_at")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("site_identity").to_owned())
            .await
    }
}
