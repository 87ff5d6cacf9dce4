//! A VLE course (LTI `context`) the academy was launched from: where its roster is read, and the cohort it
//! was synced into.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_course")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub platform_id: i32,
    pub deployment_id: String,
    /// The platform's id for the course, unique within the deployment.
    pub context_id: String,
    /// The course's title (or label) as its latest launch gave it.
    pub title: String,
    /// The roster's address (Names and Role Provisioning `context_memberships_url`), when a launch offered it.
    pub memberships_url: Option<String>,
    pub cohort_id: Option<i32>,
    pub last_synced_at: Option<ChronoDateTimeUtc>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
