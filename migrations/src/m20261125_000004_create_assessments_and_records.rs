//! Quizzes and completion records: questions stored with each published version, attempts, module
//! completions (one per learner and module), signed completion records, and the issuer's public keys.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000004_create_assessments_and_records"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .add_column(text("questions").default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("module_version")
                    .add_column(text_null("assessment"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("module_version")
                    .add_column(string_len("completion", 32).default("completed"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("quiz_attempt")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("module_id"))
                    .col(integer("module_version"))
                    .col(string_len("scope", 80))
                    .col(text("answers"))
                    .col(integer("correct"))
                    .col(integer("total"))
                    .col(integer("score"))
                    .col(boolean("passed"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempt_account")
                            .from("quiz_attempt", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempt_module")
                            .from("quiz_attempt", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quiz_attempt_account_module_scope")
                    .table("quiz_attempt")
                    .col("account_id")
                    .col("module_id")
                    .col("scope")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("module_completion")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("module_id"))
                    .col(integer("module_version"))
                    .col(timestamp_with_time_zone("completed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_module_completion_account")
                            .from("module_completion", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_module_completion_module")
                            .from("module_completion", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_module_completion_account_module")
                    .table("module_completion")
                    .col("account_id")
                    .col("module_id")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("issuer_key")
                    .col(string_len("kid", 64).primary_key())
                    .col(text("public_jwk"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("retired_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("completion_record")
                    .col(string_len("id", 36).primary_key())
                    .col(integer("account_id"))
                    .col(integer("module_id"))
                    .col(integer("module_version"))
                    .col(integer("status_index"))
                    .col(text("credential"))
                    .col(text("jwt"))
                    .col(string_len("kid", 64))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(text_null("revoked_reason"))
                    .col(integer_null("revoked_by"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_completion_record_account")
                            .from("completion_record", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_completion_record_module")
                            .from("completion_record", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_completion_record_account_module")
                    .table("completion_record")
                    .col("account_id")
                    .col("module_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_completion_record_status_index")
                    .table("completion_record")
                    .col("status_index")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "completion_record",
            "issuer_key",
            "module_completion",
            "quiz_attempt",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("module_version")
                    .drop_column("completion")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("module_version")
                    .drop_column("assessment")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .drop_column("questions")
                    .to_owned(),
            )
            .await
    }
}
