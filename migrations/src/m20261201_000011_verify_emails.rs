//! Proving that people own their email addresses: when an account's address was verified, single-use
//! tokens for the links sent by email (verification, password reset, change of address), and the outbox
//! the emails wait in until the mail server accepts them.
//!
//! Accounts created before this migration are left unverified: nothing proved their addresses. Their
//! holders verify from their account page before they can join a cohort or earn a record.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000011_verify_emails"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .add_column(timestamp_with_time_zone_null("email_verified_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("account_token")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(string_len("purpose", 16))
                    .col(string_len_uniq("token_hash", 64))
                    .col(string_len_null("new_email", 254))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_token_account")
                            .from("account_token", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_token_account")
                    .table("account_token")
                    .col("account_id")
                    .col("purpose")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mail_outbox")
                    .col(pk_auto("id"))
                    .col(string_len("recipient", 254))
                    .col(string_len("subject", 200))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(text_null("last_error"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_due")
                    .table("mail_outbox")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("mail_outbox").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("account_token").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .drop_column("email_verified_at")
                    .to_owned(),
            )
            .await
    }
}
