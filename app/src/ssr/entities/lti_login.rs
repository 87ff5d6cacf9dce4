//! A login initiation waiting for its launch: what the launch must match. Used once, within ten minutes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_login")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SHA-256 (hex) of the `state` sent to the platform.
    #[sea_orm(unique)]
    pub state_hash: String,
    /// The nonce the launch's ID token must carry.
    pub nonce: String,
    pub platform_id: i32,
    /// Where the platform said the launch is for; the launch must say the same.
    pub target_link_uri: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
