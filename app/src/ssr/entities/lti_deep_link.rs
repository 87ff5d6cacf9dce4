//! A VLE's Deep Linking request waiting while a course lead picks content: where the answer goes and what
//! the VLE accepts. Used once, within an hour.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_deep_link")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SHA-256 (hex) of the ticket the picker page carries.
    #[sea_orm(unique)]
    pub ticket_hash: String,
    pub platform_id: i32,
    pub deployment_id: String,
    /// The VLE's `deep_link_return_url`: where the signed answer is posted.
    pub return_url: String,
    /// The VLE's opaque `data`, echoed back unchanged.
    pub data: Option<String>,
    /// Whether the VLE takes more than one item.
    pub accept_multiple: bool,
    /// Whether the VLE makes a gradebook column from an item's `lineItem` (so a module's completion can be
    /// passed back to it).
    pub accept_line_items: bool,
    /// The sites allowed to frame the picker, one origin per line.
    pub frame_origins: String,
    /// The VLE course the request came from: the modules placed become the course's (its cohort's).
    pub course_id: Option<i32>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
