//! A single-use token behind a link sent by email: verifying an address, resetting a password, or moving
//! an account to a new address. Only its SHA-256 is stored, so the table cannot be used to follow links.

use sea_orm::entity::prelude::*;

/// What following the link does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TokenPurpose {
    /// Proves the account's current address.
    #[sea_orm(string_value = "verify-email")]
    VerifyEmail,
    /// Lets the holder of the address set a new password.
    #[sea_orm(string_value = "reset-password")]
    ResetPassword,
    /// Proves the new address in `new_email`, then moves the account to it.
    #[sea_orm(string_value = "change-email")]
    ChangeEmail,
    /// Signs in the new window a launch inside a VLE's frame opens (the frame cannot keep the sign-in).
    #[sea_orm(string_value = "lti-continue")]
    LtiContinue,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub purpose: TokenPurpose,
    /// SHA-256 (hex) of the token in the link.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// For a change of address: the address being proved.
    pub new_email: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    /// Set when the link is followed; a used token never works again.
    pub used_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
