//! A VLE activity that opens a module, with the grade service addresses its launches gave: where the
//! module's completions are reported.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_resource_link")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub platform_id: i32,
    /// The platform's id for the activity (`resource_link.id`).
    pub resource_link_id: String,
    pub deployment_id: String,
    pub module_slug: String,
    /// The course's line items (gradebook columns), for finding or making the activity's own.
    pub lineitems_url: Option<String>,
    /// The activity's own line item, when the platform named it or the academy found or made it.
    pub lineitem_url: Option<String>,
    /// The grade service scopes the platform granted, one per line.
    pub scopes: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
