//! Assignment and Grade Services 2.0: a module placed in a VLE course reports each learner's completion to
//! that course's gradebook. The VLE's activity (its resource link, with the grade service addresses its
//! launches give), who launched from it, and the scores waiting to be sent (a persistent queue like the xAPI
//! outbox, so a VLE that is down loses nothing).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000022_pass_grades_back_to_vles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lti_resource_link")
                    .col(pk_auto("id"))
                    .col(integer("platform_id"))
                    .col(string_len("resource_link_id", 255))
                    .col(string_len("deployment_id", 255))
                    // The module the activity opens; its completion is the activity's score.
                    .col(string_len("module_slug", 255))
                    .col(string_len_null("lineitems_url", 2048))
                    .col(string_len_null("lineitem_url", 2048))
                    // The grade service scopes the platform granted, one per line.
                    .col(text("scopes"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_resource_link_platform")
                            .from("lti_resource_link", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_resource_link_platform_link")
                    .table("lti_resource_link")
                    .col("platform_id")
                    .col("resource_link_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_link_learner")
                    .col(pk_auto("id"))
                    .col(integer("resource_link_id"))
                    .col(integer("lti_account_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_link_learner_link")
                            .from("lti_link_learner", "resource_link_id")
                            .to("lti_resource_link", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_link_learner_account")
                            .from("lti_link_learner", "lti_account_id")
                            .to("lti_account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_link_learner_pair")
                    .table("lti_link_learner")
                    .col("resource_link_id")
                    .col("lti_account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_link_learner_account")
                    .table("lti_link_learner")
                    .col("lti_account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_score_outbox")
                    .col(pk_auto("id"))
                    .col(integer("resource_link_id"))
                    .col(integer("lti_account_id"))
                    // Percent: the best assessment score, or 100 for a module completed without one.
                    .col(integer("score"))
                    .col(timestamp_with_time_zone("achieved_at"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("last_attempt_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("parked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_score_outbox_link")
                            .from("lti_score_outbox", "resource_link_id")
                            .to("lti_resource_link", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_score_outbox_account")
                            .from("lti_score_outbox", "lti_account_id")
                            .to("lti_account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One score per learner per activity: a completion reported twice is one row.
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_score_outbox_pair")
                    .table("lti_score_outbox")
                    .col("resource_link_id")
                    .col("lti_account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_score_outbox_due")
                    .table("lti_score_outbox")
                    .col("sent_at")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["lti_score_outbox", "lti_link_learner", "lti_resource_link"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
