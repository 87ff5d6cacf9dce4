//! Deep Linking 2.0: a course lead in a VLE picks academy content to place in their course. The VLE's
//! request (where to send the answer, what it accepts, the data to echo back) waits here while they pick, in
//! the picker page the academy shows inside the VLE; the page carries a single-use ticket, never a cookie,
//! because a browser keeps the academy's cookies out of the VLE's frame.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000021_link_content_from_vles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lti_deep_link")
                    .col(pk_auto("id"))
                    // SHA-256 (hex) of the picker's ticket; the ticket itself is never stored.
                    .col(string_len_uniq("ticket_hash", 64))
                    .col(integer("platform_id"))
                    .col(string_len("deployment_id", 255))
                    .col(string_len("return_url", 2048))
                    // The platform's opaque `data`, echoed back unchanged.
                    .col(text_null("data"))
                    .col(boolean("accept_multiple"))
                    // Whether the VLE makes a gradebook column from an item's `lineItem`.
                    .col(boolean("accept_line_items"))
                    // The sites allowed to frame the picker, one origin per line.
                    .col(text("frame_origins"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_deep_link_platform")
                            .from("lti_deep_link", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_deep_link_created_at")
                    .table("lti_deep_link")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("lti_deep_link").to_owned())
            .await
    }
}
