//! Learners' enrolments and per-lesson progress, keyed by stable slugs plus the module version seen.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000003_create_progress"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("enrolment")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("module_id"))
                    .col(timestamp_with_time_zone("enrolled_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolment_account")
                            .from("enrolment", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolment_module")
                            .from("enrolment", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolment_account_module")
                    .table("enrolment")
                    .col("account_id")
                    .col("module_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lesson_progress")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("module_id"))
                    .col(string_len("lesson_slug", 64))
                    .col(integer("module_version"))
                    .col(string_len("content_hash", 64))
                    .col(timestamp_with_time_zone("completed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_progress_account")
                            .from("lesson_progress", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_progress_module")
                            .from("lesson_progress", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lesson_progress_account_module_lesson")
                    .table("lesson_progress")
                    .col("account_id")
                    .col("module_id")
                    .col("lesson_slug")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("lesson_progress").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("enrolment").to_owned())
            .await
    }
}
