//! The self-assessment: each one a learner takes, with their ratings, kept so a retake shows the change.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000024_take_self_assessments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("self_assessment")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(timestamp_with_time_zone("taken_at"))
                    // `framework:code` to a rating from 1 to 4, as JSON.
                    .col(text("ratings"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_account")
                            .from("self_assessment", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_self_assessment_account")
                    .table("self_assessment")
                    .col("account_id")
                    .col("taken_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("self_assessment").to_owned())
            .await
    }
}
