//! Cohorts (groups of learners a course lead runs, with modules and due dates) and the audit log of what
//! course leads and admins do.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000005_create_cohorts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("cohort")
                    .col(pk_auto("id"))
                    .col(string_len("name", 120))
                    .col(integer("owner_id"))
                    .col(string_len_uniq("join_code", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_owner")
                            .from("cohort", "owner_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cohort_module")
                    .col(pk_auto("id"))
                    .col(integer("cohort_id"))
                    .col(integer("module_id"))
                    .col(date_null("due_on"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_module_cohort")
                            .from("cohort_module", "cohort_id")
                            .to("cohort", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_module_module")
                            .from("cohort_module", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_module_cohort_module")
                    .table("cohort_module")
                    .col("cohort_id")
                    .col("module_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cohort_member")
                    .col(pk_auto("id"))
                    .col(integer("cohort_id"))
                    .col(integer("account_id"))
                    .col(timestamp_with_time_zone("joined_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_member_cohort")
                            .from("cohort_member", "cohort_id")
                            .to("cohort", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_member_account")
                            .from("cohort_member", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_member_cohort_account")
                    .table("cohort_member")
                    .col("cohort_id")
                    .col("account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_event")
                    .col(pk_auto("id"))
                    .col(integer_null("actor_id"))
                    .col(string_len("action", 64))
                    .col(string_len("subject", 200))
                    .col(text("detail"))
                    .col(timestamp_with_time_zone("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_at")
                    .table("audit_event")
                    .col("at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["audit_event", "cohort_member", "cohort_module", "cohort"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
