//! An organisation's OpenID Connect provider that staff can sign in with ("Sign in with <display name>").

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_provider")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Names the provider in the academy's sign-in and callback addresses (`/sign-in/sso/<slug>`).
    #[sea_orm(unique)]
    pub slug: String,
    pub display_name: String,
    /// The issuer identifier; its discovery document is read from `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret the organisation issued; used only at the provider's token endpoint, never shown.
    pub client_secret: String,
    /// Lower-case email domains the provider speaks for, one per line.
    pub email_domains: String,
    /// A claim (for example `groups`) whose value `lead_claim_value` makes the person a course lead.
    pub lead_claim: Option<String>,
    pub lead_claim_value: Option<String>,
    /// The organisation controls `email_domains`: an address there counts as verified even when the provider
    /// sends no `email_verified` claim (Microsoft Entra ID sends none).
    pub trusts_domain_addresses: bool,
    /// Password sign-in is refused for addresses in `email_domains`: the organisation's sign-in is the only way.
    pub passwords_off: bool,
    pub enabled: bool,
    pub created_at: ChronoDateTimeUtc,
}

/// Written out by hand so the client secret never reaches a log.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("identity_provider::Model")
            .field("id", &self.id)
            .field("slug", &self.slug)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("email_domains", &self.email_domains)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::account_identity::Entity")]
    AccountIdentity,
}

impl Related<super::account_identity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AccountIdentity.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
