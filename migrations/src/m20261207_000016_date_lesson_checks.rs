//! Each lesson keeps the date its facts were last checked against their sources (`checked` in its front
//! matter), so learners see it and course leads see which lessons are due for review. Lessons published
//! before this have none until their next version.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000016_date_lesson_checks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .add_column(date_null("checked"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .drop_column("checked")
                    .to_owned(),
            )
            .await
    }
}
