//! Names and Role Provisioning Services 2.0: a VLE course's roster becomes an academy cohort. The course (its
//! roster address, from its launches), who teaches it (they may sync it), the modules placed in it (the
//! cohort's modules), a cohort's leads beside its owner, and which members a roster added (so a later sync
//! removes those who left the course, never someone who joined by code), and the VLE people who erased their
//! account, so a roster does not make them one again.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000023_sync_vle_rosters"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lti_course")
                    .col(pk_auto("id"))
                    .col(integer("platform_id"))
                    .col(string_len("deployment_id", 255))
                    // The platform's id for the course (`context.id`), unique within the deployment.
                    .col(string_len("context_id", 255))
                    .col(string_len("title", 255))
                    // The roster's address (`context_memberships_url`), when a launch offered it.
                    .col(string_len_null("memberships_url", 2048))
                    // The cohort its roster was synced into (null until the first sync, or once deleted).
                    .col(integer_null("cohort_id"))
                    .col(timestamp_with_time_zone_null("last_synced_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_course_platform")
                            .from("lti_course", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_course_cohort")
                            .from("lti_course", "cohort_id")
                            .to("cohort", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_course_context")
                    .table("lti_course")
                    .col("platform_id")
                    .col("deployment_id")
                    .col("context_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_course_teacher")
                    .col(pk_auto("id"))
                    .col(integer("course_id"))
                    .col(integer("account_id"))
                    .col(timestamp_with_time_zone("last_launch_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_course_teacher_course")
                            .from("lti_course_teacher", "course_id")
                            .to("lti_course", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_course_teacher_account")
                            .from("lti_course_teacher", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_course_teacher_pair")
                    .table("lti_course_teacher")
                    .col("course_id")
                    .col("account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_course_teacher_account")
                    .table("lti_course_teacher")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_course_module")
                    .col(pk_auto("id"))
                    .col(integer("course_id"))
                    .col(string_len("module_slug", 255))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_course_module_course")
                            .from("lti_course_module", "course_id")
                            .to("lti_course", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_course_module_pair")
                    .table("lti_course_module")
                    .col("course_id")
                    .col("module_slug")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cohort_lead")
                    .col(pk_auto("id"))
                    .col(integer("cohort_id"))
                    .col(integer("account_id"))
                    // The VLE course whose roster made them a lead; a later sync removes them when they leave it.
                    .col(integer_null("from_course_id"))
                    .col(timestamp_with_time_zone("added_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_lead_cohort")
                            .from("cohort_lead", "cohort_id")
                            .to("cohort", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_lead_account")
                            .from("cohort_lead", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_lead_course")
                            .from("cohort_lead", "from_course_id")
                            .to("lti_course", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_lead_pair")
                    .table("cohort_lead")
                    .col("cohort_id")
                    .col("account_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohort_lead_account")
                    .table("cohort_lead")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        // Which VLE course's roster added the member (null: joined by code). SQLite cannot add a foreign key
        // to an existing table, so the sync compares it by value; a course is only deleted with its VLE.
        manager
            .alter_table(
                Table::alter()
                    .table("cohort_member")
                    .add_column(integer_null("from_course_id"))
                    .to_owned(),
            )
            .await?;
        // A VLE person who erased their academy account, by a SHA-256 of the platform's identifier for them: a
        // roster sync makes no account for them again (their own launch does, and clears this).
        manager
            .create_table(
                Table::create()
                    .table("lti_erased_subject")
                    .col(pk_auto("id"))
                    .col(integer("platform_id"))
                    .col(string_len("subject_digest", 64))
                    .col(timestamp_with_time_zone("erased_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_erased_subject_platform")
                            .from("lti_erased_subject", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_erased_subject_pair")
                    .table("lti_erased_subject")
                    .col("platform_id")
                    .col("subject_digest")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The course a Deep Linking request came from, so the modules its teacher places become the course's.
        manager
            .alter_table(
                Table::alter()
                    .table("lti_deep_link")
                    .add_column(integer_null("course_id"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lti_deep_link")
                    .drop_column("course_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("cohort_member")
                    .drop_column("from_course_id")
                    .to_owned(),
            )
            .await?;
        for table in [
            "lti_erased_subject",
            "cohort_lead",
            "lti_course_module",
            "lti_course_teacher",
            "lti_course",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
