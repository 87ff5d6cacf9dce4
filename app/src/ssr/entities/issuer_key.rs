//! A public key the academy has signed records with, published in the JWK Set. Private keys never live in
//! the database: each server instance keeps its own in its key folder.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issuer_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// The public key as a JWK (JSON).
    pub public_jwk: String,
    pub created_at: ChronoDateTimeUtc,
    /// Set when the key stops signing; it stays published so older records still verify.
    pub retired_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
