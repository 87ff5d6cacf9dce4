//! Authoring in the browser: who owns a module, where its current version came from (the `content/` folder or
//! the browser), the source files of every published version (so any version can be exported or reopened),
//! and drafts that never reach learners until published.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000008_create_module_drafts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let mut source = string_len("source", 16);
        source.default("files");
        for (table, column) in [
            ("module", integer_null("owner_id")),
            ("module", source),
            ("module_version", text_null("files")),
            ("module_version", integer_null("published_by")),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("module_draft")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("slug", 64))
                    .col(integer("owner_id"))
                    .col(integer_null("base_version"))
                    .col(text("files"))
                    .col(integer("revision").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_module_draft_owner")
                            .from("module_draft", "owner_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("module_draft").to_owned())
            .await?;
        for (table, column) in [
            ("module_version", "published_by"),
            ("module_version", "files"),
            ("module", "source"),
            ("module", "owner_id"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
