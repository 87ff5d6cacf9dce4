//! Ties each session row to the account it signs in, with when it started, when it was last used and the
//! browser it came from, so a person can see their sessions and end them, and a password reset or an erased
//! account takes every session with it.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000010_track_account_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            integer_null("account_id"),
            timestamp_with_time_zone_null("signed_in_at"),
            timestamp_with_time_zone_null("last_seen_at"),
            string_len_null("user_agent", 200),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("session")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_session_account")
                    .table("session")
                    .col("account_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_session_account")
                    .table("session")
                    .to_owned(),
            )
            .await?;
        for column in ["user_agent", "last_seen_at", "signed_in_at", "account_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("session")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
