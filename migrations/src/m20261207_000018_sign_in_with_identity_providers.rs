//! Single sign-on with an organisation's OpenID Connect provider. An admin registers each provider (its issuer,
//! the client the organisation created for the academy, the email domains it speaks for, an optional claim that
//! makes someone a course lead, and whether password sign-in is off for those domains). An account is linked to
//! a person at a provider by the provider's subject identifier, never by an email address alone.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000018_sign_in_with_identity_providers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("identity_provider")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("slug", 40))
                    .col(string_len("display_name", 80))
                    .col(string_len("issuer", 500))
                    .col(string_len("client_id", 255))
                    .col(string_len("client_secret", 500))
                    // Lower-case domains, one per line; an address outside them is refused.
                    .col(text("email_domains"))
                    .col(string_len_null("lead_claim", 100))
                    .col(string_len_null("lead_claim_value", 255))
                    // The organisation controls its domains: their addresses count as verified without an
                    // `email_verified` claim (Microsoft Entra ID sends none).
                    .col(boolean("trusts_domain_addresses"))
                    .col(boolean("passwords_off"))
                    .col(boolean("enabled"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("account_identity")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("provider_id"))
                    .col(string_len("subject", 255))
                    // Whether this provider's claim made the account a course lead (so it can take it back).
                    .col(boolean("granted_lead"))
                    .col(timestamp_with_time_zone("linked_at"))
                    .col(timestamp_with_time_zone("last_used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_identity_account")
                            .from("account_identity", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_identity_provider")
                            .from("account_identity", "provider_id")
                            .to("identity_provider", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_identity_provider_subject")
                    .table("account_identity")
                    .col("provider_id")
                    .col("subject")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One person per account at each provider: an address reassigned to someone new never inherits it.
        manager
            .create_index(
                Index::create()
                    .name("idx_account_identity_account_provider")
                    .table("account_identity")
                    .col("account_id")
                    .col("provider_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("account_identity").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("identity_provider").to_owned())
            .await
    }
}
