//! The published catalogue: modules, the versions they were published at, and their current lessons.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_create_catalogue"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("module")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("slug", 64))
                    .col(string("title"))
                    .col(text("summary"))
                    .col(text("audience"))
                    .col(double("estimated_hours"))
                    .col(double("cpd_hours"))
                    .col(integer("position"))
                    .col(string_len("completion", 32))
                    .col(text("alignments"))
                    .col(integer("version"))
                    .col(string_len("content_hash", 64))
                    .col(boolean("listed"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("module_version")
                    .col(pk_auto("id"))
                    .col(integer("module_id"))
                    .col(integer("version"))
                    .col(string_len("content_hash", 64))
                    .col(text("lessons"))
                    .col(timestamp_with_time_zone("published_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_module_version_module")
                            .from("module_version", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_module_version_module_version")
                    .table("module_version")
                    .col("module_id")
                    .col("version")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lesson")
                    .col(pk_auto("id"))
                    .col(integer("module_id"))
                    .col(string_len("slug", 64))
                    .col(integer("position"))
                    .col(string("title"))
                    .col(integer("minutes"))
                    .col(text("outcomes"))
                    .col(text("alignments"))
                    .col(string_len("content_hash", 64))
                    .col(text("html"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_module")
                            .from("lesson", "module_id")
                            .to("module", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lesson_module_slug")
                    .table("lesson")
                    .col("module_id")
                    .col("slug")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["lesson", "module_version", "module"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
