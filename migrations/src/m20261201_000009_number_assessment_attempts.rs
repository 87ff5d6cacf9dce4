//! Numbers each learner's assessment attempts, with a unique index, so the attempt limit holds in the
//! database: of two submissions that race for attempt 3, exactly one is stored.
//!
//! Lesson checks are unlimited and keep a null number (nulls never collide in a unique index, on SQLite or
//! PostgreSQL). Attempts made before this migration are numbered in the order they were stored.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000009_number_assessment_attempts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("quiz_attempt")
                    .add_column(integer_null("attempt_number"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE quiz_attempt SET attempt_number = (\
                   SELECT COUNT(*) FROM quiz_attempt earlier \
                   WHERE earlier.account_id = quiz_attempt.account_id \
                     AND earlier.module_id = quiz_attempt.module_id \
                     AND earlier.scope = quiz_attempt.scope \
                     AND earlier.id <= quiz_attempt.id) \
                 WHERE scope = 'assessment'",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quiz_attempt_number")
                    .table("quiz_attempt")
                    .col("account_id")
                    .col("module_id")
                    .col("scope")
                    .col("attempt_number")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_quiz_attempt_number")
                    .table("quiz_attempt")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("quiz_attempt")
                    .drop_column("attempt_number")
                    .to_owned(),
            )
            .await
    }
}
