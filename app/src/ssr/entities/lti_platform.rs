//! A VLE (Moodle, Canvas, Blackboard, Brightspace) registered to launch the academy as an LTI 1.3 tool.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_platform")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// The platform's issuer (`iss` in its launches).
    pub issuer: String,
    /// The client id the platform gave the academy (`aud` in its launches).
    pub client_id: String,
    /// Deployment ids allowed to launch, one per line.
    pub deployment_ids: String,
    /// The platform's OpenID Connect authorization endpoint, where a login initiation is sent on.
    pub auth_login_url: String,
    /// The platform's OAuth 2 token endpoint (grade passback and rosters).
    pub token_url: String,
    /// The platform's public keys, which sign its launches.
    pub jwks_url: String,
    pub enabled: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
