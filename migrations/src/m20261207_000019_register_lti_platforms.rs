//! The academy as an LTI 1.3 tool. An admin registers each VLE (platform) with the details its administrator
//! gives (issuer, client id, the deployments allowed, and the platform's login, token and key endpoints). A
//! launch starts with a login initiation, remembered here until its launch arrives (single use, ten minutes);
//! a person launching is linked to an academy account by the platform's subject identifier.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000019_register_lti_platforms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lti_platform")
                    .col(pk_auto("id"))
                    .col(string_len("name", 120))
                    .col(string_len("issuer", 500))
                    .col(string_len("client_id", 255))
                    // Deployment ids the platform may launch with, one per line.
                    .col(text("deployment_ids"))
                    .col(string_len("auth_login_url", 500))
                    .col(string_len("token_url", 500))
                    .col(string_len("jwks_url", 500))
                    .col(boolean("enabled"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_platform_issuer_client")
                    .table("lti_platform")
                    .col("issuer")
                    .col("client_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_login")
                    .col(pk_auto("id"))
                    // SHA-256 (hex) of the state sent to the platform; the state itself is never stored.
                    .col(string_len_uniq("state_hash", 64))
                    .col(string_len("nonce", 64))
                    .col(integer("platform_id"))
                    .col(string_len("target_link_uri", 2048))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_login_platform")
                            .from("lti_login", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_login_created_at")
                    .table("lti_login")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lti_account")
                    .col(pk_auto("id"))
                    .col(integer("platform_id"))
                    .col(string_len("subject", 255))
                    .col(integer("account_id"))
                    .col(timestamp_with_time_zone("linked_at"))
                    .col(timestamp_with_time_zone("last_launch_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_account_platform")
                            .from("lti_account", "platform_id")
                            .to("lti_platform", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_account_account")
                            .from("lti_account", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_account_platform_subject")
                    .table("lti_account")
                    .col("platform_id")
                    .col("subject")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lti_account_account")
                    .table("lti_account")
                    .col("account_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["lti_account", "lti_login", "lti_platform"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
